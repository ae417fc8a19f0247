using AkkaSfu.Media.Layers;

namespace AkkaSfu.Media.Tests.Layers;

/// <summary>Tables for sharing a transport's estimate among its consumers.</summary>
public class LayerAllocatorTests
{
    /// <summary>Three simulcast streams × three temporal layers, bitrates cumulative per stream (a typical
    /// 180p/360p/720p camera: 150, 500, 1,500 kbps at full frame rate).</summary>
    private static LayerDemand Simulcast(int priority = 1, int maxSpatial = 2, int maxTemporal = 2, int current = -1, int currentTemporal = -1, bool topLive = true)
    {
        var d = new LayerDemand { Layered = true, Priority = priority, MaxSpatial = maxSpatial, MaxTemporal = maxTemporal, CurrentSpatial = current, CurrentTemporal = currentTemporal };
        d.Reset(3, 3);
        long[][] kbps = [[60, 100, 150], [200, 330, 500], [600, 1000, 1500]];
        for (var s = 0; s < 3; s++)
            for (var t = 0; t < 3; t++)
                d.SetBitrate(s, t, s == 2 && !topLive ? 0 : kbps[s][t] * 1000);
        return d;
    }

    private static LayerDemand Audio(long bps = 40_000) => new() { IsAudio = true, FixedBitrate = bps };

    [Theory]
    // available kbps → expected (spatial, temporal)
    [InlineData(30, 0, 0)]      // less than the lowest layer: video still gets it (never stops)
    [InlineData(120, 0, 1)]
    [InlineData(300, 1, 0)]     // 200 × 1.15 fits, 330 × 1.15 does not
    [InlineData(700, 2, 0)]
    [InlineData(1800, 2, 2)]
    [InlineData(100_000, 2, 2)]
    public void One_consumer_takes_the_highest_layer_that_fits_with_the_up_margin(long kbps, int spatial, int temporal)
    {
        var d = Simulcast();
        LayerAllocator.Allocate([d], kbps * 1000);
        Assert.Equal((spatial, temporal), (d.Spatial, d.Temporal));
    }

    [Fact]
    public void Staying_on_the_forwarded_layer_needs_no_margin()
    {
        var up = Simulcast(current: 1, currentTemporal: 0);
        LayerAllocator.Allocate([up], 1_600_000); // 1,500 fits, 1,500 × 1.15 does not
        Assert.Equal((2, 1), (up.Spatial, up.Temporal));
        var stay = Simulcast(current: 2, currentTemporal: 2);
        LayerAllocator.Allocate([stay], 1_600_000);
        Assert.Equal((2, 2), (stay.Spatial, stay.Temporal));
    }

    [Fact]
    public void Audio_is_served_first()
    {
        var audio = Audio(60_000);
        var video = Simulcast();
        LayerAllocator.Allocate([video, audio], 280_000);
        Assert.Equal(60_000, audio.Allocated);
        Assert.Equal((0, 2), (video.Spatial, video.Temporal)); // 220 kbps left: 200 × 1.15 does not fit
    }

    [Fact]
    public void Preferred_layers_cap_the_allocation()
    {
        var low = Simulcast(maxSpatial: 0, maxTemporal: 1);
        var result = LayerAllocator.Allocate([low], 10_000_000);
        Assert.Equal((0, 1), (low.Spatial, low.Temporal));
        Assert.Equal(100_000, low.Desired);
        Assert.Equal(100_000, result.Desired);
    }

    [Fact]
    public void A_layer_the_browser_stopped_sending_is_skipped()
    {
        var d = Simulcast(topLive: false);
        var result = LayerAllocator.Allocate([d], 10_000_000);
        Assert.Equal((1, 2), (d.Spatial, d.Temporal));
        Assert.Equal(500_000, result.Desired);
    }

    [Fact]
    public void Higher_priority_goes_up_first_and_equal_priorities_share()
    {
        var high = Simulcast(priority: 2);
        var normal = Simulcast();
        LayerAllocator.Allocate([normal, high], 900_000);
        Assert.Equal((2, 0), (high.Spatial, high.Temporal));   // two steps per round
        Assert.Equal((1, 0), (normal.Spatial, normal.Temporal));
        Assert.True(high.Allocated + normal.Allocated <= 900_000);

        var a = Simulcast();
        var b = Simulcast();
        LayerAllocator.Allocate([a, b], 1_300_000);
        Assert.Equal((a.Spatial, a.Temporal), (b.Spatial, b.Temporal));
    }

    [Fact]
    public void Never_allocates_more_than_available_beyond_the_base_layers()
    {
        var demands = Enumerable.Range(0, 5).Select(i => Simulcast(priority: 1 + i % 3)).Append(Audio()).ToArray();
        foreach (var kbps in new long[] { 500, 1000, 2500, 4000, 8000 })
        {
            var result = LayerAllocator.Allocate(demands, kbps * 1000);
            var floor = demands.Where(d => d.Layered).Sum(d => d.Bitrate(0, 0)) + 40_000;
            Assert.True(result.Allocated <= Math.Max(kbps * 1000, floor), $"{kbps} kbps: allocated {result.Allocated}");
        }
    }

    [Fact]
    public void A_consumer_with_nothing_live_gets_nothing()
    {
        var d = new LayerDemand { Layered = true, MaxSpatial = 2, MaxTemporal = 2 };
        d.Reset(3, 3);
        var result = LayerAllocator.Allocate([d], 1_000_000);
        Assert.Equal(-1, d.Spatial);
        Assert.Equal(0, result.Allocated);
    }

    [Fact]
    public void Allocating_with_a_scratch_list_allocates_nothing()
    {
        var demands = new List<LayerDemand> { Audio(), Simulcast(priority: 2, current: 1), Simulcast(current: 0), Audio() };
        var scratch = new List<LayerDemand>();
        LayerAllocator.Allocate(demands, 900_000, scratch); // warm up (JIT, the list's array)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) LayerAllocator.Allocate(demands, 300_000 + i * 10_000, scratch);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(demands[1].Spatial >= demands[2].Spatial, "the priority-2 consumer is served first");
    }
}
