// RFC 3711 Appendix A index estimation and §3.3.2 replay window, as tables.
using AkkaSfu.Media.Srtp;
using Xunit;

namespace AkkaSfu.Media.Tests.Srtp;

public class SrtpIndexTests
{
    [Theory]
    [InlineData(0x0_0010UL, (ushort)0x0011, true, 0x0_0011UL)]      // next
    [InlineData(0x0_0010UL, (ushort)0x0005, true, 0x0_0005UL)]      // a bit late
    [InlineData(0x0_FFF0UL, (ushort)0x0002, true, 0x1_0002UL)]      // wrap forward
    [InlineData(0x1_0002UL, (ushort)0xFFF0, true, 0x0_FFF0UL)]      // late from before the wrap
    [InlineData(0x0_0002UL, (ushort)0xFFF0, false, 0UL)]            // would need ROC -1
    [InlineData(0x5_8000UL, (ushort)0x0000, true, 0x5_0000UL)]      // s_l = 32768: SEQ 0 is behind (same ROC)
    [InlineData(0x5_8001UL, (ushort)0x0000, true, 0x6_0000UL)]      // s_l - 32768 > SEQ: next ROC
    [InlineData(0x5_0000UL, (ushort)0x8000, true, 0x5_8000UL)]      // SEQ - s_l = 32768: same ROC
    [InlineData(0x5_0000UL, (ushort)0x8001, true, 0x4_8001UL)]      // SEQ - s_l > 32768: previous ROC
    [InlineData(0xFFFF_FFFF_FFF0UL, (ushort)0x0001, false, 0UL)]    // ROC would pass 2^32 - 1
    public void Estimate(ulong highest, ushort seq, bool ok, ulong expected)
    {
        Assert.Equal(ok, SrtpIndex.TryEstimate(highest, seq, out ulong index));
        if (ok) Assert.Equal(expected, index);
    }

    [Fact]
    public void Replay_window_shifts_across_word_boundaries()
    {
        var w = new SrtpReplayWindow();
        w.Init(1000);
        Assert.Equal(SrtpError.Replayed, w.Check(1000));
        Assert.Equal(SrtpError.None, w.Check(999));
        Assert.Equal(SrtpError.None, w.Check(1001));
        w.Commit(900);                                   // 100 behind: hi word
        Assert.Equal(SrtpError.Replayed, w.Check(900));
        w.Commit(1030);                                  // shift 30: 900 now 130 behind
        Assert.Equal(SrtpError.TooOld, w.Check(900));
        Assert.Equal(SrtpError.Replayed, w.Check(1000)); // 30 behind, lo word
        w.Commit(1100);                                  // shift 70: 1000 now 100 behind (hi), 1030 70 behind
        Assert.Equal(SrtpError.Replayed, w.Check(1000));
        Assert.Equal(SrtpError.Replayed, w.Check(1030));
        Assert.Equal(SrtpError.None, w.Check(1029));
        Assert.Equal(SrtpError.TooOld, w.Check(1100 - 128));
        Assert.Equal(SrtpError.None, w.Check(1100 - 127));
        w.Commit(1100 + 64);                             // shift exactly 64
        Assert.Equal(SrtpError.Replayed, w.Check(1100));
        Assert.Equal(SrtpError.TooOld, w.Check(1030));
        w.Commit(5000);                                  // shift >= 128 clears
        Assert.Equal(SrtpError.Replayed, w.Check(5000));
        Assert.Equal(SrtpError.None, w.Check(4999));
        Assert.Equal(SrtpError.None, w.Check(5000 - 127));
        Assert.Equal(5000UL, w.Highest);
    }

    [Fact]
    public void Replay_window_matches_a_set_model()
    {
        var rnd = new Random(3);
        var w = new SrtpReplayWindow();
        w.Init(500);
        var seen = new HashSet<ulong> { 500 };
        ulong highest = 500;
        for (int i = 0; i < 20000; i++)
        {
            ulong idx = (ulong)Math.Max(0, (long)highest + rnd.Next(-200, 80));
            SrtpError want = idx > highest ? SrtpError.None
                : highest - idx >= SrtpReplayWindow.Size ? SrtpError.TooOld
                : seen.Contains(idx) ? SrtpError.Replayed : SrtpError.None;
            Assert.Equal(want, w.Check(idx));
            if (want == SrtpError.None)
            {
                w.Commit(idx);
                seen.Add(idx);
                highest = Math.Max(highest, idx);
            }
        }
    }
}
