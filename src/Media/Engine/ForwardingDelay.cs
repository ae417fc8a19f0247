namespace AkkaSfu.Media.Engine;

/// <summary>How long forwarded packets spent inside the worker: from the kernel's arrival stamp on the
/// receiving socket (so the wait in the socket queue, the receive thread and the hop to the worker thread
/// count) to the moment the packet left for one consumer. One sample per consumer copy of each forwarded
/// packet; the clock is read at the start and end of the fan-out only, and copy k of n is placed k/n of the
/// way (per-copy clock reads cost ~0.3 µs a copy). Retransmissions are not counted. Written on the worker thread only, read from any
/// thread (a racy read gives slightly old counts).</summary>
/// <remarks>Buckets are (lower, upper] in µs: 25 µs wide up to 1 ms, 250 µs up to 5 ms, then a few coarse
/// ones; the last is unbounded. Upper bounds are inclusive, as Prometheus' <c>le</c>.</remarks>
public sealed class ForwardingDelay
{
    private const int FineWidthUs = 25, FineCount = 40, MidWidthUs = 250, MidCount = 16;
    private static readonly long[] CoarseUpperUs = [7_500, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

    /// <summary>Inclusive upper bound of each bucket in µs; the last bucket (index <see cref="BucketCount"/> − 1)
    /// has none.</summary>
    public static IReadOnlyList<long> UpperBoundsUs { get; } = BuildBounds();

    /// <summary>Buckets, the unbounded one included.</summary>
    public static int BucketCount => UpperBoundsUs.Count + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _sumUs;

    private static long[] BuildBounds()
    {
        var bounds = new List<long>();
        for (var i = 1; i <= FineCount; i++) bounds.Add(i * FineWidthUs);
        for (var i = 1; i <= MidCount; i++) bounds.Add(FineCount * FineWidthUs + i * MidWidthUs);
        bounds.AddRange(CoarseUpperUs);
        return bounds.ToArray();
    }

    /// <summary>The bucket a delay of <paramref name="us"/> falls in.</summary>
    public static int BucketOf(long us)
    {
        if (us <= FineWidthUs) return 0;
        if (us <= FineCount * FineWidthUs) return (int)((us - 1) / FineWidthUs);
        const long midStart = FineCount * FineWidthUs;
        if (us <= midStart + MidCount * MidWidthUs) return FineCount + (int)((us - midStart - 1) / MidWidthUs);
        var i = 0;
        while (i < CoarseUpperUs.Length && us > CoarseUpperUs[i]) i++;
        return FineCount + MidCount + i;
    }

    /// <summary>Records one forwarded copy that took <paramref name="us"/> µs.</summary>
    public void Record(long us)
    {
        if (us < 0) us = 0;
        _counts[BucketOf(us)]++;
        _sumUs += us;
    }

    /// <summary>Samples so far.</summary>
    public long Count => _counts.Sum();

    /// <summary>Sum of all samples in µs.</summary>
    public long SumUs => Volatile.Read(ref _sumUs);

    /// <summary>A copy of the per-bucket counts (not cumulative), <see cref="BucketCount"/> long.</summary>
    public long[] Snapshot()
    {
        var copy = new long[_counts.Length];
        for (var i = 0; i < copy.Length; i++) copy[i] = Volatile.Read(ref _counts[i]);
        return copy;
    }

    /// <summary>The <paramref name="q"/>-quantile (0..1) in µs of per-bucket <paramref name="counts"/> (e.g. the
    /// difference of two snapshots), interpolated inside its bucket; -1 when there are no samples. A quantile
    /// in the unbounded bucket reports the last bound.</summary>
    public static double Quantile(ReadOnlySpan<long> counts, double q)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        if (total == 0) return -1;
        var rank = Math.Clamp(q, 0, 1) * total;
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0 || seen + counts[i] < rank) { seen += counts[i]; continue; }
            if (i >= UpperBoundsUs.Count) return UpperBoundsUs[^1];
            double lower = i == 0 ? 0 : UpperBoundsUs[i - 1], upper = UpperBoundsUs[i];
            return lower + (upper - lower) * Math.Max(0, rank - seen) / counts[i];
        }
        return UpperBoundsUs[^1];
    }
}
