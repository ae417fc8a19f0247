using AkkaSfu.Media.Codecs;

namespace AkkaSfu.Media.Tests.Codecs;

public class WrappingIdMapperTests
{
    private static int Map(WrappingIdMapper m, int input)
    {
        Assert.Equal(IdMapResult.Mapped, m.Input(input, out var o));
        return o;
    }

    [Fact]
    public void Passes_ids_through_until_something_is_dropped()
    {
        var m = new WrappingIdMapper(15);
        Assert.Equal(100, Map(m, 100));
        Assert.Equal(101, Map(m, 101));
        Assert.Equal(101, Map(m, 101));
    }

    [Fact]
    public void Dropped_ids_leave_no_gap_and_stay_dropped()
    {
        var m = new WrappingIdMapper(15);
        Assert.Equal(10, Map(m, 10));
        Assert.True(m.Drop(11));
        Assert.Equal(IdMapResult.WasDropped, m.Input(11, out _));
        Assert.Equal(11, Map(m, 12));
        Assert.True(m.Drop(13));
        Assert.True(m.Drop(14));
        Assert.Equal(12, Map(m, 15));
        // A reordered id between drops maps consistently with the drops below it.
        Assert.Equal(11, Map(m, 12));
        Assert.Equal(10, Map(m, 10));
    }

    [Fact]
    public void Drop_of_an_id_not_newer_than_the_newest_is_refused()
    {
        var m = new WrappingIdMapper(15);
        Map(m, 10);
        Assert.False(m.Drop(10));
        Assert.False(m.Drop(9));
        Assert.Equal(11, Map(m, 11));
    }

    [Fact]
    public void Sync_continues_from_the_last_output_without_jumping_back()
    {
        var m = new WrappingIdMapper(15);
        Map(m, 500);
        Map(m, 501);
        m.Sync(9000);
        Assert.Equal(502, Map(m, 9000));
        Assert.Equal(503, Map(m, 9001));
        m.Sync(3);
        Assert.Equal(504, Map(m, 3));
    }

    [Theory]
    [InlineData(15, 0x7ffe)]
    [InlineData(8, 254)]
    [InlineData(7, 126)]
    public void Wraps_at_the_id_width(int bits, int start)
    {
        var m = new WrappingIdMapper(bits);
        var mask = (1 << bits) - 1;
        Assert.Equal(start, Map(m, start));
        Assert.True(m.Drop((start + 1) & mask));
        Assert.Equal((start + 1) & mask, Map(m, (start + 2) & mask));
        Assert.Equal((start + 2) & mask, Map(m, (start + 3) & mask));
        Assert.True(m.IsNewer(0, mask));
        Assert.False(m.IsNewer(mask, 0));
    }

    [Fact]
    public void Extend_places_a_narrow_id_next_to_the_newest_input()
    {
        var m = new WrappingIdMapper(15);
        Map(m, 1000); // 1000 & 127 = 104
        Assert.Equal(1001, m.Extend(105, 7));
        Assert.Equal(1000 - 104 + 128 + 2, m.Extend(2, 7)); // 7-bit wrap forward
        Assert.Equal(999, m.Extend(103, 7));
    }

    [Fact]
    public void Drops_older_than_the_reorder_window_are_folded_and_older_ids_refused()
    {
        var m = new WrappingIdMapper(15, reorderWindow: 4);
        Map(m, 0);
        m.Drop(1);
        Assert.Equal(1, Map(m, 2));
        Assert.Equal(5, Map(m, 6));      // window 4: drop 1 is 5 behind, folded into the offset
        Assert.Equal(0, m.DroppedCount);
        Assert.Equal(IdMapResult.TooOld, m.Input(1, out _));
        Assert.Equal(6, Map(m, 7));
    }

    [Fact]
    public void A_full_drop_list_folds_its_oldest_entry()
    {
        var m = new WrappingIdMapper(15, reorderWindow: 8);
        Map(m, 0);
        for (var i = 1; i <= 8; i++) m.Drop(i * 1 + 0);
        Assert.Equal(8, m.DroppedCount);
        m.Drop(9);                    // 9th drop: list is full, oldest (1) folded
        Assert.Equal(8, m.DroppedCount);
        Assert.Equal(1, Map(m, 10));
        Assert.Equal(IdMapResult.TooOld, m.Input(1, out _));
    }
}
