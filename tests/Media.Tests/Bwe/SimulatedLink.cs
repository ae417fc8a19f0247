using AkkaSfu.Media.Bwe;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Tests.Bwe;

/// <summary>
/// Deterministic, virtual-time network for the estimator: a sender paced at min(estimate, media cap) in
/// fixed-size packets (plus probe padding when a cluster is active), optional seeded random loss, a FIFO
/// bottleneck with a byte limit (drop tail) whose capacity may change over time, a fixed propagation delay,
/// and a receiver that records arrivals in a real <see cref="TransportCcRecorder"/> and sends real
/// transport-cc feedback (written by TransportCc.Write, parsed by TransportCc.TryParse) back over an
/// uncongested return path. RTCP receiver reports (fraction lost, RTT) every <see cref="ReportIntervalUs"/>.
/// </summary>
internal sealed class SimulatedLink
{
    public const long TickUs = 250;
    public const int ProbeHeaderBytes = 20; // RTP header + transport-cc extension of a padding packet

    private readonly List<(long FromUs, long Bps)> _capacity = [];
    private readonly Queue<(ushort Seq, int Size)> _queue = new();
    private readonly Queue<(ushort Seq, long ArrivalUs)> _propagation = new();
    private readonly Queue<(byte[] Packet, long DeliverUs)> _feedback = new();
    private readonly TransportCcRecorder _recorder = new();
    private readonly byte[] _fbBuf = new byte[1500];
    private ulong _rng;
    private int _queueBytes;
    private double _credit;
    private double _mediaBudget;
    private ushort _seq;
    private long _nextPaceUs, _nextFeedbackUs, _nextReportUs, _nextTraceUs;
    private long _sentInInterval, _lostInInterval;

    public SimulatedLink(SendSideBwe bwe, long capacityBps, ulong seed = 1, ushort firstSeq = 65_000)
    {
        Bwe = bwe;
        _capacity.Add((0, capacityBps));
        _rng = seed * 0x9E3779B97F4A7C15UL + 1;
        _seq = firstSeq;
    }

    public SendSideBwe Bwe { get; }
    public long NowUs { get; private set; }
    public long PropagationUs { get; init; } = 20_000;
    public int QueueLimitBytes { get; init; } = 64_000;
    public double RandomLoss { get; set; }
    public long MediaCapBps { get; init; } = 2_500_000;
    public int PacketBytes { get; init; } = 1200;
    public long PacerIntervalUs { get; init; } = 5_000;
    public long FeedbackIntervalUs { get; init; } = 50_000;
    public long ReportIntervalUs { get; init; } = 500_000;
    public long TraceIntervalUs { get; init; } = 100_000;

    /// <summary>(time, available bps) every <see cref="TraceIntervalUs"/>.</summary>
    public List<(long Us, long Bps)> Trace { get; } = [];
    public long PacketsSent { get; private set; }
    public long RandomDrops { get; private set; }
    public long QueueDrops { get; private set; }
    public long ProbePacketsSent { get; private set; }
    public long MaxQueueBytes { get; private set; }

    /// <summary>From <paramref name="atUs"/> on the bottleneck runs at <paramref name="bps"/>.</summary>
    public void SetCapacity(long atUs, long bps) => _capacity.Add((atUs, bps));

    public long CapacityAt(long us)
    {
        long c = _capacity[0].Bps;
        foreach (var (from, bps) in _capacity) if (from <= us) c = bps;
        return c;
    }

    /// <summary>Runs until <paramref name="untilUs"/> (absolute virtual time).</summary>
    public void RunUntil(long untilUs)
    {
        while (NowUs < untilUs)
        {
            Step();
            NowUs += TickUs;
        }
    }

    /// <summary>Runs until <paramref name="done"/> holds or <paramref name="untilUs"/>; returns the time or −1.</summary>
    public long RunUntil(long untilUs, Func<SimulatedLink, bool> done)
    {
        while (NowUs < untilUs)
        {
            Step();
            if (done(this)) return NowUs;
            NowUs += TickUs;
        }
        return -1;
    }

    private void Step()
    {
        long now = NowUs;
        if (now >= _nextPaceUs)
        {
            long rate = Math.Min(Bwe.AvailableBitrateBps, MediaCapBps);
            _mediaBudget = Math.Min(_mediaBudget + rate * PacerIntervalUs / 8e6, rate * PacerIntervalUs / 8e6 + PacketBytes);
            while (_mediaBudget >= PacketBytes)
            {
                Send(PacketBytes, -1);
                _mediaBudget -= PacketBytes;
            }
            _nextPaceUs = now + PacerIntervalUs;
        }
        int due = Bwe.PaddingBytesDue(now);
        while (due > 0 && Bwe.ActiveProbeClusterId >= 0)
        {
            int size = Math.Min(255, due) + ProbeHeaderBytes;
            Send(size, Bwe.ActiveProbeClusterId);
            ProbePacketsSent++;
            due -= size;
        }

        long capacity = CapacityAt(now);
        if (_queue.Count == 0) _credit = 0;
        else
        {
            _credit += capacity * TickUs / 8e6;
            while (_queue.Count > 0 && _queue.Peek().Size <= _credit)
            {
                var p = _queue.Dequeue();
                _credit -= p.Size;
                _queueBytes -= p.Size;
                _propagation.Enqueue((p.Seq, now + PropagationUs));
            }
        }

        while (_propagation.Count > 0 && _propagation.Peek().ArrivalUs <= now)
            _recorder.Record(_propagation.Dequeue().Seq, now);

        if (now >= _nextFeedbackUs)
        {
            while (_recorder.PendingCount > 0)
            {
                int n = _recorder.BuildFeedback(now, 1, 2, _fbBuf);
                if (n == 0) break;
                _feedback.Enqueue((_fbBuf.AsSpan(0, n).ToArray(), now + PropagationUs));
            }
            _nextFeedbackUs = now + FeedbackIntervalUs;
        }
        while (_feedback.Count > 0 && _feedback.Peek().DeliverUs <= now)
        {
            var fb = _feedback.Dequeue().Packet;
            Assert.Equal(RtcpError.None, TransportCc.TryParse(fb, out var tcc));
            Bwe.OnTransportFeedback(tcc, now);
        }

        if (now >= _nextReportUs)
        {
            if (now > 0)
            {
                byte fraction = _sentInInterval == 0 ? (byte)0 : (byte)Math.Min(255, _lostInInterval * 256 / _sentInInterval);
                long rttMs = (2 * PropagationUs + _queueBytes * 8_000_000L / capacity) / 1000;
                Bwe.OnReportBlock(fraction, rttMs, now);
            }
            _sentInInterval = _lostInInterval = 0;
            _nextReportUs = now + ReportIntervalUs;
        }

        if (now >= _nextTraceUs)
        {
            Trace.Add((now, Bwe.AvailableBitrateBps));
            _nextTraceUs = now + TraceIntervalUs;
        }
    }

    private void Send(int size, int cluster)
    {
        ushort seq = _seq++;
        Bwe.OnPacketSent(seq, size, cluster, NowUs);
        PacketsSent++;
        _sentInInterval++;
        if (RandomLoss > 0 && NextDouble() < RandomLoss)
        {
            RandomDrops++;
            _lostInInterval++;
            return;
        }
        if (_queueBytes + size > QueueLimitBytes)
        {
            QueueDrops++;
            _lostInInterval++;
            return;
        }
        _queue.Enqueue((seq, size));
        _queueBytes += size;
        MaxQueueBytes = Math.Max(MaxQueueBytes, _queueBytes);
    }

    // xorshift64*: the same sequence on every runtime.
    private double NextDouble()
    {
        _rng ^= _rng >> 12;
        _rng ^= _rng << 25;
        _rng ^= _rng >> 27;
        return ((_rng * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / (1UL << 53));
    }
}
