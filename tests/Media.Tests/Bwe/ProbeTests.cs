using AkkaSfu.Media.Bwe;

namespace AkkaSfu.Media.Tests.Bwe;

public class ProbeBitrateEstimatorTests
{
    // A cluster of `count` packets of `size` bytes sent at `sendBps` through a bottleneck of `linkBps`
    // (FIFO, initially empty) with 20 ms propagation. Returns the last non-zero result.
    private static long Cluster(ProbeBitrateEstimator e, int id, int count, int size, long sendBps, long linkBps,
        long clusterBytes, long startUs = 1_000_000)
    {
        long sendGap = size * 8_000_000L / sendBps, service = size * 8_000_000L / linkBps;
        long linkFree = 0, result = 0;
        for (int i = 0; i < count; i++)
        {
            long send = startUs + i * sendGap;
            linkFree = Math.Max(linkFree, send) + service;
            long r = e.HandleProbe(new PacketResult(i, send, linkFree + 20_000, size, id), clusterBytes);
            if (r > 0) result = r;
        }
        return result;
    }

    public static TheoryData<long, long, long> Bottlenecks => new()
    {
        // send rate, bottleneck, expected (bps)
        { 4_000_000, 2_000_000, 2_000_000 },  // saturated: 0.95 × receive ≈ 1.9 M
        { 5_000_000, 3_000_000, 3_000_000 },
        { 1_000_000, 3_000_000, 1_000_000 },  // unsaturated: min(send, receive) = send
        { 2_000_000, 2_100_000, 2_000_000 },
    };

    [Fact]
    public void A_token_bucket_that_passes_the_first_part_at_line_rate_is_measured_by_the_tail()
    {
        // 12 KB at 1.2 Mbps into a tbf of 300 kbps with a 6 KB bucket (FIFO): the first ~8 KB leave as they come
        // (the bucket plus what it refills meanwhile), the rest at the link's rate. The whole train reads
        // ~600 kbps; its last third reads the link.
        var e = new ProbeBitrateEstimator();
        double tokens = 6_000, tPrev = 1_000_000, depPrev = 0;
        const double bytesPerUs = 300_000 / 8e6;
        long result = 0;
        for (int i = 0; i < 48; i++)
        {
            long send = 1_000_000 + i * 250 * 8_000_000L / 1_200_000;
            double t = Math.Max(send, depPrev);
            tokens = Math.Min(6_000, tokens + (t - tPrev) * bytesPerUs);
            if (tokens < 250) { t += (250 - tokens) / bytesPerUs; tokens = 250; }
            tokens -= 250;
            (tPrev, depPrev) = (t, t);
            long r = e.HandleProbe(new PacketResult(i, send, (long)t + 20_000, 250, 7), 12_000);
            if (r > 0) result = r;
        }
        Assert.InRange(result, 250_000, 330_000);
    }

    [Theory]
    [MemberData(nameof(Bottlenecks))]
    public void A_synthetic_cluster_gives_the_bottleneck_rate_within_10_percent(long sendBps, long linkBps, long expected)
    {
        var e = new ProbeBitrateEstimator();
        long r = Cluster(e, 0, 20, 1000, sendBps, linkBps, clusterBytes: 20_000);
        Assert.InRange(r, expected * 0.9, expected * 1.1);
        Assert.Equal(r, e.FetchAndResetLastEstimate());
        Assert.Equal(0, e.FetchAndResetLastEstimate());
    }

    [Fact]
    public void On_a_saturated_link_the_result_is_95_percent_of_the_receive_rate()
    {
        // 20 × 1000 bytes arriving every 4 ms: receive rate 19 000 B / 76 ms = 2 Mbps exactly.
        Assert.Equal(1_900_000, Cluster(new ProbeBitrateEstimator(), 0, 20, 1000, 4_000_000, 2_000_000, 20_000));
        // Not saturated (receive ≥ 0.9 × send): the plain minimum.
        Assert.Equal(2_000_000, Cluster(new ProbeBitrateEstimator(), 0, 20, 1000, 2_000_000, 2_100_000, 20_000));
    }

    [Theory]
    [InlineData(4, 1000, 4_000)]    // 4 packets < 5
    [InlineData(10, 1000, 20_000)]  // 10 000 bytes < 80 % of 20 000
    public void Too_little_of_the_cluster_gives_no_result(int count, int size, long clusterBytes)
    {
        var e = new ProbeBitrateEstimator();
        Assert.Equal(0, Cluster(e, 0, count, size, 2_000_000, 10_000_000, clusterBytes));
        Assert.Equal(0, e.InvalidResults);
    }

    [Fact]
    public void Receiving_over_twice_as_fast_as_sending_is_invalid()
    {
        var e = new ProbeBitrateEstimator();
        for (int i = 0; i < 10; i++) // sent 10 ms apart, all arrive 0.5 ms apart (released by a burst)
            Assert.Equal(0, e.HandleProbe(new PacketResult(i, i * 10_000, 500_000 + i * 500, 1000, 3), 5_000));
        Assert.True(e.InvalidResults > 0);
    }

    [Fact]
    public void Spans_over_one_second_are_invalid()
    {
        var e = new ProbeBitrateEstimator();
        for (int i = 0; i < 10; i++)
            Assert.Equal(0, e.HandleProbe(new PacketResult(i, i * 200_000, 20_000 + i * 200_000, 1000, 1), 9_000));
        Assert.True(e.InvalidResults > 0);
    }

    [Fact]
    public void Lost_and_media_packets_are_not_counted()
    {
        var e = new ProbeBitrateEstimator();
        Assert.Equal(0, e.HandleProbe(new PacketResult(1, 0, PacketResult.Lost, 1000, 2), 1000));
        Assert.Equal(0, e.HandleProbe(new PacketResult(1, 0, 10, 1000, -1), 1000));
        Assert.Equal(0, Cluster(e, 2, 4, 1000, 2_000_000, 10_000_000, 1000)); // still only 4 of cluster 2
    }
}

public class ProbeControllerTests
{
    [Fact]
    public void A_cluster_is_paced_at_its_target_and_ends_when_its_bytes_are_sent()
    {
        var p = new ProbeController();
        int id = p.Start(2_000_000, 1_000_000);
        Assert.Equal(0, id);
        Assert.Equal(id, p.ActiveClusterId);
        Assert.Equal(ProbeController.MinClusterBytes, p.ClusterBytes(id)); // more than 2 Mbps × 30 ms: 48 ms
        Assert.Equal(255, p.PaddingBytesDue(1_000_000)); // first packet at once
        p.OnProbePacketSent(id, 275, 1_000_000);
        Assert.Equal(0, p.PaddingBytesDue(1_000_000));
        Assert.Equal(2_500 + 255 - 275, p.PaddingBytesDue(1_010_000)); // 10 ms at 2 Mbps
        long t = 1_010_000;
        while (p.ActiveClusterId >= 0)
        {
            int due = p.PaddingBytesDue(t);
            while (due > 0 && p.ActiveClusterId >= 0) { p.OnProbePacketSent(id, 275, t); due -= 275; }
            t += 1000;
        }
        Assert.InRange(t, 1_045_000, 1_050_000); // ~48 ms
        Assert.Equal(0, p.PaddingBytesDue(t));
    }

    [Fact]
    public void One_probe_at_a_time_and_a_gap_between_probes()
    {
        var p = new ProbeController();
        int a = p.Start(1_000_000, 0);
        Assert.Equal(-1, p.Start(1_000_000, 1000)); // busy
        p.OnProbePacketSent(a, (int)p.ClusterBytes(a), 2000);
        Assert.Equal(-1, p.ActiveClusterId);
        Assert.Equal(-1, p.Start(1_000_000, 2000 + ProbeController.MinGapUs - 1)); // too soon
        int b = p.Start(1_000_000, 2000 + ProbeController.MinGapUs);
        Assert.Equal(a + 1, b);
    }

    [Fact]
    public void Small_targets_still_get_five_full_padding_packets_and_an_unfed_cluster_is_abandoned()
    {
        var p = new ProbeController();
        Assert.Equal(3_750, p.ClusterBytes(p.Start(100_000, 0))); // 12 KB would take over 300 ms at 100 kbps
        Assert.Equal(0, p.PaddingBytesDue(ProbeController.MaxClusterLifetimeUs));
        p = new ProbeController();
        int id = p.Start(30_000, 0);
        Assert.Equal(5 * 255, p.ClusterBytes(id));
        Assert.Equal(0, p.PaddingBytesDue(ProbeController.MaxClusterLifetimeUs));
        Assert.Equal(-1, p.ActiveClusterId);
        Assert.Equal(1, p.Abandoned);
    }
}
