using AkkaSfu.Media.Codecs;
using static AkkaSfu.Media.Tests.Codecs.Vp8PayloadDescriptorTests;

namespace AkkaSfu.Media.Tests.Codecs;

public class Vp9PayloadDescriptorTests
{
    // I=1 P=0 L=1 F=0 B=1 E=1 | M=1 PictureID 5 | TID=2 U=1 SID=1 D=1 | TL0PICIDX 7 | payload
    internal const string NonFlexible = "ac 80 05 53 07 00";
    // I=1 P=1 F=1 B=1 | PictureID 5 (7 bit) | P_DIFF 1 N=1 | P_DIFF 2 | payload
    internal const string Flexible = "d8 05 03 04 00";
    // I=1 B=1 E=1 V=1 | PictureID 1 | SS: N_S=2 Y=1 G=1, 320x180 640x360 1280x720, N_G=2 (T0 R=1 [4]) (T1 U R=2 [1 2]) | payload
    internal const string WithSs = "8e 01 58 0140 00b4 0280 0168 0500 02d0 02 04 04 38 01 02 ff";

    [Fact]
    public void Parses_non_flexible_mode_fields()
    {
        Assert.Equal(Vp9Error.None, Vp9PayloadDescriptor.TryParse(Hex(NonFlexible), out var d));
        Assert.True(d.HasPictureId);
        Assert.Equal(15, d.PictureIdBits);
        Assert.Equal(5, d.PictureId);
        Assert.Equal(1, d.PictureIdOffset);
        Assert.False(d.InterPicturePredicted);
        Assert.True(d.HasLayerIndices);
        Assert.False(d.FlexibleMode);
        Assert.True(d.StartOfFrame);
        Assert.True(d.EndOfFrame);
        Assert.False(d.HasScalabilityStructure);
        Assert.False(d.NotReferenceForUpperSpatial);
        Assert.Equal(2, d.TemporalLayer);
        Assert.True(d.SwitchingUpPoint);
        Assert.Equal(1, d.SpatialLayer);
        Assert.True(d.InterLayerDependency);
        Assert.True(d.HasTl0PicIdx);
        Assert.Equal(7, d.Tl0PicIdx);
        Assert.Equal(0, d.PDiffCount);
        Assert.Equal(5, d.Length);
        Assert.False(d.IsKeyFrame); // SID 1
        Assert.True(d.IsSpatialSwitchUpPoint);
    }

    [Fact]
    public void Parses_flexible_mode_references()
    {
        Assert.Equal(Vp9Error.None, Vp9PayloadDescriptor.TryParse(Hex(Flexible), out var d));
        Assert.True(d.FlexibleMode);
        Assert.True(d.InterPicturePredicted);
        Assert.Equal(7, d.PictureIdBits);
        Assert.Equal(5, d.PictureId);
        Assert.Equal(2, d.PDiffCount);
        Assert.Equal(1, d.PDiff1);
        Assert.Equal(2, d.PDiff2);
        Assert.Equal(0, d.PDiff3);
        Assert.Equal(4, d.Length);
        Assert.False(d.IsKeyFrame);
        Assert.False(d.HasTl0PicIdx);
    }

    [Fact]
    public void Flexible_mode_with_layer_indices_has_no_tl0picidx()
    {
        // I=0 P=0 L=1 F=1 B=1 | TID=1 U=0 SID=0 D=0 | payload 0xAA
        Assert.Equal(Vp9Error.None, Vp9PayloadDescriptor.TryParse(Hex("38 20 aa"), out var d));
        Assert.Equal(1, d.TemporalLayer);
        Assert.False(d.HasTl0PicIdx);
        Assert.Equal(2, d.Length);
        Assert.True(d.IsKeyFrame);
    }

    [Fact]
    public void Parses_the_scalability_structure()
    {
        var p = Hex(WithSs);
        Assert.Equal(Vp9Error.None, Vp9PayloadDescriptor.TryParse(p, out var d));
        Assert.True(d.HasScalabilityStructure);
        Assert.Equal(p.Length - 1, d.Length);
        var ss = d.Ss(p);
        Assert.True(ss.IsPresent);
        Assert.Equal(3, ss.SpatialLayers);
        Assert.True(ss.HasResolutions);
        Assert.True(ss.TryGetResolution(0, out var w, out var h));
        Assert.Equal((320, 180), (w, h));
        Assert.True(ss.TryGetResolution(2, out w, out h));
        Assert.Equal((1280, 720), (w, h));
        Assert.False(ss.TryGetResolution(3, out _, out _));
        Assert.Equal(2, ss.PictureGroupCount);
        Assert.True(ss.TryGetPictureGroup(0, out var g0));
        Assert.Equal(new Vp9PictureGroup(0, false, 1, 4, 0, 0), g0);
        Assert.True(ss.TryGetPictureGroup(1, out var g1));
        Assert.Equal(new Vp9PictureGroup(1, true, 2, 1, 2, 0), g1);
        Assert.False(ss.TryGetPictureGroup(2, out _));
        Assert.True(d.IsKeyFrame);
    }

    [Fact]
    public void Scalability_structure_without_resolutions_or_groups_is_one_byte()
    {
        // V=1 B=1, SS: N_S=0 Y=0 G=0, payload.
        var p = Hex("0a 00 aa");
        Assert.Equal(Vp9Error.None, Vp9PayloadDescriptor.TryParse(p, out var d));
        var ss = d.Ss(p);
        Assert.Equal(1, ss.SpatialLayers);
        Assert.False(ss.HasResolutions);
        Assert.Equal(0, ss.PictureGroupCount);
        Assert.False(ss.TryGetResolution(0, out _, out _));
        Assert.Equal(2, d.Length);
        Assert.False(default(Vp9PayloadDescriptor).Ss(p).IsPresent);
    }

    [Theory]
    [InlineData("", Vp9Error.Empty)]
    [InlineData("80", Vp9Error.TruncatedPictureId)]
    [InlineData("80 80", Vp9Error.TruncatedPictureId)]
    [InlineData("a0 05", Vp9Error.TruncatedLayerIndices)]
    [InlineData("a0 05 53", Vp9Error.TruncatedTl0PicIdx)]
    [InlineData("50", Vp9Error.TruncatedReferences)]
    [InlineData("50 03", Vp9Error.TruncatedReferences)]
    [InlineData("50 03 03 03 00", Vp9Error.TooManyReferences)]
    [InlineData("02", Vp9Error.TruncatedScalabilityStructure)]
    [InlineData("02 10 00 01 00", Vp9Error.TruncatedScalabilityStructure)]  // Y: one resolution needs 4 bytes
    [InlineData("02 08", Vp9Error.TruncatedScalabilityStructure)]           // G without N_G
    [InlineData("02 08 01", Vp9Error.TruncatedScalabilityStructure)]        // one group missing
    [InlineData("02 08 01 08 01", Vp9Error.TruncatedScalabilityStructure)]  // group with R=2 has one P_DIFF
    [InlineData("08", Vp9Error.EmptyPayload)]
    [InlineData("ac 80 05 53 07", Vp9Error.EmptyPayload)]
    [InlineData("50 02", Vp9Error.EmptyPayload)]
    public void Truncated_and_malformed_inputs_give_their_exact_error(string hex, Vp9Error expected)
    {
        Assert.Equal(expected, Vp9PayloadDescriptor.TryParse(Hex(hex), out _));
    }

    [Theory]
    [InlineData(NonFlexible)]
    [InlineData(Flexible)]
    [InlineData(WithSs)]
    public void Every_truncation_of_a_valid_packet_is_an_error(string hex)
    {
        var p = Hex(hex);
        for (var len = 0; len < p.Length; len++)
            Assert.NotEqual(Vp9Error.None, Vp9PayloadDescriptor.TryParse(p.AsSpan(0, len), out _));
    }

    [Theory]
    [InlineData("08 00", true)]        // P=0 B=1, no L: SID 0
    [InlineData("48 00", false)]       // P=1
    [InlineData("00 00", false)]       // B=0
    [InlineData("28 02 00 00", false)] // SID=1
    [InlineData("28 01 00 00", true)]  // SID=0, D=1
    public void Key_frame_is_p0_b1_sid0(string hex, bool key)
    {
        Assert.Equal(Vp9Error.None, Vp9PayloadDescriptor.TryParse(Hex(hex), out var d));
        Assert.Equal(key, d.IsKeyFrame);
    }
}
