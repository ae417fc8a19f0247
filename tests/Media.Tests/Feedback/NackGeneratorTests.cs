using AkkaSfu.Media.Feedback;

namespace AkkaSfu.Media.Tests.Feedback;

public class NackGeneratorTests
{
    private static ushort[] Collect(NackGenerator g, long now, long rtt, out bool keyFrame)
    {
        var buf = new ushort[2000];
        int n = g.CollectNacks(now, rtt, buf, out keyFrame);
        return buf[..n];
    }

    private static ushort[] Collect(NackGenerator g, long now, long rtt = 50) => Collect(g, now, rtt, out _);

    private static NackEvent Rx(NackGenerator g, int seq, long now = 0, bool key = false, bool rtx = false)
        => g.ReceivePacket((ushort)seq, key, rtx, now);

    [Fact]
    public void In_order_stream_has_nothing_to_nack()
    {
        var g = new NackGenerator();
        for (int i = 0; i < 100; i++) Assert.Equal(NackEvent.None, Rx(g, i));
        Assert.Equal(0, g.Count);
        Assert.Empty(Collect(g, 1000));
    }

    [Fact]
    public void Gap_is_nacked_at_once_then_every_rtt()
    {
        var g = new NackGenerator();
        Rx(g, 1); Rx(g, 2);
        Assert.Equal(NackEvent.NacksPending, Rx(g, 5, now: 100));
        Assert.Equal([3, 4], Collect(g, 100, rtt: 50));
        Assert.Empty(Collect(g, 100, rtt: 50));
        Assert.Empty(Collect(g, 149, rtt: 50));
        Assert.Equal([3, 4], Collect(g, 150, rtt: 50));
        Assert.Equal(NackEvent.Recovered, Rx(g, 3, now: 160, rtx: true));
        Assert.Equal(1, g.RecoveredCount);
        Assert.Equal([4], Collect(g, 200, rtt: 50));
    }

    [Fact]
    public void Resend_interval_has_a_20ms_floor_and_defaults_without_rtt()
    {
        var g = new NackGenerator();
        Rx(g, 1); Rx(g, 3);
        Assert.Equal([2], Collect(g, 0, rtt: 5));
        Assert.Empty(Collect(g, 19, rtt: 5));
        Assert.Equal([2], Collect(g, 20, rtt: 5));
        Assert.Empty(Collect(g, 20 + NackGenerator.DefaultRttMs - 1, rtt: 0));
        Assert.Equal([2], Collect(g, 20 + NackGenerator.DefaultRttMs, rtt: 0));
    }

    [Fact]
    public void Gives_up_after_ten_nacks_and_asks_for_a_key_frame()
    {
        var g = new NackGenerator();
        Rx(g, 1); Rx(g, 3);
        long t = 0;
        for (int i = 0; i < NackGenerator.MaxRetries; i++, t += 50)
        {
            Assert.Equal([2], Collect(g, t, 50, out bool kf));
            Assert.False(kf);
        }
        Assert.Empty(Collect(g, t, 50, out bool keyFrame));
        Assert.True(keyFrame);
        Assert.Equal(0, g.Count);
        Assert.Equal(1, g.GaveUp);
    }

    [Fact]
    public void Gap_across_wrap()
    {
        var g = new NackGenerator();
        Rx(g, 65534);
        Rx(g, 1);
        Assert.Equal([65535, 0], Collect(g, 0));
    }

    [Fact]
    public void Reordering_nacks_once_by_default_but_not_with_a_tolerance()
    {
        var g = new NackGenerator();
        Rx(g, 1); Rx(g, 3, now: 0);
        Assert.Equal([2], Collect(g, 0));           // mediasoup behaviour: immediate
        Assert.Equal(NackEvent.Recovered, Rx(g, 2, now: 2));

        var h = new NackGenerator { ReorderToleranceMs = 10 };
        Rx(h, 1); Rx(h, 3, now: 0);
        Assert.Empty(Collect(h, 5));
        Assert.Equal(NackEvent.Recovered, Rx(h, 2, now: 6));
        Assert.Empty(Collect(h, 100));

        Rx(h, 5, now: 100);
        Assert.Empty(Collect(h, 109));
        Assert.Equal([4], Collect(h, 110));
    }

    [Fact]
    public void Old_packet_not_on_the_list_and_duplicates_are_ignored()
    {
        var g = new NackGenerator();
        Rx(g, 10); Rx(g, 11);
        Assert.Equal(NackEvent.None, Rx(g, 11));
        Assert.Equal(NackEvent.None, Rx(g, 5));
        Assert.Equal(0, g.Count);
    }

    [Fact]
    public void Overflow_clears_the_list_and_requires_a_key_frame()
    {
        var g = new NackGenerator();
        Rx(g, 0);
        var ev = Rx(g, 1500);
        Assert.True(ev.HasFlag(NackEvent.KeyFrameRequired));
        Assert.Equal(0, g.Count);
    }

    [Fact]
    public void Overflow_first_trims_up_to_a_key_frame()
    {
        var g = new NackGenerator { ClearOnKeyFrame = false };
        Rx(g, 0);
        Rx(g, 600);                 // 1..599 missing
        Rx(g, 700, key: true);      // 601..699 missing: 698 in all
        Assert.Equal(698, g.Count);
        var ev = Rx(g, 1200);       // 499 more would overflow: drop what precedes the key frame
        Assert.False(ev.HasFlag(NackEvent.KeyFrameRequired));
        Assert.Equal(499, g.Count);
        Assert.False(g.IsMissing(650));
        Assert.True(g.IsMissing(701));
    }

    [Fact]
    public void Key_frame_drops_older_missing_seqs()
    {
        var g = new NackGenerator();
        Rx(g, 0); Rx(g, 5);
        Rx(g, 10, key: true);
        Assert.Equal(4, g.Count);
        Assert.False(g.IsMissing(3));
        Assert.True(g.IsMissing(7));
    }

    [Fact]
    public void Rtx_newer_than_the_last_seq_is_not_nacked_later()
    {
        var g = new NackGenerator();
        Rx(g, 1);
        Assert.Equal(NackEvent.None, Rx(g, 3, rtx: true));
        Rx(g, 5);
        Assert.Equal([2, 4], Collect(g, 0));
    }

    [Fact]
    public void Seqs_older_than_max_packet_age_are_evicted()
    {
        var g = new NackGenerator();
        Rx(g, 0); Rx(g, 2);
        for (int s = 3; s <= 1 + NackGenerator.MaxPacketAge; s++) Rx(g, s);
        Assert.True(g.IsMissing(1));
        Rx(g, 2 + NackGenerator.MaxPacketAge);
        Assert.False(g.IsMissing(1));
        Assert.Equal(1, g.Evicted);
    }

    [Fact]
    public void Collect_stops_when_the_output_is_full()
    {
        var g = new NackGenerator();
        Rx(g, 0); Rx(g, 11);
        var buf = new ushort[4];
        Assert.Equal(4, g.CollectNacks(0, 50, buf, out _));
        Assert.Equal([1, 2, 3, 4], buf);
        Assert.Equal(4, g.CollectNacks(0, 50, buf, out _));
        Assert.Equal([5, 6, 7, 8], buf);
    }
}
