namespace AkkaSfu.LoadGen;

/// <summary>What <see cref="SeqTracker.Add"/> made of a probe sequence number.</summary>
public enum SeqVerdict : byte
{
    /// <summary>Newest so far (in order, possibly after a gap).</summary>
    InOrder = 0,
    /// <summary>Older than the newest, first time seen: a reordered (or retransmitted) packet.</summary>
    Reordered,
    /// <summary>Seen before.</summary>
    Duplicate,
    /// <summary>Older than the window can tell: counted apart, neither received nor lost.</summary>
    TooOld,
}

/// <summary>Unique arrivals of one probe stream (contiguous u32 sequence from the sender) in a 65 536-packet
/// window, so loss = expected − unique received, where expected runs from the first packet seen to the last
/// one sent. Single writer; the counters may be read (slightly stale) from other threads.</summary>
public sealed class SeqTracker
{
    private const int WindowBits = 1 << 16;
    private readonly ulong[] _bits = new ulong[WindowBits / 64];
    private bool _started;

    /// <summary>First sequence number received.</summary>
    public long First { get; private set; } = -1;
    /// <summary>Newest sequence number received.</summary>
    public long Max { get; private set; } = -1;
    /// <summary>Unique packets received.</summary>
    public long Unique { get; private set; }
    public long Reordered { get; private set; }
    public long Duplicates { get; private set; }
    public long TooOld { get; private set; }

    /// <summary>Records one arrival.</summary>
    public SeqVerdict Add(uint seq)
    {
        long s = seq;
        if (!_started)
        {
            _started = true;
            First = Max = s;
            Set(s);
            Unique++;
            return SeqVerdict.InOrder;
        }
        if (s > Max)
        {
            // Clear the slots between the old newest and this one (they are now "not received").
            var gap = s - Max;
            if (gap >= WindowBits) Array.Clear(_bits);
            else for (var x = Max + 1; x < s; x++) Clear(x);
            Max = s;
            Set(s);
            Unique++;
            return SeqVerdict.InOrder;
        }
        if (s < First || Max - s >= WindowBits) { TooOld++; return SeqVerdict.TooOld; }
        if (IsSet(s)) { Duplicates++; return SeqVerdict.Duplicate; }
        Set(s);
        Unique++;
        Reordered++;
        return SeqVerdict.Reordered;
    }

    /// <summary>Packets missing between the first arrival and <paramref name="lastSent"/> (or the newest arrival
    /// when that is unknown or older): never negative.</summary>
    public long Lost(long lastSent)
    {
        if (!_started) return 0;
        var end = Math.Max(lastSent, Max);
        return Math.Max(0, end - First + 1 - Unique);
    }

    /// <summary>Packets expected from the first arrival to <paramref name="lastSent"/>.</summary>
    public long Expected(long lastSent) => !_started ? 0 : Math.Max(lastSent, Max) - First + 1;

    private void Set(long s) => _bits[(int)(s & (WindowBits - 1)) >> 6] |= 1UL << (int)(s & 63);
    private void Clear(long s) => _bits[(int)(s & (WindowBits - 1)) >> 6] &= ~(1UL << (int)(s & 63));
    private bool IsSet(long s) => (_bits[(int)(s & (WindowBits - 1)) >> 6] & (1UL << (int)(s & 63))) != 0;
}
