using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.WebSockets;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>One protoo WebSocket, as an actor on the node the socket landed on. Everything from the socket
/// goes to the room through it (one sender, so the room sees the peer's messages in order), and everything
/// the room says comes back to it (<see cref="PeerSend"/>, <see cref="PeerClose"/>), wherever the room lives.
/// It watches the room: if the room's node is lost, or the room stops without closing the peer, the socket
/// is closed with 1012 "room moved" (never 4000, after which protoo-client gives up), so the client reconnects
/// and joins the room again, re-created on a node that is up. Stops when the socket ends.</summary>
public sealed class PeerActor : ReceiveActor
{
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
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _room;
    private bool _closed;

    public PeerActor(string roomId, string peerId, IPeerConnection connection, IRoomDirectory rooms)
    {
        _roomId = roomId;
        _peerId = peerId;
        _connection = connection;
        _rooms = rooms;

        Receive<Inbound>(i =>
        {
            if (i.Message.Kind == ProtooKind.Request) _rooms.Tell(_roomId, new PeerRequest(_peerId, Self, i.Message), Self);
            else if (i.Message.Kind == ProtooKind.Response) _rooms.Tell(_roomId, new PeerResponse(_peerId, Self, i.Message), Self);
        });
        Receive<SocketEnded>(_ =>
        {
            _closed = true;
            _rooms.Tell(_roomId, new PeerDisconnected(_peerId, Self), Self);
            Context.Stop(Self);
        });
        Receive<PeerSend>(s =>
        {
            WatchRoom();
            if (!_closed) _connection.Send(s.Json);
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

    public static Props Props(string roomId, string peerId, IPeerConnection connection, IRoomDirectory rooms) =>
        Akka.Actor.Props.Create(() => new PeerActor(roomId, peerId, connection, rooms));

    protected override void PreStart() => _rooms.Tell(_roomId, new PeerConnected(_peerId, Self), Self);

    /// <summary>The node is stopping with the socket still open: the client should come back elsewhere.</summary>
    protected override void PostStop() => Close(PeerClose.Moved, "server shutting down");

    private void WatchRoom()
    {
        if (_room is not null || Sender.IsNobody() || Sender.Equals(Self)) return;
        _room = Sender;
        Context.Watch(_room);
    }

    private void Close(int code, string reason)
    {
        if (_closed) return;
        _closed = true;
        _connection.Close(code, reason);
    }
}
