using AkkaSfu.Media.Feedback;

namespace AkkaSfu.Media.Tests.Feedback;

public class KeyFrameRequestManagerTests
{
    private static uint[] Tick(KeyFrameRequestManager m, long now)
    {
        var buf = new uint[8];
        return buf[..m.Tick(now, buf)];
    }

    [Fact]
    public void One_request_per_ssrc_while_waiting()
    {
        var m = new KeyFrameRequestManager(waitMs: 1000);
        Assert.True(m.KeyFrameNeeded(1, 0));
        Assert.False(m.KeyFrameNeeded(1, 10));
        Assert.False(m.KeyFrameNeeded(1, 999));
        Assert.Equal(2, m.Suppressed);
        Assert.True(m.KeyFrameNeeded(2, 10)); // other SSRCs are independent
        Assert.True(m.IsPending(1));
    }

    [Fact]
    public void Retries_after_the_wait_until_max_retries()
    {
        var m = new KeyFrameRequestManager(waitMs: 1000, maxRetries: 2);
        m.KeyFrameNeeded(7, 0);
        Assert.Empty(Tick(m, 999));
        Assert.Equal([7u], Tick(m, 1000));
        Assert.Empty(Tick(m, 1500));
        Assert.Equal([7u], Tick(m, 2000));
        Assert.Empty(Tick(m, 3000));       // retries used up: given up
        Assert.False(m.IsPending(7));
        Assert.True(m.KeyFrameNeeded(7, 3001));
    }

    [Fact]
    public void Key_frame_received_stops_waiting()
    {
        var m = new KeyFrameRequestManager();
        m.KeyFrameNeeded(5, 0);
        m.KeyFrameReceived(5);
        Assert.False(m.IsPending(5));
        Assert.Empty(Tick(m, 5000));
        Assert.True(m.KeyFrameNeeded(5, 10));
        m.KeyFrameReceived(99); // unknown: no-op
    }

    [Fact]
    public void Fir_sequence_per_ssrc_wraps()
    {
        var m = new KeyFrameRequestManager();
        Assert.Equal(0, m.NextFirSequence(1));
        Assert.Equal(1, m.NextFirSequence(1));
        Assert.Equal(0, m.NextFirSequence(2));
        for (int i = 2; i < 256; i++) m.NextFirSequence(1);
        Assert.Equal(0, m.NextFirSequence(1));
    }

    [Fact]
    public void Many_ssrcs_and_remove()
    {
        var m = new KeyFrameRequestManager(waitMs: 100);
        for (uint s = 1; s <= 10; s++) Assert.True(m.KeyFrameNeeded(s, 0));
        m.Remove(3);
        var due = Tick(m, 100);
        Assert.Equal(8, due.Length); // the Tick buffer holds 8
        Assert.DoesNotContain(3u, due);
        Assert.Single(Tick(m, 100)); // the ninth is picked up next time
    }
}
