using Akka.Actor;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Actors.Messages;

/// <summary>To a WebRTC transport. Reply: <see cref="Done"/>.</summary>
public sealed record ConnectWebRtcTransport(DtlsParameters DtlsParameters) : ICrossNodeMessage;

/// <summary>To a plain transport. Reply: <see cref="Done"/>.</summary>
public sealed record ConnectPlainTransport(string? Ip = null, int? Port = null, int? RtcpPort = null, SrtpParameters? SrtpParameters = null) : ICrossNodeMessage;

/// <summary>To a WebRTC transport. Reply: the new <see cref="IceParameters"/>.</summary>
public sealed record RestartIce : ICrossNodeMessage
{
    public static readonly RestartIce Instance = new();
}

/// <summary>To a transport. Reply: <see cref="ProducerCreated"/>.</summary>
public sealed record Produce(string ProducerId, MediaKind Kind, RtpParameters RtpParameters, bool Paused = false,
    IActorRef? Listener = null) : ICrossNodeMessage;

public sealed record ProducerCreated(string ProducerId, IActorRef Producer, MediaKind Kind, RtpType Type, RtpParameters ConsumableRtpParameters) : ICrossNodeMessage;

public sealed record CloseTransport : ICrossNodeMessage
{
    public static readonly CloseTransport Instance = new();
}

/// <summary>To a transport. Reply: <see cref="TransportStats"/>.</summary>
public sealed record GetTransportStats : ICrossNodeMessage
{
    public static readonly GetTransportStats Instance = new();
}

public sealed record TransportStats(string TransportId, string IceState, string DtlsState, string? SelectedTuple,
    long RtpPacketsReceived, long RtpPacketsSent, long AvailableOutgoingBitrate = 0, long DesiredOutgoingBitrate = 0,
    long MaxIncomingBitrate = 0, long MaxOutgoingBitrate = 0, long MinOutgoingBitrate = 0, long ProbationPacketsSent = 0,
    IReadOnlyDictionary<string, long>? Drops = null) : ICrossNodeMessage;

/// <summary>To a transport: mediasoup's setMaxIncomingBitrate (0 = unlimited). Reply: <see cref="Done"/>.</summary>
public sealed record SetMaxIncomingBitrate(long Bitrate) : ICrossNodeMessage;

/// <summary>To a transport: mediasoup's setMaxOutgoingBitrate (0 = unlimited). Reply: <see cref="Done"/>.</summary>
public sealed record SetMaxOutgoingBitrate(long Bitrate) : ICrossNodeMessage;

/// <summary>To a transport: mediasoup's setMinOutgoingBitrate (0 = none). Reply: <see cref="Done"/>.</summary>
public sealed record SetMinOutgoingBitrate(long Bitrate) : ICrossNodeMessage;
