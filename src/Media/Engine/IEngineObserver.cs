using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Ice;

namespace AkkaSfu.Media.Engine;

/// <summary>DTLS state of a transport, in mediasoup's words.</summary>
public enum DtlsState : byte { New, Connecting, Connected, Failed, Closed }

/// <summary>What the engine tells its owner. Always called on the worker thread, between packets; an
/// implementation must not block (the actor layer turns each call into a message).</summary>
public interface IEngineObserver
{
    void OnIceStateChanged(string transportId, IceState state);
    void OnIceSelectedTupleChanged(string transportId, string? remote);
    void OnDtlsStateChanged(string transportId, DtlsState state, DtlsFailure? failure);
    /// <summary>A plain transport in comedia mode learnt where its peer sends from.</summary>
    void OnPlainTupleLearnt(string transportId, string remote, bool rtcp);
    void OnProducerScore(string producerId, IReadOnlyList<ProducerStreamScore> scores);
    void OnConsumerScore(string consumerId, int score, int producerScore);
    void OnConsumerLayersChanged(string consumerId, int spatialLayer, int temporalLayer);
    /// <summary>The consumer's producer was paused (true) or resumed (false).</summary>
    void OnConsumerProducerPaused(string consumerId, bool paused);
    /// <summary>The engine closed a consumer on its own: its producer closed, its transport closed, or a fault.</summary>
    void OnConsumerClosed(string consumerId, ConsumerCloseReason reason);
    /// <summary>The loudest audio producer of a router in the last interval (null: silence).</summary>
    void OnAudioLevels(string routerId, string? producerId, int volumeDbov);
    /// <summary>An active speaker observer's dominant speaker changed (mediasoup's "dominantspeaker").</summary>
    void OnDominantSpeaker(string observerId, string producerId);
    /// <summary>A transport's outgoing bitrates moved (mediasoup's "trace" of type "bwe"; mediasoup-demo's
    /// downlinkBwe).</summary>
    void OnTransportBwe(string transportId, TransportBwe bwe);
    /// <summary>An engine object threw on the packet path. It is already out of the packet path; the
    /// owner decides what else to close (supervision).</summary>
    void OnFault(EngineObjectKind kind, string id, Exception exception);
}

public enum ConsumerCloseReason : byte { Closed, ProducerClosed, TransportClosed, Fault }

public enum EngineObjectKind : byte { Router, Transport, Producer, Consumer }

/// <summary>A transport's outgoing bitrates, bps: what its consumers want at their preferred layers, that
/// capped by maxOutgoingBitrate, and the send-side estimate.</summary>
public readonly record struct TransportBwe(long DesiredBitrate, long EffectiveDesiredBitrate, long AvailableBitrate);

public readonly record struct ProducerStreamScore(int EncodingIndex, uint Ssrc, string? Rid, int Score);

/// <summary>An observer that ignores everything (tests and benchmarks); derive from it to hear one event.</summary>
public class NullEngineObserver : IEngineObserver
{
    public static readonly NullEngineObserver Instance = new();
    public virtual void OnIceStateChanged(string transportId, IceState state) { }
    public virtual void OnIceSelectedTupleChanged(string transportId, string? remote) { }
    public virtual void OnDtlsStateChanged(string transportId, DtlsState state, DtlsFailure? failure) { }
    public virtual void OnPlainTupleLearnt(string transportId, string remote, bool rtcp) { }
    public virtual void OnProducerScore(string producerId, IReadOnlyList<ProducerStreamScore> scores) { }
    public virtual void OnConsumerScore(string consumerId, int score, int producerScore) { }
    public virtual void OnConsumerLayersChanged(string consumerId, int spatialLayer, int temporalLayer) { }
    public virtual void OnConsumerProducerPaused(string consumerId, bool paused) { }
    public virtual void OnConsumerClosed(string consumerId, ConsumerCloseReason reason) { }
    public virtual void OnAudioLevels(string routerId, string? producerId, int volumeDbov) { }
    public virtual void OnDominantSpeaker(string observerId, string producerId) { }
    public virtual void OnTransportBwe(string transportId, TransportBwe bwe) { }
    public virtual void OnFault(EngineObjectKind kind, string id, Exception exception) { }
}
