using AkkaSfu.Media.Codecs;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Engine;

/// <summary>mediasoup's Producer on the worker thread: takes RTP its transport matched to it, recovers RTX,
/// maps payload type, SSRC and header extension ids into the router's, and hands the packet to the router.
/// Key-frame requests from consumers go back to the endpoint as PLI/FIR, rate limited per stream.</summary>
public sealed class Producer
{
    /// <summary>State of one encoding (simulcast stream) of the producer.</summary>
    internal sealed class Stream(EncodingMapping encoding, bool video, bool nack)
    {
        public readonly EncodingMapping Encoding = encoding;
        public uint Ssrc = encoding.Ssrc ?? 0;
        public uint RtxSsrc = encoding.RtxSsrc ?? 0;
        public long PacketsReceived, BytesReceived;
        public long LastPacketMs = -1;
        public bool Active => LastPacketMs >= 0;
        /// <summary>RFC 3550 receive statistics (created with the first packet, when the SSRC is known).</summary>
        public RtpReceiveStats? Stats;
        /// <summary>Missing packets to NACK (video with NACK negotiated).</summary>
        public readonly NackGenerator? Nack = video && nack ? new NackGenerator() : null;
        /// <summary>The mapped packets, for consumers' NACKs: one copy shared by every consumer.</summary>
        public int ReportedScore = -1;
        public readonly RetransmissionBuffer? Buffer = video ? new RetransmissionBuffer(RetransmissionCapacity, 2000) { RttMs = -1 } : null;
        /// <summary>Received bitrate per layer of this stream ([spatial × TemporalLayers + temporal]; simulcast
        /// streams have one spatial layer each, audio one layer), for bandwidth allocation.</summary>
        public readonly RateCalculator[] LayerRates = NewLayerRates(video ? encoding : null);
        public readonly int TemporalLayers = video ? Math.Max(1, encoding.TemporalLayers) : 1;
        /// <summary>AV1 dependency descriptor state (its template structure), made on first use.</summary>
        public DependencyDescriptorReader? Dd;

        private static RateCalculator[] NewLayerRates(EncodingMapping? e) =>
            Enumerable.Range(0, e is null ? 1 : Math.Max(1, e.SpatialLayers) * Math.Max(1, e.TemporalLayers)).Select(_ => new RateCalculator()).ToArray();

        /// <summary>Stream received within the last 2 s.</summary>
        public bool IsLive(long nowMs) => LastPacketMs >= 0 && nowMs - LastPacketMs < LiveMs;
    }

    /// <summary>A stream silent this long is not offered to consumers (the browser stopped sending it).</summary>
    internal const int LiveMs = 2000;

    /// <summary>Packets kept per video stream for retransmission: 2.5 s at 1 Mbps, 0.6 s at 5 Mbps, ~390 KB
    /// per stream (the largest per-producer memory cost; see docs/benchmarks.md).</summary>
    public const int RetransmissionCapacity = 256;

    private long _audioLevelSum;
    private int _audioLevelCount;

    /// <summary>Average audio level (dBov, ≤ 0) since the last call, from ssrc-audio-level (RFC 6464);
    /// null when no level arrived.</summary>
    internal double? TakeAverageAudioLevel()
    {
        if (_audioLevelCount == 0) return null;
        var dbov = -(double)_audioLevelSum / _audioLevelCount;
        _audioLevelSum = 0;
        _audioLevelCount = 0;
        return dbov;
    }

    /// <summary>The active speaker observers this producer is in (replaced, never mutated, on change).</summary>
    private ActiveSpeakerObserver.Entry[] _speakerEntries = [];

    internal void AddSpeakerEntry(ActiveSpeakerObserver.Entry entry) => _speakerEntries = [.. _speakerEntries, entry];

    internal void RemoveSpeakerEntry(ActiveSpeakerObserver.Entry entry) => _speakerEntries = _speakerEntries.Where(e => e != entry).ToArray();

    private readonly KeyFrameRequestManager _keyFrames = new(waitMs: 1000, maxRetries: 3);

    private readonly byte[] _payloadTypeMap = new byte[128];   // endpoint PT → router PT (0 = unknown)
    private readonly byte[] _rtxToMediaPt = new byte[128];     // endpoint RTX PT → endpoint media PT
    private readonly byte[] _extensionMap = new byte[256];     // endpoint ext id → router ext id (0 = strip)
    private readonly int[] _clockRates = new int[128];
    private Consumer[] _consumers = [];
    internal readonly Stream[] Streams;

    internal Producer(Transport transport, ProducerSettings settings)
    {
        Transport = transport;
        Settings = settings;
        Paused = settings.Paused;
        Streams = settings.Encodings.Select(e => new Stream(e, settings.Kind == StreamKind.Video, settings.Nack)).ToArray();
        foreach (var c in settings.Codecs)
        {
            _payloadTypeMap[c.PayloadType & 0x7F] = c.MappedPayloadType;
            _clockRates[c.PayloadType & 0x7F] = c.ClockRate;
            _videoCodecs[c.PayloadType & 0x7F] = c.MimeType.ToLowerInvariant() switch
            {
                "video/vp8" => VideoCodec.Vp8,
                "video/vp9" => VideoCodec.Vp9,
                "video/h264" => VideoCodec.H264,
                "video/av1" => VideoCodec.Av1,
                _ => VideoCodec.Other,
            };
            if (c.RtxPayloadType != 0) _rtxToMediaPt[c.RtxPayloadType & 0x7F] = c.PayloadType;
        }
        BuildExtensionMap(settings.ExtensionIds, settings.RouterExtensionIds);
    }

    public string Id => Settings.Id;
    public ProducerSettings Settings { get; }
    public StreamKind Kind => Settings.Kind;
    public Transport Transport { get; }
    public bool Paused { get; private set; }
    public bool IsClosed { get; private set; }
    internal Consumer[] ConsumerArray => _consumers;
    public IReadOnlyList<Consumer> Consumers => _consumers;

    /// <summary>Score 0–10 of the best receiving stream (loss-based, RFC 3550 reports).</summary>
    public int Score => Streams.Where(st => st.Stats is not null).Select(st => (int)st.Stats!.Score).DefaultIfEmpty(0).Max();

    /// <summary>Packets received, all encodings.</summary>
    public long TotalPacketsReceived => Streams.Sum(s => s.PacketsReceived);

    /// <summary>Packets received per encoding (for stats and tests).</summary>
    public long PacketsReceived(int encoding) => Streams[encoding].PacketsReceived;

    internal bool IsRtxPayloadType(byte pt) => _rtxToMediaPt[pt & 0x7F] != 0;

    internal void AddConsumer(Consumer consumer) => _consumers = [.. _consumers, consumer];

    internal void RemoveConsumer(Consumer consumer) => _consumers = _consumers.Where(c => c != consumer).ToArray();

    /// <summary>Handles one packet its transport matched to encoding <paramref name="encoding"/>. The packet
    /// is rewritten in place (RTX recovered, router PT/SSRC/extension ids) and fanned out.</summary>
    internal void ReceiveRtp(Span<byte> datagram, int encoding, bool isRtx, long nowMs)
    {
        var stream = Streams[encoding];
        RtpPacket packet;
        if (isRtx)
        {
            if (RtpPacket.TryParse(datagram, out var rtx) != RtpParseError.None) { Transport.Count(Drop.MalformedRtp); return; }
            var mediaPt = _rtxToMediaPt[rtx.PayloadType];
            if (mediaPt == 0) { Transport.Count(Drop.RtxMalformed); return; }
            if (rtx.IsPaddingOnly)
            {
                // The endpoint's bandwidth probe (libwebrtc pads on the RTX stream): legal, carries nothing, is
                // not forwarded, so it counts in no rate.
                Transport.Worker.Counters.PaddingReceived++;
                return;
            }
            if (Rtx.DecapsulateInPlace(datagram, mediaPt, stream.Ssrc, out packet) != RtxError.None) { Transport.Count(Drop.RtxMalformed); return; }
        }
        else if (RtpPacket.TryParse(datagram, out packet) != RtpParseError.None)
        {
            Transport.Count(Drop.MalformedRtp);
            return;
        }

        var inputPt = packet.PayloadType;
        var mappedPt = _payloadTypeMap[inputPt];
        if (mappedPt == 0) { Transport.Count(Drop.UnknownPayloadType); return; }

        int sid = 0, tid = 0;
        var isKeyFrame = Kind == StreamKind.Video && !packet.IsPaddingOnly && ReadVideoLayers(stream, packet, out sid, out tid);
        if (!isRtx)
        {
            stream.Stats ??= new RtpReceiveStats(packet.Ssrc, minSequential: 1);
            stream.Stats.Update(packet.SequenceNumber, packet.Timestamp, nowMs, packet.PayloadLength, _clockRates[inputPt]);
        }
        if (stream.Nack is { } nack)
        {
            var ev = nack.ReceivePacket(packet.SequenceNumber, isKeyFrame, isRtx, nowMs);
            // Not (or no longer) missing: a late answer to our NACK, or libwebrtc probing with old packets as RTX.
            if (isRtx && (ev & NackEvent.Recovered) == 0) { Transport.Count(Drop.RtxDuplicate); return; }
            if ((ev & NackEvent.NacksPending) != 0) SendNacks(stream, nowMs);
            if ((ev & NackEvent.KeyFrameRequired) != 0) RequestKeyFrame(stream.Encoding.MappedSsrc, nowMs);
        }
        if (isKeyFrame) _keyFrames.KeyFrameReceived(stream.Ssrc);

        stream.PacketsReceived++;
        stream.BytesReceived += packet.Length;
        stream.LastPacketMs = nowMs;
        // Rates count what forwarding the packet costs on the wire, as the transport's estimate does (padding is
        // not forwarded).
        if (!packet.IsPaddingOnly)
        {
            var layers = stream.LayerRates;
            var t = Math.Min(tid, stream.TemporalLayers - 1);
            var s = Math.Min(sid, layers.Length / stream.TemporalLayers - 1);
            layers[s * stream.TemporalLayers + t].Add(packet.Length + BandwidthController.WireOverhead, nowMs);
        }
        if (Paused) { Transport.Count(Drop.ProducerPaused); return; }
        if (packet.IsPaddingOnly) return; // bandwidth probing: nothing for consumers

        if (Kind == StreamKind.Audio && packet.ReadAudioLevel(Settings.ExtensionIds, out _, out var level))
        {
            _audioLevelSum += level;
            _audioLevelCount++;
            var speakers = _speakerEntries;
            for (var i = 0; i < speakers.Length; i++)
                if (!speakers[i].Observer.Paused) speakers[i].Speaker.OnLevel(level, nowMs);
        }
        packet.SetPayloadType(mappedPt);
        packet.SetSsrc(stream.Encoding.MappedSsrc);
        packet.RemapExtensions(_extensionMap);
        stream.Buffer?.Insert(packet.SequenceNumber, packet.Buffer, nowMs);
        Transport.Router.OnProducerRtp(this, encoding, packet, isKeyFrame, nowMs);
    }

    private enum VideoCodec : byte { Other, Vp8, Vp9, H264, Av1 }

    /// <summary>Layers of the packet being fanned out, when they come from a header extension that consumers
    /// do not get (the AV1 dependency descriptor): valid during <see cref="Router.OnProducerRtp"/> only.</summary>
    internal PacketLayerInfo PacketLayers { get; private set; }

    internal readonly record struct PacketLayerInfo(bool Known, bool StartOfFrame, int SpatialLayer, int TemporalLayer);

    private readonly VideoCodec[] _videoCodecs = new VideoCodec[128];

    /// <summary>Key-frame detection by the packet's codec (mediasoup's PayloadDescriptorHandler rules), and the
    /// packet's spatial and temporal layer ids where the payload descriptor has them (else 0).</summary>
    private bool ReadVideoLayers(Stream stream, RtpPacket packet, out int sid, out int tid)
    {
        var payload = packet.Payload;
        sid = tid = 0;
        PacketLayers = default;
        switch (_videoCodecs[packet.PayloadType & 0x7F])
        {
            case VideoCodec.Vp8:
                if (Vp8PayloadDescriptor.TryParse(payload, out var vp8) != Vp8Error.None) return false;
                if (vp8.HasTemporalLayer) tid = vp8.TemporalLayer;
                return vp8.IsKeyFrame;
            case VideoCodec.Vp9:
                if (Vp9PayloadDescriptor.TryParse(payload, out var vp9) != Vp9Error.None) return false;
                (sid, tid) = (vp9.SpatialLayer, vp9.TemporalLayer);
                return vp9.IsKeyFrame;
            case VideoCodec.H264:
                // Temporal layers only from the dependency descriptor (Chromium sends one with H264 simulcast).
                ReadDescriptor(stream, packet, ref sid, ref tid);
                return H264Payload.TryParse(payload, out var h264) == H264Error.None && h264.IsKeyFrame;
            case VideoCodec.Av1:
                var ddKey = ReadDescriptor(stream, packet, ref sid, ref tid);
                return (Av1Payload.TryParse(payload, out var av1) == Av1Error.None && av1.IsKeyFrame) || ddKey;
            default:
                return false;
        }
    }

    /// <summary>Reads the packet's dependency descriptor, if negotiated and present, into <see cref="PacketLayers"/>
    /// and the layer ids. True when it starts a key frame: the first packet of a frame that carries a template
    /// structure (libwebrtc attaches one to key frames only). A malformed one, or one read before any structure arrived
    /// (its key frame's first packet was lost), is counted; the packet goes on.</summary>
    private bool ReadDescriptor(Stream stream, RtpPacket packet, ref int sid, ref int tid)
    {
        if (Settings.ExtensionIds.DependencyDescriptor == 0
            || !packet.TryGetExtension(Settings.ExtensionIds.DependencyDescriptor, out var ext)) return false;
        stream.Dd ??= new DependencyDescriptorReader();
        if (stream.Dd.TryRead(ext, out var dd) is var error && error != DdError.None)
        {
            Transport.Worker.Counters.Count(error == DdError.NoStructure ? Drop.DependencyDescriptorWithoutStructure : Drop.MalformedDependencyDescriptor);
            return false;
        }
        (sid, tid) = (dd.SpatialId, dd.TemporalId);
        PacketLayers = new PacketLayerInfo(true, dd.StartOfFrame, dd.SpatialId, dd.TemporalId);
        if (dd.HasStructure) HasDescriptorLayers = true;
        return dd.HasStructure && dd.StartOfFrame;
    }

    /// <summary>Some stream of this producer has sent a dependency descriptor template structure: its packets'
    /// temporal layers are known (and filterable) even where the payload has none (H264).</summary>
    internal bool HasDescriptorLayers { get; private set; }

    /// <summary>Bitrate needed to forward encoding <paramref name="encoding"/> up to spatial layer
    /// <paramref name="spatial"/> (SVC; 0 for a simulcast stream) and temporal layer <paramref name="temporal"/>;
    /// 0 when the stream is not live or that layer is not being received.</summary>
    internal long LayerBitrate(int encoding, int spatial, int temporal, long nowMs)
    {
        var stream = Streams[encoding];
        if (!stream.IsLive(nowMs)) return 0;
        var tl = stream.TemporalLayers;
        var sl = stream.LayerRates.Length / tl;
        if (spatial >= sl || temporal >= tl) return 0;
        // The layer itself must be live, and forwarding it takes every layer below (with K-SVC, only the key
        // frames of the lower spatial layers: nearly nothing).
        if (stream.LayerRates[spatial * tl + temporal].BitsPerSecond(nowMs) == 0) return 0;
        long sum = 0;
        for (var s = stream.Encoding.KSvc ? spatial : 0; s <= spatial; s++)
            for (var t = 0; t <= temporal; t++) sum += stream.LayerRates[s * tl + t].BitsPerSecond(nowMs);
        return sum;
    }

    /// <summary>Received bitrate of encoding <paramref name="encoding"/> (all its layers).</summary>
    internal long StreamBitrate(int encoding, long nowMs)
    {
        var stream = Streams[encoding];
        if (!stream.IsLive(nowMs)) return 0;
        long sum = 0;
        foreach (var rate in stream.LayerRates) sum += rate.BitsPerSecond(nowMs);
        return sum;
    }

    /// <summary>A consumer needs a key frame of the stream it forwards (router SSRC). Sends a PLI to the
    /// endpoint unless one is already pending for that stream (retried by <see cref="Tick"/>).</summary>
    internal void RequestKeyFrame(uint mappedSsrc, long nowMs)
    {
        if (Kind != StreamKind.Video || Paused) return;
        foreach (var s in Streams)
        {
            if (s.Encoding.MappedSsrc != mappedSsrc || s.Ssrc == 0) continue;
            if (_keyFrames.KeyFrameNeeded(s.Ssrc, nowMs)) Transport.SendKeyFrameRequest(s.Ssrc, nowMs);
            return;
        }
    }

    /// <summary>Timers: NACK retries, key-frame request retries.</summary>
    internal void Tick(long nowMs)
    {
        foreach (var s in Streams)
            if (s.Nack is { Count: > 0 }) SendNacks(s, nowMs);
        Span<uint> retry = stackalloc uint[8];
        var n = _keyFrames.Tick(nowMs, retry);
        for (var i = 0; i < n; i++) Transport.SendKeyFrameRequest(retry[i], nowMs);
    }

    /// <summary>Adds this producer's receiver report blocks to <paramref name="blocks"/>, and tells the owner
    /// when a stream's score changed (mediasoup's "score" event).</summary>
    internal void CollectReportBlocks(List<RtcpReportBlock> blocks, long nowMs)
    {
        var changed = false;
        foreach (var s in Streams)
        {
            if (s.Stats is not { } stats) continue;
            blocks.Add(stats.FillReportBlock(nowMs));
            if (stats.Score != s.ReportedScore) { s.ReportedScore = stats.Score; changed = true; }
        }
        if (!changed) return;
        var scores = new List<ProducerStreamScore>(Streams.Length);
        for (var i = 0; i < Streams.Length; i++)
            if (Streams[i].Stats is { } st) scores.Add(new ProducerStreamScore(i, Streams[i].Ssrc, Streams[i].Encoding.Rid, st.Score));
        Transport.Worker.Observer.OnProducerScore(Id, scores);
        // A consumer's score names its producer's (mediasoup's consumer "score" event fires for either).
        foreach (var c in _consumers) if (c.IsActive) c.ReportScore();
    }

    /// <summary>An SR from the endpoint about one of its streams (for LSR/DLSR in our reports).</summary>
    internal void ReceiveSenderReport(uint ssrc, ulong ntp, uint rtpTimestamp, long nowMs)
    {
        foreach (var s in Streams)
            if (s.Ssrc == ssrc) s.Stats?.ReceiveSenderReport(ntp, rtpTimestamp, nowMs);
    }

    private void SendNacks(Stream stream, long nowMs)
    {
        Span<ushort> seqs = stackalloc ushort[128];
        var n = stream.Nack!.CollectNacks(nowMs, NackGenerator.DefaultRttMs, seqs, out var keyFrameRequired);
        if (n > 0) Transport.SendNack(stream.Ssrc, seqs[..n]);
        if (keyFrameRequired) RequestKeyFrame(stream.Encoding.MappedSsrc, nowMs);
    }

    /// <summary>A stored packet of encoding <paramref name="encoding"/> for a consumer's retransmission.</summary>
    internal bool TryGetStoredPacket(int encoding, ushort seq, long nowMs, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        return Streams[encoding].Buffer is { } buffer && buffer.TryGet(seq, nowMs, out packet, out _);
    }

    /// <summary>Requests a key frame of every active stream (a consumer resumed or switched).</summary>
    internal void RequestKeyFrames(long nowMs)
    {
        foreach (var s in Streams) RequestKeyFrame(s.Encoding.MappedSsrc, nowMs);
    }

    public void Pause()
    {
        if (Paused) return;
        Paused = true;
        foreach (var c in _consumers) c.OnProducerPaused();
    }

    public void Resume(long nowMs)
    {
        if (!Paused) return;
        Paused = false;
        foreach (var c in _consumers) c.OnProducerResumed();
        RequestKeyFrames(nowMs);
    }

    /// <summary>Closes the producer and with it all its consumers (mediasoup's "producerclose").</summary>
    internal void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        foreach (var c in _consumers) c.Close(ConsumerCloseReason.ProducerClosed);
        _consumers = [];
        foreach (var e in _speakerEntries) e.Observer.OnProducerClosed(this);
        Transport.Router.Remove(this);
    }

    private void BuildExtensionMap(RtpExtensionIds from, RtpExtensionIds to)
    {
        // mid / rid / repaired-rid never reach consumers (they are per-transport routing data).
        void Map(byte a, byte b) { if (a != 0) _extensionMap[a] = b; }
        Map(from.AbsSendTime, to.AbsSendTime);
        Map(from.TransportWideCc01, to.TransportWideCc01);
        Map(from.AudioLevel, to.AudioLevel);
        Map(from.VideoOrientation, to.VideoOrientation);
        Map(from.Toffset, to.Toffset);
        Map(from.AbsCaptureTime, to.AbsCaptureTime);
        Map(from.PlayoutDelay, to.PlayoutDelay);
    }
}
