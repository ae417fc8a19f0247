using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.WebSockets;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>One protoo WebSocket, as an actor on the node the socket landed on. It reads the socket's protoo
/// requests into room commands (<see cref="ProtooCommands"/>; an unknown method it answers itself) and sends
/// them to the room (one sender, so the room sees the peer's commands in order); it writes the room's replies
/// (<see cref="PeerReply"/>), notifications (<see cref="PeerSend"/>) and <see cref="NewConsumer"/> server
/// requests, whose answers it matches (30 s, then forgotten) and passes on as <see cref="ConsumerAccepted"/>,
/// wherever the room lives.
///
/// Attaching: <see cref="PeerConnected"/> goes through the room directory and is repeated every
/// <see cref="AttachRetry"/> until the room answers (its first message): just after a node is lost, a shard
/// region may still route a message to the lost node, where it vanishes. Until then what the socket says
/// waits here (at most <see cref="MaxPending"/> commands); afterwards it goes straight to the room. A room
/// that never answers (<see cref="AttachAttempts"/> tries) gets the socket closed with 1012, so the client
/// tries again.
///
/// It watches the room: if the room's node is lost, or the room stops without closing the peer, the socket
/// is closed with 1012 "room moved" (never 4000, after which protoo-client gives up), so the client reconnects
/// and joins the room again, re-created on a node that is up. Stops when the socket ends.
///
/// Grants: a request its token does not grant (<see cref="AccessPolicy.ForPeer"/>) is answered 403 here and
/// never reaches the room; without subscribe its join carries no rtpCapabilities, so it is sent no consumer.</summary>
public sealed class PeerActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan ServerRequestTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan AttachRetry = TimeSpan.FromMilliseconds(300);
    public const int AttachAttempts = 60;
    public const int MaxPending = 64;

    private sealed record Attach
    {
        public static readonly Attach Instance = new();
    }

    /// <summary>From the socket's read loop.</summary>
    public sealed record Inbound(ProtooMessage Message);

    /// <summary>From the socket's read loop: the socket ended.</summary>
    public sealed record SocketEnded
    {
        public static readonly SocketEnded Instance = new();
    }

    private readonly string _roomId;
    private readonly string _peerId;
    private readonly IPeerConnection _connection;
    private readonly IRoomDirectory _rooms;
    private readonly PeerGrants _grants;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, string> _pendingConsumers = new();
    private long _nextServerRequestId = Random.Shared.Next(1, 1_000_000);
    private readonly List<object> _pending = [];
    private IActorRef? _room;
    private bool _closed;
    private int _attempts;

    private sealed record ServerRequestTimedOut(long Id);

    public ITimerScheduler Timers { get; set; } = null!;

    public PeerActor(string roomId, string peerId, IPeerConnection connection, IRoomDirectory rooms, PeerGrants? grants = null)
    {
        _grants = grants ?? PeerGrants.Open;
        _roomId = roomId;
        _peerId = peerId;
        _connection = connection;
        _rooms = rooms;

        Receive<Inbound>(i =>
        {
            if (i.Message.Kind == ProtooKind.Request) OnRequest(i.Message);
            else if (i.Message.Kind == ProtooKind.Response) OnResponse(i.Message);
        });
        Receive<Attach>(_ =>
        {
            if (_room is not null || _closed) return;
            if (++_attempts > AttachAttempts)
            {
                _log.Warning("peer {0}: room {1} did not answer {2} attach attempts; closing the socket", _peerId, _roomId, AttachAttempts);
                Close(PeerClose.Moved, "room unavailable");
                return;
            }
            if (_attempts > 1) _log.Info("peer {0}: room {1} has not answered yet; attaching again ({2})", _peerId, _roomId, _attempts);
            _rooms.Tell(_roomId, new PeerConnected(_peerId, Self), Self);
            Timers.StartSingleTimer("attach", Attach.Instance, AttachRetry);
        });
        Receive<SocketEnded>(_ =>
        {
            _closed = true;
            var bye = new PeerDisconnected(_peerId, Self);
            if (_room is not null) _room.Tell(bye);
            else _rooms.Tell(_roomId, bye, Self);
            Context.Stop(Self);
        });
        Receive<PeerSend>(s =>
        {
            WatchRoom();
            Send(s.Json);
        });
        Receive<PeerReply>(r =>
        {
            WatchRoom();
            Send(ProtooCommands.Response(r.RequestId, r.Reply, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        });
        Receive<NewConsumer>(c =>
        {
            WatchRoom();
            var id = _nextServerRequestId++;
            _pendingConsumers[id] = c.Id;
            Send(ProtooCommands.NewConsumerRequest(id, c));
            Timers.StartSingleTimer(id, new ServerRequestTimedOut(id), ServerRequestTimeout);
        });
        Receive<ServerRequestTimedOut>(t =>
        {
            if (_pendingConsumers.Remove(t.Id)) _log.Warning("peer {0}: did not answer server request {1} (newConsumer)", _peerId, t.Id);
        });
        Receive<PeerClose>(c =>
        {
            WatchRoom();
            Close(c.Code, c.Reason);
        });
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(_room) || _closed) return;
            _log.Info("peer {0}: room {1} is gone ({2}); telling the client it moved", _peerId, _roomId,
                t.AddressTerminated ? "its node left the cluster" : "it stopped");
            Close(PeerClose.Moved, PeerClose.RoomMoved.Reason);
        });
    }

    public static Props Props(string roomId, string peerId, IPeerConnection connection, IRoomDirectory rooms, PeerGrants? grants = null) =>
        Akka.Actor.Props.Create(() => new PeerActor(roomId, peerId, connection, rooms, grants));

    protected override void PreStart() => Self.Tell(Attach.Instance);

    /// <summary>The node is stopping with the socket still open: the client should come back elsewhere.</summary>
    protected override void PostStop() => Close(PeerClose.Moved, "server shutting down");

    private void OnRequest(ProtooMessage request)
    {
        IRoomCommand? command;
        string? response;
        try
        {
            command = ProtooCommands.Parse(request, out response);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours: answer it, log it, and keep the socket going.
            _log.Error(e, "peer {0}: reading request {1} failed", _peerId, request.Method);
            command = null;
            response = Protoo.Error(request.Id, 500, e.Message);
        }
        if (command is null) Send(response!);
        else if (AccessPolicy.ForPeer(_grants.Grants, command) is { } allowed) ToRoom(new PeerCommand(_peerId, Self, request.Id, allowed));
        else
        {
            _grants.Refusals?.Count(Refusal.NoGrant);
            Send(Protoo.Error(request.Id, 403, Refusal.NoGrant.Message()));
        }
    }

    /// <summary>The client's answer to a newConsumer: accepted, the room resumes the consumer; refused, it stays
    /// paused (as the demo).</summary>
    private void OnResponse(ProtooMessage response)
    {
        if (!_pendingConsumers.Remove(response.Id, out var consumerId)) return;
        Timers.Cancel(response.Id);
        if (response.Ok) ToRoom(new ConsumerAccepted(_peerId, Self, consumerId));
        else _log.Warning("peer {0}: newConsumer refused: {1}", _peerId, response.ErrorReason);
    }

    private void Send(string json)
    {
        if (!_closed) _connection.Send(json);
    }

    /// <summary>To the room once attached; kept until then.</summary>
    private void ToRoom(object message)
    {
        if (_room is not null) _room.Tell(message);
        else if (_pending.Count < MaxPending) _pending.Add(message);
        else _log.Warning("peer {0}: room {1} not attached yet and {2} messages waiting; {3} dropped", _peerId, _roomId, MaxPending, message.GetType().Name);
    }

    /// <summary>The room answered: watch it, and send it what the socket said meanwhile.</summary>
    private void WatchRoom()
    {
        if (_room is not null || Sender.IsNobody() || Sender.Equals(Self)) return;
        _room = Sender;
        Context.Watch(_room);
        Timers.Cancel("attach");
        foreach (var m in _pending) _room.Tell(m);
        _pending.Clear();
    }

    private void Close(int code, string reason)
    {
        if (_closed) return;
        _closed = true;
        _connection.Close(code, reason);
    }
}
