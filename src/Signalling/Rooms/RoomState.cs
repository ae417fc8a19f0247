// mediasoup-demo v3 server/lib/Room.js without the I/O: the room's peers (protoo or broadcaster) and their
// transports, producers and consumers, the lookups with the demo's error texts, and its decisions — who gets
// which notification, which consumers to create — as functions of (state, command) → effects. No actor
// system: the room actor carries the effects out (signalling.md §1–4, §7).
using System.Text.Json.Nodes;
using Akka.Actor;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Limits;

namespace AkkaSfu.Signalling.Rooms;

public enum TransportKind : byte { WebRtc, Plain }

/// <summary>A transport of a peer; <paramref name="Ref"/> is its actor, an opaque handle here.</summary>
public sealed record TransportEntry(string Id, IActorRef Ref, TransportKind Kind, bool Producing, bool Consuming);

/// <summary>A producer; <paramref name="TransportId"/>: the transport it was produced on.</summary>
public sealed record ProducerEntry(string Id, IActorRef Ref, MediaKind Kind, JsonObject AppData, string TransportId = "");

/// <summary>A consumer; <paramref name="TransportId"/>: the transport it consumes on.</summary>
public sealed record ConsumerEntry(string Id, IActorRef Ref, string ProducerId, string TransportId = "");

/// <summary>One member of the room: a protoo peer (<see cref="Connection"/> is its PeerActor) or a broadcaster.</summary>
public sealed class PeerState
{
    internal PeerState(string id, IActorRef? connection)
    {
        Id = id;
        Connection = connection;
    }

    public string Id { get; }

    /// <summary>The peer's PeerActor (on the node of its socket); null for a broadcaster.</summary>
    public IActorRef? Connection { get; }

    public bool IsBroadcaster => Connection is null;
    public bool Joined { get; internal set; }
    public string DisplayName { get; internal set; } = "";
    public JsonObject Device { get; internal set; } = new();
    public RtpCapabilities? RtpCapabilities { get; internal set; }

    // Dictionaries keep insertion order while nothing is removed: "the first consuming transport" is the demo's.
    internal readonly Dictionary<string, TransportEntry> TransportMap = new();
    internal readonly Dictionary<string, ProducerEntry> ProducerMap = new();
    internal readonly Dictionary<string, ConsumerEntry> ConsumerMap = new();

    public IReadOnlyDictionary<string, TransportEntry> Transports => TransportMap;
    public IReadOnlyDictionary<string, ProducerEntry> Producers => ProducerMap;
    public IReadOnlyDictionary<string, ConsumerEntry> Consumers => ConsumerMap;

    // Being created by the media actors (asked, not answered yet): counted against the limits like created ones.
    internal int PendingTransports;
    internal readonly Dictionary<string, int> PendingProducers = new();
    internal readonly Dictionary<string, int> PendingConsumers = new();

    /// <summary>Producers on transport <paramref name="transportId"/>, made or being made.</summary>
    public int ProducersOn(string transportId) =>
        ProducerMap.Values.Count(p => p.TransportId == transportId) + PendingProducers.GetValueOrDefault(transportId);

    /// <summary>Consumers on transport <paramref name="transportId"/>, made or being made.</summary>
    public int ConsumersOn(string transportId) =>
        ConsumerMap.Values.Count(c => c.TransportId == transportId) + PendingConsumers.GetValueOrDefault(transportId);
}

/// <summary>A room's members and what they own. Decisions return the effects to carry out, in order. The room's
/// limits (akkasfu.limits: peers and broadcasters per room, transports per peer, producers and consumers per
/// transport) are checked here; each refusal is counted in <see cref="LimitHits"/>.</summary>
public sealed class RoomState(LimitsSettings limits, LimitHits hits)
{
    public const string MediasoupVersion = "3.27.1";

    private readonly Dictionary<string, PeerState> _peers = new();

    public RoomState() : this(LimitsSettings.Default, new LimitHits()) { }

    public IReadOnlyCollection<PeerState> Peers => _peers.Values;

    /// <summary>The peer (or broadcaster) whose audio producer is the dominant speaker; null before the first or
    /// once it has left.</summary>
    public string? DominantPeerId { get; private set; }

    public PeerState? Find(string peerId) => _peers.GetValueOrDefault(peerId);

    /// <summary>The protoo peer <paramref name="peerId"/> if <paramref name="connection"/> is still its socket's
    /// PeerActor (a replaced socket's late messages find nobody).</summary>
    public PeerState? Current(string peerId, IActorRef connection) =>
        _peers.TryGetValue(peerId, out var p) && connection.Equals(p.Connection) ? p : null;

    public bool IsCurrent(PeerState peer) => _peers.TryGetValue(peer.Id, out var p) && p == peer;

    public IEnumerable<PeerState> JoinedPeers(PeerState? except = null) => _peers.Values.Where(p => p.Joined && p != except);

    public PeerState? FindBroadcaster(string id) => _peers.TryGetValue(id, out var p) && p.IsBroadcaster ? p : null;

    public PeerState? TransportOwner(string transportId) => _peers.Values.FirstOrDefault(p => p.TransportMap.ContainsKey(transportId));
    public PeerState? ProducerOwner(string producerId) => _peers.Values.FirstOrDefault(p => p.ProducerMap.ContainsKey(producerId));
    public PeerState? ConsumerOwner(string consumerId) => _peers.Values.FirstOrDefault(p => p.ConsumerMap.ContainsKey(consumerId));

    // ---- errors, with mediasoup-demo's texts --------------------------------------------------------------

    public const string NoDataChannels = "DataChannels are not supported by this server (no SCTP)";

    public static RoomReplies.Failed NotYetJoined { get; } = new(RoomErrorKind.Invalid, "Peer not yet joined");
    public static RoomReplies.Failed AlreadyJoined { get; } = new(RoomErrorKind.Invalid, "Peer already joined");

    public static RoomReplies.Failed NoBroadcaster(string id) => new(RoomErrorKind.NotFound, $"broadcaster with id \"{id}\" does not exist");

    /// <summary>Room.js words it one way for protoo peers, another for broadcasters.</summary>
    public static RoomReplies.Failed NoTransport(PeerState peer, string id) => new(RoomErrorKind.NotFound,
        peer.IsBroadcaster ? $"transport with id \"{id}\" does not exist" : $"transport with id \"{id}\" not found");

    public static RoomReplies.Failed NoProducer(string id) => new(RoomErrorKind.NotFound, $"producer with id \"{id}\" not found");
    public static RoomReplies.Failed NoConsumer(string id) => new(RoomErrorKind.NotFound, $"consumer with id \"{id}\" not found");

    /// <summary>A limit refused the command (protoo errorCode 429, HTTP 429); counted.</summary>
    private RoomReplies.Failed TooMany(Limit limit, string reason)
    {
        hits.Count(limit);
        return new(RoomErrorKind.TooMany, reason);
    }

    private int MaxTransports(PeerState peer) => peer.IsBroadcaster ? limits.MaxTransportsPerBroadcaster : limits.MaxTransportsPerPeer;

    /// <summary>Why <paramref name="peer"/> may not create another transport, producer or consumer, or join: the
    /// limit it would pass (counted), or null.</summary>
    private RoomReplies.Failed? OverLimit(PeerState peer, IRoomCommand command) => command switch
    {
        RoomCommands.Join when JoinedPeers().Count(p => !p.IsBroadcaster) >= limits.MaxPeersPerRoom =>
            TooMany(Limit.PeersPerRoom, $"room is full: at most {limits.MaxPeersPerRoom} peers per room"),
        RoomCommands.CreateWebRtcTransport or RoomCommands.CreatePlainTransport when peer.TransportMap.Count + peer.PendingTransports >= MaxTransports(peer) =>
            peer.IsBroadcaster
                ? TooMany(Limit.TransportsPerBroadcaster, $"too many transports: at most {limits.MaxTransportsPerBroadcaster} per broadcaster")
                : TooMany(Limit.TransportsPerPeer, $"too many transports: at most {limits.MaxTransportsPerPeer} per peer"),
        RoomCommands.Produce p when peer.ProducersOn(p.TransportId) >= limits.MaxProducersPerTransport =>
            TooMany(Limit.ProducersPerTransport, $"too many producers: at most {limits.MaxProducersPerTransport} per transport"),
        RoomCommands.Consume c when peer.ConsumersOn(c.TransportId) >= limits.MaxConsumersPerTransport =>
            TooMany(Limit.ConsumersPerTransport, $"too many consumers: at most {limits.MaxConsumersPerTransport} per transport"),
        _ => null,
    };

    /// <summary>What <paramref name="command"/> needs before it runs (see <see cref="RoomCommands.Checks"/>).</summary>
    public static RoomCommands.Checks ChecksFor(IRoomCommand command) => command switch
    {
        RoomCommands.Join => new(NotJoined: true),
        RoomCommands.ConnectWebRtcTransport c => new(TransportId: c.TransportId),
        RoomCommands.ConnectPlainTransport c => new(TransportId: c.TransportId),
        RoomCommands.RestartIce c => new(TransportId: c.TransportId),
        RoomCommands.Produce c => new(Joined: true, TransportId: c.TransportId),
        RoomCommands.Consume c => new(TransportId: c.TransportId),
        RoomCommands.CloseProducer c => new(Joined: true, ProducerId: c.ProducerId),
        RoomCommands.PauseProducer c => new(Joined: true, ProducerId: c.ProducerId),
        RoomCommands.ResumeProducer c => new(Joined: true, ProducerId: c.ProducerId),
        RoomCommands.PauseConsumer c => new(Joined: true, ConsumerId: c.ConsumerId),
        RoomCommands.ResumeConsumer c => new(Joined: true, ConsumerId: c.ConsumerId),
        RoomCommands.RequestConsumerKeyFrame c => new(Joined: true, ConsumerId: c.ConsumerId),
        RoomCommands.SetConsumerPreferredLayers c => new(Joined: true, ConsumerId: c.ConsumerId),
        RoomCommands.SetConsumerPriority c => new(Joined: true, ConsumerId: c.ConsumerId),
        RoomCommands.ChangeDisplayName => new(Joined: true),
        RoomCommands.GetTransportStats c => new(TransportId: c.TransportId),
        RoomCommands.GetProducerStats c => new(ProducerId: c.ProducerId),
        RoomCommands.GetConsumerStats c => new(ConsumerId: c.ConsumerId),
        RoomCommands.Invalid c => c.Checks,
        _ => RoomCommands.Checks.None,
    };

    /// <summary>Why <paramref name="peer"/> cannot run <paramref name="command"/>, or null. An
    /// <see cref="RoomCommands.Invalid"/> always fails: with its checks' error, else its own.</summary>
    public RoomReplies.Failed? Check(PeerState peer, IRoomCommand command)
    {
        var checks = ChecksFor(command);
        if (checks.Joined && !peer.Joined) return NotYetJoined;
        if (checks.NotJoined && peer.Joined) return AlreadyJoined;
        if (checks.TransportId is { } t && !peer.TransportMap.ContainsKey(t)) return NoTransport(peer, t);
        if (checks.ProducerId is { } p && !peer.ProducerMap.ContainsKey(p)) return NoProducer(p);
        if (checks.ConsumerId is { } c && !peer.ConsumerMap.ContainsKey(c)) return NoConsumer(c);
        return command switch
        {
            RoomCommands.Invalid i => new RoomReplies.Failed(i.Kind, i.Reason),
            RoomCommands.ConnectWebRtcTransport w when peer.TransportMap[w.TransportId].Kind != TransportKind.WebRtc =>
                new(RoomErrorKind.Invalid, $"transport with id \"{w.TransportId}\" is not a WebRtcTransport"),
            // Only the broadcaster API connects without DTLS parameters (its body had none).
            RoomCommands.ConnectPlainTransport plain when peer.TransportMap[plain.TransportId].Kind != TransportKind.Plain =>
                new(RoomErrorKind.Invalid, "missing body.dtlsParameters"),
            RoomCommands.Consume when peer.RtpCapabilities is null => new(RoomErrorKind.Invalid, "broadcaster does not have rtpCapabilities"),
            // A broadcaster may consume any member's producer.
            RoomCommands.Consume consume when ProducerOwner(consume.ProducerId) is null => NoProducer(consume.ProducerId),
            _ => OverLimit(peer, command),
        };
    }

    // ---- protoo sockets ------------------------------------------------------------------------------------

    /// <summary>A protoo socket opened for <paramref name="peerId"/>: a peer with that id already here (a reload)
    /// goes first, without closing the room; the new one is unjoined and gets <c>mediasoup-version</c>.</summary>
    public List<RoomEffect> Connect(string peerId, IActorRef connection)
    {
        var effects = new List<RoomEffect>();
        // The peer actor repeats PeerConnected until it hears from the room: a repeat is not a new socket.
        if (_peers.TryGetValue(peerId, out var old) && connection.Equals(old.Connection)) return effects;
        if (old is not null) effects.AddRange(Leave(old, closeRoomIfEmpty: false));
        _peers[peerId] = new PeerState(peerId, connection);
        effects.Add(new RoomEffect.Notify(peerId, connection, "mediasoup-version", new JsonObject { ["version"] = MediasoupVersion }));
        return effects;
    }

    /// <summary>Room.js peer "close": <c>peerClosed</c> to the other joined peers if it had joined, its transports
    /// closed, its socket closed (4000); with <paramref name="closeRoomIfEmpty"/>, the room closes when no protoo
    /// peer is left (broadcasters do not keep a room open). <paramref name="close"/>: how its socket is closed
    /// (<see cref="PeerClose.RoomMoved"/>: the client reconnects and joins again, e.g. when its router was lost).</summary>
    public List<RoomEffect> Leave(PeerState peer, bool closeRoomIfEmpty, PeerClose? close = null)
    {
        var effects = new List<RoomEffect>();
        if (!IsCurrent(peer)) return effects;
        _peers.Remove(peer.Id);
        if (DominantPeerId == peer.Id) DominantPeerId = null;
        if (peer.Joined)
            foreach (var other in JoinedPeers())
                if (other.Connection is { } c) effects.Add(new RoomEffect.Notify(other.Id, c, "peerClosed", new JsonObject { ["peerId"] = peer.Id }));
        foreach (var t in peer.TransportMap.Values) effects.Add(new RoomEffect.CloseTransport(t.Id, t.Ref));
        if (peer.Connection is { } connection) effects.Add(new RoomEffect.ClosePeerConnection(peer.Id, connection, close ?? new PeerClose(PeerClose.Closed, "peer closed")));
        effects.Add(new RoomEffect.Left(peer.Id));
        if (closeRoomIfEmpty && !_peers.Values.Any(p => !p.IsBroadcaster)) effects.Add(RoomEffect.CloseRoom.Instance);
        return effects;
    }

    /// <summary>The room closes: every member leaves (the room's own close is the caller's).</summary>
    public List<RoomEffect> LeaveAll()
    {
        var effects = new List<RoomEffect>();
        foreach (var p in _peers.Values.ToArray()) effects.AddRange(Leave(p, closeRoomIfEmpty: false));
        return effects;
    }

    /// <summary>The room moves to another node: every protoo socket is told so (1012: the client reconnects and
    /// joins again there), and the room forgets everyone without notifying anybody.</summary>
    public List<RoomEffect> HandOff()
    {
        var effects = _peers.Values.Where(p => p.Connection is not null)
            .Select(p => (RoomEffect)new RoomEffect.ClosePeerConnection(p.Id, p.Connection!, PeerClose.RoomMoved)).ToList();
        _peers.Clear();
        DominantPeerId = null;
        return effects;
    }

    // ---- protoo commands that need no other actor -----------------------------------------------------------

    /// <summary>join: answered with the other joined peers and broadcasters; then a consumer for each of their
    /// producers (if this peer can consume), then <c>newPeer</c> to the other joined protoo peers.</summary>
    public List<RoomEffect> Join(PeerState peer, RoomCommands.Join join)
    {
        if (Check(peer, join) is { } error) return [new RoomEffect.Reply(error)];
        peer.Joined = true;
        peer.DisplayName = join.DisplayName;
        peer.Device = join.Device;
        peer.RtpCapabilities = join.RtpCapabilities;

        var others = JoinedPeers(peer).ToArray();
        var effects = new List<RoomEffect>
        {
            new RoomEffect.Reply(new RoomReplies.Joined(others.Select(o => new RoomReplies.PeerInfo(o.Id, o.DisplayName, Clone(o.Device))).ToArray())),
        };
        foreach (var other in others)
            foreach (var producer in other.ProducerMap.Values)
                if (ConsumerFor(peer, other, producer) is { } consumer) effects.Add(consumer);
        foreach (var other in others)
            if (other.Connection is { } c) effects.Add(NewPeer(other.Id, c, peer));
        return effects;
    }

    /// <summary>changeDisplayName: <c>peerDisplayNameChanged</c> to the other joined peers, then the answer.</summary>
    public List<RoomEffect> ChangeDisplayName(PeerState peer, RoomCommands.ChangeDisplayName change)
    {
        if (Check(peer, change) is { } error) return [new RoomEffect.Reply(error)];
        var old = peer.DisplayName;
        peer.DisplayName = change.DisplayName;
        var effects = new List<RoomEffect>();
        foreach (var other in JoinedPeers(peer))
            if (other.Connection is { } c)
                effects.Add(new RoomEffect.Notify(other.Id, c, "peerDisplayNameChanged",
                    new JsonObject { ["peerId"] = peer.Id, ["displayName"] = change.DisplayName, ["oldDisplayName"] = old }));
        effects.Add(new RoomEffect.Reply(RoomReplies.Done.Instance));
        return effects;
    }

    // ---- broadcasters ----------------------------------------------------------------------------------------

    /// <summary>createBroadcaster: a joined member without a socket; <c>newPeer</c> to the joined protoo peers, and
    /// the answer lists them (with the producers it can consume, which the router decides, when it has caps).</summary>
    public List<RoomEffect> CreateBroadcaster(CreateBroadcaster c)
    {
        if (_peers.ContainsKey(c.Id)) return [new RoomEffect.Reply(new RoomReplies.Failed(RoomErrorKind.Conflict, $"broadcaster with id \"{c.Id}\" already exists"))];
        if (_peers.Values.Count(p => p.IsBroadcaster) >= limits.MaxBroadcastersPerRoom)
            return [new RoomEffect.Reply(TooMany(Limit.BroadcastersPerRoom, $"too many broadcasters: at most {limits.MaxBroadcastersPerRoom} per room"))];
        var device = new JsonObject { ["flag"] = "broadcaster", ["name"] = c.DeviceName };
        if (c.DeviceVersion is not null) device["version"] = c.DeviceVersion;
        var b = new PeerState(c.Id, connection: null) { Joined = true, DisplayName = c.DisplayName, Device = device, RtpCapabilities = c.RtpCapabilities };
        _peers[b.Id] = b;

        // As the demo: the listing is of protoo peers; newPeer goes to them.
        var peers = JoinedPeers(b).Where(p => !p.IsBroadcaster).ToArray();
        var effects = new List<RoomEffect>();
        foreach (var other in peers) effects.Add(NewPeer(other.Id, other.Connection!, b));
        if (c.RtpCapabilities is not { } caps)
        {
            effects.Add(new RoomEffect.Reply(new RoomReplies.BroadcasterCreated(peers.Select(p => Listed(p, [])).ToArray())));
            return effects;
        }
        effects.Add(new RoomEffect.ListConsumable(b.Id, caps,
            peers.Select(p => Listed(p, p.ProducerMap.Values.Select(x => new RoomReplies.ProducerInfo(x.Id, x.Kind)).ToArray())).ToArray()));
        return effects;
    }

    /// <summary>deleteBroadcaster: it leaves (its transports close, <c>peerClosed</c> to the joined peers).</summary>
    public List<RoomEffect> DeleteBroadcaster(PeerState broadcaster)
    {
        var effects = Leave(broadcaster, closeRoomIfEmpty: false);
        effects.Add(new RoomEffect.Reply(RoomReplies.Done.Instance));
        return effects;
    }

    // ---- what the media actors created ---------------------------------------------------------------------

    public void AddTransport(PeerState peer, TransportEntry transport) => peer.TransportMap[transport.Id] = transport;

    // What is being created counts against the limits until the media actors answer (either way): Begin when
    // asked, End when answered.
    public void BeginTransport(PeerState peer) => peer.PendingTransports++;
    public void EndTransport(PeerState peer) => peer.PendingTransports--;
    public void BeginProducer(PeerState peer, string transportId) => Pending(peer.PendingProducers, transportId, +1);
    public void EndProducer(PeerState peer, string transportId) => Pending(peer.PendingProducers, transportId, -1);
    public void BeginConsumer(PeerState peer, string transportId) => Pending(peer.PendingConsumers, transportId, +1);
    public void EndConsumer(PeerState peer, string transportId) => Pending(peer.PendingConsumers, transportId, -1);

    private static void Pending(Dictionary<string, int> pending, string transportId, int delta)
    {
        var n = pending.GetValueOrDefault(transportId) + delta;
        if (n > 0) pending[transportId] = n;
        else pending.Remove(transportId);
    }

    /// <summary>A new producer: audio joins the active speaker observer; the answer; then a consumer of it for every
    /// other joined peer that can consume (never its owner, never a broadcaster).</summary>
    public List<RoomEffect> AddProducer(PeerState peer, ProducerEntry producer)
    {
        peer.ProducerMap[producer.Id] = producer;
        var effects = new List<RoomEffect>();
        if (producer.Kind == MediaKind.Audio) effects.Add(new RoomEffect.ObserveAudio(producer.Id));
        effects.Add(new RoomEffect.Reply(new RoomReplies.Produced(producer.Id)));
        foreach (var other in JoinedPeers(peer))
            if (ConsumerFor(other, peer, producer) is { } consumer) effects.Add(consumer);
        return effects;
    }

    public void AddConsumer(PeerState peer, ConsumerEntry consumer) => peer.ConsumerMap[consumer.Id] = consumer;

    public bool RemoveTransport(PeerState peer, string transportId) => peer.TransportMap.Remove(transportId);
    public bool RemoveProducer(PeerState peer, string producerId) => peer.ProducerMap.Remove(producerId);
    public bool RemoveConsumer(PeerState peer, string consumerId) => peer.ConsumerMap.Remove(consumerId);

    /// <summary>The active speaker observer named a producer: its owner is the dominant speaker.</summary>
    public string? SetDominantSpeaker(string producerId) => DominantPeerId = ProducerOwner(producerId)?.Id;

    /// <summary>mediasoup-demo's _createConsumer preconditions: a protoo peer with rtpCapabilities and a consuming
    /// transport (the first one), else nothing, silently. (canConsume is the router's to say.) A transport with
    /// max-consumers-per-transport consumers (made or being made) gets no more: skipped and counted, the producer
    /// is not failed. An emitted consumer counts as being made (<see cref="BeginConsumer"/>) until the room's
    /// <see cref="EndConsumer"/>.</summary>
    public RoomEffect.CreateConsumer? ConsumerFor(PeerState consumerPeer, PeerState producerPeer, ProducerEntry producer)
    {
        if (consumerPeer.IsBroadcaster || consumerPeer.RtpCapabilities is not { } caps) return null;
        var transport = consumerPeer.TransportMap.Values.FirstOrDefault(t => t.Consuming);
        if (transport is null) return null;
        if (consumerPeer.ConsumersOn(transport.Id) >= limits.MaxConsumersPerTransport)
        {
            hits.Count(Limit.ConsumersPerTransport);
            return null;
        }
        BeginConsumer(consumerPeer, transport.Id);
        return new RoomEffect.CreateConsumer(consumerPeer.Id, transport.Id, producerPeer.Id, producer.Id, caps, producer.AppData);
    }

    private static RoomEffect.Notify NewPeer(string toId, IActorRef to, PeerState peer) =>
        new(toId, to, "newPeer", new JsonObject { ["id"] = peer.Id, ["displayName"] = peer.DisplayName, ["device"] = Clone(peer.Device) });

    private static RoomReplies.BroadcasterPeerInfo Listed(PeerState p, RoomReplies.ProducerInfo[] producers) =>
        new(p.Id, p.DisplayName, Clone(p.Device), producers);

    private static JsonObject Clone(JsonObject o) => (JsonObject)o.DeepClone();
}
