using AkkaSfu.Media.Engine;

namespace AkkaSfu.Media.Tests.Engine;

public class PacerTests
{
    [Fact]
    public void The_budget_refills_at_the_rate_and_keeps_at_most_its_burst()
    {
        var b = new PacingBudget();
        b.Refill(800_000, 0);                 // 100 B/ms
        Assert.Equal(0, b.Bytes);
        b.Refill(800_000, 10);
        Assert.Equal(1000, b.Bytes, 3);
        b.Refill(800_000, 1000);              // a quiet second keeps only BurstMs worth
        Assert.Equal(100 * PacingBudget.BurstMs, b.Bytes, 3);
        b.Spend(5000);
        Assert.False(b.CanSend);
        b.Refill(800_000, 1020);              // 2 KB of debt paid back after 20 ms
        Assert.True(b.CanSend);
        b.Refill(800_000, 900);               // time going back refills nothing
        Assert.True(b.Bytes >= 0);
    }

    [Fact]
    public void Packets_wait_once_the_budget_is_spent_and_nothing_overtakes_the_queue()
    {
        var pool = new PacketPool(16);
        var pacer = new Pacer(pool, new EngineCounters());
        const long rate = 1_000_000; // paced at 1.5 Mbps: 187.5 B/ms, burst 30 ms = 5.6 KB
        pacer.TrySendNow(100, rate, 0);        // starts the budget's clock
        var sent = 0;
        for (var i = 0; i < 10; i++)
            if (pacer.TrySendNow(1200, rate, 30)) sent++;
            else Assert.True(pacer.Enqueue(null!, new byte[1200], rate));
        Assert.InRange(sent, 1, 6);
        Assert.Equal(10 - sent, pacer.Count);
        Assert.False(pacer.TrySendNow(100, rate, 10_000)); // a full budget, but the queue goes first
        pacer.Clear();
        Assert.Equal(16, pool.Available);
    }

    [Fact]
    public void A_full_queue_drops_its_oldest_and_an_empty_pool_refuses()
    {
        var counters = new EngineCounters();
        var pool = new PacketPool(Pacer.QueueSlots + 4);
        var pacer = new Pacer(pool, counters);
        const long rate = 100_000_000; // so only the slot count limits
        for (var i = 0; i < Pacer.QueueSlots + 3; i++) Assert.True(pacer.Enqueue(null!, new byte[1000], rate));
        Assert.Equal(Pacer.QueueSlots, pacer.Count);
        Assert.Equal(3, pacer.Dropped);
        Assert.Equal(3, counters[Drop.PacerOverflow]);
        Assert.Equal(4, pool.Available); // dropped slots went back

        // 500 ms at the pacing rate bounds the bytes: at 100 kbps (150 kbps paced) that is ~9.4 KB.
        var slow = new Pacer(pool, counters);
        pacer.Clear();
        for (var i = 0; i < 20; i++) slow.Enqueue(null!, new byte[1000], 100_000);
        Assert.InRange(slow.Count, 8, 10);

        Assert.False(slow.Enqueue(null!, new byte[PacketPool.SlotSize + 1], 100_000)); // larger than a slot
        var tiny = new Pacer(new PacketPool(1), counters);
        Assert.True(tiny.Enqueue(null!, new byte[10], rate));
        var other = new Pacer(new PacketPool(0), counters);
        Assert.False(other.Enqueue(null!, new byte[10], rate));
    }
}
