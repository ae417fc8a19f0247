// Pacing a transport's video (the role of libwebrtc's PacedSender, much reduced): a consumer's packets leave
// at once while the transport stays under PacingFactor × its estimate, measured by a leaky budget that may
// run BurstMs ahead; past that they wait in a short queue that the worker's tick drains. Forwarded media is
// bursty in a way an encoder's output is not: a key frame a switch asked for arrives as tens of packets at
// once, and a shallow bottleneck (a tc tbf with a 50 ms queue, a policer's token bucket) drops what exceeds
// its burst. Spread over the estimate, the same key frame gets through.
//
// Constants:
// - PacingFactor 1.5: libwebrtc paces an encoder at 2.5 × its target because the encoder itself keeps to the
//   target on average; an SFU forwards streams chosen to fit the estimate, so the pacer only has to absorb
//   bursts, and a lower factor keeps them under a bottleneck's bucket (15 KB at 450 kbps takes 270 ms, which a
//   300 kbps tbf with a 6 KB bucket passes without loss; at 750 kbps a third of it is lost).
// - BurstMs 30: unused budget is kept for 30 ms at most, so a quiet transport does not save up a burst.
// - MaxQueueMs 500 at the pacing rate, and at most QueueSlots packets: older packets are worth less than the
//   delay they add; past that the oldest is dropped (counted) and the endpoint's NACK may still recover it.
// - Audio and RTCP are never queued (audio is small, steady and the first to be heard when late).
namespace AkkaSfu.Media.Engine;

/// <summary>The budget of a <see cref="Pacer"/>: bytes that may leave now at a rate. Time in ms.</summary>
public struct PacingBudget
{
    public const int BurstMs = 30;
    private long _lastMs;
    private double _bytes;

    /// <summary>Refills at <paramref name="rateBps"/> since the last call (at most <see cref="BurstMs"/> worth).</summary>
    public void Refill(long rateBps, long nowMs)
    {
        var elapsed = Math.Clamp(nowMs - _lastMs, 0, 1000);
        _lastMs = nowMs;
        _bytes = Math.Min(_bytes + rateBps / 8.0 * elapsed / 1000, rateBps / 8.0 * BurstMs / 1000);
    }

    /// <summary>True when something may leave now (the budget is not in debt).</summary>
    public readonly bool CanSend => _bytes >= 0;

    /// <summary>Bytes left (negative: the debt the last packet made).</summary>
    public readonly double Bytes => _bytes;

    public void Spend(int bytes) => _bytes -= bytes;
}

/// <summary>One transport's queue of video packets waiting for the budget (see the file comment). Packet bytes
/// live in the worker's <see cref="PacketPool"/>; this holds slot numbers. Worker thread only.</summary>
internal sealed class Pacer
{
    public const double PacingFactor = 1.5;
    public const int MaxQueueMs = 500;
    public const int QueueSlots = 128;

    private readonly PacketPool _pool;
    private readonly int[] _slot = new int[QueueSlots];
    private readonly int[] _length = new int[QueueSlots];
    private readonly Consumer?[] _owner = new Consumer?[QueueSlots];
    private int _head, _count;
    private long _queuedBytes;
    private PacingBudget _budget;

    private readonly EngineCounters _counters;

    public Pacer(PacketPool pool, EngineCounters counters) => (_pool, _counters) = (pool, counters);

    public int Count => _count;
    public long Dropped { get; private set; }

    /// <summary>Whether a packet of <paramref name="length"/> bytes may go now at <paramref name="rateBps"/>
    /// (charging the budget when it may). Nothing overtakes what is queued.</summary>
    public bool TrySendNow(int length, long rateBps, long nowMs)
    {
        _budget.Refill((long)(rateBps * PacingFactor), nowMs);
        if (_count > 0 || !_budget.CanSend) return false;
        _budget.Spend(length);
        return true;
    }

    /// <summary>Queues a copy of <paramref name="packet"/> (its consumer's RTP, not yet stamped or protected).
    /// Returns false when the worker's pool is out of slots (the caller sends it now instead).</summary>
    public bool Enqueue(Consumer owner, ReadOnlySpan<byte> packet, long rateBps)
    {
        if (packet.Length > PacketPool.SlotSize) return false;
        var maxBytes = (long)(rateBps * PacingFactor / 8 * MaxQueueMs / 1000);
        while (_count > 0 && (_count == QueueSlots || _queuedBytes + packet.Length > maxBytes)) DropOldest();
        var slot = _pool.Rent();
        if (slot < 0) return false;
        packet.CopyTo(_pool.Slot(slot));
        var i = (_head + _count) % QueueSlots;
        (_slot[i], _length[i], _owner[i]) = (slot, packet.Length, owner);
        _count++;
        _queuedBytes += packet.Length;
        return true;
    }

    /// <summary>Sends what the budget allows, oldest first, through <see cref="Transport.SendPaced"/>.</summary>
    public void Drain(Transport transport, long rateBps, long nowMs)
    {
        if (_count == 0) return;
        _budget.Refill((long)(rateBps * PacingFactor), nowMs);
        while (_count > 0 && _budget.CanSend)
        {
            var (slot, length, owner) = (_slot[_head], _length[_head], _owner[_head]);
            Pop();
            _budget.Spend(length);
            if (owner is { IsClosed: false }) transport.SendPaced(owner, _pool.Slot(slot)[..length], nowMs);
            _pool.Return(slot);
        }
    }

    /// <summary>Gives every queued slot back (the transport closes).</summary>
    public void Clear()
    {
        while (_count > 0)
        {
            var slot = _slot[_head];
            Pop();
            _pool.Return(slot);
        }
    }

    private void DropOldest()
    {
        var (slot, owner) = (_slot[_head], _owner[_head]);
        Pop();
        _pool.Return(slot);
        Dropped++;
        // On the owner's transport too (which counts it on the worker), so getTransportStats shows it.
        if (owner is not null) owner.Transport.Count(Drop.PacerOverflow);
        else _counters.Count(Drop.PacerOverflow);
    }

    private void Pop()
    {
        _queuedBytes -= _length[_head];
        _owner[_head] = null;
        _head = (_head + 1) % QueueSlots;
        _count--;
    }
}

/// <summary>Packet-sized slots shared by a worker's pacers: memory for queued packets only where and while
/// something is queued. Worker thread only.</summary>
internal sealed class PacketPool
{
    public const int SlotSize = 1500;
    private readonly byte[] _slab;
    private readonly int[] _free;
    private int _freeCount;

    public PacketPool(int slots)
    {
        _slab = new byte[(long)slots * SlotSize];
        _free = new int[slots];
        for (var i = 0; i < slots; i++) _free[i] = slots - 1 - i;
        _freeCount = slots;
    }

    public int Available => _freeCount;

    /// <summary>A free slot, or -1 when none is left.</summary>
    public int Rent() => _freeCount > 0 ? _free[--_freeCount] : -1;

    public void Return(int slot) => _free[_freeCount++] = slot;

    public Span<byte> Slot(int slot) => _slab.AsSpan(slot * SlotSize, SlotSize);
}
