using AkkaSfu.Media.Codecs;

namespace AkkaSfu.Media.Tests.Codecs;

public class Vp8RewriterTests
{
    /// <summary>A simulated VP8 simulcast stream with an L1T3 pattern (T0 T2 T1 T2), two packets per picture.</summary>
    internal sealed class Stream(int pictureId, int tl0, bool shortPictureId = false)
    {
        private int _pic = pictureId, _tl0 = tl0, _frame;
        private static readonly int[] Pattern = [0, 2, 1, 2];

        public List<byte[]> NextPicture(bool key = false)
        {
            if (key) _frame = 0;
            var tid = Pattern[_frame++ % 4];
            if (tid == 0) _tl0 = (_tl0 + 1) & 0xFF;
            _pic = (_pic + 1) & (shortPictureId ? 0x7F : 0x7FFF);
            return [Build(_pic, _tl0, tid, y: tid != 0, start: true, key, shortPictureId), Build(_pic, _tl0, tid, tid != 0, false, false, shortPictureId)];
        }
    }

    internal static byte[] Build(int pic, int tl0, int tid, bool y, bool start, bool key, bool shortPictureId = false)
    {
        var b = new List<byte> { (byte)(0x80 | (start ? 0x10 : 0)), 0xE0 };
        if (shortPictureId) b.Add((byte)(pic & 0x7F));
        else { b.Add((byte)(0x80 | (pic >> 8))); b.Add((byte)pic); }
        b.Add((byte)tl0);
        b.Add((byte)((tid << 6) | (y ? 0x20 : 0)));
        if (start && key) b.AddRange([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
        else if (start) b.AddRange([0x11, 0x02, 0x00, 0xAA]);
        else b.AddRange([0xBB, 0xCC]);
        return b.ToArray();
    }

    private sealed record Out(int PictureId, int Tl0, int Tid, bool Start);

    private static Out Read(byte[] p)
    {
        Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(p, out var d));
        return new Out(d.PictureId, d.Tl0PicIdx, d.TemporalLayer, d.StartOfPartition);
    }

    private static void AssertContinuous(List<Out> output, int pictureIdModulus)
    {
        var pictures = output.Where(o => o.Start).ToList();
        for (var i = 1; i < pictures.Count; i++)
        {
            Assert.Equal((pictures[i - 1].PictureId + 1) % pictureIdModulus, pictures[i].PictureId);
            var tl0Step = (pictures[i].Tl0 - pictures[i - 1].Tl0) & 0xFF;
            Assert.Equal(pictures[i].Tid == 0 ? 1 : 0, tl0Step);
        }
        // Later packets of a picture carry the same ids as its first.
        for (var i = 1; i < output.Count; i++)
            if (!output[i].Start) Assert.Equal(output[i - 1].PictureId, output[i].PictureId);
    }

    [Fact]
    public void Switching_between_three_simulcast_streams_keeps_picture_ids_and_tl0picidx_continuous()
    {
        var streams = new[] { new Stream(100, 10), new Stream(0x7FF0, 200), new Stream(20000, 250) };
        var rewriter = new Vp8Rewriter();
        var output = new List<Out>();
        var schedule = new[] { 0, 1, 2, 0, 2, 1 };
        foreach (var s in schedule)
        {
            var first = true;
            for (var pic = 0; pic < 13; pic++)
            {
                foreach (var p in streams[s].NextPicture(key: pic == 0))
                {
                    var r = rewriter.Process(p, targetTemporalLayer: 2, switchingStream: first);
                    first = false;
                    Assert.Equal(Vp8RewriteResult.Forward, r);
                    output.Add(Read(p));
                }
            }
            // The streams not forwarded keep producing pictures meanwhile.
            foreach (var other in streams.Where((_, i) => i != s)) for (var k = 0; k < 5; k++) other.NextPicture();
        }
        Assert.Equal(6 * 13 * 2, output.Count);
        AssertContinuous(output, 0x8000);
        Assert.Equal(101, output[0].PictureId); // the first stream passes through unchanged
    }

    [Fact]
    public void Seven_bit_picture_ids_stay_seven_bit_and_continuous_across_a_switch_and_the_wrap()
    {
        var streams = new[] { new Stream(120, 1, shortPictureId: true), new Stream(5, 99, shortPictureId: true) };
        var rewriter = new Vp8Rewriter();
        var output = new List<Out>();
        foreach (var s in new[] { 0, 1, 0 })
        {
            var first = true;
            for (var pic = 0; pic < 40; pic++)
                foreach (var p in streams[s].NextPicture(key: pic == 0))
                {
                    Assert.Equal(Vp8RewriteResult.Forward, rewriter.Process(p, 2, first));
                    first = false;
                    Assert.Equal(0, p[2] & 0x80);                                          // M bit stays 0
                    output.Add(Read(p));
                }
        }
        AssertContinuous(output, 128);
    }

    [Theory]
    [InlineData(0, new[] { 0 })]
    [InlineData(1, new[] { 0, 1 })]
    [InlineData(2, new[] { 0, 1, 2 })]
    public void Temporal_layers_above_the_target_are_dropped_without_gaps(int target, int[] forwardedTids)
    {
        var s = new Stream(1000, 0);
        var rewriter = new Vp8Rewriter();
        var output = new List<Out>();
        for (var pic = 0; pic < 20; pic++)
            foreach (var p in s.NextPicture(key: pic == 0))
            {
                var tid = Read(p).Tid;
                var r = rewriter.Process(p, target, false);
                if (forwardedTids.Contains(tid))
                {
                    Assert.Equal(Vp8RewriteResult.Forward, r);
                    output.Add(Read(p));
                }
                else
                {
                    Assert.Equal(Read(p).Start ? Vp8RewriteResult.DropAboveTargetLayer : Vp8RewriteResult.DropDroppedPicture, r);
                }
            }
        Assert.Equal(output.Count, 2 * Enumerable.Range(0, 20).Count(i => forwardedTids.Contains(new[] { 0, 2, 1, 2 }[i % 4])));
        AssertContinuous(output, 0x8000);
    }

    [Fact]
    public void Raising_the_target_waits_for_a_layer_sync_frame()
    {
        var rewriter = new Vp8Rewriter();
        Assert.Equal(Vp8RewriteResult.Forward, rewriter.Process(Build(1, 1, 0, false, true, key: true), 0, false));
        Assert.Equal(0, rewriter.CurrentTemporalLayer);
        Assert.Equal(Vp8RewriteResult.DropAboveTargetLayer, rewriter.Process(Build(2, 1, 1, true, true, false), 0, false));
        // Target raised to 1: a T1 picture without Y cannot be decoded yet.
        Assert.Equal(Vp8RewriteResult.Forward, rewriter.Process(Build(3, 2, 0, false, true, false), 1, false));
        Assert.Equal(Vp8RewriteResult.DropAwaitingLayerSync, rewriter.Process(Build(4, 2, 1, false, true, false), 1, false));
        Assert.Equal(Vp8RewriteResult.DropDroppedPicture, rewriter.Process(Build(4, 2, 1, false, false, false), 1, false));
        Assert.Equal(Vp8RewriteResult.Forward, rewriter.Process(Build(5, 3, 0, false, true, false), 1, false));
        var sync = Build(6, 3, 1, true, true, false);
        Assert.Equal(Vp8RewriteResult.Forward, rewriter.Process(sync, 1, false));
        Assert.Equal(1, rewriter.CurrentTemporalLayer);
        Assert.Equal(4, Read(sync).PictureId); // 2 and 4 were dropped: 1,3,5,6 → 1,2,3,4
        // Lowering the target takes effect at once.
        Assert.Equal(Vp8RewriteResult.DropAboveTargetLayer, rewriter.Process(Build(7, 3, 1, true, true, false), 0, false));
    }

    [Fact]
    public void Malformed_payload_is_a_drop_not_a_throw()
    {
        var rewriter = new Vp8Rewriter();
        Assert.Equal(Vp8RewriteResult.DropMalformed, rewriter.Process(new byte[] { 0x80, 0x80 }, 2, false));
        Assert.Equal(Vp8RewriteResult.DropMalformed, rewriter.Process(Span<byte>.Empty, 2, false));
    }

    [Fact]
    public void Packets_without_picture_id_or_tid_are_forwarded_untouched()
    {
        var rewriter = new Vp8Rewriter();
        var p = Vp8PayloadDescriptorTests.Hex("10 00 00 00 9d 01 2a 80 02 e0 01");
        var copy = (byte[])p.Clone();
        Assert.Equal(Vp8RewriteResult.Forward, rewriter.Process(p, 0, true));
        Assert.Equal(copy, p);
    }
}
