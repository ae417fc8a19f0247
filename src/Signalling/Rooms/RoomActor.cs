using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using Akka.Cluster.Sharding;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Protocol;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>mediasoup-demo's Room (server/lib/Room.js), as an actor: its router, its peers and their
/// transports, producers and consumers; protoo requests in, responses, server requests and notifications
/// out (signalling.md §2–4). Work that needs other actors runs as a task whose result comes back as a
/// <see cref="Completed"/> message, so the room keeps serving every peer meanwhile.</summary>
public sealed partial class RoomActor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    public const string MediasoupVersion = "3.27.1";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ServerRequestTimeout = TimeSpan.FromSeconds(30);

    private sealed class Peer(string id, IActorRef? connection)
    {
        public readonly string Id = id;
        /// <summary>The peer's PeerActor (on the node of its socket); null for a broadcaster.</summary>
        public readonly IActorRef? Connection = connection;
        public bool Joined;
        public string DisplayName = "";
        public JsonNode Device = new JsonObject();
        public RtpCapabilities? RtpCapabilities;
        public readonly Dictionary<string, TransportEntry> Transports = new();
        public readonly Dictionary<string, ProducerEntry> Producers = new();
        public readonly Dictionary<string, ConsumerEntry> Consumers = new();
        public readonly Dictionary<long, Action<ProtooMessage>> Pending = new();
        public bool IsBroadcaster => Connection is null;
    }

    private sealed record TransportEntry(IActorRef Ref, bool Producing, bool Consuming);
    private sealed record ProducerEntry(IActorRef Ref, MediaKind Kind, JsonObject AppData);
    private sealed record ConsumerEntry(IActorRef Ref, string ProducerId);

    /// <summary>A task started for a request finished: on the room's thread, check the peer is still the
    /// same and apply <paramref name="Commit"/> (which answers), or answer the error.</summary>
    private sealed record Completed(Peer Peer, long RequestId, object? Result, Action<object?> Commit, Exception? Error);

    private sealed record ServerRequestTimedOut(Peer Peer, long Id);

    private readonly string _roomId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Peer> _peers = new();
    private readonly IActorRef _self;
    private RouterCreated _router = null!;
    private long _nextServerRequestId = Random.Shared.Next(1, 1_000_000);

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public RoomActor(string roomId, IActorRef workers)
    {
        _roomId = roomId;
        _self = Self; // for tasks started by requests: Self is only valid on the actor's own thread
        workers.Ask<RouterCreated>(new CreateRouter(Guid.NewGuid().ToString(), Listener: Self), AskTimeout)
            .PipeTo(Self, failure: e => new Status.Failure(e));
        Receive<RouterCreated>(r =>
        {
            _router = r;
            _log.Info("room {0}: router {1} on worker {2}", _roomId, r.RouterId, r.WorkerIndex);
            CreateActiveSpeakerObserver();
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(f => throw new InvalidOperationException($"room {roomId}: could not create its router", f.Cause));
        ReceiveAny(_ => Stash.Stash());
    }

    public static Props Props(string roomId, IActorRef workers) => Akka.Actor.Props.Create(() => new RoomActor(roomId, workers));

    private void Ready()
    {
        Receive<PeerConnected>(OnConnected);
        Receive<PeerDisconnected>(d =>
        {
            if (_peers.TryGetValue(d.PeerId, out var peer) && d.Peer.Equals(peer.Connection)) ClosePeer(peer, closeRoomIfEmpty: true);
        });
        Receive<PeerRequest>(r =>
        {
            if (_peers.TryGetValue(r.PeerId, out var peer) && r.Peer.Equals(peer.Connection)) HandleRequest(peer, r.Message);
        });
        Receive<PeerResponse>(r =>
        {
            if (_peers.TryGetValue(r.PeerId, out var peer) && r.Peer.Equals(peer.Connection) && peer.Pending.Remove(r.Message.Id, out var callback))
            {
                Timers.Cancel("server-request-" + r.Message.Id);
                callback(r.Message);
            }
        });
        Receive<Completed>(OnCompleted);
        Receive<ServerRequestTimedOut>(t =>
        {
            if (t.Peer.Pending.Remove(t.Id)) _log.Warning("room {0}: peer {1} did not answer server request {2}", _roomId, t.Peer.Id, t.Id);
        });
        Receive<ISfuEvent>(OnSfuEvent);
        Receive<CloseRoom>(_ => CloseRoom());
        Receive<StopRoom>(_ => Context.Stop(Self));
        Receive<HandOffRoom>(_ => HandOff());
        ReceiveBroadcasterApi();
    }

    // ---- peers -----------------------------------------------------------------------------------------

    private void OnConnected(PeerConnected c)
    {
        // The peer actor repeats PeerConnected until it hears from the room: a repeat is not a new socket.
        if (_peers.TryGetValue(c.PeerId, out var same) && c.Peer.Equals(same.Connection)) return;
        if (_peers.TryGetValue(c.PeerId, out var old))
        {
            // Same peerId again (a reload): the old one goes, the room stays.
            ClosePeer(old, closeRoomIfEmpty: false);
        }
        var peer = new Peer(c.PeerId, c.Peer);
        _peers[peer.Id] = peer;
        Notify(peer, "mediasoup-version", new { version = MediasoupVersion });
    }

    private IEnumerable<Peer> JoinedPeers(Peer? except = null) => _peers.Values.Where(p => p.Joined && p != except);

    private void ClosePeer(Peer peer, bool closeRoomIfEmpty)
    {
        if (!_peers.Remove(peer.Id)) return;
        if (_dominantPeerId == peer.Id) _dominantPeerId = null;
        if (peer.Joined)
            foreach (var other in JoinedPeers()) Notify(other, "peerClosed", new { peerId = peer.Id });
        foreach (var t in peer.Transports.Values) t.Ref.Tell(CloseTransport.Instance);
        peer.Connection?.Tell(new PeerClose(PeerClose.Closed, "peer closed"));
        _log.Info("room {0}: peer {1} left", _roomId, peer.Id);
        if (closeRoomIfEmpty && !_peers.Values.Any(p => !p.IsBroadcaster)) CloseRoom();
    }

    private void CloseRoom()
    {
        foreach (var p in _peers.Values.ToArray()) ClosePeer(p, closeRoomIfEmpty: false);
        _router.Router.Tell(CloseRouter.Instance);
        _log.Info("room {0} closed", _roomId);
        Context.Parent.Tell(new Passivate(StopRoom.Instance));
    }

    /// <summary>This node is leaving the cluster and the room's shard moves: peers are told the room moved
    /// (close 1012: they reconnect and join it again where it starts next; broadcasters find it gone, 404),
    /// the media closes, and the room stops.</summary>
    private void HandOff()
    {
        foreach (var p in _peers.Values) p.Connection?.Tell(PeerClose.RoomMoved);
        _peers.Clear();
        _router.Router.Tell(CloseRouter.Instance);
        _log.Info("room {0} handed off: its peers were told it moved", _roomId);
        Context.Stop(Self);
    }

    // ---- protoo out ------------------------------------------------------------------------------------

    private void Notify(Peer peer, string method, object data) => Send(peer, Protoo.Notification(method, data));

    private void Respond(Peer peer, long id, object? data) => Send(peer, Protoo.Success(id, data));

    private void Fail(Peer peer, long id, string reason, int code = 500) => Send(peer, Protoo.Error(id, code, reason));

    private void Send(Peer peer, string json) => peer.Connection?.Tell(new PeerSend(json), _self);

    /// <summary>A server → client request (newConsumer); <paramref name="onResponse"/> runs on the room's
    /// thread when the client answers. Unanswered requests are forgotten after 30 s.</summary>
    private void ServerRequest(Peer peer, string method, object data, Action<ProtooMessage> onResponse)
    {
        if (peer.Connection is null) return;
        var id = _nextServerRequestId++;
        peer.Pending[id] = onResponse;
        Send(peer, Protoo.Request(id, method, data));
        Timers.StartSingleTimer("server-request-" + id, new ServerRequestTimedOut(peer, id), ServerRequestTimeout);
    }

    /// <summary>Runs <paramref name="work"/> off the room's thread; applies <paramref name="commit"/> (which
    /// answers the request) back on it, or answers the error.</summary>
    private void Run<T>(Peer peer, long requestId, Func<Task<T>> work, Action<T> commit)
    {
        var self = _self;
        Task.Run(work).ContinueWith(t =>
        {
            var error = t.Exception?.GetBaseException();
            self.Tell(new Completed(peer, requestId, error is null ? t.Result : null, r => commit((T)r!), error));
        });
    }

    private void OnCompleted(Completed c)
    {
        var current = _peers.TryGetValue(c.Peer.Id, out var p) && p == c.Peer;
        if (c.Error is not null)
        {
            if (current && c.RequestId >= 0) Fail(c.Peer, c.RequestId, Reason(c.Error));
            else if (c.RequestId < 0) _log.Debug("room {0}: background step failed: {1}", _roomId, Reason(c.Error));
            return;
        }
        if (!current)
        {
            CleanUpOrphan(c.Result);
            return;
        }
        try
        {
            c.Commit(c.Result);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Error(e, "room {0}: completing a request of {1} failed", _roomId, c.Peer.Id);
            if (c.RequestId >= 0) Fail(c.Peer, c.RequestId, e.Message);
        }
    }

    /// <summary>Something was created for a peer that has left meanwhile: close it.</summary>
    private static void CleanUpOrphan(object? result)
    {
        switch (result)
        {
            case WebRtcTransportCreated t: t.Transport.Tell(CloseTransport.Instance); break;
            case PlainTransportCreated t: t.Transport.Tell(CloseTransport.Instance); break;
            case ProducerCreated p: p.Producer.Tell(CloseProducer.Instance); break;
            case ConsumerCreated c: c.Consumer.Tell(CloseConsumer.Instance); break;
        }
    }

    private static string Reason(Exception e) => e switch
    {
        AskTimeoutException => "request timed out",
        _ => e.Message,
    };
}
