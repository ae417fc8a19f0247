using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Tests.Feedback;

public class TransportCcRecorderTests
{
    private static List<TransportCcPacket> Parse(ReadOnlySpan<byte> packet, out TransportCcHeader h)
    {
        Assert.Equal(RtcpError.None, TransportCc.TryParse(packet, out var tcc));
        h = new TransportCcHeader(tcc.SenderSsrc, tcc.MediaSsrc, tcc.BaseSequence, tcc.PacketStatusCount, tcc.FeedbackPacketCount);
        var list = new List<TransportCcPacket>();
        foreach (var p in tcc) list.Add(p);
        return list;
    }

    internal readonly record struct TransportCcHeader(uint Sender, uint Media, ushort Base, int Count, byte FbCount);

    private static List<TransportCcPacket> Build(TransportCcRecorder r, long now, out TransportCcHeader h)
    {
        var buf = new byte[1500];
        int n = r.BuildFeedback(now, 0x11, 0x22, buf);
        Assert.True(n > 0);
        return Parse(buf.AsSpan(0, n), out h);
    }

    [Fact]
    public void Round_trip_reports_arrivals_within_250us_and_gaps_as_lost()
    {
        var r = new TransportCcRecorder();
        var rnd = new Random(5);
        var arrivals = new Dictionary<ushort, long>();
        long t = 5_000_123;
        for (int s = 100; s < 160; s++)
        {
            t += rnd.Next(0, 20_000);
            if (s is 105 or 110 or 111) continue;
            arrivals[(ushort)s] = t;
            Assert.True(r.Record((ushort)s, t));
        }
        var list = Build(r, t, out var h);
        Assert.Equal(0x11u, h.Sender);
        Assert.Equal(0x22u, h.Media);
        Assert.Equal(100, h.Base);
        Assert.Equal(60, h.Count);
        Assert.Equal(0, h.FbCount);
        foreach (var p in list)
        {
            Assert.Equal(arrivals.ContainsKey(p.Sequence), p.Received);
            if (p.Received) Assert.InRange(p.ArrivalUs - arrivals[p.Sequence], -250, 250);
        }
        Assert.Equal(0, r.PendingCount);
        Assert.Equal(1, r.FeedbackPacketCount);
    }

    [Fact]
    public void Reordered_and_duplicate_packets()
    {
        var r = new TransportCcRecorder();
        Assert.True(r.Record(1, 1000));
        Assert.True(r.Record(3, 3000));
        Assert.True(r.Record(2, 2000));
        Assert.False(r.Record(2, 2500));
        Assert.Equal(1, r.Duplicates);
        var list = Build(r, 0, out _);
        Assert.Equal([1, 2, 3], list.Select(p => (int)p.Sequence));
        Assert.All(list, p => Assert.True(p.Received));
        Assert.Equal(1000, list[1].ArrivalUs - list[0].ArrivalUs);
    }

    [Fact]
    public void Wraps_around()
    {
        var r = new TransportCcRecorder();
        long t = 0;
        foreach (int s in new[] { 65534, 65535, 0, 1 }) r.Record((ushort)s, t += 1000);
        var list = Build(r, 0, out var h);
        Assert.Equal(65534, h.Base);
        Assert.Equal([65534, 65535, 0, 1], list.Select(p => (int)p.Sequence));
    }

    [Fact]
    public void Next_feedback_starts_after_the_last_reported_and_late_packets_are_ignored()
    {
        var r = new TransportCcRecorder();
        r.Record(1, 1000); r.Record(2, 2000);
        Build(r, 0, out _);
        Assert.False(r.Record(0, 500));   // before anything reported: already covered
        Assert.False(r.Record(2, 2100));
        Assert.Equal(2, r.LateArrivals);
        Assert.Equal(0, r.PendingCount);
        r.Record(5, 5000);
        var list = Build(r, 0, out var h);
        Assert.Equal(3, h.Base);
        Assert.Equal(1, h.FbCount);
        Assert.Equal([false, false, true], list.Select(p => p.Received));
    }

    [Fact]
    public void Nothing_pending_or_too_small_buffer_builds_nothing()
    {
        var r = new TransportCcRecorder();
        Assert.Equal(0, r.BuildFeedback(0, 1, 2, new byte[1500]));
        r.Record(1, 1000);
        Assert.Equal(0, r.BuildFeedback(0, 1, 2, new byte[8]));
        Assert.Equal(1, r.PendingCount);
        Assert.Equal(0, r.FeedbackPacketCount);
    }

    [Fact]
    public void Long_silence_splits_the_feedback()
    {
        var r = new TransportCcRecorder();
        r.Record(1, 0);
        r.Record(2, 10_000_000); // 10 s later: the delta does not fit 16 bits
        var first = Build(r, 0, out _);
        Assert.Single(first);
        Assert.Equal(1, r.PendingCount);
        var second = Build(r, 0, out var h);
        Assert.Equal(2, h.Base);
        Assert.InRange(second[0].ArrivalUs - 10_000_000, -250, 250);
    }

    [Fact]
    public void Window_overflow_drops_the_oldest_unreported()
    {
        var r = new TransportCcRecorder(capacity: 64);
        r.Record(0, 0);
        r.Record(100, 1000);
        Assert.Equal(64, r.PendingCount);
        Assert.Equal(37, r.DroppedUnreported);
        var list = Build(r, 0, out var h);
        Assert.Equal(37, h.Base);
        Assert.True(list[^1].Received);
        Assert.Equal(63, list.Count(p => !p.Received));
    }

    [Fact]
    public void Slots_are_reused_after_reporting()
    {
        var r = new TransportCcRecorder(capacity: 64);
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 50; i++) Assert.True(r.Record((ushort)(round * 50 + i), round * 1_000_000 + i * 1000));
            var list = Build(r, 0, out _);
            Assert.Equal(50, list.Count);
            Assert.All(list, p => Assert.True(p.Received));
        }
        Assert.Equal(0, r.Duplicates);
    }

    [Fact]
    public void Should_send_on_interval_or_when_many_are_pending()
    {
        var r = new TransportCcRecorder { FeedbackIntervalUs = 100_000, MaxPendingPackets = 10 };
        Assert.False(r.ShouldSendFeedback(0));
        r.Record(1, 0);
        Assert.True(r.ShouldSendFeedback(0)); // never sent yet
        r.BuildFeedback(0, 1, 2, new byte[1500]);
        r.Record(2, 1000);
        Assert.False(r.ShouldSendFeedback(99_999));
        Assert.True(r.ShouldSendFeedback(100_000));
        for (int s = 3; s < 11; s++) r.Record((ushort)s, 2000);
        Assert.Equal(9, r.PendingCount);
        Assert.False(r.ShouldSendFeedback(50_000));
        r.Record(11, 3000);
        Assert.True(r.ShouldSendFeedback(50_000));
    }
}
