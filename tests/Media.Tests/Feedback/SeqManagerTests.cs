using AkkaSfu.Media.Feedback;

namespace AkkaSfu.Media.Tests.Feedback;

/// <summary>Cases in the spirit of mediasoup's TestSeqManager.cpp (rewritten): each step is an input seq,
/// the expected output, and whether the step syncs first (Sync(input − 1)), drops the input, or offsets.</summary>
public class SeqManagerTests
{
    private readonly record struct Step(int In, int Out, bool Sync = false, bool Drop = false, int Offset = 0, int MaxIn = -1);

    private static Step S(int i, int o) => new(i, o);
    private static Step Sync(int i, int o) => new(i, o, Sync: true);
    private static Step Drop(int i) => new(i, 0, Drop: true);

    private static void Run(params Step[] steps)
    {
        var m = new SeqManager();
        int k = 0;
        foreach (var s in steps)
        {
            if (s.Sync) m.Sync((ushort)(s.In - 1));
            if (s.Offset != 0) m.Offset((ushort)s.Offset);
            if (s.Drop) m.Drop((ushort)s.In);
            else
            {
                Assert.True(m.Input((ushort)s.In, out ushort output), $"step {k}: input {s.In} refused");
                Assert.True(s.Out == output, $"step {k}: input {s.In} → {output}, expected {s.Out}");
            }
            if (s.MaxIn >= 0) Assert.Equal(s.MaxIn, m.MaxInput);
            k++;
        }
    }

    [Fact] public void Ordered_no_sync_no_drop() => Run(Enumerable.Range(0, 12).Select(i => S(i, i)).ToArray());

    [Fact] public void Ordered_with_sync() => Run(S(0, 0), S(1, 1), S(2, 2), Sync(80, 3), S(81, 4), S(82, 5), S(83, 6));

    [Fact]
    public void Ordered_with_sync_and_drops() => Run(
        S(0, 0), S(1, 1), S(2, 2), S(3, 3), Sync(4, 4), S(5, 5), S(6, 6), Sync(7, 7),
        Drop(8), S(9, 8), Drop(11), S(10, 9), S(12, 10));

    [Fact] public void Ordered_across_wrap() => Run(S(65533, 65533), S(65534, 65534), S(65535, 65535), S(0, 0), S(1, 1));

    [Fact] public void Big_jump_is_kept() => Run(S(0, 0), S(1, 1), S(1000, 1000), S(1001, 1001));

    [Fact] public void Drop_before_a_jump() => Run(S(0, 0), Drop(1), S(100, 99), S(100, 99), Drop(103), S(101, 100));

    [Fact] public void Drops_after_a_jump() => Run(S(0, 0), S(1, 1), Drop(100), Drop(103), S(101, 100));

    [Fact] public void Older_and_newer_than_a_drop() => Run(S(0, 0), Drop(2), S(3, 2), S(4, 3), S(1, 1));

    [Fact]
    public void Mixed_syncs_and_drops() => Run(
        S(0, 0), S(1, 1), S(2, 2), S(3, 3), S(7, 7), Drop(6) /* older than 7: ignored */, S(8, 8), S(10, 10), S(9, 9),
        S(11, 11), Sync(0, 12), S(2, 14), S(3, 15), S(4, 16), S(10, 22), Drop(9) /* ignored */, Sync(61, 23),
        S(62, 24), S(65, 27), Sync(11, 28), S(12, 29), Sync(1, 30), S(2, 31), Sync(65533, 32), S(65534, 33),
        S(65535, 34), Sync(0, 35), S(1, 36), Drop(3), S(4, 38), S(5, 39) /* a dropped seq still leaves the gap 2 */);

    [Fact]
    public void Offset_shifts_future_outputs() => Run(S(0, 0), S(1, 1), S(2, 2), new Step(80, 23, Sync: true, Offset: 20), S(81, 24), S(82, 25));

    [Fact]
    public void Many_drops_at_the_start() => Run(
        new[] { S(1, 1) }.Concat(Enumerable.Range(2, 8).Select(Drop)).Concat(Enumerable.Range(120, 20).Select(i => S(i, i - 8))).ToArray());

    [Fact]
    public void Many_drops_at_the_start_then_half_range() => Run(
        new[] { S(1, 1) }.Concat(Enumerable.Range(2, 8).Select(Drop)).Concat(Enumerable.Range(32768, 13).Select(i => S(i, i - 8))).ToArray());

    [Fact]
    public void Sync_and_drops_near_the_wrap() => Run(
        new Step(65530, 1, Sync: true, MaxIn: 65530), new Step(65531, 2, MaxIn: 65531), S(65532, 3),
        new Step(65533, 0, Drop: true, MaxIn: 65533), Drop(65534), S(65535, 4), new Step(0, 5, MaxIn: 0), S(1, 6), S(2, 7), S(3, 8));

    [Fact]
    public void Old_input_keeps_its_output_after_a_later_drop() => Run(Sync(10, 1), S(11, 2), S(12, 3), S(13, 4), Drop(14), S(15, 5), S(12, 3));

    [Fact]
    public void Dropped_input_is_refused()
    {
        var m = new SeqManager();
        m.Input(1, out _);
        m.Drop(2);
        Assert.False(m.Input(2, out _));
        Assert.True(m.Input(3, out ushort o));
        Assert.Equal(2, o);
    }

    [Fact]
    public void Three_rollovers()
    {
        var m = new SeqManager();
        m.Sync(65535);
        Assert.True(m.Input(0, out ushort o)); Assert.Equal(1, o);
        for (int round = 0; round < 3; round++)
            for (int i = 1; i < 65535; i++)
            {
                m.Input((ushort)i, out o);
                if (o != (ushort)(i + 1)) Assert.Fail($"round {round}: {i} → {o}");
            }
    }

    [Fact]
    public void Drops_far_behind_fold_into_the_base()
    {
        var m = new SeqManager();
        m.Input(0, out _);
        m.Drop(1);
        m.Drop(2);
        Assert.Equal(2, m.PendingDrops);
        ushort o = 0;
        for (int i = 3; i < 3 + SeqManager.FoldWindow + 10; i++) m.Input((ushort)i, out o);
        Assert.Equal(0, m.PendingDrops);
        Assert.Equal((ushort)(3 + SeqManager.FoldWindow + 9 - 2), o);
        for (int i = 0; i < 70_000; i++) m.Drop((ushort)(i + 20_000)); // ring growth stays bounded by the window
        Assert.InRange(m.PendingDrops, 1, SeqManager.FoldWindow + 1);
    }
}
