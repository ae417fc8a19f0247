using AkkaSfu.Media.Rtcp;
using Xunit;
using static AkkaSfu.Media.Tests.Rtp.SpanAssert;

namespace AkkaSfu.Media.Tests.Rtcp;

public class RtcpFeedbackTests
{
    // libwebrtc remb_unittest.cc's packet: 3 SSRCs, exponent 1, mantissa 0x3fb93.
    private static readonly byte[] RembVector = Hex(
        "8fce0007 12345678 00000000 52454d42 0307fb93 23456789 2345678a 2345678b");

    [Fact]
    public void Nack_enumerates_pid_and_blp_bits()
    {
        // PID 100 with BLP bits 0 and 15 -> 100, 101, 116; PID 65535 with bit 0 -> 65535, 0 (wrap).
        var b = Hex("81cd0004 00000001 00000002 00648001 ffff0001");
        Assert.Equal(RtcpError.None, RtcpNack.TryParse(b, out var nack));
        Assert.Equal(1u, nack.SenderSsrc);
        Assert.Equal(2u, nack.MediaSsrc);
        Assert.Equal(2, nack.ItemCount);
        Assert.Equal(((ushort)100, (ushort)0x8001), nack.GetItem(0));
        var seqs = new List<ushort>();
        foreach (ushort s in nack) seqs.Add(s);
        Assert.Equal(new ushort[] { 100, 101, 116, 65535, 0 }, seqs);
    }

    [Fact]
    public void Nack_builder_packs_and_round_trips_across_wrap()
    {
        ushort[] lost = [65530, 65531, 65535, 0, 10, 11, 40, 40, 41];
        var buf = new byte[100];
        int n = RtcpNack.Write(buf, 7, 8, lost);
        // 65530 covers up to 65546 = 10 -> one item (65530..10); 11 -> new item; 40 new item.
        Assert.Equal(3, RtcpNack.CountItems(lost));
        Assert.Equal(RtcpNack.GetSize(3), n);
        Assert.Equal(RtcpError.None, RtcpNack.TryParse(buf.AsSpan(0, n), out var nack));
        var seqs = new List<ushort>();
        foreach (ushort s in nack) seqs.Add(s);
        Assert.Equal(new ushort[] { 65530, 65531, 65535, 0, 10, 11, 40, 41 }, seqs);
        Assert.Equal(0, RtcpNack.Write(buf, 7, 8, []));
        Assert.Equal(0, RtcpNack.Write(buf.AsSpan(0, 15), 7, 8, [1]));
    }

    [Fact]
    public void Pli_round_trips()
    {
        var buf = new byte[12];
        Assert.Equal(12, RtcpPli.Write(buf, 0xAABBCCDD, 0x11223344));
        Assert.Equal(Hex("81ce0002 aabbccdd 11223344"), buf);
        Assert.Equal(RtcpError.None, RtcpPli.TryParse(buf, out var pli));
        Assert.Equal(0xAABBCCDDu, pli.SenderSsrc);
        Assert.Equal(0x11223344u, pli.MediaSsrc);
        Assert.Equal(RtcpError.WrongType, RtcpFir.TryParse(buf, out _));
        Assert.Equal(RtcpError.WrongType, RtcpNack.TryParse(buf, out _));
    }

    [Fact]
    public void Fir_round_trips()
    {
        var buf = new byte[64];
        int n = RtcpFir.Write(buf, 9, [new RtcpFirEntry(0x01020304, 7), new RtcpFirEntry(5, 255)]);
        Assert.Equal(Hex("84ce0006 00000009 00000000 01020304 07000000 00000005 ff000000"), buf.AsSpan(0, n).ToArray());
        Assert.Equal(RtcpError.None, RtcpFir.TryParse(buf.AsSpan(0, n), out var fir));
        Assert.Equal(9u, fir.SenderSsrc);
        Assert.Equal(2, fir.EntryCount);
        Assert.Equal(new RtcpFirEntry(5, 255), fir.GetEntry(1));
    }

    [Fact]
    public void Remb_parses_libwebrtc_vector_and_builder_reproduces_it()
    {
        Assert.True(RtcpRemb.IsRemb(RembVector));
        Assert.Equal(RtcpError.None, RtcpRemb.TryParse(RembVector, out var remb));
        Assert.Equal(0x12345678u, remb.SenderSsrc);
        Assert.Equal(0x3fb93ul * 2, remb.Bitrate);
        Assert.Equal(3, remb.SsrcCount);
        Assert.Equal(0x2345678bu, remb.GetSsrc(2));

        var buf = new byte[64];
        int n = RtcpRemb.Write(buf, 0x12345678, 0x3fb93ul * 2, [0x23456789u, 0x2345678au, 0x2345678bu]);
        Assert.Equal(RembVector, buf.AsSpan(0, n).ToArray());
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(0x3FFFFul)]
    [InlineData(0x40000ul)]
    [InlineData(1_000_000ul)]
    [InlineData(0x3fb93ul << 30)]
    public void Remb_bitrate_round_trips_within_mantissa_precision(ulong bitrate)
    {
        var buf = new byte[32];
        int n = RtcpRemb.Write(buf, 1, bitrate, [2u]);
        RtcpRemb.TryParse(buf.AsSpan(0, n), out var remb);
        Assert.True(remb.Bitrate <= bitrate);
        Assert.True(bitrate - remb.Bitrate <= bitrate >> 17);
    }

    public static TheoryData<string, RtcpError> Malformed => new()
    {
        { "81cd0002 00000001 00000002", RtcpError.Empty },          // NACK without items
        { "81cd0001 00000001", RtcpError.TruncatedBody },           // NACK without media SSRC
        { "81ce0001 00000001", RtcpError.TruncatedBody },           // PLI without media SSRC
        { "84ce0002 00000001 00000000", RtcpError.Empty },          // FIR without entries
        { "84ce0003 00000001 00000000 00000001", RtcpError.TruncatedBody }, // half an entry
        { "8fce0003 00000001 00000000 52454d42", RtcpError.TruncatedBody }, // REMB without num/exp
        { "8fce0004 00000001 00000000 52454d43 00000000", RtcpError.InvalidField }, // not "REMB"
        { "8fce0004 00000001 00000000 52454d42 01000000", RtcpError.TruncatedBody }, // declares an SSRC
        { "8fce0004 00000001 00000000 52454d42 00ffffff", RtcpError.InvalidField }, // 2^63-overflowing bitrate
    };

    [Theory, MemberData(nameof(Malformed))]
    public void Malformed_input_maps_to_exact_error(string hex, RtcpError expected)
    {
        var b = Hex(hex);
        RtcpHeader.TryParse(b, out var h);
        var err = (h.PacketType, h.Fmt) switch
        {
            (RtcpPacketType.RtpFeedback, RtcpNack.Fmt) => RtcpNack.TryParse(b, out _),
            (RtcpPacketType.PayloadFeedback, RtcpPli.Fmt) => RtcpPli.TryParse(b, out _),
            (RtcpPacketType.PayloadFeedback, RtcpFir.Fmt) => RtcpFir.TryParse(b, out _),
            (RtcpPacketType.PayloadFeedback, RtcpRemb.Fmt) => RtcpRemb.TryParse(b, out _),
            _ => RtcpError.WrongType,
        };
        Assert.Equal(expected, err);
    }

    [Fact]
    public void Reduced_size_single_feedback_datagram_is_a_valid_compound()
    {
        var r = new RtcpCompoundReader(RembVector);
        Assert.True(r.MoveNext());
        Assert.Equal(RtcpPacketType.PayloadFeedback, r.Current.PacketType);
        Assert.Equal(RtcpRemb.Fmt, r.Current.Fmt);
        Assert.True(Inside(RembVector, r.Current.Body));
        Assert.False(r.MoveNext());
        Assert.Equal(RtcpError.None, r.Error);
    }
}
