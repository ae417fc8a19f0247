using AkkaSfu.Media.Codecs;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Layers;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Engine;

/// <summary>mediasoup's Consumer on the worker thread. The base keeps what every kind shares: activity
/// (paused, producer paused), one continuous output sequence and timestamp line, and the send path through
/// the transport. Each subclass owns one forwarding policy (simple, simulcast, pipe).</summary>
public abstract class Consumer
{
    private readonly WrappingIdMapper _seq = new(16, reorderWindow: 128);
    private uint _tsOffset;
    private bool _syncRequired = true;

    // What went out under each recent output seq, to answer NACKs from the producer's shared buffer. Only
    // video producers keep a buffer, and it holds Producer.RetransmissionCapacity packets: a longer history
    // could never be served, and audio consumers need none (2.3 KB per video consumer, 0 per audio one).
    private const int SentHistory = Producer.RetransmissionCapacity;
    private readonly ushort[]? _sentOutSeq;
    private readonly ushort[]? _sentInSeq;
    private readonly uint[]? _sentTs;
    private readonly sbyte[]? _sentEncoding;
    private ushort _rtxSeq = (ushort)Random.Shared.Next(0, 65536);
    private byte _lastScore = StreamScore.Max;

    protected Consumer(Transport transport, Producer producer, ConsumerSettings settings)
    {
        Transport = transport;
        Producer = producer;
        Settings = settings;
        Paused = settings.Paused;
        ProducerPaused = producer.Paused;
        SendStats = new RtpSendStats(settings.Ssrc);
        CnameBytes = System.Text.Encoding.ASCII.GetBytes(settings.Cname);
        if (settings.Kind == StreamKind.Video)
        {
            _sentOutSeq = new ushort[SentHistory];
            _sentInSeq = new ushort[SentHistory];
            _sentTs = new uint[SentHistory];
            _sentEncoding = new sbyte[SentHistory];
            Array.Fill(_sentEncoding, (sbyte)-1);
        }
    }

    /// <summary>RFC 3550 sender state: counts for SRs, RTT and loss from the endpoint's RRs.</summary>
    public RtpSendStats SendStats { get; }

    internal byte[] CnameBytes { get; }

    public string Id => Settings.Id;
    public ConsumerSettings Settings { get; }
    public Transport Transport { get; }
    public Producer Producer { get; }
    public StreamKind Kind => Settings.Kind;
    public bool Paused { get; private set; }
    public bool ProducerPaused { get; private set; }
    public bool IsClosed { get; private set; }
    public bool IsActive => !Paused && !ProducerPaused && !IsClosed;

    public long PacketsSent { get; private set; }
    public long BytesSent { get; private set; }
    public ushort LastSequenceNumber { get; private set; }
    public uint LastTimestamp { get; private set; }
    protected long LastSentMs { get; private set; } = -1;

    /// <summary>The router SSRC of the stream currently forwarded (for key-frame requests).</summary>
    protected abstract uint CurrentMappedSsrc { get; }

    /// <summary>mediasoup's consumer priority (1–255): a share of the transport's bitrate, see
    /// <see cref="LayerAllocator"/>.</summary>
    public int Priority { get; private set; } = 1;

    public void SetPriority(int priority) => Priority = Math.Clamp(priority, 1, 255);

    /// <summary>Fills this consumer's entry for the transport's bitrate allocation. A consumer that cannot be
    /// shaped takes what its stream uses.</summary>
    internal virtual void FillDemand(LayerDemand demand, long nowMs)
    {
        demand.Priority = Priority;
        demand.Layered = false;
        demand.IsAudio = Kind == StreamKind.Audio;
        demand.FixedBitrate = IsActive ? Producer.StreamBitrate(0, nowMs) : 0;
    }

    /// <summary>The allocation's result for this consumer (layered consumers move their target).</summary>
    internal virtual void ApplyAllocation(LayerDemand demand, long nowMs) { }

    /// <summary>Handles one mapped producer packet (a view of the producer's buffer: read it, don't write it).</summary>
    internal abstract void SendRtp(int encoding, RtpPacket packet, bool isKeyFrame, long nowMs);

    /// <summary>The encoding being forwarded (for the retransmission history).</summary>
    protected virtual int CurrentEncoding => 0;

    /// <summary>A packet of the stream being forwarded is filtered out (e.g. an SVC layer above the target):
    /// close its sequence number's gap so the endpoint sees no loss.</summary>
    protected void DropFromSequence(RtpPacket packet)
    {
        if (!_syncRequired) _seq.Drop(packet.SequenceNumber);
        Transport.Count(Drop.LayerFiltered);
    }

    /// <summary>After a pause, a switch or at start, the next forwarded packet re-anchors the output.</summary>
    protected void RequireSync() => _syncRequired = true;

    /// <summary>Set by a policy before <see cref="Forward"/>: mark this packet as the end of a frame (SVC).</summary>
    protected bool ForceMarker;

    /// <summary>Edits the consumer's own copy of a payload (codec rewriting); false drops the packet.</summary>
    protected virtual bool RewritePayload(Span<byte> payload) => true;

    /// <summary>Copies <paramref name="packet"/> into the worker's send buffer, rewrites it to this consumer's
    /// SSRC, PT, sequence number and timestamp, lets <see cref="RewritePayload"/> edit the payload copy, and
    /// sends it. Returns false if it was dropped (the sequence number is then not consumed).</summary>
    protected bool Forward(RtpPacket packet, long nowMs)
    {
        if (_injectedFault is { } fault) { _injectedFault = null; throw fault; }
        var scratch = Transport.Worker.SendBuffer;
        var length = packet.Length;
        packet.Buffer.CopyTo(scratch);
        if (RtpPacket.TryParse(scratch.AsSpan(0, length), out var copy) != RtpParseError.None) return false;

        var inSeq = copy.SequenceNumber;
        if (_syncRequired)
        {
            _seq.Sync(inSeq);
            // Continue the timestamp line from the last packet sent, advanced by the wall time in between.
            _tsOffset = LastSentMs < 0 ? 0
                : unchecked(LastTimestamp + (uint)Math.Max(1, (nowMs - LastSentMs) * Settings.ClockRate / 1000) - copy.Timestamp);
            _syncRequired = false;
        }
        if (!RewritePayload(copy.Payload))
        {
            _seq.Drop(inSeq);
            Transport.Count(Drop.LayerFiltered);
            return false;
        }
        if (_seq.Input(inSeq, out var outSeq) != IdMapResult.Mapped)
        {
            Transport.Count(Drop.LayerFiltered);
            return false;
        }

        var outTs = unchecked(copy.Timestamp + _tsOffset);
        if (ForceMarker) copy.SetMarker(true);
        copy.SetSsrc(Settings.Ssrc);
        copy.SetPayloadType(Settings.PayloadType);
        copy.SetSequenceNumber((ushort)outSeq);
        copy.SetTimestamp(outTs);
        if (!SeqNum.IsNewer(LastSequenceNumber, (ushort)outSeq) || PacketsSent == 0)
        {
            LastSequenceNumber = (ushort)outSeq;
            LastTimestamp = outTs;
            LastSentMs = nowMs;
        }
        PacketsSent++;
        BytesSent += length;
        SendStats.OnPacketSent(copy.PayloadLength, outTs, nowMs);
        if (_sentEncoding is not null)
        {
            var slot = outSeq & (SentHistory - 1);
            _sentOutSeq![slot] = (ushort)outSeq;
            _sentInSeq![slot] = inSeq;
            _sentTs![slot] = outTs;
            _sentEncoding[slot] = (sbyte)CurrentEncoding;
        }
        Transport.SendConsumerRtp(this, scratch, copy, nowMs);
        return true;
    }

    /// <summary>The endpoint lost our packet <paramref name="seq"/> (of our stream <paramref name="mediaSsrc"/>):
    /// resend it from the producer's buffer, as RTX when negotiated (RFC 4588), else as the original.</summary>
    internal virtual void ReceiveNack(uint mediaSsrc, ushort seq, long nowMs)
    {
        var slot = seq & (SentHistory - 1);
        if (!IsActive || _sentEncoding is null || _sentEncoding[slot] < 0 || _sentOutSeq![slot] != seq
            || !Producer.TryGetStoredPacket(_sentEncoding[slot], _sentInSeq![slot], nowMs, out var stored))
        {
            Transport.Count(Drop.NoRetransmission);
            return;
        }
        if (_sentEncoding[slot] != CurrentEncoding) { Transport.Count(Drop.NackForOldStream); return; }
        var scratch = Transport.Worker.SendBuffer;
        stored.CopyTo(scratch);
        if (RtpPacket.TryParse(scratch.AsSpan(0, stored.Length), out var copy) != RtpParseError.None) return;
        if (!StillForwarded(copy)) { Transport.Count(Drop.NackForOldStream); return; }
        if (!Transport.Bandwidth.AllowRetransmission(stored.Length, nowMs)) { Transport.Count(Drop.RetransmissionLimited); return; }
        copy.SetSsrc(Settings.Ssrc);
        copy.SetPayloadType(Settings.PayloadType);
        copy.SetSequenceNumber(seq);
        copy.SetTimestamp(_sentTs![slot]);
        if (Settings.RtxSsrc != 0 && Settings.RtxPayloadType != 0)
        {
            SendRtx(copy, Settings.RtxSsrc, _rtxSeq++, nowMs);
            return;
        }
        Transport.SendConsumerRtp(this, scratch, copy, nowMs);
        Transport.Worker.Counters.Retransmitted++;
    }

    /// <summary>Whether a stored packet (as the producer received it) is of a layer this consumer still
    /// forwards: resending one of a layer it has gone down from only clogs the downlink.</summary>
    protected virtual bool StillForwarded(RtpPacket stored) => true;

    /// <summary>Sends <paramref name="copy"/> (a stored packet rewritten in the send buffer) as RTX on
    /// <paramref name="rtxSsrc"/> with sequence number <paramref name="rtxSeq"/> (RFC 4588), and counts it.</summary>
    protected void SendRtx(RtpPacket copy, uint rtxSsrc, ushort rtxSeq, long nowMs)
    {
        var rtx = Transport.Worker.RtxBuffer;
        if (Rtx.Encapsulate(copy, rtx, Settings.RtxPayloadType, rtxSsrc, rtxSeq, out var n) != RtxError.None
            || RtpPacket.TryParse(rtx.AsSpan(0, n), out var rtxPacket) != RtpParseError.None) return;
        Transport.SendConsumerRtp(this, rtx, rtxPacket, nowMs);
        Transport.Worker.Counters.Retransmitted++;
    }

    /// <summary>A report block about our stream from the endpoint's SR/RR: RTT, loss, score.</summary>
    internal void ReceiveReportBlock(in RtcpReportBlock block, long nowMs)
    {
        SendStats.ReceiveReportBlock(block, nowMs);
        if (SendStats.Score == _lastScore) return;
        _lastScore = SendStats.Score;
        Transport.Worker.Observer.OnConsumerScore(Id, SendStats.Score, Producer.Score);
    }

    /// <summary>The endpoint asked for a key frame (PLI/FIR for our SSRC <paramref name="mediaSsrc"/>).</summary>
    internal virtual void ReceiveKeyFrameRequest(uint mediaSsrc, long nowMs)
    {
        if (IsActive) Producer.RequestKeyFrame(CurrentMappedSsrc, nowMs);
    }

    public void Pause()
    {
        Paused = true;
    }

    /// <summary>Resumes forwarding; video waits for a key frame, which is requested now.</summary>
    public void Resume(long nowMs)
    {
        if (!Paused) return;
        Paused = false;
        OnActivated(nowMs);
        ReportScore(); // mediasoup-demo tells the consumer's score right after resume: the real one
    }

    private int _reportedSpatial = -1, _reportedTemporal = -1;

    /// <summary>Tells the owner the layers now forwarded when they changed (mediasoup's "layerschange").</summary>
    protected void ReportLayers(int spatial, int temporal)
    {
        if (spatial == _reportedSpatial && temporal == _reportedTemporal) return;
        (_reportedSpatial, _reportedTemporal) = (spatial, temporal);
        Transport.Worker.Observer.OnConsumerLayersChanged(Id, spatial, temporal);
    }

    /// <summary>Tells the owner this consumer's score (from the endpoint's reports) and its producer's.</summary>
    internal void ReportScore() => Transport.Worker.Observer.OnConsumerScore(Id, SendStats.Score, Producer.Score);

    internal void OnProducerPaused()
    {
        ProducerPaused = true;
        Transport.Worker.Observer.OnConsumerProducerPaused(Id, true);
    }

    internal void OnProducerResumed()
    {
        ProducerPaused = false;
        OnActivated(-1);
        Transport.Worker.Observer.OnConsumerProducerPaused(Id, false);
    }

    /// <summary>Became active: re-anchor the output and (video) ask for a key frame.</summary>
    protected virtual void OnActivated(long nowMs)
    {
        RequireSync();
        if (Kind == StreamKind.Video && nowMs >= 0 && IsActive) Producer.RequestKeyFrames(nowMs);
    }

    /// <summary>Asks the producer for a key frame on behalf of this consumer (requestConsumerKeyFrame).</summary>
    public void RequestKeyFrame(long nowMs)
    {
        if (IsActive && Kind == StreamKind.Video) Producer.RequestKeyFrame(CurrentMappedSsrc, nowMs);
    }

    /// <summary>Takes the consumer out of the packet path. Unless closed on request, the owner is told why.</summary>
    internal void Close(ConsumerCloseReason reason)
    {
        if (IsClosed) return;
        IsClosed = true;
        CloseReason = reason;
        Producer.RemoveConsumer(this);
        Transport.RemoveConsumer(this);
        // Only a producer's close is news to the owner: a transport close or a fault reaches it through
        // its own parent (supervision), an explicit close was its own doing.
        if (reason == ConsumerCloseReason.ProducerClosed) Transport.Worker.Observer.OnConsumerClosed(Id, reason);
    }

    public ConsumerCloseReason? CloseReason { get; private set; }

    /// <summary>The consumer was closed because its producer closed (mediasoup's "producerclose").</summary>
    public bool ClosedByProducer => CloseReason == ConsumerCloseReason.ProducerClosed;

    /// <summary>Fault injection for supervision tests: the next packet this consumer forwards throws.</summary>
    public void FailNextPacket(Exception exception) => _injectedFault = exception;

    private Exception? _injectedFault;
}

/// <summary>One producer stream to one consumer stream (audio, or video with one encoding).</summary>
public sealed class SimpleConsumer : Consumer
{
    private bool _waitingForKeyFrame = true;

    internal SimpleConsumer(Transport transport, Producer producer, ConsumerSettings settings)
        : base(transport, producer, settings) { }

    protected override uint CurrentMappedSsrc => Producer.Streams[0].Encoding.MappedSsrc;

    internal override void SendRtp(int encoding, RtpPacket packet, bool isKeyFrame, long nowMs)
    {
        if (!IsActive) { Transport.Count(Drop.ConsumerInactive); return; }
        if (Kind == StreamKind.Video && _waitingForKeyFrame)
        {
            if (!isKeyFrame) { Transport.Count(Drop.WaitingForKeyFrame); return; }
            _waitingForKeyFrame = false;
        }
        Forward(packet, nowMs);
    }

    protected override void OnActivated(long nowMs)
    {
        _waitingForKeyFrame = true;
        base.OnActivated(nowMs);
    }
}

/// <summary>Several producer encodings (simulcast) to one continuous consumer stream: forwards one encoding
/// at a time, switches only on a key frame of the target, and rewrites VP8 picture ids so the switch is
/// invisible to the decoder. The target is the preferred spatial layer, or the highest one, among the
/// encodings that are receiving.</summary>
public sealed class SimulcastConsumer : Consumer, ILayeredConsumer
{
    private readonly Vp8Rewriter _vp8 = new();
    // H264 (no temporal id in its payload): the temporal layers the dependency descriptor gives, when sent.
    private readonly DdTemporalFilter _dd = new();
    private int _current = -1;
    private int _target;
    private int _targetTemporal;
    private bool _switching;
    private long _lastTargetCheckMs = long.MinValue;
    private readonly int _maxTemporalLayer;
    // The bandwidth allocation's layers (no limit until the transport has an estimate).
    private int _allocSpatial = int.MaxValue, _allocTemporal = int.MaxValue;

    internal SimulcastConsumer(Transport transport, Producer producer, ConsumerSettings settings)
        : base(transport, producer, settings)
    {
        PreferredSpatialLayer = settings.PreferredSpatialLayer >= 0 ? settings.PreferredSpatialLayer : producer.Streams.Length - 1;
        _maxTemporalLayer = Math.Max(0, producer.Settings.Encodings.Max(e => e.TemporalLayers) - 1);
        PreferredTemporalLayer = settings.PreferredTemporalLayer >= 0 ? Math.Min(settings.PreferredTemporalLayer, _maxTemporalLayer) : _maxTemporalLayer;
        _target = PreferredSpatialLayer;
        _targetTemporal = PreferredTemporalLayer;
    }

    public int PreferredSpatialLayer { get; private set; }
    public int PreferredTemporalLayer { get; private set; }
    public int CurrentSpatialLayer => _current;

    protected override int CurrentEncoding => Math.Max(0, _current);
    // The rewriter's / filter's "every layer" (int.MaxValue) is the top layer here.
    public int CurrentTemporalLayer => _current < 0 ? -1 : Math.Min(ForwardedTemporal, _maxTemporalLayer);

    private int ForwardedTemporal => IsVp8 ? _vp8.CurrentTemporalLayer
        : _dd.CurrentTemporalLayer >= 0 ? _dd.CurrentTemporalLayer : _maxTemporalLayer;

    protected override uint CurrentMappedSsrc => Producer.Streams[Math.Max(0, _current < 0 ? _target : _current)].Encoding.MappedSsrc;

    public int SpatialLayerCount => Producer.Streams.Length;
    public int TemporalLayerCount => _maxTemporalLayer + 1;
    public int TargetSpatialLayer => _target;
    public int TargetTemporalLayer => _targetTemporal;

    public void SetPreferredLayers(int spatial, int temporal, long nowMs)
    {
        PreferredSpatialLayer = Math.Clamp(spatial, 0, Producer.Streams.Length - 1);
        PreferredTemporalLayer = temporal < 0 ? _maxTemporalLayer : Math.Min(temporal, _maxTemporalLayer);
        UpdateTarget(nowMs, force: true);
    }

    // VP8 carries temporal layers in its payload descriptor; H264 only in the dependency descriptor, when the
    // browser sends one (Chromium does with H264 simulcast). Without either, each stream is one layer.
    private bool FiltersTemporal => IsVp8 || Producer.HasDescriptorLayers;

    internal override void FillDemand(LayerDemand demand, long nowMs)
    {
        base.FillDemand(demand, nowMs);
        demand.Layered = true;
        var temporalLayers = FiltersTemporal ? TemporalLayerCount : 1;
        demand.Reset(Producer.Streams.Length, temporalLayers);
        if (!IsActive) return; // nothing live: takes nothing
        for (var s = 0; s < Producer.Streams.Length; s++)
            for (var t = 0; t < temporalLayers; t++)
                demand.SetBitrate(s, t, FiltersTemporal ? Producer.LayerBitrate(s, 0, t, nowMs) : Producer.StreamBitrate(s, nowMs));
        demand.MaxSpatial = PreferredSpatialLayer;
        demand.MaxTemporal = FiltersTemporal ? PreferredTemporalLayer : 0;
        demand.CurrentSpatial = _current;
        demand.CurrentTemporal = _current < 0 ? -1 : FiltersTemporal ? Math.Max(0, CurrentTemporalLayer) : 0;
    }

    internal override void ApplyAllocation(LayerDemand demand, long nowMs)
    {
        if (demand.Spatial < 0) return; // nothing live: keep waiting for whatever comes
        var temporal = FiltersTemporal ? demand.Temporal : int.MaxValue;
        if (demand.Spatial == _allocSpatial && temporal == _allocTemporal) return;
        (_allocSpatial, _allocTemporal) = (demand.Spatial, temporal);
        UpdateTarget(nowMs, force: false);
    }

    internal override void SendRtp(int encoding, RtpPacket packet, bool isKeyFrame, long nowMs)
    {
        if (!IsActive) { Transport.Count(Drop.ConsumerInactive); return; }
        if (nowMs - _lastTargetCheckMs >= 500) UpdateTarget(nowMs, force: false);

        if (encoding != _current)
        {
            if (encoding != _target || !isKeyFrame) { Transport.Count(Drop.LayerFiltered); return; }
            _current = encoding;
            _switching = true;
            _dd.Reset();
            RequireSync();
        }
        if (!IsVp8 && Producer.PacketLayers is { Known: true } layers
            && !_dd.Process(layers.StartOfFrame, layers.TemporalLayer, isKeyFrame, ForwardedTemporalTarget))
        {
            DropFromSequence(packet);
            return;
        }
        if (!Forward(packet, nowMs)) return;
        _switching = false;
        ReportLayers(_current, Math.Clamp(ForwardedTemporal, 0, _targetTemporal));
    }

    protected override bool RewritePayload(Span<byte> payload) =>
        Producer.Settings.Codecs.Count == 0 || !IsVp8
            ? true
            : _vp8.Process(payload, ForwardedTemporalTarget, _switching) == Vp8RewriteResult.Forward;

    // The highest target means every layer the stream carries, whatever was signalled. While waiting for the
    // key frame of a lower stream (going down: the downlink is short) only the base layer of the current one
    // goes on, which sheds most of its bitrate at once instead of flooding the link until the switch.
    private int ForwardedTemporalTarget =>
        _current > _target ? 0 : _targetTemporal >= _maxTemporalLayer ? int.MaxValue : _targetTemporal;

    private bool IsVp8 => _isVp8 ??= Producer.Settings.Codecs.Any(c => c.MimeType.Equals("video/VP8", StringComparison.OrdinalIgnoreCase));
    private bool? _isVp8;

    /// <summary>Chooses the highest live encoding within the preferred and the allocated layer (or, when none
    /// below it is live, the lowest live one) and the temporal layer; asks for the key frame a switch needs.</summary>
    private void UpdateTarget(long nowMs, bool force)
    {
        _lastTargetCheckMs = nowMs;
        var cap = Math.Min(Math.Min(PreferredSpatialLayer, _allocSpatial), Producer.Streams.Length - 1);
        var target = -1;
        for (var i = cap; i >= 0 && target < 0; i--)
            if (Producer.Streams[i].IsLive(nowMs)) target = i;
        for (var i = cap + 1; i < Producer.Streams.Length && target < 0; i++)
            if (Producer.Streams[i].IsLive(nowMs)) target = i;
        if (target < 0) return;
        _targetTemporal = target == _allocSpatial ? Math.Min(PreferredTemporalLayer, _allocTemporal)
            : target < _allocSpatial ? PreferredTemporalLayer : 0;
        if (target != _target || force || _current != _target)
        {
            _target = target;
            if (_current != _target) Producer.RequestKeyFrame(Producer.Streams[_target].Encoding.MappedSsrc, nowMs);
        }
    }

    protected override void OnActivated(long nowMs)
    {
        _current = -1; // start again on a key frame of the target
        _dd.Reset();
        base.OnActivated(nowMs);
    }
}

/// <summary>A consumer whose spatial/temporal layers can be chosen (setConsumerPreferredLayers), within which
/// the transport's bandwidth allocation sets its target.</summary>
public interface ILayeredConsumer
{
    void SetPreferredLayers(int spatial, int temporal, long nowMs);
    int PreferredSpatialLayer { get; }
    int PreferredTemporalLayer { get; }
    int TargetSpatialLayer { get; }
    int TargetTemporalLayer { get; }
}

/// <summary>One SVC stream (VP9 L3T3 / L3T3_KEY, or VP8 with temporal layers): forwards the layers up to the
/// preferred ones (all by default), going up in spatial layers only at key frames, and marks the last
/// packet of the highest forwarded spatial layer as the end of the frame.</summary>
public sealed class SvcConsumer : Consumer, ILayeredConsumer
{
    private readonly Vp9SvcFilter? _vp9;
    private readonly Vp8Rewriter? _vp8;
    private readonly int _maxSpatial, _maxTemporal;
    private bool _waitingForKeyFrame = true;

    internal SvcConsumer(Transport transport, Producer producer, ConsumerSettings settings)
        : base(transport, producer, settings)
    {
        var encoding = producer.Settings.Encodings[0];
        _maxSpatial = Math.Max(0, encoding.SpatialLayers - 1);
        _maxTemporal = Math.Max(0, encoding.TemporalLayers - 1);
        var mime = producer.Settings.Codecs.Count > 0 ? producer.Settings.Codecs[0].MimeType : "";
        if (mime.Equals("video/VP9", StringComparison.OrdinalIgnoreCase))
            _vp9 = new Vp9SvcFilter(encoding.SpatialLayers, encoding.TemporalLayers, encoding.KSvc);
        else if (mime.Equals("video/VP8", StringComparison.OrdinalIgnoreCase))
            _vp8 = new Vp8Rewriter();
        SetPreferredLayers(settings.PreferredSpatialLayer, settings.PreferredTemporalLayer, 0);
    }

    public int PreferredSpatialLayer { get; private set; }
    public int PreferredTemporalLayer { get; private set; }
    public int TargetSpatialLayer { get; private set; }
    public int TargetTemporalLayer { get; private set; }
    // The bandwidth allocation's layers (no limit until the transport has an estimate).
    private int _allocSpatial = int.MaxValue, _allocTemporal = int.MaxValue;

    protected override uint CurrentMappedSsrc => Producer.Streams[0].Encoding.MappedSsrc;

    public void SetPreferredLayers(int spatial, int temporal, long nowMs)
    {
        PreferredSpatialLayer = spatial < 0 ? _maxSpatial : Math.Min(spatial, _maxSpatial);
        PreferredTemporalLayer = temporal < 0 ? _maxTemporal : Math.Min(temporal, _maxTemporal);
        ApplyTargets(nowMs);
    }

    /// <summary>Target = the preferred layers, lowered to the allocated ones. Going up a spatial layer needs a
    /// key frame, asked for now; so does going down in K-SVC (as mediasoup's SvcConsumer), whose layers
    /// depend on each other only at key frames: without one the consumer stays on the layer it can no longer
    /// afford (behind 300 kbps, 1280x720 at 0 fps for 3-5 s until the viewer's own PLI).</summary>
    private void ApplyTargets(long nowMs)
    {
        var previousTarget = TargetSpatialLayer;
        TargetSpatialLayer = Math.Min(PreferredSpatialLayer, _allocSpatial);
        // The allocated temporal layer belongs to the allocated spatial one; below it, every temporal layer fits.
        TargetTemporalLayer = _allocSpatial > PreferredSpatialLayer ? PreferredTemporalLayer : Math.Min(PreferredTemporalLayer, _allocTemporal);
        if (_vp9 is null) return;
        _vp9.TargetSpatialLayer = TargetSpatialLayer;
        _vp9.TargetTemporalLayer = TargetTemporalLayer;
        if (nowMs <= 0) return;
        if (TargetSpatialLayer > _vp9.CurrentSpatialLayer
            || (_vp9.IsKSvc && TargetSpatialLayer < _vp9.CurrentSpatialLayer && TargetSpatialLayer != previousTarget))
            RequestKeyFrame(nowMs);
    }

    internal override void FillDemand(LayerDemand demand, long nowMs)
    {
        base.FillDemand(demand, nowMs);
        demand.Layered = true;
        demand.Reset(_maxSpatial + 1, _maxTemporal + 1);
        if (!IsActive) return;
        for (var s = 0; s <= _maxSpatial; s++)
            for (var t = 0; t <= _maxTemporal; t++)
                demand.SetBitrate(s, t, Producer.LayerBitrate(0, s, t, nowMs));
        demand.MaxSpatial = PreferredSpatialLayer;
        demand.MaxTemporal = PreferredTemporalLayer;
        demand.CurrentSpatial = _vp9?.CurrentSpatialLayer ?? 0;
        demand.CurrentTemporal = _vp9?.CurrentTemporalLayer
            ?? (_dd.CurrentTemporalLayer >= 0 ? Math.Min(_dd.CurrentTemporalLayer, _maxTemporal) : _vp8 is not null ? Math.Clamp(_vp8.CurrentTemporalLayer, 0, _maxTemporal) : _maxTemporal);
    }

    internal override void ApplyAllocation(LayerDemand demand, long nowMs)
    {
        if (demand.Spatial < 0 || (demand.Spatial == _allocSpatial && demand.Temporal == _allocTemporal)) return;
        (_allocSpatial, _allocTemporal) = (demand.Spatial, demand.Temporal);
        ApplyTargets(nowMs);
    }

    internal override void SendRtp(int encoding, RtpPacket packet, bool isKeyFrame, long nowMs)
    {
        if (!IsActive) { Transport.Count(Drop.ConsumerInactive); return; }
        if (_waitingForKeyFrame)
        {
            if (!isKeyFrame) { Transport.Count(Drop.WaitingForKeyFrame); return; }
            _waitingForKeyFrame = false;
        }
        ForceMarker = false;
        if (_vp9 is not null)
        {
            if (Vp9PayloadDescriptor.TryParse(packet.Payload, out var d) != Vp9Error.None) { Transport.Count(Drop.MalformedRtp); return; }
            var result = _vp9.Process(d);
            if (result is not (Vp9FilterResult.Forward or Vp9FilterResult.ForwardSetMarker)) { DropFromSequence(packet); return; }
            ForceMarker = result == Vp9FilterResult.ForwardSetMarker;
        }
        else if (Producer.PacketLayers is { Known: true } layers
                 && !_dd.Process(layers.StartOfFrame, layers.TemporalLayer, isKeyFrame, TargetTemporalLayer))
        {
            DropFromSequence(packet);
            return;
        }
        if (Forward(packet, nowMs)) ReportForwardedLayers();
    }

    protected override bool RewritePayload(Span<byte> payload) =>
        _vp8 is null || _vp8.Process(payload, TargetTemporalLayer >= _maxTemporal ? int.MaxValue : TargetTemporalLayer, switchingStream: false) == Vp8RewriteResult.Forward;

    // VP9: a packet of a spatial layer above the target is not resent (the viewer's decoder left that layer).
    protected override bool StillForwarded(RtpPacket stored) =>
        _vp9 is null || Vp9PayloadDescriptor.TryParse(stored.Payload, out var d) != Vp9Error.None || !d.HasLayerIndices
        || d.SpatialLayer <= TargetSpatialLayer;

    // AV1 (dependency descriptor): the temporal layer forwarded now; frames above it are dropped whole.
    private readonly DdTemporalFilter _dd = new();

    private void ReportForwardedLayers()
    {
        var spatial = _vp9?.CurrentSpatialLayer ?? 0;
        var temporal = _vp9?.CurrentTemporalLayer
            ?? (_dd.CurrentTemporalLayer >= 0 ? Math.Min(_dd.CurrentTemporalLayer, _maxTemporal) : Math.Clamp(_vp8?.CurrentTemporalLayer ?? 0, 0, TargetTemporalLayer));
        ReportLayers(spatial, temporal);
    }

    protected override void OnActivated(long nowMs)
    {
        _waitingForKeyFrame = true;
        _vp9?.Reset();
        _dd.Reset();
        ApplyTargets(0);
        base.OnActivated(nowMs);
    }
}

/// <summary>Forwards every encoding to another router (mediasoup's PipeConsumer): encoding i goes out as
/// SSRC <c>Ssrc + i</c> with the router's payload type, sequence numbers and timestamps untouched; the
/// producer on the other side has the same encodings.</summary>
public sealed class PipeConsumer : Consumer
{
    internal PipeConsumer(Transport transport, Producer producer, ConsumerSettings settings)
        : base(transport, producer, settings) { }

    protected override uint CurrentMappedSsrc => Producer.Streams[0].Encoding.MappedSsrc;

    internal override void SendRtp(int encoding, RtpPacket packet, bool isKeyFrame, long nowMs)
    {
        if (!IsActive) { Transport.Count(Drop.ConsumerInactive); return; }
        var scratch = Transport.Worker.SendBuffer;
        packet.Buffer.CopyTo(scratch);
        if (RtpPacket.TryParse(scratch.AsSpan(0, packet.Length), out var copy) != RtpParseError.None) return;
        copy.SetSsrc(unchecked(Settings.Ssrc + (uint)encoding));
        Transport.SendConsumerRtp(this, scratch, copy, nowMs);
    }

    /// <summary>With RTX (enableRtx): the other router lost packet <paramref name="seq"/> of encoding
    /// <c>mediaSsrc − Ssrc</c>. Sequence numbers cross a pipe untouched, so it is the router's own number in the
    /// producer's buffer; it goes back as RTX on SSRC <c>RtxSsrc + encoding</c>.</summary>
    internal override void ReceiveNack(uint mediaSsrc, ushort seq, long nowMs)
    {
        var encoding = unchecked((int)(mediaSsrc - Settings.Ssrc));
        if (!IsActive || Settings.RtxSsrc == 0 || Settings.RtxPayloadType == 0 || encoding < 0 || encoding >= Producer.Streams.Length
            || !Producer.TryGetStoredPacket(encoding, seq, nowMs, out var stored))
        {
            Transport.Count(Drop.NoRetransmission);
            return;
        }
        var scratch = Transport.Worker.SendBuffer;
        stored.CopyTo(scratch);
        if (RtpPacket.TryParse(scratch.AsSpan(0, stored.Length), out var copy) != RtpParseError.None) return;
        copy.SetSsrc(mediaSsrc);
        _rtxSeq ??= new ushort[Producer.Streams.Length];
        SendRtx(copy, unchecked(Settings.RtxSsrc + (uint)encoding), _rtxSeq[encoding]++, nowMs);
    }

    private ushort[]? _rtxSeq;

    /// <summary>A PLI/FIR from the other router names one of our per-encoding SSRCs.</summary>
    internal override void ReceiveKeyFrameRequest(uint mediaSsrc, long nowMs)
    {
        var encoding = unchecked((int)(mediaSsrc - Settings.Ssrc));
        if (IsActive && encoding >= 0 && encoding < Producer.Streams.Length)
            Producer.RequestKeyFrame(Producer.Streams[encoding].Encoding.MappedSsrc, nowMs);
    }
}
