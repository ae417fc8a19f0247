using AkkaSfu.Media.Rtp;
using Xunit;

namespace AkkaSfu.Media.Tests.Rtp;

public class SeqNumTests
{
    [Theory]
    [InlineData(1, 0, true)]
    [InlineData(0, 1, false)]
    [InlineData(0, 0xFFFF, true)]      // wrap
    [InlineData(0xFFFF, 0, false)]
    [InlineData(5, 5, false)]
    [InlineData(0x7FFF, 0, true)]
    [InlineData(0x8000, 0, true)]      // ambiguous half: larger wins
    [InlineData(0, 0x8000, false)]
    [InlineData(0x8001, 0, false)]     // more than half ahead = behind
    [InlineData(0, 0x8001, true)]
    [InlineData(100, 65500, true)]
    public void IsNewer_table(int a, int b, bool expected)
    {
        Assert.Equal(expected, SeqNum.IsNewer((ushort)a, (ushort)b));
        if (a != b) Assert.Equal(!expected, SeqNum.IsOlder((ushort)a, (ushort)b));
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(0, 1, -1)]
    [InlineData(0, 0xFFFF, 1)]
    [InlineData(0xFFFF, 0, -1)]
    [InlineData(10, 65530, 16)]
    [InlineData(0x8000, 0, 0x8000)]
    [InlineData(0, 0x8000, -0x8000)]
    public void Diff_table(int a, int b, int expected)
        => Assert.Equal(expected, SeqNum.Diff((ushort)a, (ushort)b));

    [Theory]
    [InlineData(0, 0xFFFF, 0)]
    [InlineData(0xFFFF, 0, 0)]
    [InlineData(3, 2, 3)]
    [InlineData(0x8000, 0, 0x8000)]
    public void Max_table(int a, int b, int expected)
        => Assert.Equal((ushort)expected, SeqNum.Max((ushort)a, (ushort)b));

    [FsCheck.Xunit.Property]
    public bool IsNewer_is_antisymmetric(ushort a, ushort b)
        => a == b ? !SeqNum.IsNewer(a, b) && !SeqNum.IsNewer(b, a) : SeqNum.IsNewer(a, b) ^ SeqNum.IsNewer(b, a);

    [FsCheck.Xunit.Property]
    public bool Diff_agrees_with_IsNewer(ushort a, ushort b)
        => SeqNum.IsNewer(a, b) == (SeqNum.Diff(a, b) > 0) && (ushort)(b + SeqNum.Diff(a, b)) == a;

    [Fact]
    public void Unwrapper_follows_forward_wrap_and_reordering()
    {
        var u = new SeqUnwrapper();
        long[] got =
        [
            u.Unwrap(65534), u.Unwrap(65535), u.Unwrap(0), u.Unwrap(1), u.Unwrap(65535), // late packet
            u.Unwrap(2), u.Unwrap(32768 + 2), u.Unwrap(65535), u.Unwrap(10),
        ];
        long[] expected = [65534, 65535, 65536, 65537, 65535, 65538, 65538 + 32768, 131071, 131082];
        Assert.Equal(expected, got);
    }

    [Fact]
    public void Unwrapper_goes_negative_when_stepping_back_past_start()
    {
        var u = new SeqUnwrapper();
        Assert.Equal(1, u.Unwrap(1));
        Assert.Equal(-1, u.Unwrap(65535));
        Assert.Equal(0, u.Unwrap(0));
    }

    [Fact]
    public void Peek_does_not_move_reference()
    {
        var u = new SeqUnwrapper();
        u.Unwrap(65535);
        Assert.Equal(65536 + 100, u.PeekUnwrap(100));
        Assert.Equal(65535, u.Last);
    }

    [Theory]
    [InlineData(1u, 0u, true)]
    [InlineData(0u, 0xFFFF_FFFFu, true)]
    [InlineData(0x8000_0000u, 0u, true)]
    [InlineData(0u, 0x8000_0000u, false)]
    [InlineData(0x8000_0001u, 0u, false)]
    [InlineData(7u, 7u, false)]
    public void Ts_IsNewer_table(uint a, uint b, bool expected) => Assert.Equal(expected, TsNum.IsNewer(a, b));

    [Fact]
    public void Ts_unwrapper_wraps_forward()
    {
        var u = new TsUnwrapper();
        Assert.Equal(0xFFFF_FF00L, u.Unwrap(0xFFFF_FF00u));
        Assert.Equal(0x1_0000_0010L, u.Unwrap(0x10u));
        Assert.Equal(0xFFFF_FFF0L, u.Unwrap(0xFFFF_FFF0u));
        Assert.Equal(-3000 + 0xFFFF_FFF0L, u.Unwrap(0xFFFF_FFF0u - 3000));
        Assert.Equal(0x1_0000_0000L + 90000, u.Unwrap(90000));
        Assert.Equal(5L, TsNum.Diff(5, 0));
        Assert.Equal(-5L, TsNum.Diff(0xFFFF_FFFBu, 0));
        Assert.Equal(3u, TsNum.Max(3, 0xFFFF_FFF0u));
    }
}
