using AkkaSfu.Media.Bwe;

namespace AkkaSfu.Media.Tests.Bwe;

public class AimdRateControlTests
{
    private const long Ms = 1000, S = 1_000_000;

    [Theory]
    [InlineData(800_000, 680_000)]
    [InlineData(1_000_000, 850_000)]
    [InlineData(100_000, 85_000)]
    public void Overuse_decreases_to_085_of_acked(long acked, long expected)
    {
        var a = new AimdRateControl(1_200_000, 30_000, 10_000_000);
        a.Update(BandwidthUsage.Normal, acked, 0);
        Assert.Equal(expected, a.Update(BandwidthUsage.Overusing, acked, 50 * Ms));
        Assert.Equal(RateControlState.Hold, a.State);
    }

    [Fact]
    public void Overuse_never_increases_and_respects_the_minimum()
    {
        var a = new AimdRateControl(500_000, 300_000, 10_000_000);
        Assert.Equal(500_000, a.Update(BandwidthUsage.Overusing, 2_000_000, 0)); // 0.85 × 2 M > 500 k: keep
        Assert.Equal(300_000, a.Update(BandwidthUsage.Overusing, 100_000, S));   // 85 k < min
    }

    // Multiplicative increase while the capacity is unknown: ≤ 8 % per second whatever the update interval.
    [Theory]
    [InlineData(50)]
    [InlineData(200)]
    [InlineData(1000)]
    [InlineData(3000)]
    public void Increase_is_at_most_8_percent_per_second(int intervalMs)
    {
        var a = new AimdRateControl(1_000_000, 30_000, 100_000_000);
        long t = 0;
        a.Update(BandwidthUsage.Normal, a.EstimateBps, t); // Hold → Increase
        long start = a.EstimateBps;
        for (int i = 0; i < 12_000 / intervalMs; i++)
        {
            t += intervalMs * Ms;
            a.Update(BandwidthUsage.Normal, a.EstimateBps, t); // acked = estimate: no throughput limit
        }
        double perSecond = Math.Pow((double)a.EstimateBps / start, 1.0 / (t / 1e6));
        Assert.InRange(perSecond, 1.0, 1.08 + 1e-6);
        if (intervalMs <= 1000) Assert.True(perSecond > 1.075, $"grows at {perSecond:F4}/s"); // and does grow
    }

    [Fact]
    public void Near_the_capacity_estimate_the_increase_is_additive()
    {
        var a = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        a.Update(BandwidthUsage.Normal, 1_000_000, 0);
        a.Update(BandwidthUsage.Overusing, 1_000_000, 50 * Ms); // capacity ≈ 1 M, estimate 850 k
        Assert.Equal(1_000_000, a.LinkCapacityBps);
        long t = 50 * Ms;
        for (int i = 0; i < 20; i++)
        {
            t += 50 * Ms;
            a.Update(BandwidthUsage.Normal, 900_000, t);
        }
        // One 1180-byte packet per 2 × (200 + 100) ms ≈ 15.7 kbps per second, vs 68 kbps multiplicative.
        Assert.InRange(a.EstimateBps - 850_000, 12_000, 17_000);
    }

    [Theory]
    [InlineData(100_000, 100_000, 160_000)] // grows 8 %/s for 20 s but stops at 1.5 × 100 k + 10 k
    [InlineData(300_000, 100_000, 300_000)] // already above the limit (e.g. after a probe): neither grows nor shrinks
    public void Increase_is_limited_to_15_times_acked_plus_10k(long start, long acked, long expected)
    {
        var a = new AimdRateControl(start, 30_000, 10_000_000);
        for (long t = 0; t <= 20 * S; t += 50 * Ms) a.Update(BandwidthUsage.Normal, acked, t);
        Assert.Equal(expected, a.EstimateBps);
    }

    [Fact]
    public void A_continued_overuse_reduces_again_only_after_an_rtt_or_when_throughput_halved()
    {
        var a = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        a.SetRtt(100);
        a.Update(BandwidthUsage.Overusing, 1_000_000, 0); // → 850 k at t = 0
        Assert.False(a.TimeToReduceFurther(50 * Ms, 800_000));
        Assert.True(a.TimeToReduceFurther(100 * Ms, 800_000));
        Assert.True(a.TimeToReduceFurther(50 * Ms, 400_000)); // < half of 850 k
    }

    [Fact]
    public void Underuse_holds_and_normal_resumes_increase()
    {
        var a = new AimdRateControl(1_000_000, 30_000, 10_000_000);
        a.Update(BandwidthUsage.Underusing, 1_000_000, 0);
        Assert.Equal(RateControlState.Hold, a.State);
        Assert.Equal(1_000_000, a.Update(BandwidthUsage.Underusing, 1_000_000, S));
        a.Update(BandwidthUsage.Normal, 1_000_000, 2 * S);
        Assert.Equal(RateControlState.Increase, a.State);
        Assert.True(a.Update(BandwidthUsage.Normal, 1_000_000, 3 * S) > 1_000_000);
    }

    [Fact]
    public void Set_estimate_and_bounds_clamp()
    {
        var a = new AimdRateControl(1_000_000, 100_000, 2_000_000);
        a.SetEstimate(5_000_000, 0);
        Assert.Equal(2_000_000, a.EstimateBps);
        a.SetBounds(100_000, 1_500_000);
        Assert.Equal(1_500_000, a.EstimateBps);
    }
}
