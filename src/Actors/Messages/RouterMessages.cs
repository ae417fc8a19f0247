using Akka.Actor;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Actors.Messages;

/// <summary>To a router. Reply: <see cref="WebRtcTransportCreated"/>.</summary>
/// <param name="OwnPort">Bind a port of its own rather than use the worker's shared WebRTC port (mediasoup's
/// createWebRtcTransport with listenInfos rather than webRtcServer); with akkasfu.webrtc-server off, always.</param>
public sealed record CreateWebRtcTransport(string TransportId, IActorRef? Listener = null, bool OwnPort = false) : ICrossNodeMessage;

public sealed record WebRtcTransportCreated(string TransportId, IActorRef Transport, IceParameters IceParameters,
    IReadOnlyList<IceCandidate> IceCandidates, DtlsParameters DtlsParameters) : ICrossNodeMessage;

/// <summary>To a router. Reply: <see cref="PlainTransportCreated"/>. <paramref name="ComediaSourceIp"/>: the only IP
/// comedia may learn its remote from without SRTP (the API caller's address); null = any source (trusted callers
/// only: every front door passes one).</summary>
public sealed record CreatePlainTransport(string TransportId, bool RtcpMux = false, bool Comedia = true,
    bool EnableSrtp = false, string? SrtpCryptoSuite = null, IActorRef? Listener = null, string? ComediaSourceIp = null) : ICrossNodeMessage;

public sealed record PlainTransportCreated(string TransportId, IActorRef Transport, string Ip, int Port, int? RtcpPort,
    SrtpParameters? SrtpParameters) : ICrossNodeMessage;

/// <summary>To a router (mediasoup's router.createPipeTransport()): a plain RTP transport to a router on another
/// worker or node (rtcp-mux, no comedia, always on a fresh port). <paramref name="EnableSrtp"/>: SRTP with
/// AEAD_AES_256_GCM, keys exchanged through <see cref="ConnectPipeTransport"/>. <paramref name="EnableRtx"/>: its
/// consumers answer NACKs (RTX) and its producers send them. Reply: <see cref="PipeTransportCreated"/>.</summary>
public sealed record CreatePipeTransport(string TransportId, bool EnableSrtp = false, bool EnableRtx = false, IActorRef? Listener = null) : ICrossNodeMessage;

/// <summary><paramref name="SrtpParameters"/>: our sending key when SRTP is enabled (give it to the other side's connect).</summary>
public sealed record PipeTransportCreated(string TransportId, IActorRef Transport, string Ip, int Port, SrtpParameters? SrtpParameters = null) : ICrossNodeMessage;

/// <summary>To a pipe transport (mediasoup's pipeTransport.connect()): where the other side listens and its SRTP key.
/// With <paramref name="Remote"/> (the other side's pipe transport actor) this transport watches it and closes when it
/// goes, node loss included, so a pipe never outlives its other end. Reply: <see cref="Done"/>.</summary>
public sealed record ConnectPipeTransport(string Ip, int Port, SrtpParameters? SrtpParameters = null, IActorRef? Remote = null) : ICrossNodeMessage;

/// <summary>To a router (mediasoup's router.pipeToRouter()): makes <paramref name="ProducerId"/> available on
/// <paramref name="Router"/> (on another worker of this node, on another node, or on this same worker) through a
/// pair of pipe transports: a pipe consumer here, a pipe producer there that pauses, resumes and closes with the
/// original, and whose key-frame requests come back through the pipe. Idempotent per (producer, router): a second
/// call answers the first call's pipe. One pair of pipe transports per (router, router, options) carries every
/// producer piped between them. <paramref name="KeepId"/>: the pipe producer has the original's id (default when
/// the routers are on different workers; impossible on the same worker, where ids are unique, as in mediasoup).
/// Reply: <see cref="PipedToRouter"/>.</summary>
public sealed record PipeToRouter(string ProducerId, IActorRef Router, bool EnableSrtp = false, bool EnableRtx = false, bool? KeepId = null) : ICrossNodeMessage;

public sealed record PipedToRouter(ConsumerCreated PipeConsumer, ProducerCreated PipeProducer) : ICrossNodeMessage;

/// <summary>To a router: close the pipe of <paramref name="ProducerId"/> to <paramref name="Router"/> (its pipe consumer
/// here and so its pipe producer there, whose consumers close with "producerclose"). Unknown pipes are fine. Reply:
/// <see cref="Done"/>.</summary>
public sealed record ClosePipe(string ProducerId, IActorRef Router) : ICrossNodeMessage;

/// <summary>To a router: consume <paramref name="ProducerId"/> on <paramref name="TransportId"/>.
/// Reply: <see cref="ConsumerCreated"/>. Consumers start paused unless told otherwise.</summary>
public sealed record Consume(string TransportId, string ConsumerId, string ProducerId, RtpCapabilities RtpCapabilities,
    bool Paused = true, IActorRef? Listener = null, int? PreferredSpatialLayer = null, int? PreferredTemporalLayer = null,
    bool EnableRtx = true, bool Pipe = false) : ICrossNodeMessage;

public sealed record ConsumerCreated(string ConsumerId, IActorRef Consumer, string ProducerId, MediaKind Kind,
    RtpParameters RtpParameters, RtpType Type, bool ProducerPaused) : ICrossNodeMessage;

/// <summary>To a router. Reply: bool.</summary>
public sealed record CanConsume(string ProducerId, RtpCapabilities RtpCapabilities) : ICrossNodeMessage;

/// <summary>To a router. Reply: its <see cref="RtpCapabilities"/>.</summary>
public sealed record GetRouterRtpCapabilities : ICrossNodeMessage
{
    public static readonly GetRouterRtpCapabilities Instance = new();
}

public sealed record CloseRouter : ICrossNodeMessage
{
    public static readonly CloseRouter Instance = new();
}
