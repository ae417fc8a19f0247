using AkkaSfu.Media.Codecs;

namespace AkkaSfu.Media.Tests.Codecs;

public class Vp8PayloadDescriptorTests
{
    internal static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", ""));

    // X=1 S=1 PID=0 | I L T | PictureID M=1 0x1234 | TL0PICIDX 0x56 | TID=2 Y=1 KEYIDX=0 | key frame tag, 640x480.
    internal const string ChromeKeyFrame = "90 e0 92 34 56 a0 10 02 00 9d 01 2a 80 02 e0 01";

    [Fact]
    public void Parses_every_descriptor_field_and_the_key_frame_header()
    {
        var p = Hex(ChromeKeyFrame);
        Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(p, out var d));
        Assert.True(d.Extended);
        Assert.False(d.NonReference);
        Assert.True(d.StartOfPartition);
        Assert.True(d.StartOfFrame);
        Assert.Equal(0, d.PartitionId);
        Assert.True(d.HasPictureId);
        Assert.Equal(15, d.PictureIdBits);
        Assert.Equal(0x1234, d.PictureId);
        Assert.Equal(2, d.PictureIdOffset);
        Assert.True(d.HasTl0PicIdx);
        Assert.Equal(0x56, d.Tl0PicIdx);
        Assert.Equal(4, d.Tl0PicIdxOffset);
        Assert.True(d.HasTemporalLayer);
        Assert.Equal(2, d.TemporalLayer);
        Assert.True(d.LayerSync);
        Assert.False(d.HasKeyIdx);
        Assert.Equal(6, d.Length);
        Assert.True(d.HasPayloadHeader);
        Assert.True(d.IsKeyFrame);
        Assert.True(d.ShowFrame);
        Assert.Equal(0, d.Version);
        Assert.Equal(0x10 >> 5 | 0x02 << 3, d.FirstPartitionSize);
        Assert.Equal(640, d.Width);
        Assert.Equal(480, d.Height);
        Assert.Equal(0, d.HorizontalScale);
        Assert.Equal(0, d.VerticalScale);
    }

    [Theory]
    // descriptor hex, N, S, PID, length, picId bits, picId, tl0?, tid, Y, K, keyidx
    [InlineData("00 00", false, false, 0, 1, 0, 0, false, 0, false, false, 0)]            // minimal, no X
    [InlineData("23 01", true, false, 3, 1, 0, 0, false, 0, false, false, 0)]             // N, PID=3
    [InlineData("80 80 7f 01", false, false, 0, 3, 7, 127, false, 0, false, false, 0)]    // 7-bit picture id
    [InlineData("80 80 ff ff 01", false, false, 0, 4, 15, 0x7fff, false, 0, false, false, 0)]
    [InlineData("80 40 09 01", false, false, 0, 3, 0, 0, true, 0, false, false, 0)]       // L only
    [InlineData("80 20 c0 01", false, false, 0, 3, 0, 0, false, 3, false, false, 0)]      // T: TID=3
    [InlineData("80 10 1f 01", false, false, 0, 3, 0, 0, false, 0, false, true, 31)]      // K: KEYIDX=31
    [InlineData("80 30 7f 01", false, false, 0, 3, 0, 0, false, 1, true, true, 31)]       // T+K share the byte
    [InlineData("a1 f0 05 07 40 01", true, false, 1, 5, 7, 5, true, 1, false, true, 0)]
    public void Table_of_descriptor_fields(string hex, bool n, bool s, int pid, int length, int picBits, int picId,
        bool tl0, int tid, bool y, bool k, int keyIdx)
    {
        var p = Hex(hex);
        Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(p, out var d));
        Assert.Equal(n, d.NonReference);
        Assert.Equal(s, d.StartOfPartition);
        Assert.Equal(pid, d.PartitionId);
        Assert.Equal(length, d.Length);
        Assert.Equal(picBits, d.PictureIdBits);
        Assert.Equal(picId, d.PictureId);
        Assert.Equal(tl0, d.HasTl0PicIdx);
        Assert.Equal(tid, d.TemporalLayer);
        Assert.Equal(y, d.LayerSync);
        Assert.Equal(k, d.HasKeyIdx);
        Assert.Equal(keyIdx, d.KeyIdx);
        Assert.False(d.HasPayloadHeader);
        Assert.False(d.IsKeyFrame);
    }

    [Theory]
    [InlineData("", Vp8Error.Empty)]
    [InlineData("80", Vp8Error.TruncatedExtension)]
    [InlineData("80 80", Vp8Error.TruncatedPictureId)]
    [InlineData("80 80 80", Vp8Error.TruncatedPictureId)]
    [InlineData("80 40", Vp8Error.TruncatedTl0PicIdx)]
    [InlineData("80 c0 01", Vp8Error.TruncatedTl0PicIdx)]
    [InlineData("80 20", Vp8Error.TruncatedTidKeyIdx)]
    [InlineData("80 10", Vp8Error.TruncatedTidKeyIdx)]
    [InlineData("80 e0 81 01 02", Vp8Error.TruncatedTidKeyIdx)]
    [InlineData("10", Vp8Error.EmptyPayload)]
    [InlineData("80 e0 81 01 02 40", Vp8Error.EmptyPayload)]
    [InlineData("10 01", Vp8Error.TruncatedPayloadHeader)]
    [InlineData("10 01 00", Vp8Error.TruncatedPayloadHeader)]
    [InlineData("10 00 00 00", Vp8Error.TruncatedKeyFrameHeader)]
    [InlineData("10 00 00 00 9d 01 2a 80 02 e0", Vp8Error.TruncatedKeyFrameHeader)]
    [InlineData("10 00 00 00 9d 01 2b 80 02 e0 01", Vp8Error.BadStartCode)]
    public void Truncated_and_malformed_inputs_give_their_exact_error(string hex, Vp8Error expected)
    {
        Assert.Equal(expected, Vp8PayloadDescriptor.TryParse(Hex(hex), out _));
    }

    [Fact]
    public void Every_truncation_of_a_valid_key_frame_packet_is_an_error_not_a_throw()
    {
        var p = Hex(ChromeKeyFrame);
        for (var len = 0; len < p.Length; len++)
            Assert.NotEqual(Vp8Error.None, Vp8PayloadDescriptor.TryParse(p.AsSpan(0, len), out _));
    }

    [Fact]
    public void Inter_frame_and_continuation_packets_are_not_key_frames()
    {
        Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(Hex("90 80 81 00 01 02 03"), out var inter));
        Assert.True(inter.HasPayloadHeader);
        Assert.False(inter.IsKeyFrame);
        // S=0: continuation bytes that look like a key frame tag are not parsed as a header.
        Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(Hex("80 80 81 00 00 00 00"), out var cont));
        Assert.False(cont.HasPayloadHeader);
        Assert.False(cont.IsKeyFrame);
        // S=1 but partition 1.
        Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(Hex("91 00 00 00"), out var part1));
        Assert.False(part1.IsKeyFrame);
    }

    [Fact]
    public void Scaled_key_frame_dimensions_are_split_from_their_scale_bits()
    {
        // width 1280 (0x500) scale 1 → 0x4500 LE; height 720 (0x2d0) scale 2 → 0x82d0 LE.
        Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(Hex("10 00 00 00 9d 01 2a 00 45 d0 82"), out var d));
        Assert.Equal(1280, d.Width);
        Assert.Equal(1, d.HorizontalScale);
        Assert.Equal(720, d.Height);
        Assert.Equal(2, d.VerticalScale);
    }

    [Fact]
    public void Write_keeps_the_picture_id_width_and_restore_undoes_it()
    {
        var p = Hex(ChromeKeyFrame);
        var orig = (byte[])p.Clone();
        Vp8PayloadDescriptor.TryParse(p, out var d);
        d.Write(p, 0x8001, 0x99); // 0x8001 truncated to 15 bits = 1
        Assert.Equal(Hex("90 e0 80 01 99 a0"), p[..6]);
        Assert.Equal(orig[6..], p[6..]);
        d.Restore(p);
        Assert.Equal(orig, p);

        var q = Hex("80 c0 05 07 01");
        Vp8PayloadDescriptor.TryParse(q, out var d7);
        d7.Write(q, 200, 3); // 200 mod 128 = 72, M bit stays 0
        Assert.Equal(Hex("80 c0 48 03 01"), q);
    }

    [Fact]
    public void Write_leaves_absent_fields_alone()
    {
        var q = Hex("90 00 01 02 03");
        Vp8PayloadDescriptor.TryParse(q, out var d);
        d.Write(q, 77, 77);
        Assert.Equal(Hex("90 00 01 02 03"), q);
    }
}
