using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Sharding;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Broadcasters;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>WebSocket close code for a room this node cannot open now (RFC 6455 "try again later"):
    /// protoo-client reconnects, with back-off.</summary>
    public const int TryAgainLater = 1013;

    private sealed record EmptyTimedOut
    {
        public static readonly EmptyTimedOut Instance = new();
    }

    private bool _admitted, _empty, _ending;

    /// <summary>The room's first message decides whether it opens. A message for a room that has gone (a late
    /// disconnect, a command of a broadcaster or peer it had, a close) never re-creates it: the entity stops at
    /// once. Otherwise the node's <see cref="RoomCensus"/> admits it (it starts empty, so its empty timer runs)
    /// or refuses it (1013 / 503), and a refused room stops too.</summary>
    private void Admit(object first)
    {
        switch (first)
        {
            case StopRoom or HandOffRoom:
                Context.Stop(Self);
                return;
            case BroadcasterCommand { BroadcasterId: { } id }:
                Sender.Tell(RoomState.NoBroadcaster(id));
                EndUnopened(null);
                return;
            case PeerDisconnected or PeerCommand or ConsumerAccepted or Actors.Rooms.CloseRoom:
                EndUnopened(null);
                return;
        }
        if (_census.Admit(byPeer: first is PeerConnected, _settings.Rooms) is { } refusal)
        {
            _log.Warning("room {0} refused: {1}", _roomId, Describe(refusal));
            EndUnopened(refusal);
            Refuse(first, refusal);
            return;
        }
        _admitted = _empty = true;
        Timers.StartSingleTimer(EmptyTimedOut.Instance, EmptyTimedOut.Instance, _settings.Rooms.EmptyRoomTimeout);
        StartRouters();
        Become(Starting);
        Stash.Stash();
    }

    /// <summary>A room that never opened: it asks its parent to stop it, and until then answers what comes as
    /// refused (<paramref name="refusal"/>) or ignores it; messages after that go to a fresh room.</summary>
    private void EndUnopened(RoomRefusal? refusal)
    {
        _ending = true;
        Become(() =>
        {
            Receive<StopRoom>(_ => Context.Stop(Self));
            ReceiveAny(m =>
            {
                if (refusal is { } r) Refuse(m, r);
                // Rare (it passed the parent just before the stop was asked): asked again, a fresh room answers.
                // A peer's attach needs nothing: it repeats until a room answers.
                else if (m is BroadcasterCommand) Sender.Tell(new RoomReplies.Failed(RoomErrorKind.Unavailable, "the room was closing; try again"));
            });
        });
        Context.Parent.Tell(new Passivate(StopRoom.Instance));
    }

    private void Refuse(object message, RoomRefusal refusal)
    {
        switch (message)
        {
            case PeerConnected c:
                c.Peer.Tell(new PeerClose(TryAgainLater, Describe(refusal)));
                break;
            case BroadcasterCommand:
                Sender.Tell(new RoomReplies.Failed(RoomErrorKind.Unavailable, Describe(refusal)));
                break;
        }
    }

    private string Describe(RoomRefusal refusal) => refusal switch
    {
        RoomRefusal.Rooms => $"this node hosts its maximum of {_settings.Rooms.MaxRoomsPerNode} rooms",
        _ => $"this node keeps its maximum of {_settings.Rooms.MaxEmptyRooms} rooms that nobody has joined",
    };

    /// <summary>After every message: an open room that lost its last member (or has never had one) starts its
    /// empty timer; one that gained a member stops it. The census hears both.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        if (!_admitted || _ending || _routers is null) return handled;
        var empty = _state.Peers.Count == 0;
        if (empty == _empty) return handled;
        _empty = empty;
        _census.SetEmpty(empty);
        if (empty) Timers.StartSingleTimer(EmptyTimedOut.Instance, EmptyTimedOut.Instance, _settings.Rooms.EmptyRoomTimeout);
        else Timers.Cancel(EmptyTimedOut.Instance);
        return handled;
    }

    private void OnEmptyTimedOut()
    {
        if (_ending || _state.Peers.Count > 0) return;
        _log.Info("room {0}: nobody in it for {1}; closing", _roomId, _settings.Rooms.EmptyRoomTimeout);
        _census.ClosedEmpty();
        CloseRoom();
    }

    private void LeaveCensus()
    {
        if (!_admitted) return;
        _admitted = false;
        _census.Stopped(_empty);
    }
}
