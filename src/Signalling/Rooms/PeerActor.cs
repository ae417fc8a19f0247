using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.WebSockets;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>One protoo WebSocket, as an actor on the node the socket landed on. It links the socket to its
/// room wherever the room lives: everything from the socket goes to the room through it (one sender, so the
/// room sees the peer's messages in order), and everything the room says comes back to it
/// (<see cref="PeerSend"/>, <see cref="PeerClose"/>).
///
/// Attaching: <see cref="PeerConnected"/> goes through the room directory and is repeated every
/// <see cref="AttachRetry"/> until the room answers (its first <see cref="PeerSend"/>): just after a node is
/// lost, a shard region may still route a message to the lost node, where it vanishes. Until then the
/// socket's messages wait here (at most <see cref="MaxPending"/>); afterwards they go straight to the room.
/// A room that never answers (<see cref="AttachAttempts"/> tries) gets the socket closed with 1012, so the
/// client tries again.
///
/// It watches the room: if the room's node is lost, or the room stops without closing the peer, the socket
/// is closed with 1012 "room moved" (never 4000, after which protoo-client gives up), so the client
/// reconnects and joins the room again, re-created on a node that is up. Stops when the socket ends.</summary>
public sealed class PeerActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan AttachRetry = TimeSpan.FromMilliseconds(300);
    public const int AttachAttempts = 60;
    public const int MaxPending = 64;

    /// <summary>From the socket's read loop.</summary>
    public sealed record Inbound(ProtooMessage Message);

    /// <summary>From the socket's read loop: the socket ended.</summary>
    public sealed record SocketEnded
    {
        public static readonly SocketEnded Instance = new();
    }

    private sealed record Attach
    {
        public static readonly Attach Instance = new();
    }

    private readonly string _roomId;
    private readonly string _peerId;
    private readonly IPeerConnection _connection;
    private readonly IRoomDirectory _rooms;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<ProtooMessage> _pending = [];
    private IActorRef? _room;
    private bool _closed;
    private int _attempts;

    public ITimerScheduler Timers { get; set; } = null!;

    public PeerActor(string roomId, string peerId, IPeerConnection connection, IRoomDirectory rooms)
    {
        _roomId = roomId;
        _peerId = peerId;
        _connection = connection;
        _rooms = rooms;

        Receive<Inbound>(i =>
        {
            if (_room is not null) ToRoom(i.Message);
            else if (_pending.Count < MaxPending) _pending.Add(i.Message);
            else _log.Warning("peer {0}: room {1} not attached yet and {2} messages waiting; message dropped", _peerId, _roomId, MaxPending);
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
            Attached();
            if (!_closed) _connection.Send(s.Json);
        });
        Receive<PeerClose>(c =>
        {
            Attached();
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

    public static Props Props(string roomId, string peerId, IPeerConnection connection, IRoomDirectory rooms) =>
        Akka.Actor.Props.Create(() => new PeerActor(roomId, peerId, connection, rooms));

    protected override void PreStart() => Self.Tell(Attach.Instance);

    /// <summary>The node is stopping with the socket still open: the client should come back elsewhere.</summary>
    protected override void PostStop() => Close(PeerClose.Moved, "server shutting down");

    /// <summary>The room answered: watch it, and send it what the socket said meanwhile.</summary>
    private void Attached()
    {
        if (_room is not null || Sender.IsNobody() || Sender.Equals(Self)) return;
        _room = Sender;
        Context.Watch(_room);
        Timers.Cancel("attach");
        foreach (var m in _pending) ToRoom(m);
        _pending.Clear();
    }

    private void ToRoom(ProtooMessage m)
    {
        if (m.Kind == ProtooKind.Request) _room!.Tell(new PeerRequest(_peerId, Self, m));
        else if (m.Kind == ProtooKind.Response) _room!.Tell(new PeerResponse(_peerId, Self, m));
    }

    private void Close(int code, string reason)
    {
        if (_closed) return;
        _closed = true;
        _connection.Close(code, reason);
    }
}
