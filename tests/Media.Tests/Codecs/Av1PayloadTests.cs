using AkkaSfu.Media.Codecs;
using static AkkaSfu.Media.Tests.Codecs.Vp8PayloadDescriptorTests;

namespace AkkaSfu.Media.Tests.Codecs;

public class Av1PayloadTests
{
    // N=1 W=2: [len 3] sequence header OBU (08 ..), then the last element, a frame OBU (30 ..), to the end.
    internal const string KeyFrameFirstPacket = "28 03 08 00 00 30 10 20 30";

    [Fact]
    public void First_packet_of_a_coded_video_sequence_is_a_key_frame_with_a_sequence_header()
    {
        Assert.Equal(Av1Error.None, Av1Payload.TryParse(Hex(KeyFrameFirstPacket), out var a));
        Assert.True(a.NewCodedVideoSequence);
        Assert.True(a.IsKeyFrame);
        Assert.True(a.HasSequenceHeader);
        Assert.False(a.ContinuesObu);
        Assert.False(a.ObuContinues);
        Assert.Equal(2, a.W);
        Assert.Equal(2, a.ElementCount);
        Assert.Equal(1, a.FirstObuType);
        Assert.False(a.HasExtension);
    }

    [Theory]
    // hex, Z, Y, W, N, elements, first type, seq header
    [InlineData("10 30 aa bb", false, false, 1, false, 1, 6, false)]              // W=1: one frame OBU
    [InlineData("00 02 30 aa 01 28", false, false, 0, false, 2, 6, false)]        // W=0: frame OBU, metadata OBU (type 5)
    [InlineData("90 aa bb", true, false, 1, false, 1, 0xFF, false)]               // Z: continuation only, no header seen
    [InlineData("a0 02 aa bb 08 00", true, false, 2, false, 2, 1, true)]          // Z then a sequence header
    [InlineData("50 30 aa", false, true, 1, false, 1, 6, false)]                  // Y: continues in next packet
    [InlineData("30 01 10 01 08 30 aa", false, false, 3, false, 3, 2, true)]      // W=3: temporal delimiter, seq header, frame
    [InlineData("30 01 10 01 18 30 aa", false, false, 3, false, 3, 2, false)]     // W=3: temporal delimiter, frame header, frame
    public void Table_of_aggregation_headers(string hex, bool z, bool y, int w, bool n, int count, int firstType, bool seq)
    {
        Assert.Equal(Av1Error.None, Av1Payload.TryParse(Hex(hex), out var a));
        Assert.Equal(z, a.ContinuesObu);
        Assert.Equal(y, a.ObuContinues);
        Assert.Equal(w, a.W);
        Assert.Equal(n, a.NewCodedVideoSequence);
        Assert.Equal(count, a.ElementCount);
        Assert.Equal(firstType, a.FirstObuType);
        Assert.Equal(seq, a.HasSequenceHeader);
    }

    [Fact]
    public void Extension_header_gives_temporal_and_spatial_ids()
    {
        // W=1, frame OBU with X=1 (0x34), extension temporal_id=2 spatial_id=1: 010 01 000 = 0x48.
        Assert.Equal(Av1Error.None, Av1Payload.TryParse(Hex("10 34 48 aa"), out var a));
        Assert.True(a.HasExtension);
        Assert.Equal(2, a.TemporalId);
        Assert.Equal(1, a.SpatialId);
    }

    [Fact]
    public void Multi_byte_leb128_lengths_are_read()
    {
        // W=0, one element of 130 bytes: LEB128 0x82 0x01.
        var p = new byte[1 + 2 + 130];
        p[0] = 0x00; p[1] = 0x82; p[2] = 0x01; p[3] = 0x30;
        Assert.Equal(Av1Error.None, Av1Payload.TryParse(p, out var a));
        Assert.Equal(1, a.ElementCount);
        Assert.Equal(Av1Error.ElementTooLong, Av1Payload.TryParse(p.AsSpan(0, p.Length - 1), out _));
    }

    [Theory]
    [InlineData("", Av1Error.Empty)]
    [InlineData("08", Av1Error.NoObuElements)]
    [InlineData("00 80", Av1Error.TruncatedElementLength)]
    [InlineData("00 ff ff ff ff ff ff ff ff 01", Av1Error.TruncatedElementLength)] // 9-byte LEB128
    [InlineData("00 05 30 aa", Av1Error.ElementTooLong)]
    [InlineData("00 ff ff ff ff 0f 30", Av1Error.ElementTooLong)]
    [InlineData("00 00", Av1Error.EmptyElement)]
    [InlineData("20 02 30 aa", Av1Error.MissingElements)]       // W=2, only one element
    [InlineData("30 01 30 01 30", Av1Error.MissingElements)]    // W=3, two
    [InlineData("20 00 30", Av1Error.EmptyElement)]
    public void Truncated_and_malformed_inputs_give_their_exact_error(string hex, Av1Error expected)
    {
        Assert.Equal(expected, Av1Payload.TryParse(Hex(hex), out _));
    }

    [Fact]
    public void Every_truncation_of_the_key_frame_packet_that_cuts_an_element_is_an_error()
    {
        var p = Hex(KeyFrameFirstPacket);
        for (var len = 0; len <= 5; len++)
            Assert.NotEqual(Av1Error.None, Av1Payload.TryParse(p.AsSpan(0, len), out _));
    }
}
