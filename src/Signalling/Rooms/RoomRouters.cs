using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>One router of a room: a room has one per (node, worker) it uses. <see cref="Ready"/> completes when the
/// router exists (it is being created while the first peers are placed on it).</summary>
public sealed class RouterSlot
{
    internal RouterSlot(Address node, Task<RouterCreated> ready, bool main)
    {
        Node = node;
        Ready = ready;
        Main = main;
    }

    /// <summary>The node it is on (this node's full address, never a local one).</summary>
    public Address Node { get; }
    public Task<RouterCreated> Ready { get; }
    /// <summary>The room's first router, on the room's node: the active speaker observer's.</summary>
    public bool Main { get; }
    /// <summary>Set on the room's thread once <see cref="Ready"/> completed.</summary>
    public RouterCreated? Created { get; internal set; }
    /// <summary>The peers (and broadcasters) whose transports it carries.</summary>
    public HashSet<string> Peers { get; } = new();
    /// <summary>Consumers on its transports (made or being made).</summary>
    public int Consumers { get; internal set; }
    /// <summary>False once it is gone (its worker or node lost).</summary>
    public bool Alive { get; internal set; } = true;
}

/// <summary>Where a room's peers go (pure: no actor system). A new peer's transports go to the least loaded router
/// of its target node (the room's, or the one its WebSocket landed on) that its consumers fit in; else to a new
/// router on another worker of that node; else the same on the room's node; else to the least loaded router of
/// the room on another node that it fits in; else to a new router on the node where the room has fewest; else
/// (every worker of every node used) to the least loaded router anyway. A router's load is projected, so
/// peers joining together spread before their consumers exist: every peer on it consuming every other peer's
/// producers, or its actual consumers when more.</summary>
public sealed class RoomRouters
{
    private readonly List<RouterSlot> _slots = new();
    private readonly Dictionary<string, RouterSlot> _peerSlot = new();
    private readonly Dictionary<Address, int> _nodeWorkers = new();

    public RoomRouters(RoomSettings settings, Address self, int selfWorkers)
    {
        Settings = settings;
        Self = self;
        _nodeWorkers[self] = Math.Max(1, selfWorkers);
    }

    public RoomSettings Settings { get; }
    public Address Self { get; }
    public IReadOnlyList<RouterSlot> Slots => _slots;
    public RouterSlot Main => _slots.First(s => s.Main);

    /// <summary>A node's worker count, once known (unknown nodes count as one worker).</summary>
    public void SetWorkers(Address node, int workers) => _nodeWorkers[node] = Math.Max(1, workers);

    public int WorkersOf(Address node) => _nodeWorkers.GetValueOrDefault(node, 1);

    public RouterSlot Add(Address node, Task<RouterCreated> ready, bool main = false)
    {
        var slot = new RouterSlot(node, ready, main);
        _slots.Add(slot);
        return slot;
    }

    public RouterSlot? SlotOf(string peerId) => _peerSlot.GetValueOrDefault(peerId);

    public RouterSlot? SlotOfRouter(IActorRef router) => _slots.FirstOrDefault(s => s.Created is { } c && c.Router.Equals(router));

    public void Assign(string peerId, RouterSlot slot)
    {
        if (_peerSlot.TryGetValue(peerId, out var old)) old.Peers.Remove(peerId);
        _peerSlot[peerId] = slot;
        slot.Peers.Add(peerId);
    }

    public void Forget(string peerId)
    {
        if (_peerSlot.Remove(peerId, out var slot)) slot.Peers.Remove(peerId);
    }

    /// <summary>The slot is gone: the peers it carried (they must reconnect).</summary>
    public IReadOnlyList<string> Remove(RouterSlot slot)
    {
        slot.Alive = false;
        _slots.Remove(slot);
        var peers = slot.Peers.ToArray();
        foreach (var p in peers) _peerSlot.Remove(p);
        return peers;
    }

    /// <summary>Where a peer goes.</summary>
    public abstract record Decision
    {
        private Decision() { }
        public sealed record Existing(RouterSlot Slot) : Decision;
        /// <summary>A new router on <paramref name="Node"/>, on a worker none of the room's routers there uses.</summary>
        public sealed record NewRouter(Address Node) : Decision;
    }

    /// <summary>Places <paramref name="peerId"/> (already placed: its router). <paramref name="peers"/>: peers in the
    /// room, this one included; <paramref name="producersPerPeer"/>: producers per producing peer so far (2 if none);
    /// <paramref name="upNodes"/>: the cluster's Up members (this node alone when not clustered).</summary>
    public Decision Place(string peerId, Address target, int peers, double producersPerPeer, IReadOnlyCollection<Address> upNodes)
    {
        if (_peerSlot.TryGetValue(peerId, out var placed)) return new Decision.Existing(placed);
        var cost = Math.Max(0, peers - 1) * producersPerPeer;
        bool Fits(RouterSlot s) => Projected(s, peers, producersPerPeer) + cost <= Settings.MaxConsumersPerRouter;
        RouterSlot? BestFit(IEnumerable<RouterSlot> slots) => slots.Where(Fits).OrderBy(s => Projected(s, peers, producersPerPeer)).FirstOrDefault();
        bool HasFreeWorker(Address node) => _slots.Count(s => s.Node.Equals(node)) < WorkersOf(node);

        // The target node (then the room's): a router there that fits, else a new one on a free worker there.
        var first = target.Equals(Self) ? new[] { target } : [target, Self];
        foreach (var node in first)
        {
            if (BestFit(_slots.Where(s => s.Node.Equals(node))) is { } fit) return new Decision.Existing(fit);
            if (HasFreeWorker(node)) return new Decision.NewRouter(node);
        }
        // Then the other nodes: a router of the room there that fits, else a new one on the node with the fewest.
        var others = upNodes.Where(n => !first.Contains(n)).ToArray();
        if (BestFit(_slots.Where(s => others.Contains(s.Node))) is { } elsewhere) return new Decision.Existing(elsewhere);
        var fresh = others.Where(HasFreeWorker)
            .OrderBy(n => _slots.Count(s => s.Node.Equals(n))).ThenBy(n => n.ToString(), StringComparer.Ordinal).FirstOrDefault();
        if (fresh is not null) return new Decision.NewRouter(fresh);
        var least = _slots.OrderBy(s => s.Node.Equals(target) ? 0 : 1).ThenBy(s => Projected(s, peers, producersPerPeer)).First();
        return new Decision.Existing(least);
    }

    /// <summary>A router's projected consumers: every peer on it consuming every other peer's producers, or its
    /// actual consumers when more.</summary>
    public static double Projected(RouterSlot slot, int peers, double producersPerPeer) =>
        Math.Max(slot.Consumers, slot.Peers.Count * Math.Max(0, peers - 1) * producersPerPeer);
}
