using AkkaSfu.Media.Bwe;

namespace AkkaSfu.Media.Tests.Bwe;

public class TrendlineEstimatorTests
{
    // Groups sent every 5 ms; each arrives `extraMs` later than the send spacing, i.e. the one-way delay
    // grows by extraMs per group (slope extraMs / 5).
    private double _arrival; // continues across calls (xunit makes one instance per test)

    private TrendlineEstimator Feed(double extraMs, int groups, TrendlineEstimator? t = null)
    {
        t ??= new TrendlineEstimator();
        ref double arrival = ref _arrival;
        for (int i = 0; i < groups; i++)
        {
            arrival += 5 + extraMs;
            t.Update(5 + extraMs, 5, arrival);
        }
        return t;
    }

    public static TheoryData<double, BandwidthUsage> Slopes => new()
    {
        { 0.0, BandwidthUsage.Normal },      // flat delay
        { 0.02, BandwidthUsage.Normal },     // slope 0.004: 60 × 0.004 × 4 ≈ 1 ms, under the 6 ms floor
        { 0.25, BandwidthUsage.Overusing },  // slope 0.05: delay rises 50 ms per second
        { 1.0, BandwidthUsage.Overusing },
        { -0.25, BandwidthUsage.Underusing },
    };

    [Theory]
    [MemberData(nameof(Slopes))]
    public void Delay_slope_gives_the_hypothesis(double extraMsPerGroup, BandwidthUsage expected)
    {
        Assert.Equal(expected, Feed(extraMsPerGroup, 100).State);
    }

    [Fact]
    public void Overuse_needs_the_window_and_two_samples_over_the_threshold()
    {
        var t = Feed(1.0, TrendlineEstimator.WindowSize - 1);
        Assert.Equal(BandwidthUsage.Normal, t.State); // no slope before the window is full
        Feed(1.0, 2, t);
        Assert.Equal(BandwidthUsage.Normal, t.State); // two samples above γ, but 2.5 + 5 ms < 10 ms over-use time
        Feed(1.0, 1, t);
        Assert.Equal(BandwidthUsage.Overusing, t.State);
    }

    [Fact]
    public void Threshold_adapts_down_to_its_floor_on_a_flat_delay_and_a_spike_does_not_raise_it()
    {
        var t = Feed(0, 200);
        Assert.Equal(TrendlineEstimator.MinThreshold, t.Threshold);
        Feed(20, 30, t); // a capacity drop: m climbs past γ + 15 within 4 groups, from then on not learnt
        Assert.True(t.ModifiedTrend > 100, $"m {t.ModifiedTrend}");
        Assert.InRange(t.Threshold, TrendlineEstimator.MinThreshold, 12);
    }

    [Fact]
    public void Threshold_rises_slowly_toward_a_moderate_persistent_trend()
    {
        var t = Feed(0, 200);
        double before = t.Threshold;
        Feed(0.2, 400, t); // slope ≈ 0.04 → m ≈ 60 × 0.04 × 4 ≈ 9.4: above γ = 6, within γ + 15: adapts up
        Assert.True(t.Threshold > before, $"threshold {t.Threshold}");
        Assert.True(t.Threshold < 12, $"threshold {t.Threshold}");
    }
}
