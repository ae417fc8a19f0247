// Receiver side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1), after mediasoup's TransportCongestionControlServer and pion's twcc.Recorder: remember the arrival
// time of each transport-wide seq, and periodically report everything since the last feedback (gaps as
// lost) in one RTPFB FMT 15 packet written by TransportCc.Write.
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Feedback;

/// <summary>
/// Records transport-wide seq arrivals (wrap-aware, duplicates and reordering within the unreported
/// window tolerated) and builds feedback. Single-threaded; fixed arrays allocated once
/// (<see cref="Capacity"/> × 24 bytes: 96 KB at the default 4096), nothing per packet.
/// <para>A packet arriving after its seq was already reported (as lost) is counted in
/// <see cref="LateArrivals"/> and ignored, as in mediasoup.</para>
/// </summary>
public sealed class TransportCcRecorder
{
    private const long NotReceived = long.MinValue;
    private readonly long[] _arrival;
    private readonly TransportCcArrival[] _scratch;
    private readonly int _mask;
    private SeqUnwrapper _unwrap; // reference point: the highest seq recorded
    private bool _started;
    private long _next;    // extended seq of the first unreported packet
    private long _highest; // extended seq of the highest recorded packet
    private long _lastFeedbackUs = long.MinValue;

    /// <summary>Creates a recorder whose unreported window holds <paramref name="capacity"/> seqs (a power
    /// of two, 64..32768).</summary>
    public TransportCcRecorder(int capacity = 4096)
    {
        if (capacity is < 64 or > 32_768 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), "a power of two in 64..32768");
        Capacity = capacity;
        _mask = capacity - 1;
        _arrival = new long[capacity];
        _scratch = new TransportCcArrival[capacity];
        Array.Fill(_arrival, NotReceived);
    }

    /// <summary>Size of the unreported window in seqs.</summary>
    public int Capacity { get; }
    /// <summary>Feedback interval for <see cref="ShouldSendFeedback"/> (default 100 ms).</summary>
    public long FeedbackIntervalUs { get; set; } = 100_000;
    /// <summary>Pending seqs that make <see cref="ShouldSendFeedback"/> true before the interval
    /// (default 250).</summary>
    public int MaxPendingPackets { get; set; } = 250;
    /// <summary>Feedback packets built so far (its low byte is the feedback packet count field).</summary>
    public long FeedbackPacketCount { get; private set; }
    /// <summary>Seqs recorded after they had been reported.</summary>
    public long LateArrivals { get; private set; }
    /// <summary>Seqs recorded twice.</summary>
    public long Duplicates { get; private set; }
    /// <summary>Seqs that left the window unreported because newer seqs pushed them out.</summary>
    public long DroppedUnreported { get; private set; }
    /// <summary>Seqs from the first unreported to the highest recorded (0 when up to date).</summary>
    public int PendingCount => _started ? (int)(_highest - _next + 1) : 0;

    /// <summary>Records the arrival of <paramref name="twccSeq"/> at <paramref name="arrivalUs"/> (any
    /// monotonic µs clock). Returns false for late or duplicate packets.</summary>
    public bool Record(ushort twccSeq, long arrivalUs)
    {
        if (arrivalUs == NotReceived) arrivalUs++; // reserved marker
        if (!_started)
        {
            _started = true;
            _next = _highest = _unwrap.Unwrap(twccSeq);
            _arrival[(int)(_highest & _mask)] = arrivalUs;
            return true;
        }
        long ext = _unwrap.PeekUnwrap(twccSeq);
        if (ext < _next) { LateArrivals++; return false; }
        if (ext > _highest)
        {
            if (ext - _highest >= Capacity) Array.Fill(_arrival, NotReceived);
            else for (long s = _highest + 1; s <= ext; s++) _arrival[(int)(s & _mask)] = NotReceived;
            _highest = ext;
            _unwrap.Unwrap(twccSeq);
            if (_highest - _next >= Capacity)
            {
                long newNext = _highest - Capacity + 1;
                DroppedUnreported += newNext - _next;
                _next = newNext;
            }
        }
        ref long slot = ref _arrival[(int)(ext & _mask)];
        if (slot != NotReceived) { Duplicates++; return false; }
        slot = arrivalUs;
        return true;
    }

    /// <summary>True when there is something to report and either <see cref="FeedbackIntervalUs"/> passed
    /// since the last feedback or <see cref="MaxPendingPackets"/> seqs are pending.</summary>
    public bool ShouldSendFeedback(long nowUs)
    {
        int pending = PendingCount;
        if (pending == 0) return false;
        return pending >= MaxPendingPackets || _lastFeedbackUs == long.MinValue || nowUs - _lastFeedbackUs >= FeedbackIntervalUs;
    }

    /// <summary>
    /// Writes one transport-cc packet reporting the pending seqs (missing ones as lost) into
    /// <paramref name="dst"/> and forgets what it reported. Returns its length, or 0 when nothing is
    /// pending or <paramref name="dst"/> is too small. When not everything fit (packet size, a delta over
    /// ±8 s), <see cref="PendingCount"/> stays above 0: call again.
    /// </summary>
    public int BuildFeedback(long nowUs, uint senderSsrc, uint mediaSsrc, Span<byte> dst)
    {
        int pending = PendingCount;
        if (pending == 0) return 0;
        for (int i = 0; i < pending; i++)
        {
            long ext = _next + i;
            long a = _arrival[(int)(ext & _mask)];
            _scratch[i] = a == NotReceived ? TransportCcArrival.Lost((ushort)ext) : new TransportCcArrival((ushort)ext, a);
        }
        int len = TransportCc.Write(dst, senderSsrc, mediaSsrc, unchecked((byte)FeedbackPacketCount),
            _scratch.AsSpan(0, pending), out int consumed);
        if (len == 0) return 0;
        _next += consumed;
        FeedbackPacketCount++;
        _lastFeedbackUs = nowUs;
        return len;
    }

    /// <summary>Forgets everything (the feedback packet count continues).</summary>
    public void Reset()
    {
        Array.Fill(_arrival, NotReceived);
        _unwrap.Reset();
        _started = false;
        _lastFeedbackUs = long.MinValue;
    }
}
