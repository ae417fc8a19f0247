using Akka.Actor;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Actors.Messages;

/// <summary>To a router. Reply: <see cref="WebRtcTransportCreated"/>.</summary>
public sealed record CreateWebRtcTransport(string TransportId, IActorRef? Listener = null);

public sealed record WebRtcTransportCreated(string TransportId, IActorRef Transport, IceParameters IceParameters,
    IReadOnlyList<IceCandidate> IceCandidates, DtlsParameters DtlsParameters);

/// <summary>To a router. Reply: <see cref="PlainTransportCreated"/>.</summary>
public sealed record CreatePlainTransport(string TransportId, bool RtcpMux = false, bool Comedia = true,
    bool EnableSrtp = false, string? SrtpCryptoSuite = null, IActorRef? Listener = null);

public sealed record PlainTransportCreated(string TransportId, IActorRef Transport, string Ip, int Port, int? RtcpPort,
    SrtpParameters? SrtpParameters);

/// <summary>To a router: a plain RTP transport to another router (rtcp-mux, no comedia). Reply:
/// <see cref="PipeTransportCreated"/>.</summary>
public sealed record CreatePipeTransport(string TransportId, IActorRef? Listener = null);

public sealed record PipeTransportCreated(string TransportId, IActorRef Transport, string Ip, int Port);

/// <summary>To a router (mediasoup's router.pipeToRouter()): makes <paramref name="ProducerId"/> available on
/// <paramref name="Router"/> (another router, on another worker of this node) through a pair of pipe
/// transports: a pipe consumer here, a producer with the same id there. Reply: <see cref="PipedToRouter"/>.</summary>
public sealed record PipeToRouter(string ProducerId, IActorRef Router);

public sealed record PipedToRouter(ConsumerCreated PipeConsumer, ProducerCreated PipeProducer);

/// <summary>To a router: consume <paramref name="ProducerId"/> on <paramref name="TransportId"/>.
/// Reply: <see cref="ConsumerCreated"/>. Consumers start paused unless told otherwise.</summary>
public sealed record Consume(string TransportId, string ConsumerId, string ProducerId, RtpCapabilities RtpCapabilities,
    bool Paused = true, IActorRef? Listener = null, int? PreferredSpatialLayer = null, int? PreferredTemporalLayer = null,
    bool EnableRtx = true, bool Pipe = false);

public sealed record ConsumerCreated(string ConsumerId, IActorRef Consumer, string ProducerId, MediaKind Kind,
    RtpParameters RtpParameters, RtpType Type, bool ProducerPaused);

/// <summary>To a router. Reply: bool.</summary>
public sealed record CanConsume(string ProducerId, RtpCapabilities RtpCapabilities);

/// <summary>To a router. Reply: its <see cref="RtpCapabilities"/>.</summary>
public sealed record GetRouterRtpCapabilities
{
    public static readonly GetRouterRtpCapabilities Instance = new();
}

public sealed record CloseRouter
{
    public static readonly CloseRouter Instance = new();
}
