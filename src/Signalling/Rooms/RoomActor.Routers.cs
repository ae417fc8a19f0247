using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Signalling.Protocol;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>How a room spreads: one router per (node, worker) it uses (<see cref="RoomRouters"/> decides where each
/// peer goes), each producer piped once to every router of the room that has a consumer of it, unused pipes
/// closed after a grace period, and the peers of a lost router sent to reconnect.</summary>
public sealed partial class RoomActor
{
    /// <summary>A router being added to the room is there (or could not be made).</summary>
    private sealed record SlotReady(RouterSlot Slot, RouterCreated? Created, Exception? Error);

    /// <summary>A node's worker count (the answer to GetWorkers from its workers actor).</summary>
    private sealed record NodeWorkers(Address Node, int Workers);

    /// <summary>A consumer request failed: it no longer counts on its router or its pipe.</summary>
    private sealed record ConsumerFailed(string ConsumerId);

    /// <summary>The grace period of a pipe nobody consumed any more is over.</summary>
    private sealed record CheckPipe(string ProducerId, RouterSlot Target);

    private RoomRouters _routers = null!;
    private Address _selfAddress = null!;
    private Akka.Cluster.Cluster? _cluster;
    private readonly Dictionary<string, (RouterSlot Slot, string ProducerId)> _consumerSlot = new();
    // Consumers (and the active speaker observer) using the pipe of a producer into a router of the room.
    private readonly Dictionary<(string ProducerId, RouterSlot Target), int> _pipeUse = new();

    private RouterCreated Main => _routers.Main.Created!;

    /// <summary>The room's first router, on this node, before the room serves anybody.</summary>
    private void StartRouters()
    {
        var system = (ExtendedActorSystem)Context.System;
        _selfAddress = system.Provider.DefaultAddress;
        _routers = new RoomRouters(_settings.Rooms, _selfAddress, _settings.Workers);
        var main = _workers.Ask<RouterCreated>(new CreateRouter(Guid.NewGuid().ToString(), Listener: Self), AskTimeout);
        _routers.Add(_selfAddress, main, main: true);
        main.PipeTo(Self, failure: e => new Status.Failure(e));
        if (system.Provider is Akka.Cluster.ClusterActorRefProvider)
        {
            _cluster = Akka.Cluster.Cluster.Get(system);
            _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
        }
    }

    private void ReceiveRouters()
    {
        Receive<SlotReady>(OnSlotReady);
        Receive<NodeWorkers>(n => _routers.SetWorkers(n.Node, n.Workers));
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address.Equals(_selfAddress)) return;
            var node = up.Member.Address;
            WorkersOf(node).Ask<WorkersStatus>(GetWorkers.Instance, AskTimeout)
                .PipeTo(Self, success: s => new NodeWorkers(node, s.Workers.Count), failure: _ => new NodeWorkers(node, 1));
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ConsumerFailed>(f => ReleaseConsumer(f.ConsumerId));
        Receive<CheckPipe>(OnCheckPipe);
        Receive<Terminated>(OnTerminated);
    }

    protected override void PostStop()
    {
        LeaveCensus();
        _cluster?.Unsubscribe(Self);
        base.PostStop();
    }

    private ICanTell WorkersOf(Address node) =>
        node.Equals(_selfAddress) ? _workers : Context.ActorSelection(new RootActorPath(node) / "user" / "workers");

    private IReadOnlyCollection<Address> UpNodes() =>
        _cluster?.State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address).ToArray() ?? [_selfAddress];

    private Address NodeOf(IActorRef actor) => actor.Path.Address.HasGlobalScope ? actor.Path.Address : _selfAddress;

    // ---- placement -------------------------------------------------------------------------------------------

    /// <summary>The router a peer's transports go to: where it already is, else where <see cref="RoomRouters"/>
    /// places it (a new router if need be).</summary>
    private RouterSlot Place(PeerState peer)
    {
        var target = _settings.Rooms.Placement == Actors.Settings.RoomPlacement.PeerNode && peer.Connection is { } c ? NodeOf(c) : _selfAddress;
        var producing = _state.Peers.Where(p => p.Producers.Count > 0).ToArray();
        var perPeer = producing.Length == 0 ? 2.0 : producing.Sum(p => p.Producers.Count) / (double)producing.Length;
        var slot = _routers.Place(peer.Id, target, _state.Peers.Count, perPeer, UpNodes()) switch
        {
            RoomRouters.Decision.Existing e => e.Slot,
            RoomRouters.Decision.NewRouter n => AddRouter(n.Node),
            _ => throw new InvalidOperationException("unknown placement"),
        };
        _routers.Assign(peer.Id, slot);
        return slot;
    }

    /// <summary>A new router of the room on <paramref name="node"/>, on a worker none of its routers there uses
    /// (it waits for the ones still being made, to know theirs).</summary>
    private RouterSlot AddRouter(Address node)
    {
        var prior = _routers.Slots.Where(s => s.Node.Equals(node)).Select(s => s.Ready).ToArray();
        var workers = WorkersOf(node);
        var self = _self;
        async Task<RouterCreated> Create()
        {
            var avoid = new List<int>();
            foreach (var t in prior)
            {
                try { avoid.Add((await t).WorkerIndex); }
                catch (Exception) { /* that one failed: its worker is free */ }
            }
            return await workers.Ask<RouterCreated>(new CreateRouter(Guid.NewGuid().ToString(), Listener: self, AvoidWorkers: avoid), AskTimeout);
        }
        var ready = Create();
        var slot = _routers.Add(node, ready);
        ready.ContinueWith(t => self.Tell(new SlotReady(slot, t.IsCompletedSuccessfully ? t.Result : null, t.Exception?.GetBaseException())));
        return slot;
    }

    private void OnSlotReady(SlotReady r)
    {
        if (r.Created is not { } created)
        {
            _log.Warning("room {0}: could not add a router on {1}: {2}", _roomId, r.Slot.Node, r.Error?.Message);
            // Believe the node has the workers the room already uses there, and place its peers again next time.
            _routers.SetWorkers(r.Slot.Node, _routers.Slots.Count(s => s.Node.Equals(r.Slot.Node) && s.Created is not null));
            _routers.Remove(r.Slot);
            return;
        }
        if (!r.Slot.Alive)
        {
            created.Router.Tell(CloseRouter.Instance);
            return;
        }
        r.Slot.Created = created;
        Context.Watch(created.Router);
        _log.Info("room {0}: router {1} added on {2} worker {3} ({4} routers)", _roomId, created.RouterId, r.Slot.Node, created.WorkerIndex, _routers.Slots.Count);
    }

    // ---- pipes -----------------------------------------------------------------------------------------------

    /// <summary>The router a member's transports are on (all on the one it was placed on at its first transport);
    /// the main one for a member that has none.</summary>
    private RouterSlot SlotOf(PeerState? member) => member is not null && _routers.SlotOf(member.Id) is { } slot ? slot : _routers.Main;

    /// <summary>The router a producer lives on: its owner's.</summary>
    private RouterSlot SlotOfProducer(string producerId) => SlotOf(_state.ProducerOwner(producerId));

    /// <summary>The work that makes <paramref name="producerId"/> available on <paramref name="target"/> and answers
    /// that router: piped from the producer's router first when that is another one (one more use of that pipe,
    /// given back with <see cref="ReleasePipe"/>).</summary>
    private Func<Task<RouterCreated>> PipedTo(string producerId, RouterSlot target)
    {
        var origin = SlotOfProducer(producerId);
        if (origin == target) return () => target.Ready;
        UsePipe(producerId, target);
        var srtp = _settings.Rooms.PipeSrtp && !origin.Node.Equals(target.Node);
        return async () =>
        {
            var router = await target.Ready;
            await (await origin.Ready).Router.Ask<PipedToRouter>(new PipeToRouter(producerId, router.Router, EnableSrtp: srtp), AskTimeout);
            return router;
        };
    }

    /// <summary>The work of making a consumer of <paramref name="producerId"/> on <paramref name="target"/>, the
    /// producer piped there first if need be.</summary>
    private Func<Task<ConsumerCreated>> ConsumeOn(RouterSlot target, string producerId, Consume request)
    {
        _consumerSlot[request.ConsumerId] = (target, producerId);
        target.Consumers++;
        var piped = PipedTo(producerId, target);
        var self = _self;
        return async () =>
        {
            try
            {
                return await (await piped()).Router.Ask<ConsumerCreated>(request, AskTimeout);
            }
            catch (Exception)
            {
                self.Tell(new ConsumerFailed(request.ConsumerId));
                throw;
            }
        };
    }

    private void UsePipe(string producerId, RouterSlot target) =>
        _pipeUse[(producerId, target)] = _pipeUse.GetValueOrDefault((producerId, target)) + 1;

    /// <summary>A consumer closed (or was never made): one fewer on its router and its pipe.</summary>
    private void ReleaseConsumer(string consumerId)
    {
        if (!_consumerSlot.Remove(consumerId, out var c)) return;
        c.Slot.Consumers = Math.Max(0, c.Slot.Consumers - 1);
        ReleasePipe(c.ProducerId, c.Slot);
    }

    private void ReleasePipe(string producerId, RouterSlot target)
    {
        if (!_pipeUse.TryGetValue((producerId, target), out var n)) return;
        _pipeUse[(producerId, target)] = n - 1;
        if (n - 1 <= 0) Timers.StartSingleTimer((producerId, target), new CheckPipe(producerId, target), _settings.Rooms.UnusedPipeGrace);
    }

    private void OnCheckPipe(CheckPipe c)
    {
        if (_pipeUse.GetValueOrDefault((c.ProducerId, c.Target)) > 0 || !_pipeUse.Remove((c.ProducerId, c.Target))) return;
        if (_state.ProducerOwner(c.ProducerId) is not null && SlotOfProducer(c.ProducerId) is { Created: { } origin, Alive: true }
            && c.Target.Created is { } target && c.Target.Alive)
        {
            origin.Router.Tell(new ClosePipe(c.ProducerId, target.Router));
            _log.Debug("room {0}: pipe of producer {1} to router {2} closed (unused)", _roomId, c.ProducerId, target.RouterId);
        }
    }

    /// <summary>A producer is gone: so are its pipes (they close with it).</summary>
    private void ForgetProducer(string producerId)
    {
        foreach (var key in _pipeUse.Keys.Where(k => k.ProducerId == producerId).ToArray()) _pipeUse.Remove(key);
    }

    // ---- loss ------------------------------------------------------------------------------------------------

    private void OnTerminated(Terminated t)
    {
        if (_routers.SlotOfRouter(t.ActorRef) is { } slot)
        {
            RouterLost(slot, t.AddressTerminated ? "its node was lost" : "it stopped");
            return;
        }
        // A peer's socket actor is gone without saying goodbye (its node was lost): the peer leaves.
        if (_state.Peers.FirstOrDefault(p => t.ActorRef.Equals(p.Connection)) is { } peer)
        {
            _log.Info("room {0}: peer {1} lost its connection ({2})", _roomId, peer.Id, t.AddressTerminated ? "its node was lost" : "it stopped");
            Apply(_state.Leave(peer, closeRoomIfEmpty: true), null);
        }
    }

    /// <summary>A router of the room is gone (its worker died or its node was lost). The main one takes the room
    /// with it; any other: the peers whose transports it carried reconnect (1012: their clients join again and are
    /// placed on a router that is there), everybody else keeps their media except the producers that lived on it
    /// (their consumers close with producerClosed as their pipes go).</summary>
    private void RouterLost(RouterSlot slot, string why)
    {
        if (!slot.Alive) return;
        if (slot.Main)
        {
            _log.Warning("room {0}: its main router is gone ({1})", _roomId, why);
            _ending = true;
            Apply(_state.LeaveAll(), null);
            CloseRouters();
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(Actors.Rooms.StopRoom.Instance), Self);
            return;
        }
        var peers = _routers.Remove(slot);
        _log.Warning("room {0}: router {1} on {2} is gone ({3}); {4} peers reconnect", _roomId, slot.Created?.RouterId, slot.Node, why, peers.Count);
        foreach (var id in _consumerSlot.Where(kv => kv.Value.Slot == slot).Select(kv => kv.Key).ToArray()) _consumerSlot.Remove(id);
        foreach (var key in _pipeUse.Keys.Where(k => k.Target == slot).ToArray()) _pipeUse.Remove(key);
        foreach (var id in peers)
            if (_state.Find(id) is { } peer) Apply(_state.Leave(peer, closeRoomIfEmpty: true, PeerClose.RoomMoved), null);
    }

    private void CloseRouters()
    {
        foreach (var slot in _routers.Slots.ToArray())
        {
            slot.Created?.Router.Tell(CloseRouter.Instance);
            slot.Alive = false;
        }
    }

    private RoomReplies.Routers RoutersInfo() => new(_routers.Slots.Select(s => new RoomReplies.RouterInfo(
        s.Created?.RouterId ?? "", s.Node.ToString(), s.Created?.WorkerIndex ?? -1, s.Peers.Count, s.Consumers, s.Main)).ToArray());
}
