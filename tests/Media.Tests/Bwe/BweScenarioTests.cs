using AkkaSfu.Media.Bwe;
using Xunit.Abstractions;

namespace AkkaSfu.Media.Tests.Bwe;

/// <summary>The estimator against <see cref="SimulatedLink"/>: virtual time only, deterministic.</summary>
public class BweScenarioTests(ITestOutputHelper output)
{
    private const long S = 1_000_000;

    private static long FirstTime(SimulatedLink link, long fromUs, Func<long, bool> holds)
    {
        foreach (var (us, bps) in link.Trace) if (us >= fromUs && holds(bps)) return us;
        return -1;
    }

    private static (long Min, long Max) Band(SimulatedLink link, long fromUs, long toUs)
    {
        var v = link.Trace.Where(p => p.Us >= fromUs && p.Us < toUs).Select(p => p.Bps).ToList();
        return (v.Min(), v.Max());
    }

    [Fact]
    public void Five_mbps_link_converges_under_capacity_and_a_step_to_300k_is_detected_within_2s()
    {
        var bwe = new SendSideBwe(); // starts at 600 k, media capped at 2.5 Mbps
        var link = new SimulatedLink(bwe, 5_000_000);
        link.RunUntil(30 * S);
        long converged = FirstTime(link, 0, bps => bps >= 1_500_000);
        var (min, max) = Band(link, 15 * S, 30 * S);
        Assert.InRange(min, 1_500_001, 5_000_000);
        Assert.InRange(max, 1_500_001, 4_999_999);
        Assert.Equal(0, link.QueueDrops);

        const long step = 30 * S;
        link.SetCapacity(step, 300_000);
        long detected = link.RunUntil(step + 5 * S, l => l.Bwe.AvailableBitrateBps <= 400_000);
        Assert.True(detected > 0, "never went under 400 kbps");
        Assert.InRange(detected - step, 0, 2 * S);
        link.RunUntil(step + 10 * S);
        var (afterMin, afterMax) = Band(link, step + 4 * S, step + 10 * S);
        Assert.InRange(afterMin, 150_000, 300_000);
        Assert.InRange(afterMax, 150_000, 400_000);
        output.WriteLine($"≥1.5 Mbps after {converged / 1e6:F1} s; 15..30 s band {min / 1000}..{max / 1000} kbps; " +
            $"≤400 kbps {(detected - step) / 1000} ms after the step; 34..40 s band {afterMin / 1000}..{afterMax / 1000} kbps; " +
            $"queue drops {link.QueueDrops}");
    }

    [Fact]
    public void Steady_1mbps_link_saws_in_a_narrow_band_without_oscillating()
    {
        var bwe = new SendSideBwe();
        var link = new SimulatedLink(bwe, 1_000_000);
        link.RunUntil(30 * S);
        long converged = FirstTime(link, 0, bps => bps >= 900_000);
        Assert.InRange(converged, 0, 10 * S);
        var (min, max) = Band(link, 10 * S, 30 * S);
        // What the algorithm does: a saw from 0.85 × acked up to a few % over the capacity, then over-use.
        Assert.InRange(min, 780_000, 1_000_000);
        Assert.InRange(max, 1_000_000, 1_080_000);
        // Each saw tooth is two reversals (down, up): one every ~7 s here.
        Assert.InRange(bwe.DirectionReversals, 2, 10);
        Assert.Equal(0, link.QueueDrops);
        output.WriteLine($"≥0.9 Mbps after {converged / 1e6:F1} s; 10..30 s band {min / 1000}..{max / 1000} kbps " +
            $"({(min - 1e6) / 1e4:F0} %..+{(max - 1e6) / 1e4:F0} %); reversals {bwe.DirectionReversals}, changes {bwe.Changes}; max queue {link.MaxQueueBytes} B");
    }

    [Theory]
    [InlineData(2_000_000, 1_600_000, 2_200_000)] // under capacity: the probe measures its own rate
    [InlineData(5_000_000, 2_000_000, 3_300_000)] // over capacity: the probe measures the link
    public void A_probe_raises_the_estimate_at_once_but_not_above_the_link(long target, long low, long high)
    {
        var bwe = new SendSideBwe(startBps: 500_000);
        var link = new SimulatedLink(bwe, 3_000_000);
        link.RunUntil(2 * S);
        Assert.InRange(bwe.AvailableBitrateBps, 500_000, 600_000);
        long start = link.NowUs;
        Assert.True(bwe.StartProbe(target, start) >= 0);
        long result = link.RunUntil(start + S, l => l.Bwe.LastProbeResultBps > 0);
        Assert.True(result > 0, "no probe result");
        Assert.InRange(result - start, 0, 200_000); // one feedback interval + propagation after the cluster
        Assert.InRange(bwe.LastProbeResultBps, low, high);
        Assert.InRange(bwe.AvailableBitrateBps, low, high);
        link.RunUntil(start + S);
        Assert.InRange(bwe.AvailableBitrateBps, low, high); // and it holds
        output.WriteLine($"probe {target / 1000} kbps on 3 Mbps: result {bwe.LastProbeResultBps / 1000} kbps after {(result - start) / 1000} ms, " +
            $"{link.ProbePacketsSent} padding packets, max queue {link.MaxQueueBytes} B");
    }

    [Fact]
    public void Over_use_after_a_probe_drops_the_estimate_back()
    {
        var bwe = new SendSideBwe(startBps: 500_000);
        var link = new SimulatedLink(bwe, 3_000_000);
        link.RunUntil(2 * S);
        bwe.StartProbe(2_000_000, link.NowUs);
        link.RunUntil(2 * S + 200_000);
        Assert.True(bwe.AvailableBitrateBps >= 1_600_000);
        link.SetCapacity(link.NowUs, 1_000_000); // the path got worse right after the probe
        long dropped = link.RunUntil(6 * S, l => l.Bwe.AvailableBitrateBps < 1_000_000);
        Assert.True(dropped > 0);
        Assert.Equal(BandwidthUsage.Overusing, bwe.DelayState);
        output.WriteLine($"under 1 Mbps {(dropped - 2_200_000) / 1000} ms after the drop");
    }

    [Fact]
    public void Twenty_percent_random_loss_on_an_uncongested_link_pulls_the_estimate_down()
    {
        SimulatedLink Run(double loss)
        {
            var link = new SimulatedLink(new SendSideBwe(startBps: 1_500_000), 10_000_000, seed: 7) { RandomLoss = loss };
            link.RunUntil(10 * S);
            return link;
        }
        var clean = Run(0);
        var lossy = Run(0.2);
        Assert.True(clean.Bwe.AvailableBitrateBps > 1_500_000);
        Assert.True(lossy.Bwe.AvailableBitrateBps < 500_000, $"{lossy.Bwe.AvailableBitrateBps}");
        Assert.InRange(lossy.Bwe.LossRatio, 0.05, 0.5);
        Assert.True(lossy.Bwe.DelayBasedBps > 1_500_000); // it is the loss cap, not the delay detector
        Assert.Equal(0, lossy.QueueDrops);
        output.WriteLine($"10 s: clean {clean.Bwe.AvailableBitrateBps / 1000} kbps, 20 % loss {lossy.Bwe.AvailableBitrateBps / 1000} kbps " +
            $"(delay-based {lossy.Bwe.DelayBasedBps / 1000} kbps, {lossy.RandomDrops} dropped)");
    }
}
