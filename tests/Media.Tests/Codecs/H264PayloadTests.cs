using AkkaSfu.Media.Codecs;
using static AkkaSfu.Media.Tests.Codecs.Vp8PayloadDescriptorTests;

namespace AkkaSfu.Media.Tests.Codecs;

public class H264PayloadTests
{
    // STAP-A (NRI 3) with SPS (67, 3 bytes), PPS (68, 2 bytes) and an IDR slice (65, 2 bytes).
    internal const string StapASpsPpsIdr = "78 0003 67 42 c0 0002 68 ce 0002 65 88";

    [Theory]
    // hex, kind, nal type, count, key, idr, sps, pps, start, end
    [InlineData("65 88 84", H264PacketKind.SingleNal, 5, 1, true, true, false, false, true, true)]
    [InlineData("41 9a 00", H264PacketKind.SingleNal, 1, 1, false, false, false, false, true, true)]
    [InlineData("67 42 c0 1f", H264PacketKind.SingleNal, 7, 1, true, false, true, false, true, true)]
    [InlineData("68 ce 3c 80", H264PacketKind.SingleNal, 8, 1, false, false, false, true, true, true)]
    [InlineData("06 05", H264PacketKind.SingleNal, 6, 1, false, false, false, false, true, true)]
    [InlineData(StapASpsPpsIdr, H264PacketKind.StapA, 7, 3, true, true, true, true, true, true)]
    [InlineData("78 0002 68 ce 0002 41 9a", H264PacketKind.StapA, 8, 2, false, false, false, true, true, true)]
    [InlineData("7c 85 88 84", H264PacketKind.FuA, 5, 1, true, true, false, false, true, false)]   // FU-A start of IDR
    [InlineData("7c 05 88 84", H264PacketKind.FuA, 5, 1, false, false, false, false, false, false)] // middle of IDR
    [InlineData("7c 45 88", H264PacketKind.FuA, 5, 1, false, false, false, false, false, true)]     // end of IDR
    [InlineData("5c 81 9a", H264PacketKind.FuA, 1, 1, false, false, false, false, true, false)]
    public void Table_of_packet_kinds_and_key_frames(string hex, H264PacketKind kind, int nalType, int count, bool key,
        bool idr, bool sps, bool pps, bool start, bool end)
    {
        Assert.Equal(H264Error.None, H264Payload.TryParse(Hex(hex), out var h));
        Assert.Equal(kind, h.Kind);
        Assert.Equal(nalType, h.NalType);
        Assert.Equal(count, h.NalCount);
        Assert.Equal(key, h.IsKeyFrame);
        Assert.Equal(idr, h.HasIdr);
        Assert.Equal(sps, h.HasSps);
        Assert.Equal(pps, h.HasPps);
        Assert.Equal(start, h.StartOfNal);
        Assert.Equal(end, h.EndOfNal);
    }

    [Theory]
    [InlineData("", H264Error.Empty)]
    [InlineData("00 00", H264Error.UnsupportedNalType)]
    [InlineData("79 00 01 00", H264Error.UnsupportedNalType)] // STAP-B
    [InlineData("7a 00", H264Error.UnsupportedNalType)]       // MTAP16
    [InlineData("7b 00", H264Error.UnsupportedNalType)]       // MTAP24
    [InlineData("7d 85 00 00 00", H264Error.UnsupportedNalType)] // FU-B
    [InlineData("7e 00", H264Error.UnsupportedNalType)]
    [InlineData("7f 00", H264Error.UnsupportedNalType)]
    [InlineData("78", H264Error.EmptyStapA)]
    [InlineData("78 00", H264Error.TruncatedStapASize)]
    [InlineData("78 0001 67 00", H264Error.TruncatedStapASize)]
    [InlineData("78 0000", H264Error.ZeroSizeStapANal)]
    [InlineData("78 0003 67 42", H264Error.TruncatedStapANal)]
    [InlineData("78 0001 67 0005 65 88", H264Error.TruncatedStapANal)]
    [InlineData("7c", H264Error.TruncatedFuA)]
    [InlineData("7c 85", H264Error.TruncatedFuA)]
    [InlineData("7c c5 88", H264Error.FuAStartAndEnd)]
    public void Truncated_and_malformed_inputs_give_their_exact_error(string hex, H264Error expected)
    {
        Assert.Equal(expected, H264Payload.TryParse(Hex(hex), out _));
    }

    [Fact]
    public void Every_truncation_of_a_stap_a_is_an_error()
    {
        var p = Hex(StapASpsPpsIdr);
        for (var len = 0; len < p.Length; len++)
        {
            // Cuts that land exactly on a NAL boundary are valid shorter STAP-As.
            if (len is 6 or 10) { Assert.Equal(H264Error.None, H264Payload.TryParse(p.AsSpan(0, len), out _)); continue; }
            Assert.NotEqual(H264Error.None, H264Payload.TryParse(p.AsSpan(0, len), out _));
        }
    }
}
