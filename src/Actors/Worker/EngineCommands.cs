// What the object actors ask of their worker's engine, in mediasoup's words: sealed records carrying ids and
// plain data (engine settings records, addresses, keys), never code or engine objects. The worker runs each
// one on its own thread between datagram batches (EngineCommandHandler) and answers its sender with the
// result, Done, or Status.Failure(SfuException).
using System.Net;
using Akka.Actor;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Actors.Worker;

/// <summary>A command for the worker's engine about the engine object <see cref="Id"/>.</summary>
public interface IEngineCommand
{
    string Id { get; }
}

/// <summary>Creates the engine object <see cref="IEngineCommand.Id"/> for its sender: once it succeeds, the
/// sender owns that object and the worker sends it that object's events.</summary>
public interface IEngineCreateOwned : IEngineCommand;

/// <summary>Closes an object whose actor has stopped: idempotent, and nobody waits for it, so the worker
/// does not answer (a failure is logged).</summary>
public interface IEngineClose : IEngineCommand;

// ---- router -----------------------------------------------------------------------------------------

public sealed record EngineCloseRouter(string RouterId) : IEngineClose
{
    string IEngineCommand.Id => RouterId;
}

// ---- transports -------------------------------------------------------------------------------------

/// <summary>Answered with <see cref="Messages.WebRtcTransportCreated"/> naming <paramref name="Transport"/>.</summary>
public sealed record EngineCreateWebRtcTransport(string RouterId, string TransportId, WebRtcTransportSettings Settings, IActorRef Transport)
    : IEngineCreateOwned
{
    string IEngineCommand.Id => TransportId;
}

/// <summary>Answered with <see cref="Messages.PlainTransportCreated"/> naming <paramref name="Transport"/>.</summary>
public sealed record EngineCreatePlainTransport(string RouterId, string TransportId, PlainTransportSettings Settings, IActorRef Transport)
    : IEngineCreateOwned
{
    string IEngineCommand.Id => TransportId;
}

/// <summary>A plain transport between two routers; answered with <see cref="Messages.PipeTransportCreated"/>.</summary>
public sealed record EngineCreatePipeTransport(string RouterId, string TransportId, PlainTransportSettings Settings, IActorRef Transport)
    : IEngineCreateOwned
{
    string IEngineCommand.Id => TransportId;
}

public sealed record EngineConnectWebRtcTransport(string TransportId, DtlsRole Role, DtlsFingerprint Fingerprint) : IEngineCommand
{
    string IEngineCommand.Id => TransportId;
}

/// <summary>Remote addresses (null with comedia) and the remote SRTP key (null without SRTP).</summary>
public sealed record EngineConnectPlainTransport(string TransportId, IPEndPoint? Rtp, IPEndPoint? Rtcp, SrtpMasterKey? SrtpKey) : IEngineCommand
{
    string IEngineCommand.Id => TransportId;
}

/// <summary>Answered with the new <see cref="Messages.IceParameters"/>.</summary>
public sealed record EngineRestartIce(string TransportId) : IEngineCommand
{
    string IEngineCommand.Id => TransportId;
}

/// <summary>Answered with <see cref="Messages.TransportStats"/>.</summary>
public sealed record EngineGetTransportStats(string TransportId) : IEngineCommand
{
    string IEngineCommand.Id => TransportId;
}

/// <summary>setMaxIncomingBitrate / setMaxOutgoingBitrate / setMinOutgoingBitrate: null leaves a value as it is.</summary>
public sealed record EngineSetTransportBitrates(string TransportId, long? MaxIncoming, long? MaxOutgoing, long? MinOutgoing) : IEngineCommand
{
    string IEngineCommand.Id => TransportId;
}

public sealed record EngineSetConsumerPriority(string ConsumerId, int Priority) : IEngineCommand
{
    string IEngineCommand.Id => ConsumerId;
}

public sealed record EngineCloseTransport(string TransportId) : IEngineClose
{
    string IEngineCommand.Id => TransportId;
}

// ---- producers --------------------------------------------------------------------------------------

public sealed record EngineProduce(string TransportId, ProducerSettings Settings) : IEngineCreateOwned
{
    string IEngineCommand.Id => Settings.Id;
}

public sealed record EnginePauseProducer(string ProducerId) : IEngineCommand
{
    string IEngineCommand.Id => ProducerId;
}

public sealed record EngineResumeProducer(string ProducerId) : IEngineCommand
{
    string IEngineCommand.Id => ProducerId;
}

/// <summary>Answered with inbound <see cref="Messages.RtpStreamStats"/>.</summary>
public sealed record EngineGetProducerStats(string ProducerId) : IEngineCommand
{
    string IEngineCommand.Id => ProducerId;
}

public sealed record EngineCloseProducer(string ProducerId) : IEngineClose
{
    string IEngineCommand.Id => ProducerId;
}

// ---- consumers --------------------------------------------------------------------------------------

/// <summary>A consumer created active asks for a key frame at once.</summary>
public sealed record EngineConsume(string TransportId, ConsumerSettings Settings) : IEngineCreateOwned
{
    string IEngineCommand.Id => Settings.Id;
}

public sealed record EnginePauseConsumer(string ConsumerId) : IEngineCommand
{
    string IEngineCommand.Id => ConsumerId;
}

public sealed record EngineResumeConsumer(string ConsumerId) : IEngineCommand
{
    string IEngineCommand.Id => ConsumerId;
}

public sealed record EngineRequestConsumerKeyFrame(string ConsumerId) : IEngineCommand
{
    string IEngineCommand.Id => ConsumerId;
}

/// <summary>Ignored by a simple consumer (one layer). A null temporal layer means the highest.</summary>
public sealed record EngineSetConsumerPreferredLayers(string ConsumerId, int SpatialLayer, int? TemporalLayer) : IEngineCommand
{
    string IEngineCommand.Id => ConsumerId;
}

/// <summary>Answered with outbound <see cref="Messages.RtpStreamStats"/>.</summary>
public sealed record EngineGetConsumerStats(string ConsumerId) : IEngineCommand
{
    string IEngineCommand.Id => ConsumerId;
}

public sealed record EngineCloseConsumer(string ConsumerId) : IEngineClose
{
    string IEngineCommand.Id => ConsumerId;
}

/// <summary>Fault injection: the consumer's next packet throws on the packet path (and the engine takes it
/// out, as for a real fault).</summary>
public sealed record EngineInjectConsumerFault(string ConsumerId, string Reason) : IEngineCommand
{
    string IEngineCommand.Id => ConsumerId;
}

// ---- RTP observers ----------------------------------------------------------------------------------

/// <summary>Answered with <see cref="Messages.ActiveSpeakerObserverCreated"/>. Its events go to the owner of
/// its router.</summary>
public sealed record EngineCreateActiveSpeakerObserver(string RouterId, string ObserverId, int IntervalMs) : IEngineCommand
{
    string IEngineCommand.Id => ObserverId;
}

public sealed record EngineRtpObserverAddProducer(string ObserverId, string ProducerId) : IEngineCommand
{
    string IEngineCommand.Id => ObserverId;
}

public sealed record EngineRtpObserverRemoveProducer(string ObserverId, string ProducerId) : IEngineCommand
{
    string IEngineCommand.Id => ObserverId;
}

public sealed record EnginePauseRtpObserver(string ObserverId) : IEngineCommand
{
    string IEngineCommand.Id => ObserverId;
}

public sealed record EngineResumeRtpObserver(string ObserverId) : IEngineCommand
{
    string IEngineCommand.Id => ObserverId;
}

/// <summary>Answered (unlike the object closes): the router's actor closes an observer on request.</summary>
public sealed record EngineCloseRtpObserver(string ObserverId) : IEngineCommand
{
    string IEngineCommand.Id => ObserverId;
}
