using AkkaSfu.Media.Feedback;

namespace AkkaSfu.Media.Tests.Feedback;

public class RetransmissionBufferTests
{
    private static byte[] Pkt(int seq, int len = 40)
    {
        var b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte)(seq * 7 + i);
        return b;
    }

    private static bool Get(RetransmissionBuffer b, int seq, long now, out byte[] data, out int count)
    {
        bool ok = b.TryGet((ushort)seq, now, out var span, out count);
        data = span.ToArray();
        return ok;
    }

    [Fact]
    public void Returns_the_stored_bytes_and_counts_resends()
    {
        var b = new RetransmissionBuffer(capacity: 16, maxAgeMs: 2000) { RttMs = 100 };
        Assert.True(b.Insert(10, Pkt(10), 0));
        Assert.True(Get(b, 10, 50, out var data, out int count));
        Assert.Equal(Pkt(10), data);
        Assert.Equal(1, count);
        Assert.False(Get(b, 10, 150, out _, out _));     // resent 100 ms ago: within RTT
        Assert.Equal(1, b.SkippedRecentlyResent);
        Assert.True(Get(b, 10, 151, out _, out count));
        Assert.Equal(2, count);
    }

    [Fact]
    public void Evicts_by_age()
    {
        var b = new RetransmissionBuffer(capacity: 16, maxAgeMs: 2000);
        b.Insert(1, Pkt(1), 1000);
        Assert.False(Get(b, 1, 3001, out _, out _));
        Assert.Equal(1, b.Expired);
        Assert.True(Get(b, 1, 3000, out _, out _));
    }

    [Fact]
    public void Evicts_by_count()
    {
        var b = new RetransmissionBuffer(capacity: 4, maxAgeMs: 2000);
        for (int s = 1; s <= 6; s++) Assert.True(b.Insert((ushort)s, Pkt(s), 0));
        Assert.False(Get(b, 1, 0, out _, out _));
        Assert.False(Get(b, 2, 0, out _, out _));
        for (int s = 3; s <= 6; s++)
        {
            Assert.True(Get(b, s, 0, out var d, out _));
            Assert.Equal(Pkt(s), d);
        }
        Assert.Equal(2, b.Missing);
        Assert.False(Get(b, 7, 0, out _, out _)); // never stored
    }

    [Fact]
    public void Rejects_stale_oversize_and_duplicate_inserts()
    {
        var b = new RetransmissionBuffer(capacity: 4, maxAgeMs: 2000, slotSize: 100);
        b.Insert(10, Pkt(10), 0);
        Assert.False(b.Insert(6, Pkt(6), 0));
        Assert.True(b.Insert(7, Pkt(7), 0));
        Assert.Equal(1, b.DroppedStale);
        Assert.False(b.Insert(11, Pkt(11, 101), 0));
        Assert.Equal(1, b.DroppedOversize);
        Assert.True(b.Insert(11, Pkt(11, 100), 0));
        Assert.False(b.Insert(11, Pkt(99, 100), 0));
        Assert.True(Get(b, 11, 0, out var d, out _));
        Assert.Equal(Pkt(11, 100), d);
    }

    [Fact]
    public void Wraps_and_accepts_reordered_inserts()
    {
        var b = new RetransmissionBuffer(capacity: 8, maxAgeMs: 2000);
        foreach (int s in new[] { 65534, 0, 65535, 1 }) Assert.True(b.Insert((ushort)s, Pkt(s), 0));
        foreach (int s in new[] { 65534, 65535, 0, 1 })
        {
            Assert.True(Get(b, s, 0, out var d, out _));
            Assert.Equal(Pkt(s), d);
        }
    }

    [Fact]
    public void Clear_forgets_everything()
    {
        var b = new RetransmissionBuffer(capacity: 8, maxAgeMs: 2000);
        b.Insert(5, Pkt(5), 0);
        b.Clear();
        Assert.False(Get(b, 5, 0, out _, out _));
        Assert.True(b.Insert(3, Pkt(3), 0)); // starts over: an older seq is fine now
        Assert.True(Get(b, 3, 0, out _, out _));
    }

    [Fact]
    public void Footprint_is_documented_size()
    {
        var b = new RetransmissionBuffer(capacity: 2500, maxAgeMs: 2000);
        Assert.Equal(2500L * (1500 + 32), b.FootprintBytes);
    }
}
