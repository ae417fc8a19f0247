using AkkaSfu.Media.Bwe;

namespace AkkaSfu.Media.Tests.Bwe;

public class LossBasedBweTests
{
    private const long Upper = 1_000_000;
    private const long S = 1_000_000;

    // A cap of 900 k set by a 20 % loss at t = 0, then one report of `loss` 1.5 s later.
    public static TheoryData<double, long> Rules => new()
    {
        { 0.00, 973_000 },  // < 2 %: 1.08 × 900 k + 1 k
        { 0.019, 973_000 },
        { 0.02, 900_000 },  // 2..10 %: hold
        { 0.05, 900_000 },
        { 0.10, 900_000 },
        { 0.11, 850_500 },  // > 10 %: × (1 − 0.5 × 0.11)
        { 0.30, 765_000 },
        { 1.00, 450_000 },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Loss_rules(double loss, long expected)
    {
        var l = new LossBasedBwe();
        l.OnLossRatio(0.20, Upper, 0);
        Assert.Equal(900_000, l.EstimateBps);
        l.OnLossRatio(loss, Upper, 3 * S / 2);
        Assert.Equal(expected, l.EstimateBps);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void Without_heavy_loss_it_never_limits(double loss)
    {
        var l = new LossBasedBwe();
        for (int i = 0; i < 10; i++) l.OnLossRatio(loss, Upper, i * S);
        Assert.Equal(LossBasedBwe.Unlimited, l.EstimateBps);
    }

    [Fact]
    public void Cuts_are_at_least_300ms_plus_rtt_apart()
    {
        var l = new LossBasedBwe();
        l.SetRtt(100);
        l.OnLossRatio(0.5, Upper, 0);
        Assert.Equal(750_000, l.EstimateBps);
        l.OnLossRatio(0.5, Upper, 399_000);
        Assert.Equal(750_000, l.EstimateBps);
        l.OnLossRatio(0.5, Upper, 400_000);
        Assert.Equal(562_500, l.EstimateBps);
        Assert.Equal(2, l.Decreases);
    }

    [Fact]
    public void Growth_is_8_percent_per_second_from_the_lowest_of_the_last_second_and_stops_limiting_at_the_upper()
    {
        var l = new LossBasedBwe();
        l.OnLossRatio(0.2, Upper, 0); // 900 k
        long t = 0;
        var seen = new List<long>();
        while (l.EstimateBps != LossBasedBwe.Unlimited && t < 10 * S)
        {
            t += 100_000;
            l.OnLossRatio(0, Upper, t);
            seen.Add(l.EstimateBps);
        }
        Assert.Equal(973_000, seen[0]);       // 1.08 × 900 k + 1 k at once
        Assert.Equal(973_000, seen[8]);       // 900 k is still in the last second: no more
        Assert.Equal(LossBasedBwe.Unlimited, seen[^1]); // then 1.08 × 973 k + 1 k ≥ upper: released
        Assert.InRange(t, 1_000_000, 1_200_000);
    }

    [Fact]
    public void Packet_counts_are_pooled_until_20_are_reported()
    {
        var l = new LossBasedBwe();
        Assert.False(l.OnPacketsReported(10, 5, Upper, 0));
        Assert.Equal(LossBasedBwe.Unlimited, l.EstimateBps);
        Assert.True(l.OnPacketsReported(10, 1, Upper, 0)); // 6 of 20 = 30 %
        Assert.Equal(0.3, l.LossRatio, 6);
        Assert.Equal(850_000, l.EstimateBps);
    }

    [Fact]
    public void A_cut_starts_from_the_upper_limit_when_that_is_lower()
    {
        var l = new LossBasedBwe();
        l.OnLossRatio(0.2, Upper, 0);             // 900 k
        l.OnLossRatio(0.2, 500_000, 2 * S);       // from min(900 k, 500 k)
        Assert.Equal(450_000, l.EstimateBps);
        l.Release();
        Assert.Equal(LossBasedBwe.Unlimited, l.EstimateBps);
    }

    [Fact]
    public void Cuts_stop_at_half_the_delivered_bitrate()
    {
        var l = new LossBasedBwe();
        for (var i = 0; i < 10; i++) l.OnLossRatio(0.6, Upper, i * S, deliveredBps: 250_000);
        Assert.Equal(125_000, l.EstimateBps); // 0.7^10 × 1 M would be 28 k
        l.OnLossRatio(0.6, Upper, 10 * S);     // delivered unknown: the plain rule
        Assert.Equal(87_500, l.EstimateBps);
    }
}
