using System.Text.Json.Nodes;
using Akka.Actor;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Limits;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Tests.Rooms;

/// <summary>mediasoup-demo's Room.js decisions (signalling.md §1–4, §7) on <see cref="RoomState"/> alone: no
/// actor system, no media. Actor refs are opaque handles here.</summary>
public class RoomStateTests
{
    /// <summary>A handle that is never sent to: only its identity matters to the state.</summary>
    private sealed class Handle(string name) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "roomstate")) / name;
        public override IActorRefProvider Provider => throw new NotSupportedException();
    }

    private static readonly RtpCapabilities Caps = OrtcJson.Deserialize<RtpCapabilities>("""{"codecs":[],"headerExtensions":[]}""");

    private readonly RoomState _room = new();

    private PeerState Connect(string id) => Connect(id, new Handle("peer-" + id));

    private PeerState Connect(string id, IActorRef connection)
    {
        _room.Connect(id, connection);
        return _room.Find(id)!;
    }

    private PeerState Joined(string id, bool caps = true)
    {
        var peer = Connect(id);
        _room.Join(peer, Join(id, caps));
        return peer;
    }

    private static RoomCommands.Join Join(string name, bool caps = true) =>
        new(name, new JsonObject { ["flag"] = "chrome", ["name"] = "Chrome" }, caps ? Caps : null);

    private static TransportEntry Transport(string id, bool producing = true, bool consuming = true, TransportKind kind = TransportKind.WebRtc) =>
        new(id, new Handle("transport-" + id), kind, producing, consuming);

    private static ProducerEntry Producer(string id, MediaKind kind = MediaKind.Video) =>
        new(id, new Handle("producer-" + id), kind, new JsonObject { ["source"] = "webcam" });

    private static T Single<T>(IEnumerable<RoomEffect> effects) where T : RoomEffect => Assert.Single(effects.OfType<T>());

    private static IRoomReply ReplyOf(IEnumerable<RoomEffect> effects) => Single<RoomEffect.Reply>(effects).Value;

    private static (string To, string Method)[] Notifications(IEnumerable<RoomEffect> effects) =>
        effects.OfType<RoomEffect.Notify>().Select(n => (n.PeerId, n.Method)).ToArray();

    private static string Reason(IRoomReply? reply) => Assert.IsType<RoomReplies.Failed>(reply).Reason;

    [Fact]
    public void A_repeated_connect_from_the_same_socket_changes_nothing_and_a_new_socket_replaces_the_peer()
    {
        var connection = new Handle("a");
        _room.Connect("a", connection);
        _room.Join(_room.Find("a")!, Join("a"));
        Assert.Empty(_room.Connect("a", connection)); // the peer actor attaching again: no second greeting
        Assert.True(_room.Find("a")!.Joined);
        var reload = _room.Connect("a", new Handle("a-reloaded")); // a reload: the old socket is closed
        Assert.Contains(reload, e => e is RoomEffect.Notify { Method: "mediasoup-version" });
        Assert.False(_room.Find("a")!.Joined);
    }

    [Fact]
    public void A_new_socket_is_an_unjoined_peer_greeted_with_mediasoup_version()
    {
        var connection = new Handle("a");
        var effects = _room.Connect("a", connection);
        var notify = Assert.IsType<RoomEffect.Notify>(Assert.Single(effects));
        Assert.Equal(("a", "mediasoup-version", """{"version":"3.27.1"}"""), (notify.PeerId, notify.Method, notify.Data.ToJsonString()));
        Assert.Equal(connection, notify.Connection);
        Assert.False(_room.Find("a")!.Joined);
        Assert.Same(_room.Find("a"), _room.Current("a", connection));
        Assert.Null(_room.Current("a", new Handle("someone-else")));
    }

    [Fact]
    public void Join_answers_the_other_joined_peers_and_broadcasters_then_announces_the_joiner_to_joined_protoo_peers()
    {
        var alice = Joined("alice");
        Connect("carol"); // not joined: neither listed nor told
        _room.CreateBroadcaster(new CreateBroadcaster("bc", "Broadcaster", "FFmpeg", "7.1", null));
        var bob = Connect("bob");

        var effects = _room.Join(bob, Join("bob"));

        Assert.IsType<RoomEffect.Reply>(effects[0]);
        var listed = Assert.IsType<RoomReplies.Joined>(ReplyOf(effects)).Peers;
        Assert.Equal(["alice", "bc"], listed.Select(p => p.Id).Order().ToArray());
        Assert.Equal("""{"flag":"broadcaster","name":"FFmpeg","version":"7.1"}""", listed.Single(p => p.Id == "bc").Device.ToJsonString());
        Assert.Equal([("alice", "newPeer")], Notifications(effects));
        var newPeer = effects.OfType<RoomEffect.Notify>().Single();
        Assert.Equal(alice.Connection, newPeer.Connection);
        Assert.Equal("""{"id":"bob","displayName":"bob","device":{"flag":"chrome","name":"Chrome"}}""", newPeer.Data.ToJsonString());
        Assert.True(bob.Joined);
        Assert.Equal("bob", bob.DisplayName);
    }

    [Fact]
    public void Join_twice_is_refused_and_changes_nothing()
    {
        var alice = Joined("alice");
        var effects = _room.Join(alice, new RoomCommands.Join("again", new JsonObject(), null));
        Assert.Equal("Peer already joined", Reason(ReplyOf(effects)));
        Assert.Single(effects);
        Assert.Equal("alice", alice.DisplayName);
        Assert.NotNull(alice.RtpCapabilities);
    }

    [Fact]
    public void Commands_that_need_a_joined_peer_are_refused_before_join_with_the_demo_text()
    {
        var alice = Connect("alice");
        _room.AddTransport(alice, Transport("t"));
        Assert.Equal("Peer not yet joined", Reason(_room.Check(alice, new RoomCommands.Produce("t", MediaKind.Audio, new RtpParameters(), new JsonObject()))));
        Assert.Equal("Peer not yet joined", Reason(_room.Check(alice, new RoomCommands.PauseConsumer("c"))));
        Assert.Equal("Peer not yet joined", Reason(ReplyOf(_room.ChangeDisplayName(alice, new RoomCommands.ChangeDisplayName("x")))));
        // Allowed before join.
        Assert.Null(_room.Check(alice, new RoomCommands.CreateWebRtcTransport(true, true)));
        Assert.Null(_room.Check(alice, new RoomCommands.RestartIce("t")));
        Assert.Null(_room.Check(alice, RoomCommands.GetRouterRtpCapabilities.Instance));
    }

    [Fact]
    public void A_new_producer_is_consumed_by_every_other_joined_peer_with_caps_and_a_consuming_transport()
    {
        var owner = Joined("owner");
        _room.AddTransport(owner, Transport("owner-send", consuming: false));
        _room.AddTransport(owner, Transport("owner-recv", producing: false));
        var viewer = Joined("viewer");
        _room.AddTransport(viewer, Transport("viewer-send", consuming: false));
        _room.AddTransport(viewer, Transport("viewer-recv", producing: false));
        _room.AddTransport(viewer, Transport("viewer-recv-2", producing: false));
        var sendOnly = Joined("send-only");
        _room.AddTransport(sendOnly, Transport("s", consuming: false));
        var noCaps = Joined("no-caps", caps: false);
        _room.AddTransport(noCaps, Transport("n"));
        var unjoined = Connect("unjoined");
        _room.AddTransport(unjoined, Transport("u"));
        _room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, Caps));
        _room.AddTransport(_room.Find("bc")!, Transport("bt", kind: TransportKind.Plain));

        var effects = _room.AddProducer(owner, Producer("mic", MediaKind.Audio));

        Assert.Equal("mic", Assert.IsType<RoomEffect.ObserveAudio>(effects[0]).ProducerId);
        Assert.Equal("mic", Assert.IsType<RoomReplies.Produced>(Assert.IsType<RoomEffect.Reply>(effects[1]).Value).Id);
        var consumer = Single<RoomEffect.CreateConsumer>(effects);
        Assert.Equal(("viewer", "viewer-recv", "owner", "mic"), (consumer.PeerId, consumer.TransportId, consumer.ProducerPeerId, consumer.ProducerId));
        Assert.Same(Caps, consumer.RtpCapabilities);
        Assert.Equal("webcam", consumer.AppData["source"]!.GetValue<string>());
        Assert.True(owner.Producers.ContainsKey("mic"));

        // Video does not join the active speaker observer.
        Assert.Empty(_room.AddProducer(owner, Producer("cam")).OfType<RoomEffect.ObserveAudio>());
    }

    [Fact]
    public void A_joiner_with_caps_consumes_every_existing_producer_after_its_answer_and_without_caps_none()
    {
        var alice = Joined("alice");
        _room.AddTransport(alice, Transport("a"));
        _room.AddProducer(alice, Producer("a-mic", MediaKind.Audio));
        _room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, null));
        var bc = _room.Find("bc")!;
        _room.AddTransport(bc, Transport("bt", kind: TransportKind.Plain));
        _room.AddProducer(bc, Producer("bc-cam"));

        var bob = Connect("bob");
        _room.AddTransport(bob, Transport("b-recv", producing: false));
        var effects = _room.Join(bob, Join("bob"));
        Assert.IsType<RoomEffect.Reply>(effects[0]);
        Assert.Equal([("alice", "a-mic"), ("bc", "bc-cam")],
            effects.OfType<RoomEffect.CreateConsumer>().Select(c => (c.ProducerPeerId, c.ProducerId)).Order().ToArray());
        Assert.All(effects.OfType<RoomEffect.CreateConsumer>(), c => Assert.Equal(("bob", "b-recv"), (c.PeerId, c.TransportId)));

        var carol = Connect("carol");
        _room.AddTransport(carol, Transport("c-recv"));
        Assert.Empty(_room.Join(carol, Join("carol", caps: false)).OfType<RoomEffect.CreateConsumer>());
    }

    [Fact]
    public void A_joined_peer_leaving_tells_the_other_joined_peers_closes_its_transports_and_socket()
    {
        Joined("alice");
        Connect("carol");
        _room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, null));
        var bob = Joined("bob");
        _room.AddTransport(bob, Transport("b1"));
        _room.AddTransport(bob, Transport("b2"));

        var effects = _room.Leave(bob, closeRoomIfEmpty: true);

        Assert.Equal([("alice", "peerClosed")], Notifications(effects));
        Assert.Equal("""{"peerId":"bob"}""", effects.OfType<RoomEffect.Notify>().Single().Data.ToJsonString());
        Assert.Equal(["b1", "b2"], effects.OfType<RoomEffect.CloseTransport>().Select(t => t.TransportId).ToArray());
        var close = Single<RoomEffect.ClosePeerConnection>(effects);
        Assert.Equal((bob.Connection, 4000), (close.Connection, close.Close.Code));
        Assert.Equal("bob", Single<RoomEffect.Left>(effects).PeerId);
        Assert.Empty(effects.OfType<RoomEffect.CloseRoom>());
        Assert.Null(_room.Find("bob"));
        // Gone already: a second leave does nothing.
        Assert.Empty(_room.Leave(bob, closeRoomIfEmpty: true));
        // An unjoined peer leaves silently.
        Assert.Empty(Notifications(_room.Leave(_room.Find("carol")!, closeRoomIfEmpty: true)));
    }

    [Fact]
    public void The_room_closes_when_its_last_protoo_peer_leaves_broadcasters_do_not_keep_it_open()
    {
        var alice = Joined("alice");
        var bob = Connect("bob");
        _room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, null));

        Assert.Empty(_room.Leave(alice, closeRoomIfEmpty: true).OfType<RoomEffect.CloseRoom>());
        var last = _room.Leave(bob, closeRoomIfEmpty: true);
        Assert.IsType<RoomEffect.CloseRoom>(last[^1]);

        // Not when told not to (a reconnect, a deleted broadcaster, the room's own close).
        var carol = Connect("carol");
        Assert.Empty(_room.Leave(carol, closeRoomIfEmpty: false).OfType<RoomEffect.CloseRoom>());
        Assert.Empty(_room.DeleteBroadcaster(_room.Find("bc")!).OfType<RoomEffect.CloseRoom>());
    }

    [Fact]
    public void The_same_peer_id_on_a_new_socket_replaces_the_old_peer_and_the_room_stays()
    {
        Joined("alice");
        var old = Joined("bob");
        _room.AddTransport(old, Transport("old"));
        var socket = new Handle("bob-2");

        var effects = _room.Connect("bob", socket);

        Assert.Equal([("alice", "peerClosed"), ("bob", "mediasoup-version")], Notifications(effects));
        Assert.Equal(old.Connection, Single<RoomEffect.ClosePeerConnection>(effects).Connection);
        Assert.Equal(socket, effects.OfType<RoomEffect.Notify>().Last().Connection);
        Assert.Equal("old", Single<RoomEffect.CloseTransport>(effects).TransportId);
        Assert.Empty(effects.OfType<RoomEffect.CloseRoom>());
        var fresh = _room.Current("bob", socket)!;
        Assert.False(fresh.Joined);
        Assert.Empty(fresh.Transports);
        Assert.Null(_room.Current("bob", old.Connection!));
    }

    [Fact]
    public void A_display_name_change_tells_the_other_joined_peers_the_old_name_then_answers()
    {
        Joined("alice");
        Connect("carol");
        var bob = Joined("bob");
        var effects = _room.ChangeDisplayName(bob, new RoomCommands.ChangeDisplayName("Robert"));
        Assert.Equal([("alice", "peerDisplayNameChanged")], Notifications(effects));
        Assert.Equal("""{"peerId":"bob","displayName":"Robert","oldDisplayName":"bob"}""", effects.OfType<RoomEffect.Notify>().Single().Data.ToJsonString());
        Assert.IsType<RoomReplies.Done>(Assert.IsType<RoomEffect.Reply>(effects[^1]).Value);
        Assert.Equal("Robert", bob.DisplayName);
    }

    [Fact]
    public void Broadcasters_are_created_once_listed_to_and_announced_to_joined_protoo_peers_and_deleted()
    {
        var alice = Joined("alice");
        _room.AddTransport(alice, Transport("a"));
        _room.AddProducer(alice, Producer("a-cam"));
        Connect("carol");

        var created = _room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, null));
        Assert.Equal([("alice", "newPeer")], Notifications(created));
        Assert.Equal("""{"id":"bc","displayName":"B","device":{"flag":"broadcaster","name":"FFmpeg"}}""", created.OfType<RoomEffect.Notify>().Single().Data.ToJsonString());
        var listed = Assert.Single(Assert.IsType<RoomReplies.BroadcasterCreated>(ReplyOf(created)).Peers);
        Assert.Equal(("alice", 0), (listed.Id, listed.Producers.Count)); // no caps: no producers listed
        var bc = _room.FindBroadcaster("bc")!;
        Assert.True(bc.Joined && bc.IsBroadcaster);

        // With caps, the router decides which producers are listed.
        var withCaps = _room.CreateBroadcaster(new CreateBroadcaster("bc2", "B2", "GStreamer", "1", Caps));
        var list = Single<RoomEffect.ListConsumable>(withCaps);
        Assert.Equal("bc2", list.BroadcasterId);
        Assert.Equal([("alice", "a-cam")], list.Peers.SelectMany(p => p.Producers.Select(x => (p.Id, x.Id))).ToArray());
        Assert.Empty(withCaps.OfType<RoomEffect.Reply>());

        var duplicate = ReplyOf(_room.CreateBroadcaster(new CreateBroadcaster("bc", "again", "FFmpeg", null, null)));
        Assert.Equal((RoomErrorKind.Conflict, "broadcaster with id \"bc\" already exists"), (((RoomReplies.Failed)duplicate).Kind, Reason(duplicate)));
        Assert.Equal("broadcaster with id \"alice\" already exists", Reason(ReplyOf(_room.CreateBroadcaster(new CreateBroadcaster("alice", "x", "y", null, null)))));
        Assert.Null(_room.FindBroadcaster("alice")); // a protoo peer is not a broadcaster

        _room.AddTransport(bc, Transport("bt", kind: TransportKind.Plain));
        var deleted = _room.DeleteBroadcaster(bc);
        Assert.Equal([("alice", "peerClosed")], Notifications(deleted));
        Assert.Equal("bt", Single<RoomEffect.CloseTransport>(deleted).TransportId);
        Assert.Empty(deleted.OfType<RoomEffect.ClosePeerConnection>());
        Assert.IsType<RoomReplies.Done>(ReplyOf(deleted));
        Assert.Null(_room.FindBroadcaster("bc"));
        Assert.IsType<RoomReplies.BroadcasterCreated>(ReplyOf(_room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, null))));
    }

    [Fact]
    public void Unknown_ids_get_the_demo_texts_in_the_requester_s_own_maps()
    {
        var alice = Joined("alice");
        _room.AddTransport(alice, Transport("alice-t"));
        var bob = Joined("bob");

        Assert.Equal((RoomErrorKind.NotFound, "transport with id \"alice-t\" not found"),
            (((RoomReplies.Failed)_room.Check(bob, new RoomCommands.RestartIce("alice-t"))!).Kind, Reason(_room.Check(bob, new RoomCommands.RestartIce("alice-t")))));
        Assert.Equal("transport with id \"\" not found", Reason(_room.Check(bob, new RoomCommands.GetTransportStats(""))));
        Assert.Equal("producer with id \"p\" not found", Reason(_room.Check(bob, new RoomCommands.CloseProducer("p"))));
        Assert.Equal("consumer with id \"c\" not found", Reason(_room.Check(bob, new RoomCommands.SetConsumerPriority("c", 1))));
        Assert.Null(_room.Check(alice, new RoomCommands.RestartIce("alice-t")));

        // An invalid request runs its checks first, then answers its own reason.
        var badKind = new RoomCommands.Invalid(new(Joined: true, TransportId: "alice-t"), RoomErrorKind.Invalid, "invalid kind \"data\"");
        Assert.Equal("transport with id \"alice-t\" not found", Reason(_room.Check(bob, badKind)));
        Assert.Equal("invalid kind \"data\"", Reason(_room.Check(alice, badKind)));
        Assert.Equal("Peer not yet joined", Reason(_room.Check(Connect("carol"), badKind)));

        // Broadcasters: Room.js's own words and statuses.
        Assert.Equal((RoomErrorKind.NotFound, "broadcaster with id \"x\" does not exist"), (RoomState.NoBroadcaster("x").Kind, RoomState.NoBroadcaster("x").Reason));
        _room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, null));
        var bc = _room.FindBroadcaster("bc")!;
        Assert.Equal("transport with id \"t\" does not exist", Reason(_room.Check(bc, new RoomCommands.Consume("t", "p", false))));
        _room.AddTransport(bc, Transport("plain", kind: TransportKind.Plain));
        Assert.Equal((RoomErrorKind.Invalid, "broadcaster does not have rtpCapabilities"),
            (((RoomReplies.Failed)_room.Check(bc, new RoomCommands.Consume("plain", "p", false))!).Kind, Reason(_room.Check(bc, new RoomCommands.Consume("plain", "p", false)))));
        Assert.Equal("transport with id \"plain\" is not a WebRtcTransport",
            Reason(_room.Check(bc, new RoomCommands.ConnectWebRtcTransport("plain", new AkkaSfu.Actors.Messages.DtlsParameters("client", [])))));
        Assert.Null(_room.Check(bc, new RoomCommands.ConnectPlainTransport("plain", "127.0.0.1", 5004, null, null)));
        Assert.Equal("consumer with id \"nope\" not found", Reason(_room.Check(bc, new RoomCommands.ResumeConsumer("nope"))));

        _room.CreateBroadcaster(new CreateBroadcaster("viewer", "V", "FFmpeg", null, Caps));
        var viewer = _room.FindBroadcaster("viewer")!;
        _room.AddTransport(viewer, Transport("vt", kind: TransportKind.Plain));
        Assert.Equal("producer with id \"p\" not found", Reason(_room.Check(viewer, new RoomCommands.Consume("vt", "p", false))));
        _room.AddProducer(alice, Producer("p"));
        Assert.Null(_room.Check(viewer, new RoomCommands.Consume("vt", "p", false))); // any member's producer
    }

    [Fact]
    public void The_dominant_speaker_is_the_producer_s_owner_until_it_leaves()
    {
        var alice = Joined("alice");
        _room.AddTransport(alice, Transport("a"));
        _room.AddProducer(alice, Producer("mic", MediaKind.Audio));
        Assert.Null(_room.SetDominantSpeaker("unknown"));
        Assert.Equal("alice", _room.SetDominantSpeaker("mic"));
        _room.Leave(alice, closeRoomIfEmpty: false);
        Assert.Null(_room.DominantPeerId);
    }

    [Fact]
    public void A_hand_off_tells_every_protoo_socket_the_room_moved_and_forgets_everyone()
    {
        Joined("alice");
        Connect("bob");
        _room.CreateBroadcaster(new CreateBroadcaster("bc", "B", "FFmpeg", null, null));
        var effects = _room.HandOff();
        Assert.Equal(["alice", "bob"], effects.OfType<RoomEffect.ClosePeerConnection>().Select(c => c.PeerId).Order().ToArray());
        Assert.All(effects.OfType<RoomEffect.ClosePeerConnection>(), c => Assert.Equal((1012, "room moved"), (c.Close.Code, c.Close.Reason)));
        Assert.Equal(effects.Count, effects.OfType<RoomEffect.ClosePeerConnection>().Count()); // no notifications
        Assert.Empty(_room.Peers);
    }

    [Fact]
    public void Consumers_being_made_count_against_the_transports_limit_and_the_rest_are_skipped_and_counted()
    {
        var hits = new LimitHits();
        var room = new RoomState(LimitsSettings.Default with { MaxConsumersPerTransport = 2 }, hits);
        room.Connect("a", new Handle("peer-a"));
        var a = room.Find("a")!;
        room.Join(a, Join("a"));
        room.AddTransport(a, Transport("ta"));
        for (var i = 0; i < 3; i++) room.AddProducer(a, Producer("p" + i) with { TransportId = "ta" });

        room.Connect("b", new Handle("peer-b"));
        var b = room.Find("b")!;
        room.AddTransport(b, Transport("tb", producing: false));
        // b joins a room with 3 producers: 2 consumers are asked for at once (none made yet), the third is skipped.
        var consumers = room.Join(b, Join("b")).OfType<RoomEffect.CreateConsumer>().ToArray();
        Assert.Equal(["p0", "p1"], consumers.Select(c => c.ProducerId));
        Assert.Equal(1, hits[Limit.ConsumersPerTransport]);
        Assert.Equal(2, b.ConsumersOn("tb"));

        // One is made, one fails: a place is free again, and a new producer gets it; the producer is never failed.
        room.EndConsumer(b, "tb");
        room.AddConsumer(b, new ConsumerEntry("c0", new Handle("c0"), "p0", "tb"));
        room.EndConsumer(b, "tb");
        var effects = room.AddProducer(a, Producer("p3") with { TransportId = "ta" });
        Assert.IsType<RoomReplies.Produced>(ReplyOf(effects));
        Assert.Equal("p3", Single<RoomEffect.CreateConsumer>(effects).ProducerId);
        effects = room.AddProducer(a, Producer("p4") with { TransportId = "ta" });
        Assert.IsType<RoomReplies.Produced>(ReplyOf(effects));
        Assert.Empty(effects.OfType<RoomEffect.CreateConsumer>());
        Assert.Equal(2, hits[Limit.ConsumersPerTransport]);
    }

    [Fact]
    public void Past_the_room_and_peer_limits_commands_are_answered_too_many_and_counted()
    {
        var hits = new LimitHits();
        var limits = LimitsSettings.Default with { MaxPeersPerRoom = 1, MaxTransportsPerPeer = 1, MaxProducersPerTransport = 1, MaxBroadcastersPerRoom = 1 };
        var room = new RoomState(limits, hits);
        room.Connect("a", new Handle("peer-a"));
        var a = room.Find("a")!;
        Assert.IsType<RoomReplies.Joined>(ReplyOf(room.Join(a, Join("a"))));
        room.Connect("b", new Handle("peer-b"));
        var full = Assert.IsType<RoomReplies.Failed>(ReplyOf(room.Join(room.Find("b")!, Join("b"))));
        Assert.Equal((RoomErrorKind.TooMany, "room is full: at most 1 peers per room"), (full.Kind, full.Reason));

        var create = new RoomCommands.CreateWebRtcTransport(true, false);
        Assert.Null(room.Check(a, create));
        room.BeginTransport(a); // being made: the next is refused already
        Assert.Equal(RoomErrorKind.TooMany, room.Check(a, create)!.Kind);
        room.EndTransport(a);
        room.AddTransport(a, Transport("ta"));
        Assert.Equal(RoomErrorKind.TooMany, room.Check(a, create)!.Kind);

        room.AddProducer(a, Producer("p0") with { TransportId = "ta" });
        var produce = new RoomCommands.Produce("ta", MediaKind.Audio, OrtcJson.Deserialize<RtpParameters>("""{"codecs":[],"encodings":[]}"""), new JsonObject());
        Assert.Equal(RoomErrorKind.TooMany, room.Check(a, produce)!.Kind);

        Assert.IsType<RoomReplies.BroadcasterCreated>(ReplyOf(room.CreateBroadcaster(new CreateBroadcaster("b1", "b", "ffmpeg", null, null))));
        Assert.Equal(RoomErrorKind.TooMany, Assert.IsType<RoomReplies.Failed>(ReplyOf(room.CreateBroadcaster(new CreateBroadcaster("b2", "b", "ffmpeg", null, null)))).Kind);
        Assert.Equal((1, 2, 1, 1), (hits[Limit.PeersPerRoom], hits[Limit.TransportsPerPeer], hits[Limit.ProducersPerTransport], hits[Limit.BroadcastersPerRoom]));
    }
}
