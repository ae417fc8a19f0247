using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Tests.Rooms;

/// <summary>Where <see cref="RoomRouters"/> puts a room's peers, with no actor system: routers are slots whose
/// Ready has completed and whose Created is set as RoomActor.OnSlotReady sets it. Numbers: at most 12 consumers per
/// router and 2 producers per peer (a microphone and a webcam), so a router carries 3 peers of a room of 3
/// (3·2·2 = 12) and a room of 7 already fills a router with one peer (6·2 = 12).</summary>
public class RoomRoutersTests
{
    private const int Limit = 12;
    private const double MicAndCam = 2;

    private static readonly Address A = new("akka.tcp", "akkasfu", "10.0.0.1", 4701); // the room's node
    private static readonly Address B = new("akka.tcp", "akkasfu", "10.0.0.2", 4701);
    private static readonly Address C = new("akka.tcp", "akkasfu", "10.0.0.3", 4701);
    private static readonly Address D = new("akka.tcp", "akkasfu", "10.0.0.4", 4701);

    private static readonly RtpCapabilities Caps = new();

    /// <summary>A room on A whose main router (worker 0) is there, as RoomActor.StartRouters makes it.</summary>
    private static RoomRouters Room(int selfWorkers)
    {
        var routers = new RoomRouters(RoomSettings.Default with { MaxConsumersPerRouter = Limit }, A, selfWorkers);
        Router(routers, A, main: true);
        return routers;
    }

    /// <summary>A router of the room on <paramref name="node"/>, on the next worker there, already made.</summary>
    private static RouterSlot Router(RoomRouters routers, Address node, bool main = false)
    {
        var worker = routers.Slots.Count(s => s.Node.Equals(node));
        var created = new RouterCreated($"router-{node.Host}-{worker}", ActorRefs.Nobody, worker, Caps);
        var slot = routers.Add(node, Task.FromResult(created), main);
        slot.Created = created;
        return slot;
    }

    private static RouterSlot With(RoomRouters routers, RouterSlot slot, params string[] peers)
    {
        foreach (var p in peers) routers.Assign(p, slot);
        return slot;
    }

    /// <summary>As RoomActor.Place: the decision, a router added for a NewRouter, then the peer assigned to it.</summary>
    private static RouterSlot Join(RoomRouters routers, string peer, Address target, int peers, IReadOnlyCollection<Address> up)
    {
        var slot = routers.Place(peer, target, peers, MicAndCam, up) switch
        {
            RoomRouters.Decision.Existing e => e.Slot,
            RoomRouters.Decision.NewRouter n => Router(routers, n.Node),
            var d => throw new InvalidOperationException($"unknown decision {d}"),
        };
        routers.Assign(peer, slot);
        return slot;
    }

    private static RouterSlot Existing(RoomRouters.Decision decision) =>
        Assert.IsType<RoomRouters.Decision.Existing>(decision).Slot;

    private static Address NewRouter(RoomRouters.Decision decision) =>
        Assert.IsType<RoomRouters.Decision.NewRouter>(decision).Node;

    // ---- already placed --------------------------------------------------------------------------------------

    [Fact]
    public void A_placed_peer_gets_its_router_again_whatever_the_load_and_target()
    {
        // p4's send transport went to a router on B; its receive transport must go to the same router, even though
        // the room has grown to 9 (that router is far over the limit now) and the target is the room's node.
        var routers = Room(selfWorkers: 1);
        With(routers, routers.Main, "p1", "p2", "p3");
        var onB = With(routers, Router(routers, B), "p4");

        Assert.Same(onB, Existing(routers.Place("p4", A, 9, MicAndCam, [A, B])));
        Assert.Same(onB, routers.SlotOf("p4"));
        Assert.Same(routers.Main, Existing(routers.Place("p1", B, 9, MicAndCam, [A, B])));
    }

    // ---- filling the target node's routers -------------------------------------------------------------------

    [Fact]
    public void Peers_joining_one_by_one_fill_the_main_router_until_their_projected_consumers_reach_the_limit()
    {
        // A room on a one-node deployment: the third peer makes 3·2·2 = 12 consumers, exactly the limit, so it
        // still fits; the fourth would make 4·3·2 = 24 and needs the node's second worker.
        var routers = Room(selfWorkers: 2);
        Assert.Same(routers.Main, Join(routers, "p1", A, 1, [A]));
        Assert.Same(routers.Main, Join(routers, "p2", A, 2, [A]));
        Assert.Same(routers.Main, Join(routers, "p3", A, 3, [A]));
        Assert.Equal((double)Limit, RoomRouters.Projected(routers.Main, 3, MicAndCam));

        Assert.Equal(A, NewRouter(routers.Place("p4", A, 4, MicAndCam, [A])));
    }

    [Fact]
    public void A_new_peer_goes_to_the_least_loaded_router_of_the_node_that_it_fits_in_not_the_first()
    {
        // An audio-only room (1 producer per peer) of 4 with two routers on A: main carries 2 peers (2·3 = 6), the
        // second 1 (3). Both fit the newcomer's 3 consumers; the second is less loaded.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1", "p2");
        var second = With(routers, Router(routers, A), "p3");

        Assert.Same(second, Existing(routers.Place("p4", A, 4, 1, [A])));

        // Once the second's peer also consumes a broadcaster's streams (8 actual consumers > main's 6), main is the
        // less loaded one (and still fits: 6 + 3).
        second.Consumers = 8;
        Assert.Same(routers.Main, Existing(routers.Place("p4", A, 4, 1, [A])));
    }

    [Fact]
    public void A_router_just_over_the_limit_is_not_used_while_the_node_has_an_unused_worker()
    {
        // A room of 4, mic + cam: the newcomer needs 3·2 = 6. Main's 2 peers project 2·3·2 = 12 (18 with it), the
        // second router's 1 peer projects 6 but already has 7 actual consumers (13 with it) — neither fits, so the
        // node's third worker is used.
        var routers = Room(selfWorkers: 3);
        With(routers, routers.Main, "p1", "p2");
        var second = With(routers, Router(routers, A), "p3");
        second.Consumers = 7;

        Assert.Equal(A, NewRouter(routers.Place("p4", A, 4, MicAndCam, [A])));
    }

    [Fact]
    public void Peers_joining_together_spread_over_routers_before_their_consumers_exist()
    {
        // Four peers join at once: the room counts all 4 while none has consumers yet, so each needs 3·2 = 6 and a
        // router holds two of them (2·3·2 = 12).
        var routers = Room(selfWorkers: 2);
        var placed = new[] { "p1", "p2", "p3", "p4" }.Select(p => Join(routers, p, A, 4, [A])).ToArray();

        Assert.Equal(2, routers.Slots.Count);
        Assert.Equal(new[] { routers.Main, routers.Main, routers.Slots[1], routers.Slots[1] }, placed);
        Assert.All(routers.Slots, s => Assert.Equal(0, s.Consumers));
    }

    // ---- new routers: the node's other workers, then other nodes ---------------------------------------------

    [Fact]
    public void A_full_node_gets_a_new_router_while_it_has_workers_the_room_does_not_use()
    {
        // A room of 4 on a 2-worker node whose main router is full: a router on the second worker.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1", "p2", "p3");
        Assert.Equal(A, NewRouter(routers.Place("p4", A, 4, MicAndCam, [A, B])));

        // With both workers used and both routers full for a room of 5 (main 3·4·2 = 24; second 1·4·2 + 8 = 16):
        // the next node.
        With(routers, Router(routers, A), "p4");
        Assert.Equal(B, NewRouter(routers.Place("p5", A, 5, MicAndCam, [A, B])));
    }

    [Fact]
    public void Another_node_counts_as_one_worker_until_SetWorkers_says_how_many_it_has()
    {
        // A two-node cluster; the room's node (1 worker) and its router on B are full for a room of 5.
        var routers = Room(selfWorkers: 1);
        With(routers, routers.Main, "p1", "p2", "p3");
        With(routers, Router(routers, B), "p4");

        Assert.Equal(1, routers.WorkersOf(B));
        Assert.Same(routers.Main, Existing(routers.Place("p5", A, 5, MicAndCam, [A, B])));

        // B's workers actor answered GetWorkers with 4 workers: B takes a second router of the room.
        routers.SetWorkers(B, 4);
        Assert.Equal(4, routers.WorkersOf(B));
        Assert.Equal(B, NewRouter(routers.Place("p5", A, 5, MicAndCam, [A, B])));

        // A failed router creation believes the workers the room already has there; never fewer than one.
        routers.SetWorkers(C, 0);
        Assert.Equal(1, routers.WorkersOf(C));
    }

    [Fact]
    public void Other_nodes_routers_that_fit_come_before_new_routers_which_go_where_the_room_has_fewest_then_in_address_order()
    {
        // The room's node is full (1 worker, 3 peers of a room of 4). B and C have no router of the room yet:
        // address order, whatever order the cluster listed its members in.
        var routers = Room(selfWorkers: 1);
        With(routers, routers.Main, "p1", "p2", "p3");
        Assert.Equal(B, NewRouter(routers.Place("p4", A, 4, MicAndCam, [C, A, B])));

        // B (2 workers) has p4's router, full for a fifth peer (8 + 8 > 12), and an empty one that fits: the room's
        // router that fits comes before a new router on C, where the room has none.
        routers.SetWorkers(B, 2);
        With(routers, Router(routers, B), "p4");
        var emptyOnB = Router(routers, B);
        Assert.Same(emptyOnB, Existing(routers.Place("p5", A, 5, MicAndCam, [A, B, C])));

        // With no router that fits anywhere, a new one goes to the node where the room has fewest (C: none).
        With(routers, emptyOnB, "p5");
        Assert.Equal(C, NewRouter(routers.Place("p6", A, 6, MicAndCam, [A, B, C])));
    }

    [Fact]
    public void A_router_on_a_node_that_is_no_longer_Up_is_not_used()
    {
        // D is leaving: its router of the room is still there (not yet Terminated) and empty, but D is not among
        // the Up members, so the newcomer gets a new router on B.
        var routers = Room(selfWorkers: 1);
        With(routers, routers.Main, "p1", "p2", "p3");
        Router(routers, D);

        Assert.Equal(B, NewRouter(routers.Place("p4", A, 4, MicAndCam, [A, B])));
    }

    [Fact]
    public void A_room_growing_over_two_nodes_fills_each_worker_then_falls_back_to_the_least_loaded_router()
    {
        // Two 2-worker nodes, peers joining one at a time: 3 on A's main (12), the 4th alone on A's second worker,
        // the 5th and 6th each alone on one of B's workers (the 5th needs 8 and the 6th 10, as much as a router
        // with one peer already projects). The 7th (12) fits nowhere: the least loaded router of the room's node.
        var routers = Room(selfWorkers: 2);
        routers.SetWorkers(B, 2);
        var placed = Enumerable.Range(1, 7).Select(n => Join(routers, $"p{n}", A, n, [A, B])).ToArray();

        Assert.Equal(4, routers.Slots.Count);
        Assert.Equal(new[] { A, A, A, A, B, B, A }, placed.Select(s => s.Node));
        Assert.Equal(new[] { 3, 2, 1, 1 }, routers.Slots.Select(s => s.Peers.Count));
        Assert.Same(routers.Slots[1], placed[6]);
    }

    // ---- room-node and peer-node targets ---------------------------------------------------------------------

    [Fact]
    public void Room_node_placement_puts_a_peer_whose_socket_is_on_another_node_on_the_rooms_node()
    {
        // Same room, same peer (its WebSocket landed on B): room-node placement passes the room's node as target,
        // peer-node placement the peer's node.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1");

        Assert.Same(routers.Main, Existing(routers.Place("p2", A, 2, MicAndCam, [A, B])));
        Assert.Equal(B, NewRouter(routers.Place("p2", B, 2, MicAndCam, [A, B])));
    }

    [Fact]
    public void A_peer_node_peer_goes_to_its_nodes_router_even_when_the_rooms_node_is_less_loaded()
    {
        // Room of 3: main on A carries 1 peer (4), B's router 2 (8). The newcomer (4) on B fits exactly: B's.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1");
        var onB = With(routers, Router(routers, B), "p2");

        Assert.Same(onB, Existing(routers.Place("p3", B, 3, MicAndCam, [A, B])));
    }

    [Fact]
    public void A_peer_node_peer_whose_node_is_full_goes_to_the_rooms_node_next_before_emptier_nodes()
    {
        // Room of 4 (the newcomer's socket on B, which has 1 worker): B's router carries 2 peers (2·3·2 = 12), full.
        // The room's node is next although C has no router of the room: main's one peer (6) leaves room for the
        // newcomer's 6.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1");
        With(routers, Router(routers, B), "p2", "p3");

        Assert.Same(routers.Main, Existing(routers.Place("p4", B, 4, MicAndCam, [A, B, C])));

        // Main full too (3 peers of a room of 6: 30): the room's node gets a router on its unused worker before C.
        With(routers, routers.Main, "p4", "p5");
        Assert.Equal(A, NewRouter(routers.Place("p6", B, 6, MicAndCam, [A, B, C])));

        // Both of A's workers used and full: then C.
        Router(routers, A).Consumers = Limit;
        Assert.Equal(C, NewRouter(routers.Place("p6", B, 6, MicAndCam, [A, B, C])));
    }

    // ---- every node full -------------------------------------------------------------------------------------

    [Fact]
    public void When_every_node_is_full_a_room_node_peer_goes_to_the_least_loaded_router_of_the_rooms_node()
    {
        // A room of 7 over a 2-worker A and a 1-worker B, every router over the limit with the newcomer's 12:
        // A's second router (2 peers: 24) is less loaded than main (3: 36); B's (1: 12) is less loaded than both,
        // but the target's node is preferred.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1", "p2", "p3");
        var second = With(routers, Router(routers, A), "p4", "p5");
        With(routers, Router(routers, B), "p6");

        Assert.Same(second, Existing(routers.Place("p7", A, 7, MicAndCam, [A, B])));
    }

    [Fact]
    public void When_every_node_is_full_a_peer_node_peer_goes_to_the_least_loaded_router_of_its_node()
    {
        // A room of 7 whose newcomer's socket is on B, which has 2 workers, all routers full: B's less loaded
        // router (2 peers: 24, the other 36), not A's emptier main (1 peer: 12).
        var routers = Room(selfWorkers: 1);
        With(routers, routers.Main, "p1");
        routers.SetWorkers(B, 2);
        With(routers, Router(routers, B), "p2", "p3", "p4");
        var lighter = With(routers, Router(routers, B), "p5", "p6");

        Assert.Same(lighter, Existing(routers.Place("p7", B, 7, MicAndCam, [A, B])));
    }

    // ---- projected load --------------------------------------------------------------------------------------

    [Theory]
    // 3 peers of a room of 4, before any consumer exists: each consumes the other 3 peers' mic and cam.
    [InlineData(3, 0, 4, 2.0, 18.0)]
    // Their consumers were made: the same.
    [InlineData(3, 18, 4, 2.0, 18.0)]
    // More actual consumers than projected (someone shares a screen too): the actual ones.
    [InlineData(3, 20, 4, 2.0, 20.0)]
    // Fewer actual consumers (some peers produce audio only so far): still the projection.
    [InlineData(3, 12, 4, 2.0, 18.0)]
    // Alone in the room: nothing to consume.
    [InlineData(1, 0, 1, 2.0, 0.0)]
    // Producing peers average 1.5 producers (some audio only): 2 peers · 4 others · 1.5.
    [InlineData(2, 0, 5, 1.5, 12.0)]
    // Its peers left while their consumers are still closing: the consumers.
    [InlineData(0, 5, 6, 2.0, 5.0)]
    // An empty room (nobody counted yet): never negative.
    [InlineData(1, 0, 0, 2.0, 0.0)]
    public void Projected_is_the_larger_of_actual_consumers_and_every_peer_on_it_consuming_every_other_peers_producers(
        int peersOnRouter, int consumers, int roomPeers, double producersPerPeer, double expected)
    {
        var routers = Room(selfWorkers: 1);
        var slot = With(routers, routers.Main, Enumerable.Range(1, peersOnRouter).Select(n => $"p{n}").ToArray());
        slot.Consumers = consumers;

        Assert.Equal(expected, RoomRouters.Projected(slot, roomPeers, producersPerPeer));
    }

    [Fact]
    public void Actual_consumers_above_the_projection_keep_a_newcomer_off_a_router()
    {
        // Room of 2: main's one peer projects 1·2 = 2 but consumes 11 (a broadcaster's many streams); the
        // newcomer's 2 do not fit on top (13), so the node's second worker is used.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1");
        Assert.Same(routers.Main, Existing(routers.Place("p2", A, 2, MicAndCam, [A])));

        routers.Main.Consumers = 11;
        Assert.Equal(A, NewRouter(routers.Place("p2", A, 2, MicAndCam, [A])));
    }

    // ---- loss and leaving ------------------------------------------------------------------------------------

    [Fact]
    public void Remove_returns_the_peers_of_a_lost_router_marks_it_not_Alive_and_frees_its_worker()
    {
        // A's second worker died with p4 and p5 on its router: they must reconnect; the others stay.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1", "p2", "p3");
        var lost = With(routers, Router(routers, A), "p4", "p5");

        var peers = routers.Remove(lost);

        Assert.Equal(new[] { "p4", "p5" }, peers.Order());
        Assert.False(lost.Alive);
        Assert.True(routers.Main.Alive);
        Assert.DoesNotContain(lost, routers.Slots);
        Assert.Null(routers.SlotOf("p4"));
        Assert.Null(routers.SlotOf("p5"));
        Assert.Same(routers.Main, routers.SlotOf("p1"));
        // p4 joins again (its client reconnected after 1012): a router that is there, here a new one on the
        // worker the lost router used.
        Assert.Equal(A, NewRouter(routers.Place("p4", A, 5, MicAndCam, [A])));
    }

    [Fact]
    public void Forget_takes_a_leaving_peer_off_its_router_and_frees_its_place()
    {
        // Main carries 3 peers of a room of 3 (12). p3 leaves; the room is 2 again, and a newcomer making it 3
        // fits on main (2·2·2 + 4 = 12) instead of needing the second worker.
        var routers = Room(selfWorkers: 2);
        With(routers, routers.Main, "p1", "p2", "p3");
        Assert.Equal(A, NewRouter(routers.Place("p4", A, 4, MicAndCam, [A])));

        routers.Forget("p3");

        Assert.Null(routers.SlotOf("p3"));
        Assert.Equal(new[] { "p1", "p2" }, routers.Main.Peers.Order());
        Assert.Same(routers.Main, Existing(routers.Place("p4", A, 3, MicAndCam, [A])));

        // A peer that was never placed (it left before asking for a transport): nothing happens.
        routers.Forget("nobody");
        Assert.Equal(2, routers.Main.Peers.Count);
    }
}
