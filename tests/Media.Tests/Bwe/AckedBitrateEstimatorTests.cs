using AkkaSfu.Media.Bwe;

namespace AkkaSfu.Media.Tests.Bwe;

public class AckedBitrateEstimatorTests
{
    // Arrivals of 1200-byte packets at `bps` from `fromUs` for `durationUs`; returns the end time.
    private static long Feed(AckedBitrateEstimator e, long bps, long fromUs, long durationUs)
    {
        long gap = 1200 * 8_000_000L / bps;
        long t = fromUs;
        for (; t < fromUs + durationUs; t += gap) e.Update(t, 1200);
        return t;
    }

    [Theory]
    [InlineData(300_000)]
    [InlineData(1_000_000)]
    [InlineData(5_000_000)]
    public void A_constant_rate_is_measured_within_5_percent(long bps)
    {
        var e = new AckedBitrateEstimator();
        Feed(e, bps, 0, 3_000_000);
        Assert.InRange(e.BitrateBps, bps * 0.95, bps * 1.05);
    }

    [Fact]
    public void Nothing_before_the_first_500ms_window()
    {
        var e = new AckedBitrateEstimator();
        Feed(e, 1_000_000, 0, 490_000);
        Assert.Equal(0, e.BitrateBps);
    }

    [Fact]
    public void A_drop_is_followed_within_two_seconds_and_a_single_short_burst_barely_moves_it()
    {
        var e = new AckedBitrateEstimator();
        long t = Feed(e, 4_000_000, 0, 5_000_000);
        t = Feed(e, 300_000, t, 2_000_000);
        Assert.InRange(e.BitrateBps, 250_000, 450_000);

        var b = new AckedBitrateEstimator();
        t = Feed(b, 1_000_000, 0, 5_000_000);
        t = Feed(b, 5_000_000, t, 150_000); // one window at 5×
        Feed(b, 1_000_000, t, 300_000);
        Assert.InRange(b.BitrateBps, 950_000, 1_300_000); // a 500 ms sliding window would read ~2.3 M here
    }
}
