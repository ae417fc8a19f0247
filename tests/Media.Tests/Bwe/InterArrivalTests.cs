using AkkaSfu.Media.Bwe;

namespace AkkaSfu.Media.Tests.Bwe;

public class InterArrivalTests
{
    private readonly record struct Delta(double SendMs, double ArrivalMs, int Size);

    // Feeds (send µs, arrival µs, size) in order and collects the deltas produced.
    private static List<Delta> Run(InterArrival ia, params (long Send, long Arrival, int Size)[] packets)
    {
        var deltas = new List<Delta>();
        foreach (var (send, arrival, size) in packets)
            if (ia.ComputeDeltas(send, arrival, arrival, size, out double s, out double a, out int d))
                deltas.Add(new Delta(s, a, d));
        return deltas;
    }

    [Fact]
    public void Packets_within_5ms_of_send_form_one_group_and_deltas_come_between_complete_groups()
    {
        var ia = new InterArrival();
        var deltas = Run(ia,
            (0, 20_000, 100), (1_000, 21_000, 100), (2_000, 22_500, 100), // group 1 (send 0..2 ms)
            (10_000, 31_000, 300), (11_000, 33_000, 300),                 // group 2
            (20_000, 41_000, 100),                                        // group 3 opens: 1→2 ready
            (30_000, 52_000, 100));                                       // group 4 opens: 2→3 ready
        Assert.Equal(2, deltas.Count);
        Assert.Equal(new Delta(9, 10.5, 300), deltas[0]);  // last sends 2→11 ms, completions 22.5→33 ms
        Assert.Equal(new Delta(9, 8, -500), deltas[1]);
    }

    [Fact]
    public void A_packet_sent_before_the_current_group_is_ignored()
    {
        var ia = new InterArrival();
        var deltas = Run(ia,
            (0, 20_000, 100), (10_000, 30_000, 100),
            (5_000, 31_000, 100), // sent before group 2 began: reordered
            (20_000, 40_000, 100));
        Assert.Equal(1, ia.ReorderedPackets);
        Assert.Equal([new Delta(10, 10, 0)], deltas);
    }

    [Fact]
    public void A_burst_released_together_joins_the_group_even_if_sent_apart()
    {
        // Sends 10 ms apart, but the second arrives 1 ms after the first (negative propagation delta,
        // arrival gap ≤ 5 ms): one burst, so no new group until the third.
        var ia = new InterArrival();
        var deltas = Run(ia,
            (0, 50_000, 100), (10_000, 51_000, 100),
            (30_000, 70_000, 100), (40_000, 80_000, 100));
        Assert.Equal([new Delta(20, 19, -100)], deltas);
    }

    [Fact]
    public void A_jump_of_the_remote_clock_beyond_3s_resets()
    {
        // The arrival clock jumps 5 s between groups 2 and 3 while the local clock moves 10 ms.
        var ia = new InterArrival();
        var produced = new List<bool>();
        foreach (var (send, arrival) in new (long, long)[] { (0, 100_000), (10_000, 110_000), (20_000, 5_120_000), (30_000, 5_130_000), (40_000, 5_140_000) })
            produced.Add(ia.ComputeDeltas(send, arrival, send, 100, out _, out _, out _));
        Assert.Equal([false, false, true, false, false], produced);
        Assert.Equal(1, ia.Resets);
    }
}
