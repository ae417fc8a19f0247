using AkkaSfu.Media.Codecs;

namespace AkkaSfu.Media.Tests.Codecs;

public class Vp9SvcFilterTests
{
    internal readonly record struct Packet(byte[] Payload, int Picture, int Sid, int Tid, bool End, bool RtpMarker);

    private static readonly int[] Pattern = [0, 2, 1, 2];

    /// <summary>One picture of an L3T3 (or L3T3_KEY) stream: 3 spatial layer frames, 2 packets each.</summary>
    internal static IEnumerable<Packet> Picture(int pic, bool key, bool kSvc, int spatialLayers = 3, int? tidOverride = null)
    {
        var tid = tidOverride ?? (key ? 0 : Pattern[pic % 4]);
        for (var sid = 0; sid < spatialLayers; sid++)
        {
            var p = key ? false : true;
            var d = sid > 0 && (key || !kSvc);
            var u = tid > 0;
            for (var part = 0; part < 2; part++)
            {
                bool b = part == 0, e = part == 1;
                var flags = 0x80 | (p ? 0x40 : 0) | 0x20 | (b ? 0x08 : 0) | (e ? 0x04 : 0);
                var layer = (tid << 5) | (u ? 0x10 : 0) | (sid << 1) | (d ? 1 : 0);
                var payload = new byte[] { (byte)flags, (byte)(0x80 | (pic >> 8)), (byte)pic, (byte)layer, (byte)(pic / 4), 0xAA };
                yield return new Packet(payload, pic, sid, tid, e, RtpMarker: e && sid == spatialLayers - 1);
            }
        }
    }

    private static Vp9FilterResult Run(Vp9SvcFilter f, Packet p)
    {
        Assert.Equal(Vp9Error.None, Vp9PayloadDescriptor.TryParse(p.Payload, out var d));
        return f.Process(in d);
    }

    [Theory]
    [InlineData(0, 0)] [InlineData(0, 1)] [InlineData(0, 2)]
    [InlineData(1, 0)] [InlineData(1, 1)] [InlineData(1, 2)]
    [InlineData(2, 0)] [InlineData(2, 1)] [InlineData(2, 2)]
    public void L3T3_forwards_exactly_the_packets_of_layers_up_to_the_target(int targetS, int targetT)
    {
        var f = new Vp9SvcFilter(3, 3, kSvc: false) { TargetSpatialLayer = targetS, TargetTemporalLayer = targetT };
        var forwarded = 0;
        for (var pic = 0; pic < 16; pic++)
        {
            foreach (var p in Picture(pic, key: pic == 0, kSvc: false))
            {
                var r = Run(f, p);
                var want = p.Sid <= targetS && p.Tid <= targetT;
                Assert.True(want == (r is Vp9FilterResult.Forward or Vp9FilterResult.ForwardSetMarker),
                    $"pic {pic} S{p.Sid}T{p.Tid}: {r}");
                if (!want) continue;
                forwarded++;
                // Marker on the last packet of the highest forwarded spatial layer, nowhere else.
                Assert.Equal(p.End && p.Sid == targetS, r == Vp9FilterResult.ForwardSetMarker);
            }
        }
        Assert.True(forwarded > 0);
        Assert.Equal(targetS, f.CurrentSpatialLayer);
        Assert.Equal(targetT, f.CurrentTemporalLayer);
    }

    [Fact]
    public void Nothing_is_forwarded_before_a_key_frame_or_without_a_target()
    {
        var f = new Vp9SvcFilter(3, 3, false);
        foreach (var p in Picture(0, key: true, kSvc: false)) Assert.Equal(Vp9FilterResult.DropNoTarget, Run(f, p));
        f.TargetSpatialLayer = 2;
        f.TargetTemporalLayer = 2;
        foreach (var p in Picture(1, key: false, kSvc: false)) Assert.Equal(Vp9FilterResult.DropSpatialLayer, Run(f, p));
        Assert.Equal(-1, f.CurrentSpatialLayer);
        Assert.Equal(Vp9FilterResult.Forward, Run(f, Picture(4, key: true, kSvc: false).First()));
        Assert.Equal(2, f.CurrentSpatialLayer);
    }

    [Fact]
    public void Layers_beyond_those_announced_are_dropped()
    {
        var f = new Vp9SvcFilter(1, 2, false) { TargetSpatialLayer = 0, TargetTemporalLayer = 1 }; // L1T2
        var packets = Picture(0, key: true, kSvc: false).ToList();
        Assert.Equal(Vp9FilterResult.Forward, Run(f, packets[0]));
        Assert.Equal(Vp9FilterResult.DropLayerNotAnnounced, Run(f, packets[2])); // S1
        Assert.Equal(Vp9FilterResult.DropLayerNotAnnounced, Run(f, Picture(1, false, false, 1, tidOverride: 2).First()));
    }

    [Fact]
    public void L1T2_switches_temporal_layers_up_at_U_and_down_at_the_end_of_a_target_frame()
    {
        var f = new Vp9SvcFilter(1, 2, false) { TargetSpatialLayer = 0, TargetTemporalLayer = 0 };
        foreach (var p in Picture(0, true, false, 1)) Run(f, p);
        foreach (var p in Picture(1, false, false, 1, tidOverride: 1)) Assert.Equal(Vp9FilterResult.DropTemporalLayer, Run(f, p));
        f.TargetTemporalLayer = 1;
        foreach (var p in Picture(2, false, false, 1, tidOverride: 0)) Assert.NotEqual(Vp9FilterResult.DropTemporalLayer, Run(f, p));
        Assert.Equal(0, f.CurrentTemporalLayer);
        var t1 = Picture(3, false, false, 1, tidOverride: 1).ToList();
        Assert.Equal(Vp9FilterResult.Forward, Run(f, t1[0]));
        Assert.Equal(1, f.CurrentTemporalLayer);
        Assert.Equal(Vp9FilterResult.ForwardSetMarker, Run(f, t1[1]));

        // Without U the same picture could not be an up-switch point.
        var g = new Vp9SvcFilter(1, 2, false) { TargetSpatialLayer = 0, TargetTemporalLayer = 1 };
        foreach (var p in Picture(0, true, false, 1)) Run(g, p);
        var noU = Picture(1, false, false, 1, tidOverride: 1).First();
        noU.Payload[3] &= 0xEF;
        Assert.Equal(Vp9FilterResult.DropTemporalLayer, Run(g, noU));

        // Down: after the end of the next T0 frame, T1 stops.
        f.TargetTemporalLayer = 0;
        var t1b = Picture(4, false, false, 1, tidOverride: 1).ToList();
        Assert.Equal(Vp9FilterResult.Forward, Run(f, t1b[0]));
        var t0 = Picture(5, false, false, 1, tidOverride: 0).ToList();
        Assert.Equal(Vp9FilterResult.Forward, Run(f, t0[0]));
        Assert.Equal(Vp9FilterResult.ForwardSetMarker, Run(f, t0[1]));
        Assert.Equal(0, f.CurrentTemporalLayer);
        Assert.Equal(Vp9FilterResult.DropTemporalLayer, Run(f, Picture(6, false, false, 1, tidOverride: 1).First()));
    }

    [Fact]
    public void Full_svc_spatial_down_switch_needs_no_key_frame_and_up_switch_waits_for_one()
    {
        var f = new Vp9SvcFilter(3, 3, false) { TargetSpatialLayer = 2, TargetTemporalLayer = 0 };
        foreach (var p in Picture(0, true, false)) Run(f, p);
        Assert.Equal(2, f.CurrentSpatialLayer);

        f.TargetSpatialLayer = 0;
        var pic4 = Picture(4, false, false).ToList();
        Assert.Equal(Vp9FilterResult.Forward, Run(f, pic4[0]));          // S0 start
        Assert.Equal(Vp9FilterResult.ForwardSetMarker, Run(f, pic4[1])); // S0 end: switch point, marker moves down
        Assert.Equal(0, f.CurrentSpatialLayer);
        Assert.All(pic4.Skip(2), p => Assert.Equal(Vp9FilterResult.DropSpatialLayer, Run(f, p)));

        f.TargetSpatialLayer = 2;
        foreach (var p in Picture(8, false, false))
            Assert.Equal(p.Sid == 0 ? (p.End ? Vp9FilterResult.ForwardSetMarker : Vp9FilterResult.Forward) : Vp9FilterResult.DropSpatialLayer, Run(f, p));
        var key = Picture(12, true, false).ToList();
        Assert.All(key, p => Assert.Equal(p.RtpMarker ? Vp9FilterResult.ForwardSetMarker : Vp9FilterResult.Forward, Run(f, p)));
        Assert.Equal(2, f.CurrentSpatialLayer);
    }

    [Fact]
    public void Full_svc_does_not_step_up_at_an_intra_layer_frame_because_the_marker_already_went_out()
    {
        var f = new Vp9SvcFilter(3, 3, false) { TargetSpatialLayer = 0, TargetTemporalLayer = 0 };
        foreach (var p in Picture(0, true, false)) Run(f, p);
        f.TargetSpatialLayer = 2;
        var pic = Picture(4, false, false).ToList();
        pic[2].Payload[0] &= 0xBF; // S1 start with P=0
        Assert.Equal(Vp9FilterResult.Forward, Run(f, pic[0]));
        Assert.Equal(Vp9FilterResult.ForwardSetMarker, Run(f, pic[1]));
        Assert.Equal(Vp9FilterResult.DropSpatialLayer, Run(f, pic[2]));
        Assert.Equal(0, f.CurrentSpatialLayer);
    }

    [Fact]
    public void K_svc_forwards_only_the_target_spatial_layer_between_key_frames()
    {
        var f = new Vp9SvcFilter(3, 3, kSvc: true) { TargetSpatialLayer = 1, TargetTemporalLayer = 2 };
        foreach (var p in Picture(0, true, true))
            Assert.Equal(p.Sid <= 1 ? (p.End && p.Sid == 1 ? Vp9FilterResult.ForwardSetMarker : Vp9FilterResult.Forward) : Vp9FilterResult.DropSpatialLayer, Run(f, p));
        foreach (var p in Picture(4, false, true))
            Assert.Equal(p.Sid == 1 ? (p.End ? Vp9FilterResult.ForwardSetMarker : Vp9FilterResult.Forward) : Vp9FilterResult.DropSpatialLayer, Run(f, p));

        // Down-switch in K-SVC waits for a key frame.
        f.TargetSpatialLayer = 0;
        foreach (var p in Picture(8, false, true))
            Assert.Equal(p.Sid == 1 ? (p.End ? Vp9FilterResult.ForwardSetMarker : Vp9FilterResult.Forward) : Vp9FilterResult.DropSpatialLayer, Run(f, p));
        foreach (var p in Picture(9, true, true))
            Assert.Equal(p.Sid == 0 ? (p.End ? Vp9FilterResult.ForwardSetMarker : Vp9FilterResult.Forward) : Vp9FilterResult.DropSpatialLayer, Run(f, p));
        Assert.Equal(0, f.CurrentSpatialLayer);
    }

    [Fact]
    public void A_reordered_old_packet_is_filtered_but_moves_no_layers()
    {
        var f = new Vp9SvcFilter(3, 3, false) { TargetSpatialLayer = 1, TargetTemporalLayer = 2 };
        var key = Picture(10, true, false).ToList();
        foreach (var p in Picture(12, false, false)) Run(f, p); // nothing yet
        foreach (var p in key) Run(f, p);
        Assert.Equal(1, f.CurrentSpatialLayer);
        // Old picture 9 (before the key frame) at S2 still dropped; at S0 forwarded.
        var old = Picture(9, false, false).ToList();
        Assert.Equal(Vp9FilterResult.DropSpatialLayer, Run(f, old[4]));
        Assert.Equal(Vp9FilterResult.DropTemporalLayer, Run(f, old[0])); // T2 (9 % 4 == 1) while current T0
        f.Reset();
        Assert.Equal(-1, f.CurrentSpatialLayer);
    }
}
