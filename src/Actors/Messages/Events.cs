namespace AkkaSfu.Actors.Messages;

/// <summary>What an object actor tells its listener (mediasoup's events). All carry the object's id.</summary>
public interface ISfuEvent : ICrossNodeMessage;

public sealed record RouterClosed(string RouterId) : ISfuEvent;
public sealed record TransportClosed(string TransportId, string Reason) : ISfuEvent;
public sealed record IceStateChanged(string TransportId, string IceState) : ISfuEvent;
public sealed record IceSelectedTupleChanged(string TransportId, string? RemoteAddress) : ISfuEvent;
public sealed record DtlsStateChanged(string TransportId, string DtlsState) : ISfuEvent;
public sealed record PlainTransportTuple(string TransportId, string RemoteAddress, bool Rtcp) : ISfuEvent;
/// <summary>The loudest audio producer of the router (null: silence), every 800 ms (mediasoup's AudioLevelObserver "volumes"/"silence").</summary>
public sealed record AudioLevels(string RouterId, string? ProducerId, int Volume) : ISfuEvent;
/// <summary>An active speaker observer of the router has a new dominant speaker (mediasoup's
/// ActiveSpeakerObserver "dominantspeaker"). Never sent on silence: the last one stays dominant.</summary>
public sealed record DominantSpeaker(string RouterId, string ObserverId, string ProducerId) : ISfuEvent;
public sealed record ProducerClosed(string ProducerId, string Reason) : ISfuEvent;
public sealed record ProducerScoreChanged(string ProducerId, IReadOnlyList<ProducerStreamScoreInfo> Scores) : ISfuEvent;

/// <summary>One encoding's score (mediasoup's producer "score" event entry).</summary>
public sealed record ProducerStreamScoreInfo(int EncodingIdx, uint Ssrc, string? Rid, int Score) : ICrossNodeMessage;
/// <summary>Reason: "producerclose", "transportclose", "fault" or "routerclose".</summary>
public sealed record ConsumerClosed(string ConsumerId, string Reason) : ISfuEvent;
public sealed record ConsumerProducerPaused(string ConsumerId) : ISfuEvent;
public sealed record ConsumerProducerResumed(string ConsumerId) : ISfuEvent;
public sealed record ConsumerLayersChanged(string ConsumerId, int? SpatialLayer, int? TemporalLayer) : ISfuEvent;
/// <summary>A transport's outgoing bitrates moved (mediasoup's transport "trace" of type "bwe"), bps.</summary>
public sealed record TransportBweChanged(string TransportId, long DesiredBitrate, long EffectiveDesiredBitrate, long AvailableBitrate) : ISfuEvent;
public sealed record ConsumerScoreChanged(string ConsumerId, int Score, int ProducerScore) : ISfuEvent;
