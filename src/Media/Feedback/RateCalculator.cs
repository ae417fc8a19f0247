// Bitrate over a sliding window of fixed buckets (the idea of mediasoup's RTC::RateCalculator): each Add
// lands in the bucket of its time slot, a read sums the buckets still inside the window. Time is passed in.
namespace AkkaSfu.Media.Feedback;

/// <summary>Bytes per second over the last <see cref="WindowMs"/> (10 buckets). Single-threaded, no
/// allocation after construction.</summary>
public sealed class RateCalculator
{
    private const int Buckets = 10;
    private readonly long[] _bytes = new long[Buckets];
    private readonly long[] _slot = new long[Buckets]; // the time slot each bucket holds (slot = ms / bucket width)
    private readonly int _bucketMs;

    /// <param name="windowMs">Window length: 1 s, as mediasoup measures layer bitrates, by default.</param>
    public RateCalculator(int windowMs = 1000)
    {
        if (windowMs < Buckets) throw new ArgumentOutOfRangeException(nameof(windowMs));
        _bucketMs = windowMs / Buckets;
        Array.Fill(_slot, long.MinValue);
    }

    public int WindowMs => _bucketMs * Buckets;

    /// <summary>Counts <paramref name="bytes"/> sent or received at <paramref name="nowMs"/>.</summary>
    public void Add(int bytes, long nowMs)
    {
        var slot = nowMs / _bucketMs;
        var i = (int)(slot % Buckets);
        if (_slot[i] != slot) { _slot[i] = slot; _bytes[i] = 0; }
        _bytes[i] += bytes;
    }

    /// <summary>Bits per second over the window ending at <paramref name="nowMs"/>.</summary>
    public long BitsPerSecond(long nowMs)
    {
        var slot = nowMs / _bucketMs;
        long sum = 0;
        for (var i = 0; i < Buckets; i++)
            if (_slot[i] > slot - Buckets && _slot[i] <= slot) sum += _bytes[i];
        return sum * 8 * 1000 / WindowMs;
    }
}
