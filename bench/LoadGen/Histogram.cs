namespace AkkaSfu.LoadGen;

/// <summary>Latency histogram in µs: 10 µs buckets to 50 ms, then 1 ms buckets to ~10 s. Single writer.</summary>
public sealed class Histogram
{
    private const int FineBuckets = 5_000, FineUs = 10, CoarseBuckets = 10_000;
    private readonly long[] _counts = new long[FineBuckets + CoarseBuckets];

    /// <summary>Samples recorded.</summary>
    public long Count { get; private set; }
    /// <summary>Largest sample (µs).</summary>
    public long MaxUs { get; private set; }

    /// <summary>Records one sample.</summary>
    public void Add(long us)
    {
        if (us < 0) us = 0;
        if (us > MaxUs) MaxUs = us;
        long i = us < FineBuckets * FineUs ? us / FineUs : FineBuckets + Math.Min((us - FineBuckets * FineUs) / 1000, CoarseBuckets - 1);
        _counts[i]++;
        Count++;
    }

    /// <summary>The p-th percentile (0..100) in µs (upper edge of its bucket), or -1 when empty.</summary>
    public long Percentile(double p)
    {
        if (Count == 0) return -1;
        var rank = Math.Max(1, (long)Math.Ceiling(p / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return Math.Min(MaxUs, i < FineBuckets ? (i + 1L) * FineUs : FineBuckets * (long)FineUs + (i - FineBuckets + 1L) * 1000);
        }
        return MaxUs;
    }

    /// <summary>Set by another thread to ask the writer to <see cref="Clear"/> before its next sample.</summary>
    public volatile bool ClearRequested;

    /// <summary>Adds another histogram's samples.</summary>
    public void AddAll(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        MaxUs = Math.Max(MaxUs, other.MaxUs);
    }

    /// <summary>Forgets every sample.</summary>
    public void Clear() { Array.Clear(_counts); Count = 0; MaxUs = 0; }
}
