using AkkaSfu.Media.Codecs;
using FsCheck;
using FsCheck.Xunit;
using static AkkaSfu.Media.Tests.Codecs.Vp8PayloadDescriptorTests;

namespace AkkaSfu.Media.Tests.Codecs;

/// <summary>Random and mutated payloads into every parser: never a throw (so never an out-of-range read), and a
/// successful parse describes only bytes inside the input.</summary>
public class CodecFuzzProperties
{
    private static readonly byte[][] Valid =
    [
        Hex(ChromeKeyFrame), Hex("80 c0 05 07 01"), Hex("80 30 7f 01"),
        Hex(Vp9PayloadDescriptorTests.NonFlexible), Hex(Vp9PayloadDescriptorTests.Flexible), Hex(Vp9PayloadDescriptorTests.WithSs),
        Hex(H264PayloadTests.StapASpsPpsIdr), Hex("7c 85 88 84"),
        Hex(Av1PayloadTests.KeyFrameFirstPacket), Hex("00 02 30 aa 01 28"),
    ];

    private static void CheckAll(byte[] p)
    {
        if (Vp8PayloadDescriptor.TryParse(p, out var v8) == Vp8Error.None)
        {
            Assert.InRange(v8.Length, 1, p.Length - 1);
            if (v8.HasPictureId) Assert.InRange(v8.PictureIdOffset + v8.PictureIdBits / 8, 1, v8.Length - 1);
            if (v8.HasTl0PicIdx) Assert.InRange(v8.Tl0PicIdxOffset, 1, v8.Length - 1);
            Assert.InRange(v8.TemporalLayer, 0, 3);
            var copy = (byte[])p.Clone();
            v8.Write(copy, 0x7FFF, 0xFF);
            Assert.Equal(p[v8.Length..], copy[v8.Length..]);
            v8.Restore(copy);
            Assert.Equal(p, copy);
        }
        if (Vp9PayloadDescriptor.TryParse(p, out var v9) == Vp9Error.None)
        {
            Assert.InRange(v9.Length, 1, p.Length - 1);
            Assert.InRange(v9.SpatialLayer, 0, 7);
            var ss = v9.Ss(p);
            Assert.Equal(v9.HasScalabilityStructure, ss.IsPresent);
            for (var i = 0; i <= ss.SpatialLayers; i++) ss.TryGetResolution(i, out _, out _);
            for (var i = 0; i <= ss.PictureGroupCount; i++) ss.TryGetPictureGroup(i, out _);
        }
        if (H264Payload.TryParse(p, out var h) == H264Error.None)
            Assert.InRange(h.NalCount, 1, p.Length);
        if (Av1Payload.TryParse(p, out var a) == Av1Error.None)
            Assert.InRange(a.ElementCount, 1, p.Length - 1);
    }

    [Property(MaxTest = 2000)]
    public void Random_bytes_never_throw(byte[] p) => CheckAll(p ?? []);

    [Property(MaxTest = 2000)]
    public void Mutated_valid_payloads_never_throw(PositiveInt which, int[] positions, byte[] values, bool truncate)
    {
        var p = (byte[])Valid[which.Get % Valid.Length].Clone();
        positions ??= [];
        values ??= [];
        for (var i = 0; i < Math.Min(positions.Length, values.Length); i++)
            p[(int)((uint)positions[i] % (uint)p.Length)] = values[i];
        if (truncate && positions.Length > 0) p = p[..(int)((uint)positions[0] % (uint)p.Length)];
        CheckAll(p);
    }

    [Property(MaxTest = 300)]
    public void Rewriter_and_svc_filter_never_throw_on_random_packet_sequences(byte[][] packets, int target, bool[] switches)
    {
        var rewriter = new Vp8Rewriter();
        var filter = new Vp9SvcFilter(3, 3, (target & 1) != 0) { TargetSpatialLayer = target % 4, TargetTemporalLayer = target % 3 };
        packets ??= [];
        switches ??= [];
        for (var i = 0; i < packets.Length; i++)
        {
            var p = packets[i] ?? [];
            var before = (byte[])p.Clone();
            var r = rewriter.Process(p, target % 4, i < switches.Length && switches[i]);
            if (r != Vp8RewriteResult.Forward) Assert.Equal(before, p);
            if (Vp9PayloadDescriptor.TryParse(p, out var d) == Vp9Error.None) filter.Process(in d);
        }
    }

    [Property(MaxTest = 500)]
    public void Mapper_output_has_no_gaps_for_in_order_ids_whatever_is_dropped(ushort start, bool[] drops, byte bitsSeed)
    {
        var bits = 7 + bitsSeed % 10; // 7..16
        var m = new WrappingIdMapper(bits);
        var mask = (1 << bits) - 1;
        int? last = null;
        drops ??= [];
        for (var i = 0; i < drops.Length; i++)
        {
            var id = (start + i) & mask;
            if (drops[i]) { m.Drop(id); continue; }
            Assert.Equal(IdMapResult.Mapped, m.Input(id, out var o));
            if (last is { } l) Assert.Equal((l + 1) & mask, o);
            last = o;
        }
    }
}
