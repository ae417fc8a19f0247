using System.Runtime.InteropServices;
using System.Buffers.Binary;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.LoadGen;

/// <summary>All media of a run on a few threads: receive threads (poll + recvmmsg over their sockets, then demux,
/// SRTP unprotect and probe accounting inline; one by default) and one sender thread (ICE ticks, paced RTP of every producer,
/// RRs and NACKs). Buffers are per thread and reused: nothing is allocated per packet.</summary>
public sealed partial class MediaEngine : IDisposable
{
    private readonly DatagramBatchPool _pool = new();
    private readonly UdpReceiver[] _receivers;
    private readonly Histogram[] _latencies;
    private readonly Histogram[] _recvThreadLatencies;
    private int _nextReceiver;
    private readonly Thread _sender;
    private readonly object _gate = new();
    private volatile MediaTransport[] _transports = [];
    private volatile bool _stopping;
    private volatile bool _measuring;

    /// <summary>The sender thread's period (µs): each pass sends every packet that has fallen due. Independent
    /// peers do not send in step, so a long period bunches all peers' packets into one burst per pass.</summary>
    public int SendTickUs { get; init; } = 1000;

    /// <summary>How often each receiving transport sends an RR (ms).</summary>
    public int RtcpIntervalMs { get; init; } = 1000;
    /// <summary>Send NACKs for gaps in consumer RTP sequences.</summary>
    public bool Nack { get; init; } = true;
    /// <summary>Drop every Nth first transmission (emulated uplink loss); 0 = none.</summary>
    public int UplinkDropEvery { get; init; }
    /// <summary>Packets dropped by <see cref="UplinkDropEvery"/>.</summary>
    public long UplinkDropped;
    private long _sentCount;

    /// <summary>Starts <paramref name="receiveThreads"/> receive threads (sockets are spread over them) and the sender thread.</summary>
    public MediaEngine(int receiveThreads = 1, int receiveSleepUs = 0)
    {
        receiveThreads = Math.Max(1, receiveThreads);
        _latencies = new Histogram[receiveThreads];
        _recvThreadLatencies = new Histogram[receiveThreads];
        _receivers = new UdpReceiver[receiveThreads];
        for (var i = 0; i < receiveThreads; i++)
        {
            var latency = _latencies[i] = new Histogram();
            var recvThread = _recvThreadLatencies[i] = new Histogram();
            _receivers[i] = new UdpReceiver($"lg-recv-{i}", _pool, b => OnBatch(b, latency, recvThread), pollTimeoutMs: 20, idleSleepUs: receiveSleepUs);
        }
        _sender = new Thread(SendLoop) { Name = "lg-send", IsBackground = true };
        _sender.Start();
    }

    /// <summary>Latency samples of the measurement window (send → kernel arrival on our socket), all receive
    /// threads merged (read after <see cref="StopMeasuring"/>).</summary>
    public Histogram Latency => Merge(_latencies);

    /// <summary>The same samples, timed when our receive thread handled the batch instead.</summary>
    public Histogram RecvThreadLatency => Merge(_recvThreadLatencies);

    private static Histogram Merge(Histogram[] histograms)
    {
        var all = new Histogram();
        foreach (var h in histograms) all.AddAll(h);
        return all;
    }
    /// <summary>Packet slots skipped because the sender thread fell more than 200 ms behind.</summary>
    public long SenderLagSkips;
    /// <summary>Sender thread iterations (about one per millisecond when it keeps up).</summary>
    public long SendLoops;

    /// <summary>Adds a transport: its socket joins the receive set, the sender thread starts ticking it.</summary>
    public void Add(MediaTransport t)
    {
        lock (_gate) _transports = [.. _transports, t];
        _receivers[Interlocked.Increment(ref _nextReceiver) % _receivers.Length].Add(t.Socket);
    }

    /// <summary>This run's producer streams by probe id.</summary>
    public StreamRegistry Streams { get; } = new();

    /// <summary>Every transport added so far.</summary>
    public IReadOnlyList<MediaTransport> Transports => _transports;

    /// <summary>Starts recording latency (clears earlier samples on the receive thread's next batch).</summary>
    public void StartMeasuring()
    {
        foreach (var h in _latencies) h.ClearRequested = true;
        foreach (var h in _recvThreadLatencies) h.ClearRequested = true;
        _measuring = true;
    }
    /// <summary>Stops recording latency.</summary>
    public void StopMeasuring() => _measuring = false;

    // ---------------- receive thread ----------------

    private void OnBatch(DatagramBatch batch, Histogram latency, Histogram recvThread)
    {
        if (latency.ClearRequested) { latency.Clear(); latency.ClearRequested = false; }
        if (recvThread.ClearRequested) { recvThread.Clear(); recvThread.ClearRequested = false; }
        long nowUs = Clock.NowUs;
        for (var i = 0; i < batch.Count; i++)
        {
            var arrivalNs = batch.ArrivalUnixNs(i);
            var arrivalUs = arrivalNs == 0 ? nowUs : Math.Min(nowUs, Clock.FromUnixNs(arrivalNs));
            if (batch.Socket(i).Owner is MediaTransport t) OnDatagram(t, batch.Datagram(i), nowUs, arrivalUs, latency, recvThread);
        }
        batch.Release();
    }

    private void OnDatagram(MediaTransport t, Span<byte> d, long nowUs, long arrivalUs, Histogram latency, Histogram recvThread)
    {
        switch (Rfc7983.Classify(d))
        {
            case PacketKind.Stun: t.OnStun(d, nowUs / 1000); return;
            case PacketKind.Dtls: t.DtlsIn++; t.Dtls?.Feed(d); return;
            case PacketKind.Rtp: OnRtp(t, d, nowUs, arrivalUs, latency, recvThread); return;
            case PacketKind.Rtcp: OnRtcp(t, d, nowUs); return;
            default: t.Malformed++; return;
        }
    }

    private void OnRtp(MediaTransport t, Span<byte> d, long nowUs, long arrivalUs, Histogram latency, Histogram recvThread)
    {
        int len = d.Length;
        if (t.IsWebRtc || t.RecvSrtp is not null)
        {
            var srtp = t.RecvSrtp;
            if (srtp is null) { t.SrtpErrors++; return; }
            if (srtp.UnprotectRtp(d, out len) != SrtpError.None) { t.SrtpErrors++; return; }
        }
        if (RtpPacket.TryParse(d[..len], out var p) != RtpParseError.None) { t.Malformed++; return; }
        t.RtpIn++;
        t.RtpBytesIn += len;
        if (!t.Consumers.TryGetValue(p.Ssrc, out var c)) { t.UnknownSsrc++; return; }
        var payload = p.Payload;
        bool rtx = c.RtxSsrc == p.Ssrc;
        ushort seq = p.SequenceNumber;
        if (rtx)
        {
            if (payload.Length < 2) { c.PaddingOnly++; return; } // RTX padding probes
            seq = BinaryPrimitives.ReadUInt16BigEndian(payload);
            payload = payload[2..];
            c.RtxPackets++;
        }
        if (payload.IsEmpty) { c.PaddingOnly++; return; }
        c.Packets++;
        c.Bytes += len;
        TrackOuterSeq(c, seq, rtx);
        if (Probe.TryRead(payload, out var probe) != ProbeError.None || probe.Encoding >= 3) { c.Foreign++; return; }
        if (c.FirstPacketUs == 0) c.FirstPacketUs = nowUs;
        var verdict = c.Trackers[probe.Encoding].Add(probe.Seq);
        c.Sources[probe.Encoding] ??= Streams.Find(probe.StreamId);
        c.LastEncoding = probe.Encoding;
        if (rtx && verdict == SeqVerdict.Reordered) c.Recovered++;
        if (_measuring && !rtx && verdict == SeqVerdict.InOrder)
        {
            latency.Add(arrivalUs - probe.SendUs);
            recvThread.Add(nowUs - probe.SendUs);
        }
    }

    private void TrackOuterSeq(ConsumerStream c, ushort seq, bool rtx)
    {
        var u = c.Unwrap.HasValue ? c.Unwrap.PeekUnwrap(seq) : seq;
        if (c.FirstSeq < 0) { c.Unwrap.Unwrap(seq); c.FirstSeq = c.MaxSeq = u; c.SeqReceived++; return; }
        if (u > c.MaxSeq)
        {
            c.Unwrap.Unwrap(seq);
            var gap = u - c.MaxSeq - 1;
            if (Nack && !rtx && gap is > 0 and < 64 && c.RtxSsrc is not null)
                for (var s = c.MaxSeq + 1; s < u; s++) c.NackQueue.Enqueue((ushort)s);
            c.MaxSeq = u;
        }
        c.SeqReceived++;
    }

    private static void OnRtcp(MediaTransport t, Span<byte> d, long nowUs)
    {
        int len = d.Length;
        if (t.IsWebRtc || t.RecvSrtp is not null)
        {
            var srtp = t.RecvSrtp;
            if (srtp is null) { t.SrtpErrors++; return; }
            if (srtp.UnprotectRtcp(d, out len) != SrtpError.None) { t.SrtpErrors++; return; }
        }
        t.RtcpIn++;
        foreach (var h in new RtcpCompoundReader(d[..len]))
        {
            if (h.PacketType == RtcpPacketType.PayloadFeedback && h.Fmt == RtcpPli.Fmt
                && RtcpPli.TryParse(h.Packet, out var pli) == RtcpError.None)
                RequestKeyFrame(t, pli.MediaSsrc, countPli: true);
            else if (h.PacketType == RtcpPacketType.PayloadFeedback && h.Fmt == RtcpFir.Fmt
                && RtcpFir.TryParse(h.Packet, out var fir) == RtcpError.None)
                for (var i = 0; i < fir.EntryCount; i++) RequestKeyFrame(t, fir.GetEntry(i).Ssrc, countPli: true);
            else if (h.PacketType == RtcpPacketType.RtpFeedback && h.Fmt == RtcpNack.Fmt
                && RtcpNack.TryParse(h.Packet, out var nack) == RtcpError.None)
            {
                foreach (var s in t.Producers)
                {
                    if (s.Ssrc != nack.MediaSsrc) continue;
                    s.NacksReceived++;
                    foreach (var seq in nack) s.NackRequests.Enqueue(seq);
                }
            }
            else if (h.PacketType == RtcpPacketType.SenderReport && RtcpSenderReport.TryParse(h.Packet, out var sr) == RtcpError.None)
            {
                if (t.Consumers.TryGetValue(sr.Ssrc, out var c))
                {
                    c.LastSrCompact = RtcpNtp.ToCompact(sr.Info.NtpTimestamp);
                    c.LastSrArrivalUs = nowUs;
                }
            }
        }
    }

    private static void RequestKeyFrame(MediaTransport t, uint ssrc, bool countPli)
    {
        foreach (var s in t.Producers)
        {
            if (s.Ssrc != ssrc || s.Kind != MediaKind.Video) continue;
            s.KeyFrameRequested = true;
            if (countPli) s.PlisReceived++;
        }
    }

    // ---------------- sender thread ----------------

    private void SendLoop()
    {
        var buf = new byte[1600];
        var blocks = new RtcpReportBlock[31];
        var nacks = new ushort[64];
        long nextRtcpUs = 0, nextNackUs = 0;
        while (!_stopping)
        {
            long nowUs = Clock.NowUs;
            var all = _transports;
            bool rtcpDue = nowUs >= nextRtcpUs, nackDue = nowUs >= nextNackUs;
            foreach (var t in all)
            {
                if (t.Ice is not null) t.TickIce(nowUs / 1000, buf);
                if (!t.Ready) continue;
                if (t.Sending) SendMedia(t, nowUs, buf);
                if (rtcpDue && !t.Consumers.IsEmpty) SendReports(t, nowUs, buf, blocks);
                if (nackDue && Nack && !t.Consumers.IsEmpty) SendNacks(t, buf, nacks);
            }
            if (rtcpDue) nextRtcpUs = nowUs + RtcpIntervalMs * 1000L;
            if (nackDue) nextNackUs = nowUs + 20_000;
            SendLoops++;
            Pause(SendTickUs);
        }
    }

    private static unsafe void Pause(int us)
    {
        if (us >= 1000) { Thread.Sleep(us / 1000); return; }
        var t = new TimeSpec { Seconds = 0, Nanoseconds = us * 1000L };
        nanosleep(&t, null);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int nanosleep(TimeSpec* duration, TimeSpec* remaining);

    private void SendMedia(MediaTransport t, long nowUs, byte[] buf)
    {
        foreach (var s in t.Producers)
        {
            if (s.NextDueUs == 0) s.NextDueUs = nowUs;
            while (s.NackRequests.TryDequeue(out var nacked))
            {
                int r = s.WriteRetransmission(nacked, buf.AsSpan(0, buf.Length - SrtpSession.MaxTrailer));
                if (r <= 0) continue;
                if (t.SendSrtp is { } rs && rs.ProtectRtp(buf, r, out r) != SrtpError.None) continue;
                t.Send(buf.AsSpan(0, r));
            }
            if (nowUs - s.NextDueUs > 200_000)
            {
                // Fell behind by more than 200 ms (machine overloaded): skip, do not burst.
                var skip = (nowUs - s.NextDueUs) / s.IntervalUs;
                s.NextDueUs += skip * s.IntervalUs;
                SenderLagSkips += skip;
            }
            while (s.NextDueUs <= nowUs)
            {
                s.NextDueUs += s.IntervalUs;
                // Stamp the probe now, not at the loop's start: earlier sends in this loop are not the server's delay.
                int n = s.WriteNext(buf.AsSpan(0, buf.Length - SrtpSession.MaxTrailer), Clock.NowUs);
                if (n <= 0) continue;
                if (t.SendSrtp is { } srtp && srtp.ProtectRtp(buf, n, out n) != SrtpError.None) continue;
                if (UplinkDropEvery > 0 && ++_sentCount % UplinkDropEvery == 0) { UplinkDropped++; continue; }
                if (t.Send(buf.AsSpan(0, n))) { t.RtpOut++; t.RtpBytesOut += n; }
            }
        }
    }

    private static void SendReports(MediaTransport t, long nowUs, byte[] buf, RtcpReportBlock[] blocks)
    {
        int count = 0;
        foreach (var (ssrc, c) in t.Consumers)
        {
            if (ssrc != c.Ssrc || c.FirstSeq < 0) continue;
            long expected = c.MaxSeq - c.FirstSeq + 1, received = c.SeqReceived;
            long lost = expected - received;
            long dExp = expected - c.PrevExpected, dRec = received - c.PrevReceived;
            c.PrevExpected = expected; c.PrevReceived = received;
            byte fraction = dExp <= 0 || dRec >= dExp ? (byte)0 : (byte)Math.Min(255, (dExp - dRec) * 256 / dExp);
            uint dlsr = c.LastSrArrivalUs == 0 ? 0 : (uint)((nowUs - c.LastSrArrivalUs) * 65536 / 1_000_000);
            blocks[count++] = new RtcpReportBlock(c.Ssrc, fraction, (int)Math.Clamp(lost, -0x800000, 0x7FFFFF),
                (uint)c.MaxSeq, 0, c.LastSrCompact, c.LastSrCompact == 0 ? 0 : dlsr);
            if (count == blocks.Length) { SendRr(t, buf, blocks.AsSpan(0, count)); count = 0; }
        }
        if (count > 0) SendRr(t, buf, blocks.AsSpan(0, count));
    }

    private static void SendRr(MediaTransport t, byte[] buf, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        int n = RtcpReceiverReport.Write(buf, t.RtcpSsrc, blocks);
        SendRtcp(t, buf, n);
    }

    private static void SendNacks(MediaTransport t, byte[] buf, ushort[] seqs)
    {
        foreach (var (ssrc, c) in t.Consumers)
        {
            if (ssrc != c.Ssrc || c.NackQueue.IsEmpty) continue;
            int n = 0;
            while (n < seqs.Length && c.NackQueue.TryDequeue(out var s)) seqs[n++] = s;
            if (n == 0) continue;
            Array.Sort(seqs, 0, n);
            int len = RtcpNack.Write(buf, t.RtcpSsrc, c.Ssrc, seqs.AsSpan(0, n));
            if (len > 0) { SendRtcp(t, buf, len); c.NacksSent++; }
        }
    }

    private static void SendRtcp(MediaTransport t, byte[] buf, int n)
    {
        if (n <= 0) return;
        if (t.SendSrtp is { } srtp && srtp.ProtectRtcp(buf, n, out n) != SrtpError.None) return;
        if (t.Send(buf.AsSpan(0, n))) t.RtcpOut++;
    }

    /// <summary>Stops both threads and closes every socket.</summary>
    public void Dispose()
    {
        _stopping = true;
        _sender.Join(2000);
        foreach (var t in _transports) t.Close();
        foreach (var r in _receivers) r.Dispose();
    }
}

/// <summary>Map from probe stream id to the producer stream (receivers use it to know what was sent); one per run.</summary>
public sealed class StreamRegistry
{
    private volatile ProducerStream[] _streams = [];
    private readonly object _gate = new();

    /// <summary>Registers a stream (setup time).</summary>
    public void Add(ProducerStream s)
    {
        lock (_gate) _streams = [.. _streams, s];
    }

    /// <summary>The stream with that id, or null (linear; called once per consumer and encoding).</summary>
    public ProducerStream? Find(uint id)
    {
        foreach (var s in _streams) if (s.StreamId == id) return s;
        return null;
    }
}
