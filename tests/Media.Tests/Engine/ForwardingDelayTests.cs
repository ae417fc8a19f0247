using AkkaSfu.Media.Engine;

namespace AkkaSfu.Media.Tests.Engine;

public class ForwardingDelayTests
{
    [Theory]
    [InlineData(-5, 0)]
    [InlineData(0, 0)]
    [InlineData(25, 0)]
    [InlineData(26, 1)]
    [InlineData(50, 1)]
    [InlineData(999, 39)]
    [InlineData(1_000, 39)]
    [InlineData(1_001, 40)]
    [InlineData(1_250, 40)]
    [InlineData(5_000, 55)]
    [InlineData(5_001, 56)]
    [InlineData(7_500, 56)]
    [InlineData(1_000_000, 63)]
    [InlineData(1_000_001, 64)]
    public void Delays_fall_in_the_bucket_whose_inclusive_upper_bound_covers_them(long us, int bucket)
    {
        var h = new ForwardingDelay();
        h.Record(us);
        var counts = h.Snapshot();
        Assert.Equal(1, counts[bucket]);
        Assert.Equal(1, counts.Sum());
        if (bucket < ForwardingDelay.UpperBoundsUs.Count) Assert.True(Math.Max(0, us) <= ForwardingDelay.UpperBoundsUs[bucket]);
        if (bucket > 0) Assert.True(us > ForwardingDelay.UpperBoundsUs[bucket - 1]);
    }

    [Fact]
    public void Bounds_rise_strictly_and_there_is_one_unbounded_bucket_more()
    {
        var b = ForwardingDelay.UpperBoundsUs;
        Assert.All(b.Zip(b.Skip(1)), pair => Assert.True(pair.First < pair.Second));
        Assert.Equal(b.Count + 1, ForwardingDelay.BucketCount);
        Assert.Equal(ForwardingDelay.BucketCount, new ForwardingDelay().Snapshot().Length);
    }

    [Fact]
    public void Quantiles_interpolate_inside_the_bucket_and_are_minus_one_when_empty()
    {
        var h = new ForwardingDelay();
        Assert.Equal(-1, ForwardingDelay.Quantile(h.Snapshot(), 0.5));
        for (var i = 0; i < 100; i++) h.Record(10); // bucket (0, 25]
        for (var i = 0; i < 100; i++) h.Record(2_000); // bucket (1750, 2000]
        var counts = h.Snapshot();
        Assert.Equal(12.5, ForwardingDelay.Quantile(counts, 0.25), 3);
        Assert.Equal(1_875, ForwardingDelay.Quantile(counts, 0.75), 3);
        Assert.Equal(2_000, ForwardingDelay.Quantile(counts, 1), 3);
        Assert.Equal(200, h.Count);
        Assert.Equal(100 * 10 + 100 * 2_000, h.SumUs);
    }

    [Fact]
    public void A_quantile_in_the_unbounded_bucket_reports_the_last_bound()
    {
        var h = new ForwardingDelay();
        h.Record(5_000_000);
        Assert.Equal(ForwardingDelay.UpperBoundsUs[^1], ForwardingDelay.Quantile(h.Snapshot(), 0.99));
    }
}
