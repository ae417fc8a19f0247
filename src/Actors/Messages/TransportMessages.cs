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
    long RtpPacketsReceived, long RtpPacketsSent) : ICrossNodeMessage;
