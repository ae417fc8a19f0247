using AkkaSfu.Media.Bwe;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Tests.Bwe;

public class SendSideBweTests
{
    [Theory]
    [InlineData(2_000_000, 2_000_000)]
    [InlineData(20_000_000, 10_000_000)] // above max
    [InlineData(10_000, 30_000)]         // below min
    [InlineData(0, 30_000)]
    public void Remb_alone_is_the_available_bitrate_within_bounds(long remb, long expected)
    {
        var bwe = new SendSideBwe();
        bwe.OnRemb(remb, 0);
        Assert.Equal(expected, bwe.AvailableBitrateBps);
        Assert.Equal(1, bwe.Changes);
    }

    [Fact]
    public void Without_anything_the_start_bitrate_is_available()
    {
        Assert.Equal(600_000, new SendSideBwe().AvailableBitrateBps);
        Assert.Equal(10_000_000, new SendSideBwe(startBps: 50_000_000).AvailableBitrateBps);
    }

    [Fact]
    public void Receiver_report_loss_cuts_a_remb_only_estimate_and_its_rtt_is_used()
    {
        var bwe = new SendSideBwe();
        bwe.OnRemb(2_000_000, 0);
        bwe.OnReportBlock(128, 50, 0); // 50 % lost
        Assert.Equal(1_500_000, bwe.AvailableBitrateBps);
        Assert.Equal(0.5, bwe.LossRatio);
        Assert.Equal(50, bwe.RttMs);
    }

    [Fact]
    public void With_transport_cc_remb_is_an_upper_bound_and_receiver_report_loss_is_ignored()
    {
        var bwe = new SendSideBwe(startBps: 1_000_000);
        var link = new SimulatedLink(bwe, 3_000_000);
        link.RunUntil(3_000_000);
        Assert.True(bwe.AvailableBitrateBps > 1_000_000);
        bwe.OnRemb(700_000, link.NowUs);
        Assert.Equal(700_000, bwe.AvailableBitrateBps);
        bwe.OnReportBlock(255, 40, link.NowUs);
        Assert.Equal(700_000, bwe.AvailableBitrateBps);
        Assert.Equal(LossBasedBwe.Unlimited, bwe.LossBasedBps);
    }

    [Fact]
    public void Set_bounds_clamps_the_estimate()
    {
        var bwe = new SendSideBwe();
        bwe.SetBounds(800_000, 2_000_000);
        Assert.Equal(800_000, bwe.AvailableBitrateBps);
        bwe.OnRemb(5_000_000, 0);
        Assert.Equal(2_000_000, bwe.AvailableBitrateBps);
        bwe.SetBounds(100_000, 1_000_000);
        Assert.Equal(1_000_000, bwe.AvailableBitrateBps);
        Assert.Throws<ArgumentOutOfRangeException>(() => bwe.SetBounds(0, 1));
    }

    [Fact]
    public void Probe_requests_are_refused_when_not_above_the_estimate_or_busy()
    {
        var bwe = new SendSideBwe(startBps: 1_000_000, maxBps: 3_000_000);
        Assert.Equal(-1, bwe.StartProbe(900_000, 0));
        Assert.Equal(-1, bwe.StartProbe(1_000_000, 0));
        int id = bwe.StartProbe(8_000_000, 0); // capped at max
        Assert.True(id >= 0);
        Assert.Equal(id, bwe.ActiveProbeClusterId);
        Assert.Equal(-1, bwe.StartProbe(2_000_000, 0));
        Assert.Equal(255, bwe.PaddingBytesDue(0));
        Assert.Equal(255 + 3_000_000 / 1000 / 8, bwe.PaddingBytesDue(1000)); // paced at the 3 M cap
        Assert.Equal(0, bwe.LastProbeResultBps);
    }

    [Fact]
    public void The_hot_path_does_not_allocate()
    {
        // Feedback packets built up front by a real recorder: 50 packets per 50 ms, delay rising then
        // falling, so the detector goes through over-use, decrease and increase.
        const int Batches = 200, PerBatch = 50;
        var recorder = new TransportCcRecorder();
        var feedback = new byte[Batches][];
        var buf = new byte[1500];
        for (int b = 0; b < Batches; b++)
        {
            for (int i = 0; i < PerBatch; i++)
            {
                long send = (b * PerBatch + i) * 1000L;
                long queue = b % 40 < 20 ? (b % 40) * 2_000L + i * 40 : 40_000 - (b % 40 - 20) * 2_000L;
                if (i % 17 != 5) recorder.Record((ushort)(b * PerBatch + i), send + 20_000 + queue);
            }
            int n = recorder.BuildFeedback(0, 1, 2, buf);
            feedback[b] = buf.AsSpan(0, n).ToArray();
        }

        var bwe = new SendSideBwe();
        void Run(int from, int to)
        {
            for (int b = from; b < to; b++)
            {
                for (int i = 0; i < PerBatch; i++)
                {
                    long now = (b * PerBatch + i) * 1000L;
                    bwe.OnPacketSent((ushort)(b * PerBatch + i), 1200, -1, now);
                    bwe.PaddingBytesDue(now);
                }
                long t = (b + 1) * PerBatch * 1000L + 30_000;
                TransportCc.TryParse(feedback[b], out var tcc);
                bwe.OnTransportFeedback(tcc, t);
                bwe.OnReportBlock(3, 45, t);
                bwe.StartProbe(bwe.AvailableBitrateBps * 2, t);
                _ = bwe.AvailableBitrateBps + bwe.AckedBitrateBps;
            }
        }
        Run(0, 40); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(40, Batches);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(bwe.Feedbacks >= Batches);
        Assert.True(bwe.History.Duplicates == 0 && bwe.History.Unknown == 0);
    }
}
