// Send side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1;
// the role of libwebrtc's TransportFeedbackAdapter + SendTimeHistory): remember the send time, size and
// probe cluster of each packet by its transport-wide seq, and turn a received RTPFB FMT 15 feedback into
// (send time, arrival time) pairs for the estimators.
//
// Constants:
// - DefaultCapacity 2048 (a power of two, so the slot is seq & mask): at 10 Mbps in 1200-byte packets
//   that is ~2 s of sending, longer than any feedback delay worth using (Chromium answers every 100 ms;
//   feedback older than the 2 s stream timeout resets the delay filters anyway), and well under the 32768
//   half-range within which a 16-bit seq unwraps without ambiguity. 64 KB per transport: one per
//   consumer transport adds up, so not more.
// - The reference time is 24 bits of 64 ms (§3.1): it wraps after 2^24 × 64 ms ≈ 12.4 days, and the view
//   reads it signed, so it flips sign after ~6.2 days. Each feedback's reference time is unwrapped against
//   the previous one (sign-extended 24-bit difference), so arrivals stay on one monotonic µs axis.
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Bwe;

/// <summary>One sent packet as reported by a feedback: unwrapped transport-wide seq, local send time,
/// remote arrival time (µs on the receiver's clock, made absolute; <see cref="Lost"/> when not
/// received), size and probe cluster (−1 for media).</summary>
public readonly record struct PacketResult(long Seq, long SendUs, long ArrivalUs, int Size, int ProbeClusterId)
{
    /// <summary><see cref="ArrivalUs"/> of a packet the feedback reported as not received.</summary>
    public const long Lost = long.MinValue;
    /// <summary>True unless the feedback reported the packet lost.</summary>
    public bool Received => ArrivalUs != Lost;
}

/// <summary>
/// Ring of sent packets keyed by transport-wide seq. Single-threaded; one array allocated up front
/// (<see cref="Capacity"/> × 32 bytes), nothing per packet or per feedback.
/// <para>Each packet is reported at most once: a seq already reported (received or lost) counts in
/// <see cref="Duplicates"/>, a seq never sent or already overwritten in <see cref="Unknown"/>.</para>
/// </summary>
public sealed class SendHistory
{
    /// <summary>Default ring size (see the file comment).</summary>
    public const int DefaultCapacity = 2048;

    private const byte Empty = 0, InFlight = 1, Reported = 2;

    private struct Entry
    {
        public long Seq;
        public long SendUs;
        public int Size;
        public int ProbeClusterId;
        public byte State;
    }

    private readonly Entry[] _ring;
    private readonly int _mask;
    private SeqUnwrapper _sent; // reference point: the highest seq sent
    private bool _hasReference;
    private int _lastReference24;
    private long _referenceTicks; // unwrapped reference time, 64 ms units

    /// <summary>Creates a history of <paramref name="capacity"/> packets (a power of two, 64..32768).</summary>
    public SendHistory(int capacity = DefaultCapacity)
    {
        if (capacity is < 64 or > 32_768 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), "a power of two in 64..32768");
        _ring = new Entry[capacity];
        _mask = capacity - 1;
    }

    /// <summary>Ring size in packets.</summary>
    public int Capacity => _ring.Length;
    /// <summary>Bytes sent and not yet reported (received or lost) by any feedback. A packet whose every
    /// feedback was lost stays counted until its slot is reused.</summary>
    public long InFlightBytes { get; private set; }
    /// <summary>Reported seqs that had been reported before (ignored).</summary>
    public long Duplicates { get; private set; }
    /// <summary>Reported seqs that were never sent or whose slot was reused (ignored).</summary>
    public long Unknown { get; private set; }
    /// <summary>Unreported packets overwritten by newer ones.</summary>
    public long Evicted { get; private set; }
    /// <summary>Reported packets left out because the output span was full (they stay in flight).</summary>
    public long Truncated { get; private set; }
    /// <summary>Time of the last <see cref="ProcessFeedback"/> (µs), long.MinValue before the first.</summary>
    public long LastFeedbackUs { get; private set; } = long.MinValue;

    /// <summary>Records a sent packet. Transport-wide seqs are assigned in send order; a seq older than
    /// the highest sent still lands in its slot but does not move the unwrap reference.</summary>
    public void Add(ushort seq, int sizeBytes, long sendUs, int probeClusterId)
    {
        long ext = _sent.PeekUnwrap(seq);
        if (!_sent.HasValue || ext > _sent.Last) _sent.Unwrap(seq);
        ref var e = ref _ring[(int)(ext & _mask)];
        if (e.State == InFlight)
        {
            InFlightBytes -= e.Size;
            Evicted++;
        }
        e.Seq = ext;
        e.SendUs = sendUs;
        e.Size = sizeBytes;
        e.ProbeClusterId = probeClusterId;
        e.State = InFlight;
        InFlightBytes += sizeBytes;
    }

    /// <summary>
    /// Maps every packet of <paramref name="fb"/> to its send record and writes one
    /// <see cref="PacketResult"/> per newly reported known packet into <paramref name="output"/>, in the
    /// feedback's seq order. Returns how many were written.
    /// </summary>
    public int ProcessFeedback(in TransportCc fb, long nowUs, Span<PacketResult> output)
    {
        LastFeedbackUs = nowUs;
        long referenceUs = UnwrapReference(fb.ReferenceTime) * TransportCc.ReferenceTimeUnitUs;
        long viewReferenceUs = fb.ReferenceTimeUs; // the view's arrivals are relative to this
        int n = 0;
        foreach (var p in fb)
        {
            if (!_sent.HasValue) { Unknown++; continue; }
            long ext = _sent.PeekUnwrap(p.Sequence);
            ref var e = ref _ring[(int)(ext & _mask)];
            if (e.State == Empty || e.Seq != ext) { Unknown++; continue; }
            if (e.State == Reported) { Duplicates++; continue; }
            if (n == output.Length) { Truncated++; continue; }
            e.State = Reported;
            InFlightBytes -= e.Size;
            long arrival = p.Received ? referenceUs + (p.ArrivalUs - viewReferenceUs) : PacketResult.Lost;
            output[n++] = new PacketResult(ext, e.SendUs, arrival, e.Size, e.ProbeClusterId);
        }
        return n;
    }

    // Unwraps the signed 24-bit reference time against the previous feedback's.
    private long UnwrapReference(int referenceTime)
    {
        int r24 = referenceTime & 0xFFFFFF;
        if (!_hasReference)
        {
            _hasReference = true;
            _referenceTicks = referenceTime;
        }
        else
        {
            int d = ((r24 - _lastReference24) << 8) >> 8; // sign-extend the 24-bit difference
            _referenceTicks += d;
        }
        _lastReference24 = r24;
        return _referenceTicks;
    }
}
