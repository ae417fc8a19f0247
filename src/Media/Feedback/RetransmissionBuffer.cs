// Sender-side store of recently sent RTP packets for answering NACKs (RFC 4585 §6.2.1, RFC 4588 RTX),
// after mediasoup's RtpRetransmissionBuffer: keyed by wrap-aware sequence number, bounded by count and
// age, and a packet resent within the last RTT is not resent again.
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Feedback;

/// <summary>
/// A ring of <see cref="Capacity"/> fixed-size slots cut from one slab allocated up front; slot =
/// extended seq mod capacity. Memory: Capacity × (SlotSize + 32) bytes, e.g. 2,500 × 1,532 ≈ 3.8 MB for
/// video, 200 × 1,532 ≈ 0.3 MB for audio. Single-threaded; Insert and TryGet allocate nothing.
/// </summary>
public sealed class RetransmissionBuffer
{
    /// <summary>Default slot size: a full Ethernet-MTU packet.</summary>
    public const int DefaultSlotSize = 1500;

    private readonly byte[] _slab;
    private readonly long[] _ext;       // extended seq stored in each slot, long.MinValue = empty
    private readonly long[] _storedMs;
    private readonly long[] _resentMs;  // 0 = never resent (nowMs 0 is treated as "never")
    private readonly int[] _length;
    private readonly int[] _resentCount;
    private SeqUnwrapper _unwrap;
    private long _newest = long.MinValue;

    /// <summary>Creates a buffer of <paramref name="capacity"/> packets of at most
    /// <paramref name="slotSize"/> bytes, each kept at most <paramref name="maxAgeMs"/>.</summary>
    public RetransmissionBuffer(int capacity = 2500, int maxAgeMs = 2000, int slotSize = DefaultSlotSize)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        if (capacity > 32_768) throw new ArgumentOutOfRangeException(nameof(capacity), "at most half the seq space");
        if (slotSize is < 12 or > 65_535) throw new ArgumentOutOfRangeException(nameof(slotSize));
        if (maxAgeMs < 0) throw new ArgumentOutOfRangeException(nameof(maxAgeMs));
        Capacity = capacity;
        SlotSize = slotSize;
        MaxAgeMs = maxAgeMs;
        _slab = new byte[(long)capacity * slotSize];
        _ext = new long[capacity];
        _storedMs = new long[capacity];
        _resentMs = new long[capacity];
        _length = new int[capacity];
        _resentCount = new int[capacity];
        Clear();
    }

    /// <summary>Number of slots.</summary>
    public int Capacity { get; }
    /// <summary>Largest packet stored.</summary>
    public int SlotSize { get; }
    /// <summary>Packets older than this are not resent.</summary>
    public int MaxAgeMs { get; }
    /// <summary>Round-trip time in ms used by <see cref="TryGet"/> to skip packets resent too recently
    /// (set from RTCP; default 100).</summary>
    public long RttMs { get; set; } = 100;
    /// <summary>Bytes held by this buffer (slab plus per-slot bookkeeping).</summary>
    public long FootprintBytes => (long)Capacity * (SlotSize + 32);

    /// <summary>Inserts not stored because the packet was larger than <see cref="SlotSize"/>.</summary>
    public long DroppedOversize { get; private set; }
    /// <summary>Inserts not stored because the seq was older than the ring's window or a duplicate.</summary>
    public long DroppedStale { get; private set; }
    /// <summary>Lookups that found nothing (never stored, overwritten or cleared).</summary>
    public long Missing { get; private set; }
    /// <summary>Lookups whose packet was older than <see cref="MaxAgeMs"/>.</summary>
    public long Expired { get; private set; }
    /// <summary>Lookups skipped because the packet was resent less than one RTT ago.</summary>
    public long SkippedRecentlyResent { get; private set; }

    private int Slot(long ext)
    {
        long m = ext % Capacity;
        return (int)(m < 0 ? m + Capacity : m);
    }

    /// <summary>Stores a copy of <paramref name="packet"/> (the whole RTP packet as sent) under
    /// <paramref name="seq"/>. Returns false (and counts why) if it was not stored.</summary>
    public bool Insert(ushort seq, ReadOnlySpan<byte> packet, long nowMs)
    {
        if (packet.Length > SlotSize) { DroppedOversize++; return false; }
        long ext = _unwrap.HasValue ? _unwrap.PeekUnwrap(seq) : seq;
        if (_newest != long.MinValue)
        {
            if (ext <= _newest - Capacity) { DroppedStale++; return false; }
            if (ext > _newest) { _newest = ext; _unwrap.Unwrap(seq); }
        }
        else
        {
            _newest = ext;
            _unwrap.Unwrap(seq);
        }
        int s = Slot(ext);
        if (_ext[s] == ext) { DroppedStale++; return false; } // duplicate: keep the first copy and its resend state
        packet.CopyTo(_slab.AsSpan(s * SlotSize, SlotSize));
        _ext[s] = ext;
        _length[s] = packet.Length;
        _storedMs[s] = nowMs;
        _resentMs[s] = 0;
        _resentCount[s] = 0;
        return true;
    }

    /// <summary>
    /// Looks up a NACKed seq for retransmission. Succeeds when the packet is stored, not older than
    /// <see cref="MaxAgeMs"/>, and not already resent within the last <see cref="RttMs"/>; then it is
    /// marked resent at <paramref name="nowMs"/> and <paramref name="resentCount"/> is how many times it
    /// has now been resent (1 the first time). The span stays valid until the slot is overwritten.
    /// </summary>
    public bool TryGet(ushort seq, long nowMs, out ReadOnlySpan<byte> packet, out int resentCount)
    {
        packet = default;
        resentCount = 0;
        if (_newest == long.MinValue) { Missing++; return false; }
        long ext = _unwrap.PeekUnwrap(seq);
        int s = Slot(ext);
        if (_ext[s] != ext) { Missing++; return false; }
        if (nowMs - _storedMs[s] > MaxAgeMs) { Expired++; return false; }
        if (_resentCount[s] > 0 && nowMs - _resentMs[s] <= RttMs) { SkippedRecentlyResent++; return false; }
        _resentMs[s] = nowMs;
        resentCount = ++_resentCount[s];
        packet = _slab.AsSpan(s * SlotSize, _length[s]);
        return true;
    }

    /// <summary>Forgets all packets (e.g. on a key frame request after a gap, or SSRC change).</summary>
    public void Clear()
    {
        Array.Fill(_ext, long.MinValue);
        _unwrap.Reset();
        _newest = long.MinValue;
    }
}
