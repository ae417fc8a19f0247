using AkkaSfu.Media.Codecs;
using static AkkaSfu.Media.Tests.Codecs.DependencyDescriptorTests;
using static AkkaSfu.Media.Tests.Codecs.Vp8PayloadDescriptorTests;

namespace AkkaSfu.Media.Tests.Codecs;

/// <summary>Temporal layers from the Dependency Descriptor: the reader gives each packet its template's temporal id
/// (from the structure of the last key frame), the filter drops frames above the target.</summary>
public class DdTemporalFilterTests
{
    // Chromium's L1T3 (ChromeL1T3KeyFrame): templates 0-4 have temporal ids 0, 0, 1, 2, 2. After the key frame
    // (template 0) its frames cycle T2 (template 3), T1 (2), T2 (4), T0 (1): 30, 15 and 7.5 fps decode targets.
    private static readonly int[] CycleTemplates = [3, 2, 4, 1];

    /// <summary>A packet of a frame that carries no structure: only the 3 mandatory bytes,
    /// |S|E| template_id(6) | frame_number(16) |. Frame 304, template 3, one packet: S=1 E=1 → 0b11_000011 = C3,
    /// then 01 30.</summary>
    [Fact]
    public void A_mandatory_only_descriptor_takes_its_temporal_id_from_the_key_frames_structure()
    {
        var reader = new DependencyDescriptorReader();
        Assert.Equal(DdError.None, reader.TryRead(Hex(ChromeL1T3KeyFrame), out var key));
        Assert.Equal(0, key.TemporalId);
        Assert.Equal(DdError.None, reader.TryRead(Hex("C3 01 30"), out var t2));
        Assert.Equal((304, 3, 2), (t2.FrameNumber, t2.TemplateId, t2.TemporalId));
        Assert.Equal(DdError.None, reader.TryRead(Hex("C2 01 31"), out var t1)); // template 2: T1
        Assert.Equal(1, t1.TemporalId);
        Assert.Equal(DdError.None, reader.TryRead(Hex("C1 01 33"), out var t0)); // template 1: T0
        Assert.Equal(0, t0.TemporalId);
    }

    /// <summary>Frames of a Chromium L1T3 stream, 2 packets each (S on the first, E on the last), read through the
    /// reader: which frames a target forwards. Temporal ids and the frames a decoder of that target needs.</summary>
    private static List<int> ForwardedTemporalIds(int target, int cycles = 3)
    {
        var reader = new DependencyDescriptorReader();
        var filter = new DdTemporalFilter();
        var forwarded = new List<int>();
        void Frame(byte[] first, byte[] last, bool key)
        {
            Assert.Equal(DdError.None, reader.TryRead(first, out var a));
            var f1 = filter.Process(a.StartOfFrame, a.TemporalId, key, target);
            Assert.Equal(DdError.None, reader.TryRead(last, out var b));
            var f2 = filter.Process(b.StartOfFrame, b.TemporalId, false, target);
            Assert.Equal(f1, f2); // a frame goes whole or not at all
            if (f1) forwarded.Add(a.TemporalId);
        }
        var frame = 303;
        var keyFirst = Hex(ChromeL1T3KeyFrame);
        Frame(keyFirst, MandatoryOnly(false, true, 0, frame), key: true);
        for (var c = 0; c < cycles; c++)
            foreach (var template in CycleTemplates)
            {
                frame++;
                Frame(MandatoryOnly(true, false, template, frame), MandatoryOnly(false, true, template, frame), key: false);
            }
        return forwarded;
    }

    [Fact]
    public void Target_0_forwards_the_key_frame_and_the_T0_frames_only_a_quarter_of_them()
    {
        var got = ForwardedTemporalIds(0);
        Assert.Equal([0, 0, 0, 0], got); // key + one T0 per 4-frame cycle: 4 of 13 frames
    }

    [Fact]
    public void Target_1_forwards_T0_and_T1_half_of_the_frames()
    {
        Assert.Equal([0, 1, 0, 1, 0, 1, 0], ForwardedTemporalIds(1));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(int.MaxValue)] // "every layer"
    public void The_top_target_forwards_every_frame(int target)
    {
        Assert.Equal(13, ForwardedTemporalIds(target).Count);
    }

    [Fact]
    public void Going_down_is_at_the_next_frame_going_up_one_layer_at_a_time_at_a_frame_of_that_layer()
    {
        var f = new DdTemporalFilter();
        Assert.True(f.Process(true, 0, isKeyFrame: true, target: 2));   // key: starts at the target
        Assert.Equal(2, f.CurrentTemporalLayer);
        Assert.True(f.Process(true, 2, false, 2));
        Assert.False(f.Process(true, 1, false, 0));                      // target 0: this T1 frame is dropped ...
        Assert.False(f.Process(false, 1, false, 2));                     // ... whole, even if the target rises meanwhile
        Assert.Equal(0, f.CurrentTemporalLayer);
        Assert.False(f.Process(true, 2, false, 2));                      // up to 2: not by a T2 frame (its T1 was dropped)
        Assert.True(f.Process(true, 0, false, 2));
        Assert.True(f.Process(true, 1, false, 2));                       // a T1 frame takes it to 1 ...
        Assert.Equal(1, f.CurrentTemporalLayer);
        Assert.True(f.Process(true, 2, false, 2));                       // ... then a T2 frame to 2
        Assert.Equal(2, f.CurrentTemporalLayer);
    }

    [Fact]
    public void Reset_starts_again_and_the_next_key_frame_decides()
    {
        var f = new DdTemporalFilter();
        f.Process(true, 0, true, 0);
        f.Reset();
        Assert.Equal(-1, f.CurrentTemporalLayer);
        Assert.True(f.Process(true, 0, true, 2));
        Assert.Equal(2, f.CurrentTemporalLayer);
    }
}
