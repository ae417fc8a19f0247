using AkkaSfu.Media.Rtcp;
using Xunit;
using static AkkaSfu.Media.Tests.Rtp.SpanAssert;

namespace AkkaSfu.Media.Tests.Rtcp;

public class TransportCcTests
{
    // A Chrome transport-cc packet (pion/rtcp transport_layer_cc_test "example1"): one packet, run-length
    // chunk "received, small delta" x1, delta 0x94 ticks, one byte of P-bit padding.
    private static readonly byte[] ChromeVector = Hex("afcd0005 fa17fa17 43032fa0 00990001 3de80217 20019401");

    private static List<TransportCcPacket> Enumerate(byte[] packet)
    {
        Assert.Equal(RtcpError.None, TransportCc.TryParse(packet, out var tcc));
        var list = new List<TransportCcPacket>();
        foreach (var p in tcc) list.Add(p);
        Assert.Equal(tcc.PacketStatusCount, list.Count);
        return list;
    }

    [Fact]
    public void Parses_chrome_vector()
    {
        Assert.Equal(RtcpError.None, TransportCc.TryParse(ChromeVector, out var tcc));
        Assert.Equal(0xfa17fa17u, tcc.SenderSsrc);
        Assert.Equal(0x43032fa0u, tcc.MediaSsrc);
        Assert.Equal(153, tcc.BaseSequence);
        Assert.Equal(1, tcc.PacketStatusCount);
        Assert.Equal(4057090, tcc.ReferenceTime);
        Assert.Equal(23, tcc.FeedbackPacketCount);
        var p = Assert.Single(Enumerate(ChromeVector));
        Assert.Equal(new TransportCcPacket(153, true, 0x94, 4057090L * 64000 + 0x94 * 250), p);
    }

    [Fact]
    public void Draft_run_length_example_221_not_received()
    {
        // §3.1.3 example: 0|00|0000011011101 = run of 221 "packet not received", then one received.
        var b = Hex("8fcd0006 00000001 00000002 000000de 00000001 00dd 2001 05 000000");
        var list = Enumerate(b);
        Assert.Equal(222, list.Count);
        Assert.All(list.Take(221), p => Assert.False(p.Received));
        Assert.Equal(new TransportCcPacket(221, true, 5, 5 * 250), list[221]);
    }

    [Fact]
    public void Draft_status_vector_example_one_bit()
    {
        // §3.1.4 example: 1|0|00111110001110 = lost, 5 received, 3 lost, 3 received, 2 lost... here the
        // status count (12) stops inside the chunk, so the last 2 symbols are ignored.
        var b = Hex("8fcd0007 00000001 00000002 fffe000c 00000001 9f1c 0102030405060708 0000");
        var list = Enumerate(b);
        Assert.Equal([false, true, true, true, true, true, false, false, false, true, true, true], list.Select(p => p.Received));
        Assert.Equal([(ushort)0xFFFE, (ushort)0xFFFF, (ushort)0, (ushort)1], list.Take(4).Select(p => p.Sequence));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], list.Where(p => p.Received).Select(p => p.DeltaTicks));
        Assert.Equal(36 * 250, list[^1].ArrivalUs); // 1+2+...+8 ticks
    }

    [Fact]
    public void Two_bit_vector_with_large_and_negative_deltas()
    {
        // 1|1|01 10 00 10 01 00 00, 5 packets: small, large(+1000), lost, large(-4), small
        var b = Hex("8fcd0006 00000001 00000002 00010005 00000001 d894 0a 03e8 fffc 0b 000000");
        var list = Enumerate(b);
        Assert.Equal([10, 1000, 0, -4, 11], list.Select(p => p.DeltaTicks));
        Assert.False(list[2].Received);
        Assert.Equal((10 + 1000 - 4 + 11) * 250L, list[4].ArrivalUs);
    }

    public static TheoryData<string, RtcpError> Malformed => new()
    {
        { "8fcd0003 00000001 00000002 00010000", RtcpError.TruncatedBody },             // no ref time
        { "8fcd0004 00000001 00000002 00010000 00000001", RtcpError.Empty },            // status count 0
        { "8fcd0004 00000001 00000002 00010001 00000001", RtcpError.TruncatedBody },    // no chunk
        { "8fcd0005 00000001 00000002 00010002 00000001 2001 0500", RtcpError.TruncatedBody }, // 2nd chunk missing
        { "8fcd0005 00000001 00000002 00010002 00000001 4002 0500", RtcpError.TruncatedBody }, // 2 large deltas need 4 bytes
        { "8fcd0005 00000001 00000002 00010001 00000001 6001 0000", RtcpError.InvalidField },  // reserved symbol
        { "8fcd0005 00000001 00000002 00010001 00000001 f000 0000", RtcpError.InvalidField },  // 2-bit vector "11"
        { "81cd0005 00000001 00000002 00010001 00000001 2001 0500", RtcpError.WrongType },     // FMT 1 (NACK)
    };

    [Theory, MemberData(nameof(Malformed))]
    public void Malformed_input_maps_to_exact_error(string hex, RtcpError expected)
        => Assert.Equal(expected, TransportCc.TryParse(Hex(hex), out _));

    // ---- builder ----

    private static byte[] Build(TransportCcArrival[] arrivals, out int consumed, int dstSize = 1500, byte fbCount = 0)
    {
        var buf = new byte[dstSize];
        int n = TransportCc.Write(buf, 1, 2, fbCount, arrivals, out consumed);
        return buf.AsSpan(0, n).ToArray();
    }

    private static ReadOnlySpan<byte> Chunks(byte[] packet, int count) => packet.AsSpan(20, 2 * count);

    [Fact]
    public void All_small_deltas_make_one_run_length_chunk()
    {
        var arr = Enumerable.Range(0, 20).Select(i => new TransportCcArrival((ushort)(65530 + i), 64_000 + i * 1000)).ToArray();
        var pkt = Build(arr, out int consumed);
        Assert.Equal(20, consumed);
        Assert.Equal(Hex("2014"), Chunks(pkt, 1).ToArray());
        Assert.Equal(20 + 2 + 20 + 2, pkt.Length); // header+fixed, one chunk, 20 one-byte deltas, 2 padding
        Assert.Equal(0xa0, pkt[0] & 0xe0); // V=2 with the P bit
        Assert.Equal(2, pkt[^1]);
        var list = Enumerate(pkt);
        Assert.Equal(arr.Select(a => a.Sequence), list.Select(p => p.Sequence));
        Assert.Equal(arr.Select(a => a.ArrivalUs), list.Select(p => p.ArrivalUs));
    }

    [Fact]
    public void Mixed_small_and_lost_make_a_one_bit_vector()
    {
        // R L R R R R R R R R R R R R -> 1|0|10111111111111
        var arr = new List<TransportCcArrival> { new(0, 1000) };
        for (int i = 2; i < 14; i++) arr.Add(new((ushort)i, 1000 + i * 500));
        var pkt = Build(arr.ToArray(), out int consumed);
        Assert.Equal(13, consumed);
        Assert.Equal(Hex("afff"), Chunks(pkt, 1).ToArray());
        Assert.Equal(0, pkt.Length % 4);
        var list = Enumerate(pkt);
        Assert.Equal(14, list.Count);
        Assert.False(list[1].Received);
    }

    [Fact]
    public void Large_delta_forces_two_bit_vector_then_run_of_lost()
    {
        long t0 = 1_000_000; // ref = 15 * 64 ms = 960 ms, first delta 160 ticks
        TransportCcArrival[] arr =
        [
            new(100, t0), new(101, t0 + 1000), new(102, t0 - 1000), new(103, t0), new(104, t0 + 1000),
            new(105, t0 + 2000), new(106, t0 + 3000), new(127, t0 + 8000),
        ];
        var pkt = Build(arr, out int consumed);
        Assert.Equal(8, consumed);
        // symbols 1 1 2 1 1 1 1 -> 1|1|01 01 10 01 01 01 01 ; 20 lost ; 1 received
        Assert.Equal(Hex("d655 0014 2001"), Chunks(pkt, 3).ToArray());
        Assert.Equal(RtcpError.None, TransportCc.TryParse(pkt, out var tcc));
        Assert.Equal(15, tcc.ReferenceTime);
        Assert.Equal(28, tcc.PacketStatusCount);
        var list = Enumerate(pkt);
        Assert.Equal([160, 4, -8, 4, 4, 4, 4], list.Take(7).Select(p => p.DeltaTicks));
        Assert.Equal(arr.Select(a => a.ArrivalUs), list.Where(p => p.Received).Select(p => p.ArrivalUs));
        Assert.Equal(20, list.Count(p => !p.Received));
    }

    [Fact]
    public void Unrepresentable_delta_starts_a_new_feedback()
    {
        TransportCcArrival[] arr = [new(1, 0), new(2, 1000), new(3, 1000 + 8_200_000), new(4, 1000 + 8_201_000)];
        var first = Build(arr, out int consumed);
        Assert.Equal(2, consumed);
        Assert.Equal(2, Enumerate(first).Count);
        var second = Build(arr[consumed..], out consumed, fbCount: 1);
        Assert.Equal(2, consumed);
        Assert.Equal(RtcpError.None, TransportCc.TryParse(second, out var tcc));
        Assert.Equal(3, tcc.BaseSequence);
        Assert.Equal(1, tcc.FeedbackPacketCount);
        Assert.Equal([8_201_000L, 8_202_000L], Enumerate(second).Select(p => p.ArrivalUs));
    }

    [Fact]
    public void Leading_lost_entries_and_duplicates()
    {
        TransportCcArrival[] arr = [TransportCcArrival.Lost(10), new(11, 500_000), new(11, 500_100), new(9, 1), new(12, 500_250)];
        var pkt = Build(arr, out int consumed);
        Assert.Equal(5, consumed);
        var list = Enumerate(pkt);
        Assert.Equal([(ushort)10, (ushort)11, (ushort)12], list.Select(p => p.Sequence));
        Assert.Equal([false, true, true], list.Select(p => p.Received));
        Assert.Equal(500_250L, list[2].ArrivalUs);
    }

    [Fact]
    public void Small_buffer_consumes_what_fits()
    {
        // Alternating large deltas: every 7 packets need a chunk and 14 bytes of deltas.
        var arr = Enumerable.Range(0, 200).Select(i => new TransportCcArrival((ushort)i, i * 100_000L)).ToArray();
        var buf = new byte[120];
        int total = 0, fb = 0;
        var seen = new List<TransportCcPacket>();
        while (total < arr.Length)
        {
            int n = TransportCc.Write(buf, 1, 2, (byte)fb++, arr.AsSpan(total), out int consumed);
            Assert.True(n > 0 && n <= buf.Length && consumed > 0);
            Assert.Equal(RtcpError.None, TransportCc.TryParse(buf.AsSpan(0, n), out var tcc));
            foreach (var p in tcc) seen.Add(p);
            total += consumed;
        }
        Assert.True(fb > 1);
        Assert.Equal(arr.Select(a => a.Sequence), seen.Select(p => p.Sequence));
        Assert.Equal(arr.Select(a => a.ArrivalUs), seen.Select(p => p.ArrivalUs));
        Assert.Equal(0, TransportCc.Write(new byte[23], 1, 2, 0, arr, out int none));
        Assert.Equal(0, none);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool Builder_round_trips_random_arrivals(ushort baseSeq, byte[] gaps, int[] jitters, bool[] lost)
    {
        gaps ??= []; jitters ??= []; lost ??= [];
        int n = Math.Min(gaps.Length, Math.Min(jitters.Length, lost.Length));
        var arr = new List<TransportCcArrival>();
        ushort seq = baseSeq;
        long t = 5_000_000;
        for (int i = 0; i < n; i++)
        {
            seq = (ushort)(seq + 1 + gaps[i] % 4);
            t += jitters[i] % 100_000; // ±100 ms steps, sometimes negative
            arr.Add(lost[i] ? TransportCcArrival.Lost(seq) : new TransportCcArrival(seq, t));
        }
        var all = arr.ToArray();
        var buf = new byte[400];
        int done = 0;
        var expected = new Dictionary<ushort, long>();
        foreach (var a in all) if (a.Received) expected[a.Sequence] = a.ArrivalUs;
        var got = new Dictionary<ushort, long>();
        while (done < all.Length)
        {
            int len = TransportCc.Write(buf, 1, 2, 0, all.AsSpan(done), out int consumed);
            if (len == 0 || consumed == 0) return false;
            if (TransportCc.TryParse(buf.AsSpan(0, len), out var tcc) != RtcpError.None) return false;
            foreach (var p in tcc) if (p.Received) got[p.Sequence] = p.ArrivalUs;
            done += consumed;
        }
        return expected.Count == got.Count
            && expected.All(kv => got.TryGetValue(kv.Key, out long v) && Math.Abs(v - kv.Value) <= 125);
    }
}
