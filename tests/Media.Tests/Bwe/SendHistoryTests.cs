using AkkaSfu.Media.Bwe;
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Tests.Bwe;

public class SendHistoryTests
{
    internal static byte[] Feedback(params TransportCcArrival[] arrivals)
    {
        var buf = new byte[1500];
        int n = TransportCc.Write(buf, 1, 2, 0, arrivals, out int consumed);
        Assert.Equal(arrivals.Length, consumed);
        return buf.AsSpan(0, n).ToArray();
    }

    private static PacketResult[] Process(SendHistory h, byte[] fb, long nowUs = 0)
    {
        Assert.Equal(RtcpError.None, TransportCc.TryParse(fb, out var tcc));
        var output = new PacketResult[256];
        int n = h.ProcessFeedback(tcc, nowUs, output);
        return output.AsSpan(0, n).ToArray();
    }

    [Fact]
    public void Seq_wrap_65535_to_0_maps_every_report_to_its_send()
    {
        var h = new SendHistory();
        var arrivals = new List<TransportCcArrival>();
        for (int i = 0; i < 12; i++)
        {
            ushort seq = (ushort)(65530 + i); // 65530..65535, 0..5
            h.Add(seq, 100 + i, 1_000 * i, -1);
            arrivals.Add(i == 3 ? TransportCcArrival.Lost(seq) : new TransportCcArrival(seq, 5_000_000 + 2_000 * i));
        }
        var results = Process(h, Feedback([.. arrivals]));

        Assert.Equal(12, results.Length);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(65530L + i, results[i].Seq); // unwrapped past 65535
            Assert.Equal(100 + i, results[i].Size);
            Assert.Equal(1_000L * i, results[i].SendUs);
            Assert.Equal(i == 3 ? PacketResult.Lost : 5_000_000 + 2_000L * i, results[i].ArrivalUs);
        }
        Assert.False(results[3].Received);
        Assert.Equal(0, h.Unknown);
        Assert.Equal(0, h.Duplicates);
    }

    [Fact]
    public void A_packet_reported_twice_is_ignored_the_second_time()
    {
        var h = new SendHistory();
        for (ushort s = 10; s < 15; s++) h.Add(s, 500, s * 1000, -1);
        var fb = Feedback(new(10, 100_000), new(11, 101_000), TransportCcArrival.Lost(12));
        Assert.Equal(3, Process(h, fb).Length);
        Assert.Empty(Process(h, fb));
        Assert.Equal(3, h.Duplicates);
        // An overlapping feedback: 12 again (reported lost before), 13 and 14 new.
        var overlap = Process(h, Feedback(new(12, 102_000), new(13, 103_000), new(14, 104_000)));
        Assert.Equal([13L, 14L], overlap.Select(r => r.Seq));
        Assert.Equal(4, h.Duplicates);
    }

    [Fact]
    public void Seqs_never_sent_or_overwritten_are_unknown()
    {
        var h = new SendHistory(capacity: 64);
        for (int s = 0; s < 70; s++) h.Add((ushort)s, 100, s, -1);
        Assert.Equal(6, h.Evicted); // 0..5 overwritten by 64..69 before any feedback
        Assert.Empty(Process(h, Feedback(new(3, 1000), new(4, 1250)))); // overwritten by 67, 68
        Assert.Equal([69L], Process(h, Feedback(new TransportCcArrival(69, 2000))).Select(r => r.Seq));
        Assert.Empty(Process(h, Feedback(new TransportCcArrival(70, 3000)))); // never sent
        Assert.Equal(3, h.Unknown);
    }

    // 0x7FFFFF → 0x800000: the signed 24-bit field flips from +8388607 to −8388608.
    // 0xFFFFFF → 0x000000: the unsigned field wraps (reads −1 then 0).
    [Theory]
    [InlineData(0x7FFFFFL)]
    [InlineData(0xFFFFFFL)]
    [InlineData(0x001000L)]
    public void Reference_time_wrap_across_feedbacks_keeps_arrivals_continuous(long refTicks)
    {
        var h = new SendHistory();
        for (ushort s = 0; s < 4; s++) h.Add(s, 100, s * 40_000, -1);
        long t0 = refTicks * TransportCc.ReferenceTimeUnitUs + 10_000;
        // Two packets per feedback, 40 ms apart: the second feedback's reference time is one tick later.
        var first = Process(h, Feedback(new(0, t0), new(1, t0 + 40_000)));
        var second = Process(h, Feedback(new(2, t0 + 80_000), new(3, t0 + 120_000)));
        long a0 = first[0].ArrivalUs;
        Assert.Equal([0L, 40_000L, 80_000L, 120_000L],
            first.Concat(second).Select(r => r.ArrivalUs - a0));
    }

    [Fact]
    public void In_flight_bytes_fall_as_packets_are_reported()
    {
        var h = new SendHistory();
        h.Add(1, 1000, 0, -1);
        h.Add(2, 300, 1, 7);
        h.Add(3, 200, 2, -1);
        Assert.Equal(1500, h.InFlightBytes);
        var r = Process(h, Feedback(new(1, 10_000), TransportCcArrival.Lost(2)));
        Assert.Equal(200, h.InFlightBytes);
        Assert.Equal(7, r[1].ProbeClusterId);
    }

    [Fact]
    public void A_full_output_span_truncates_and_keeps_the_rest_in_flight()
    {
        var h = new SendHistory();
        for (ushort s = 0; s < 5; s++) h.Add(s, 100, s, -1);
        Assert.Equal(RtcpError.None, TransportCc.TryParse(Feedback(
            new(0, 1000), new(1, 2000), new(2, 3000), new(3, 4000), new(4, 5000)), out var tcc));
        var output = new PacketResult[3];
        Assert.Equal(3, h.ProcessFeedback(tcc, 0, output));
        Assert.Equal(2, h.Truncated);
        Assert.Equal(200, h.InFlightBytes);
    }
}
