using System.Net;
using System.Text;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Engine;

/// <summary>mediasoup's Transport on the worker thread: matches incoming RTP to its producers (by SSRC, then
/// MID and RID, as mediasoup's RtpListener), dispatches RTCP feedback to producers and consumers, and sends
/// consumer RTP. Subclasses own the wire: ICE/DTLS/SRTP, plain UDP, pipe.</summary>
public abstract class Transport
{
    private readonly Dictionary<string, Producer> _producers = new();
    private readonly Dictionary<string, Consumer> _consumers = new();
    // RtpListener: SSRC → (producer, encoding, rtx); MID → producer.
    private readonly Dictionary<uint, (Producer Producer, int Encoding, bool Rtx)> _ssrcTable = new();
    private readonly Dictionary<string, Producer> _midTable = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, Consumer> _consumerBySsrc = new();
    private readonly List<RtcpReportBlock> _reportBlocks = new();
    private RtpExtensionIds _recvIds;
    private ushort _transportWideSeq;
    private long _nextReportMs;
    private TransportCcRecorder? _twcc;
    private readonly long[] _drops = new long[EngineCounters.DropReasons];

    protected Transport(Router router, string id)
    {
        Router = router;
        Id = id;
        // RTCP sender SSRC for feedback we originate (PLI, RR): any fixed value outside consumer SSRCs.
        RtcpSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
        // As mediasoup: any transport whose endpoint sends transport-cc feedback (or REMB) for our packets gets
        // an estimate; until then nothing is limited, so ffmpeg and pipes are unaffected.
        Bandwidth = new BandwidthController(this);
    }

    public string Id { get; }
    public Router Router { get; }
    public WorkerEngine Worker => Router.Worker;

    /// <summary>Counts a drop on this transport and on its worker (worker thread): an operator can tell which
    /// peer's transport misbehaves, not only which worker.</summary>
    internal void Count(Drop reason)
    {
        Worker.Counters.Count(reason);
        _drops[(int)reason]++;
    }

    /// <summary>Drops counted on this transport (and its producers and consumers) for <paramref name="reason"/>.
    /// Any thread: a racy read is a slightly old value.</summary>
    public long Drops(Drop reason) => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>This transport's drops by reason name, the reasons counted at least once (for getStats).</summary>
    public Dictionary<string, long> DropsByReason()
    {
        var d = new Dictionary<string, long>();
        foreach (var r in EngineCounters.Reasons)
            if (Drops(r) is var n and > 0) d[r.ToString()] = n;
        return d;
    }
    public bool IsClosed { get; private set; }
    public uint RtcpSsrc { get; }
    public IReadOnlyCollection<Producer> Producers => _producers.Values;
    public IReadOnlyCollection<Consumer> Consumers => _consumers.Values;
    /// <summary>The same, enumerable without allocating (worker thread).</summary>
    internal Dictionary<string, Consumer>.ValueCollection ConsumerValues => _consumers.Values;

    /// <summary>Outgoing bandwidth estimation and allocation.</summary>
    internal BandwidthController Bandwidth { get; }

    /// <summary>The send-side estimate of the outgoing bitrate, 0 until the endpoint's feedback drives one.</summary>
    public long AvailableOutgoingBitrate => Bandwidth.AvailableBitrate;
    public long DesiredOutgoingBitrate => Bandwidth.DesiredBitrate;
    /// <summary>setMaxIncomingBitrate: sent to the endpoint as REMB every second (0 = none).</summary>
    public long MaxIncomingBitrate { get; private set; }
    public long MaxOutgoingBitrate => Bandwidth.MaxOutgoingBitrate;
    public long MinOutgoingBitrate => Bandwidth.MinOutgoingBitrate;
    public long ProbationPacketsSent { get; private set; }
    private long _nextRembMs;

    /// <summary>mediasoup's transport.setMaxIncomingBitrate(): the endpoint is asked (REMB) to send no more.</summary>
    public void SetMaxIncomingBitrate(long bps)
    {
        if (bps < 0) throw new ArgumentOutOfRangeException(nameof(bps), "bitrate must be >= 0");
        MaxIncomingBitrate = bps;
        _nextRembMs = 0;
    }

    /// <summary>mediasoup's setMaxOutgoingBitrate / setMinOutgoingBitrate (0 = no bound).</summary>
    public void SetOutgoingBitrateBounds(long? minBps, long? maxBps)
    {
        var min = minBps ?? MinOutgoingBitrate;
        var max = maxBps ?? MaxOutgoingBitrate;
        if (min < 0 || max < 0) throw new ArgumentOutOfRangeException(nameof(minBps), "bitrate must be >= 0");
        if (max > 0 && min > max) throw new ArgumentException($"minOutgoingBitrate {min} is above maxOutgoingBitrate {max}");
        Bandwidth.SetBounds(min, max);
    }

    /// <summary>True when media can be sent (DTLS/SRTP up, or the plain remote known).</summary>
    public abstract bool IsConnected { get; }

    /// <summary>Protects (if needed) and sends one RTP packet held in <paramref name="buffer"/>[..length].
    /// The buffer has room for the SRTP trailer. False if it was not sent.</summary>
    protected abstract bool SendRtpPacket(byte[] buffer, int length);

    /// <summary>Protects (if needed) and sends one RTCP compound held in <paramref name="buffer"/>[..length].</summary>
    protected abstract bool SendRtcpPacket(byte[] buffer, int length);

    /// <summary>A datagram arrived on one of this transport's sockets.</summary>
    internal abstract void OnDatagram(Span<byte> datagram, SocketAddress from, UdpSocket socket, long nowMs);

    /// <summary>Timers: consent, RTCP reports, feedback.</summary>
    internal virtual void Tick(long nowMs)
    {
        if (!IsConnected) return;
        foreach (var p in _producers.Values) p.Tick(nowMs);
        SendTransportCcFeedback(nowMs);
        Bandwidth.Tick(nowMs);
        if (_pacer is { Count: > 0 } pacer) pacer.Drain(this, Bandwidth.PacingBitrate, nowMs);
        if (MaxIncomingBitrate > 0 && nowMs >= _nextRembMs) SendRemb(nowMs);
        if (nowMs < _nextReportMs) return;
        // RFC 3550 §6.3.1: randomize each interval to [0.5, 1.5] × 1 s (as mediasoup does), so the reports of
        // transports created together do not all fall in the same tick of the worker.
        _nextReportMs = nowMs + Random.Shared.Next(500, 1501);
        SendSenderReports(nowMs);
        SendReceiverReports(nowMs);
    }

    // ---- producers and consumers ------------------------------------------------------------------

    internal Producer Produce(ProducerSettings settings)
    {
        if (_producers.ContainsKey(settings.Id)) throw new InvalidOperationException($"a Producer with same producerId already exists [producerId:{settings.Id}]");
        foreach (var e in settings.Encodings)
        {
            if (e.Ssrc is { } s && _ssrcTable.ContainsKey(s)) throw new InvalidOperationException($"ssrc already exists in RTP listener [ssrc:{s}]");
            if (e.RtxSsrc is { } r && _ssrcTable.ContainsKey(r)) throw new InvalidOperationException($"ssrc already exists in RTP listener [ssrc:{r}]");
        }
        if (settings.Mid is { } mid && _midTable.ContainsKey(mid)) throw new InvalidOperationException($"MID already exists in RTP listener [mid:{mid}]");

        var producer = new Producer(this, settings);
        _producers.Add(producer.Id, producer);
        Router.Add(producer);
        for (var i = 0; i < settings.Encodings.Count; i++)
        {
            if (settings.Encodings[i].Ssrc is { } s) _ssrcTable[s] = (producer, i, false);
            if (settings.Encodings[i].RtxSsrc is { } r) _ssrcTable[r] = (producer, i, true);
        }
        if (settings.Mid is { } m) _midTable[m] = producer;
        // mediasoup keeps the first producer's ids for mid/rid/rrid/transport-cc on a transport.
        var ids = settings.ExtensionIds;
        if (_recvIds.Mid == 0) _recvIds.Mid = ids.Mid;
        if (_recvIds.Rid == 0) _recvIds.Rid = ids.Rid;
        if (_recvIds.RepairedRid == 0) _recvIds.RepairedRid = ids.RepairedRid;
        if (_recvIds.TransportWideCc01 == 0) _recvIds.TransportWideCc01 = ids.TransportWideCc01;
        if (_recvIds.AbsSendTime == 0) _recvIds.AbsSendTime = ids.AbsSendTime;
        // The endpoint numbers its packets transport-wide: give it the feedback its bandwidth estimation
        // needs (Chromium cuts video to ~30 kbps without it).
        if (_recvIds.TransportWideCc01 != 0) _twcc ??= new TransportCcRecorder();
        return producer;
    }

    internal void CloseProducer(Producer producer)
    {
        if (!_producers.Remove(producer.Id)) return;
        foreach (var key in _ssrcTable.Where(kv => kv.Value.Producer == producer).Select(kv => kv.Key).ToArray()) _ssrcTable.Remove(key);
        foreach (var key in _midTable.Where(kv => kv.Value == producer).Select(kv => kv.Key).ToArray()) _midTable.Remove(key);
        producer.Close();
    }

    internal Consumer Consume(ConsumerSettings settings, Producer producer)
    {
        if (_consumers.ContainsKey(settings.Id)) throw new InvalidOperationException($"a Consumer with same consumerId already exists [consumerId:{settings.Id}]");
        Consumer consumer = settings.Type switch
        {
            RtpStreamType.Simple => new SimpleConsumer(this, producer, settings),
            RtpStreamType.Svc => new SvcConsumer(this, producer, settings),
            RtpStreamType.Simulcast => new SimulcastConsumer(this, producer, settings),
            RtpStreamType.Pipe => new PipeConsumer(this, producer, settings),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Type, "unknown consumer type"),
        };
        _consumers.Add(consumer.Id, consumer);
        _consumerBySsrc[settings.Ssrc] = consumer;
        if (settings.RtxSsrc != 0) _consumerBySsrc[settings.RtxSsrc] = consumer;
        if (consumer is PipeConsumer)
            for (var i = 1; i < producer.Streams.Length; i++) _consumerBySsrc[unchecked(settings.Ssrc + (uint)i)] = consumer;
        producer.AddConsumer(consumer);
        return consumer;
    }

    internal void RemoveConsumer(Consumer consumer)
    {
        if (!_consumers.Remove(consumer.Id)) return;
        foreach (var ssrc in _consumerBySsrc.Where(kv => kv.Value == consumer).Select(kv => kv.Key).ToArray()) _consumerBySsrc.Remove(ssrc);
    }

    public Consumer? FindConsumer(string id) => _consumers.GetValueOrDefault(id);
    public Producer? FindProducer(string id) => _producers.GetValueOrDefault(id);

    // ---- receive -------------------------------------------------------------------------------------

    /// <summary>A decrypted RTP packet: find its producer (RtpListener) and hand it over.</summary>
    protected void ReceiveRtp(Span<byte> datagram, long nowMs)
    {
        Worker.Counters.RtpReceived++;
        if (RtpPacket.TryParse(datagram, out var packet) != RtpParseError.None) { Count(Drop.MalformedRtp); return; }

        if (_twcc is not null && packet.ReadTransportWideCc01(_recvIds, out var twccSeq)) _twcc.Record(twccSeq, nowMs * 1000);

        if (!_ssrcTable.TryGetValue(packet.Ssrc, out var entry) && !TryLearnSsrc(packet, out entry))
        {
            Count(Drop.UnknownSsrc);
            return;
        }
        var producer = entry.Producer;
        try
        {
            producer.ReceiveRtp(datagram, entry.Encoding, entry.Rtx, nowMs);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Worker.Fault(producer, e);
        }
    }

    /// <summary>mediasoup's RtpListener fallback: an unknown SSRC is matched by MID (then RID, or the only
    /// encoding), and remembered.</summary>
    private bool TryLearnSsrc(RtpPacket packet, out (Producer Producer, int Encoding, bool Rtx) entry)
    {
        entry = default;
        if (!packet.ReadMid(_recvIds, out var midBytes)) return false;
        if (!_midTable.TryGetValue(Encoding.ASCII.GetString(midBytes), out var producer)) return false;

        var isRtx = producer.IsRtxPayloadType(packet.PayloadType);
        var encodings = producer.Settings.Encodings;
        var index = -1;
        var hasRid = isRtx ? packet.ReadRepairedRid(_recvIds, out var rid) : packet.ReadRid(_recvIds, out rid);
        if (hasRid)
        {
            for (var i = 0; i < encodings.Count; i++)
                if (encodings[i].Rid is { } r && rid.SequenceEqual(Encoding.ASCII.GetBytes(r))) { index = i; break; }
        }
        else if (encodings.Count == 1) index = 0;
        if (index < 0) return false;

        var stream = producer.Streams[index];
        if (isRtx) stream.RtxSsrc = packet.Ssrc; else stream.Ssrc = packet.Ssrc;
        entry = (producer, index, isRtx);
        _ssrcTable[packet.Ssrc] = entry;
        return true;
    }

    /// <summary>A decrypted RTCP compound: feedback for our consumers, reports about our producers.</summary>
    protected void ReceiveRtcp(ReadOnlySpan<byte> compound, long nowMs)
    {
        Worker.Counters.RtcpReceived++;
        var reader = new RtcpCompoundReader(compound);
        while (reader.MoveNext())
        {
            var p = reader.Current;
            switch (p.PacketType)
            {
                case RtcpPacketType.PayloadFeedback when p.Fmt == RtcpPli.Fmt:
                    if (RtcpPli.TryParse(p.Packet, out var pli) == RtcpError.None && _consumerBySsrc.TryGetValue(pli.MediaSsrc, out var c1))
                        c1.ReceiveKeyFrameRequest(pli.MediaSsrc, nowMs);
                    break;
                case RtcpPacketType.PayloadFeedback when p.Fmt == RtcpFir.Fmt:
                    if (RtcpFir.TryParse(p.Packet, out var fir) == RtcpError.None)
                        for (var i = 0; i < fir.EntryCount; i++)
                            if (_consumerBySsrc.TryGetValue(fir.GetEntry(i).Ssrc, out var c2)) c2.ReceiveKeyFrameRequest(fir.GetEntry(i).Ssrc, nowMs);
                    break;
                case RtcpPacketType.RtpFeedback when p.Fmt == TransportCc.Fmt:
                    if (TransportCc.TryParse(p.Packet, out var tcc) == RtcpError.None) Bandwidth.OnTransportFeedback(tcc, nowMs);
                    break;
                case RtcpPacketType.PayloadFeedback when p.Fmt == RtcpRemb.Fmt && RtcpRemb.IsRemb(p.Packet):
                    if (RtcpRemb.TryParse(p.Packet, out var remb) == RtcpError.None) Bandwidth.OnRemb((long)Math.Min(remb.Bitrate, long.MaxValue), nowMs);
                    break;
                case RtcpPacketType.RtpFeedback when p.Fmt == RtcpNack.Fmt:
                    if (RtcpNack.TryParse(p.Packet, out var nack) == RtcpError.None && _consumerBySsrc.TryGetValue(nack.MediaSsrc, out var c3))
                        foreach (var seq in nack) c3.ReceiveNack(nack.MediaSsrc, seq, nowMs);
                    break;
                case RtcpPacketType.SenderReport:
                    if (RtcpSenderReport.TryParse(p.Packet, out var sr) == RtcpError.None)
                    {
                        var info = sr.Info;
                        foreach (var producer in _producers.Values) producer.ReceiveSenderReport(info.Ssrc, info.NtpTimestamp, info.RtpTimestamp, nowMs);
                        for (var i = 0; i < sr.ReportCount; i++) ReceiveReportBlock(sr.GetReportBlock(i), nowMs);
                    }
                    break;
                case RtcpPacketType.ReceiverReport:
                    if (RtcpReceiverReport.TryParse(p.Packet, out var rr) == RtcpError.None)
                        for (var i = 0; i < rr.ReportCount; i++) ReceiveReportBlock(rr.GetReportBlock(i), nowMs);
                    break;
            }
        }
        if (reader.Error != RtcpError.None) Count(Drop.MalformedRtcp);
    }

    private void ReceiveReportBlock(in RtcpReportBlock block, long nowMs)
    {
        if (_consumerBySsrc.TryGetValue(block.Ssrc, out var consumer) && consumer.Settings.Ssrc == block.Ssrc)
        {
            consumer.ReceiveReportBlock(block, nowMs);
            Bandwidth.OnReportBlock(block.FractionLost, consumer.SendStats.RttMs, nowMs);
        }
    }

    // ---- send ----------------------------------------------------------------------------------------

    /// <summary>Sends a consumer packet prepared in the worker's send buffer: stamps this transport's
    /// transport-wide sequence number and abs-send-time where negotiated, then protects and sends it.</summary>
    /// <remarks><paramref name="packet"/> views <paramref name="buffer"/> from its start; the buffer has room
    /// for the SRTP trailer after it.</remarks>
    internal void SendConsumerRtp(Consumer consumer, byte[] buffer, RtpPacket packet, long nowMs)
    {
        if (!IsConnected) { Count(Drop.NotConnected); return; }
        // Video waits for the pacing budget once the estimate is known (audio never does).
        if (consumer.Kind == StreamKind.Video && Bandwidth.IsActive)
        {
            var rate = Bandwidth.PacingBitrate;
            _pacer ??= new Pacer(Worker.PacingPool, Worker.Counters);
            if (!_pacer.TrySendNow(packet.Length, rate, nowMs))
            {
                if (_pacer.Enqueue(consumer, packet.Buffer, rate)) return;
                Count(Drop.PacerFull);
            }
        }
        SendNow(consumer, buffer, packet, nowMs);
    }

    /// <summary>A packet the pacer held: back into the send buffer, then out.</summary>
    internal void SendPaced(Consumer consumer, ReadOnlySpan<byte> bytes, long nowMs)
    {
        if (!IsConnected) { Count(Drop.NotConnected); return; }
        var buffer = Worker.SendBuffer;
        bytes.CopyTo(buffer);
        if (RtpPacket.TryParse(buffer.AsSpan(0, bytes.Length), out var packet) != RtpParseError.None) return;
        SendNow(consumer, buffer, packet, nowMs);
    }

    private Pacer? _pacer;

    private void SendNow(Consumer consumer, byte[] buffer, RtpPacket packet, long nowMs)
    {
        var ids = consumer.Settings.ExtensionIds;
        // Only packets that carry the number consume one: a gap would read as loss to the endpoint's feedback.
        if (ids.TransportWideCc01 != 0 && packet.WriteTransportWideCc01(ids, unchecked((ushort)(_transportWideSeq + 1))))
            Bandwidth.OnPacketSent(++_transportWideSeq, packet.Length, -1, nowMs);
        if (ids.AbsSendTime != 0) packet.WriteAbsSendTime(ids, RtpExtensionAccessors.AbsSendTimeFromMs(nowMs));
        if (SendRtpPacket(buffer, packet.Length)) Worker.Counters.RtpSent++;
        else Count(Drop.SendFailed);
    }

    /// <summary>Asks the endpoint for a key frame of its stream <paramref name="ssrc"/> (PLI).</summary>
    internal void SendKeyFrameRequest(uint ssrc, long nowMs)
    {
        if (!IsConnected) return;
        var buffer = Worker.RtcpBuffer;
        var n = RtcpPli.Write(buffer, RtcpSsrc, ssrc);
        if (n > 0 && SendRtcpPacket(buffer, n))
        {
            Worker.Counters.RtcpSent++;
            Worker.Counters.KeyFrameRequestsSent++;
        }
    }

    /// <summary>Asks the endpoint to resend <paramref name="seqs"/> of its stream <paramref name="ssrc"/>.</summary>
    internal void SendNack(uint ssrc, ReadOnlySpan<ushort> seqs)
    {
        var buffer = Worker.RtcpBuffer;
        var n = RtcpNack.Write(buffer, RtcpSsrc, ssrc, seqs);
        if (n > 0 && SendRtcpPacket(buffer, n)) Worker.Counters.RtcpSent++;
    }

    // ---- probation (mediasoup's RtpProbationGenerator) --------------------------------------------------

    /// <summary>mediasoup-client's receive side has a "probator" stream (SSRC 1234, PT 127, no decoder) as soon
    /// as it consumes video: padding-only packets on it cost the endpoint nothing but are in its transport-cc
    /// feedback, so they measure headroom.</summary>
    public const uint ProbationSsrc = 1234;
    public const byte ProbationPayloadType = 127;
    /// <summary>RTP padding is counted in one byte.</summary>
    private const int MaxPadding = 255;
    private ushort _probationSeq = (ushort)Random.Shared.Next(0, 65536);

    /// <summary>True when an active video consumer with transport-cc exists (its endpoint has the probator).</summary>
    internal bool CanSendProbation => ProbationIds().TransportWideCc01 != 0;

    private RtpExtensionIds ProbationIds()
    {
        foreach (var c in _consumers.Values)
            if (c.Kind == StreamKind.Video && c is not PipeConsumer && c.IsActive && c.Settings.ExtensionIds.TransportWideCc01 != 0)
                return c.Settings.ExtensionIds;
        return default;
    }

    /// <summary>Sends about <paramref name="bytes"/> of padding-only probation packets for probe cluster
    /// <paramref name="cluster"/> (at most 64 packets per call).</summary>
    internal void SendProbation(int bytes, int cluster, long nowMs)
    {
        var ids = ProbationIds();
        if (ids.TransportWideCc01 == 0 || !IsConnected) return;
        var buffer = Worker.SendBuffer;
        for (var i = 0; i < 64 && bytes > 0; i++)
        {
            var padding = Math.Clamp(bytes, 1, MaxPadding);
            var n = WriteProbation(buffer, ids.TransportWideCc01, ++_probationSeq, unchecked((uint)(nowMs * 90)), ++_transportWideSeq, padding);
            Bandwidth.OnPacketSent(_transportWideSeq, n, cluster, nowMs);
            if (SendRtpPacket(buffer, n)) { Worker.Counters.ProbationSent++; ProbationPacketsSent++; }
            else Count(Drop.SendFailed);
            bytes -= n;
        }
    }

    /// <summary>RTP header (P and X set), a one-byte-header extension block with transport-wide-cc-01, then
    /// <paramref name="padding"/> padding bytes whose last one counts them (RFC 3550 §5.1).</summary>
    internal static int WriteProbation(Span<byte> dst, byte twccId, ushort seq, uint timestamp, ushort twccSeq, int padding)
    {
        dst[0] = 0x80 | 0x20 | 0x10;
        dst[1] = ProbationPayloadType;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(dst[2..], seq);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(dst[4..], timestamp);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(dst[8..], ProbationSsrc);
        dst[12] = 0xBE; dst[13] = 0xDE; dst[14] = 0; dst[15] = 1;
        dst[16] = (byte)(twccId << 4 | 1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(dst[17..], twccSeq);
        dst[19] = 0;
        dst.Slice(20, padding - 1).Clear();
        dst[20 + padding - 1] = (byte)padding;
        return 20 + padding;
    }

    /// <summary>setMaxIncomingBitrate: a REMB naming every stream the endpoint sends us (RFC draft-alvestrand-rmcat-remb).</summary>
    private void SendRemb(long nowMs)
    {
        _nextRembMs = nowMs + 1000;
        Span<uint> ssrcs = stackalloc uint[16];
        var count = 0;
        foreach (var p in _producers.Values)
            foreach (var st in p.Streams)
                if (st.Ssrc != 0 && count < ssrcs.Length) ssrcs[count++] = st.Ssrc;
        if (count == 0) return;
        var buffer = Worker.RtcpBuffer;
        var n = RtcpRemb.Write(buffer, RtcpSsrc, (ulong)MaxIncomingBitrate, ssrcs[..count]);
        if (n > 0 && SendRtcpPacket(buffer, n)) Worker.Counters.RtcpSent++;
    }

    private void SendTransportCcFeedback(long nowMs)
    {
        if (_twcc is null) return;
        var nowUs = nowMs * 1000;
        if (!_twcc.ShouldSendFeedback(nowUs)) return;
        uint mediaSsrc = 0;
        foreach (var p in _producers.Values) { mediaSsrc = p.Streams[0].Ssrc; break; }
        var buffer = Worker.RtcpBuffer;
        for (var i = 0; i < 4 && _twcc.PendingCount > 0; i++)
        {
            var n = _twcc.BuildFeedback(nowUs, RtcpSsrc, mediaSsrc, buffer);
            if (n <= 0) break;
            if (SendRtcpPacket(buffer, n)) Worker.Counters.RtcpSent++;
        }
    }

    /// <summary>One RR with a block per receiving producer stream (RFC 3550 §6.4.2), at most 31 per packet.</summary>
    private void SendReceiverReports(long nowMs)
    {
        _reportBlocks.Clear();
        foreach (var p in _producers.Values) p.CollectReportBlocks(_reportBlocks, nowMs);
        var buffer = Worker.RtcpBuffer;
        for (var start = 0; start < _reportBlocks.Count; start += 31)
        {
            var blocks = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_reportBlocks).Slice(start, Math.Min(31, _reportBlocks.Count - start));
            var n = RtcpReceiverReport.Write(buffer, RtcpSsrc, blocks);
            if (n > 0 && SendRtcpPacket(buffer, n)) Worker.Counters.RtcpSent++;
        }
    }

    /// <summary>An SR + SDES (CNAME) pair per sending consumer (RFC 3550 §6.4.1), so receivers can sync and
    /// compute RTT; pairs are packed into compounds of up to <see cref="ReportCompoundBudget"/> bytes, as
    /// mediasoup does, so a transport with many consumers costs a few sends, not one per consumer.</summary>
    private void SendSenderReports(long nowMs)
    {
        var buffer = Worker.RtcpBuffer;
        Span<uint> one = stackalloc uint[1];
        var n = 0;
        foreach (var c in _consumers.Values)
        {
            if (!c.SendStats.HasSent || !c.IsActive) continue;
            var pair = RtcpSenderReport.GetSize(0) + RtcpSdes.GetSize(1, c.CnameBytes.Length);
            if (n > 0 && n + pair > ReportCompoundBudget)
            {
                if (SendRtcpPacket(buffer, n)) Worker.Counters.RtcpSent++;
                n = 0;
            }
            n += RtcpSenderReport.Write(buffer.AsSpan(n), c.SendStats.BuildSenderInfo(nowMs, c.Settings.ClockRate), []);
            one[0] = c.Settings.Ssrc;
            n += RtcpSdes.WriteCname(buffer.AsSpan(n), one, c.CnameBytes);
        }
        if (n > 0 && SendRtcpPacket(buffer, n)) Worker.Counters.RtcpSent++;
    }

    /// <summary>Largest report compound before SRTCP's trailer: well inside a 1,200-byte path MTU.</summary>
    internal const int ReportCompoundBudget = 1_100;

    /// <summary>Closes the transport: its producers (and their consumers everywhere) and its consumers.</summary>
    internal virtual void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        foreach (var p in _producers.Values.ToArray()) CloseProducer(p);
        foreach (var c in _consumers.Values.ToArray()) c.Close(ConsumerCloseReason.TransportClosed);
        _pacer?.Clear();
        Router.Remove(this);
        Worker.Forget(this);
    }
}
