using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>Where a command's reply goes: a protoo peer's PeerActor (as a <see cref="PeerReply"/> of its
    /// request id) or the broadcaster API's asker (the reply itself).</summary>
    private sealed record ReplyTo(IActorRef Target, long RequestId, bool IsPeer)
    {
        public static ReplyTo Peer(IActorRef peer, long requestId) => new(peer, requestId, IsPeer: true);
        public static ReplyTo Asker(IActorRef sender) => new(sender, -1, IsPeer: false);

        public void Send(IRoomReply reply, IActorRef self) => Target.Tell(IsPeer ? new PeerReply(RequestId, reply) : reply, self);
    }

    /// <summary>A task started for <paramref name="Peer"/> finished: on the room's thread, check the peer is still
    /// the same and carry out <paramref name="Commit"/>'s effects (which answer <paramref name="ReplyTo"/>), or
    /// answer the error. No <paramref name="ReplyTo"/>: a background step (a consumer for a peer).</summary>
    /// <paramref name="Settle"/>: runs first, whatever the outcome (what was counted as being made is made or not).</summary>
    private sealed record Completed(PeerState Peer, ReplyTo? ReplyTo, object? Result, Func<object?, IEnumerable<RoomEffect>> Commit, Exception? Error,
        Action? Settle = null);

    /// <summary>Runs <paramref name="work"/> off the room's thread; <paramref name="settle"/> then
    /// <paramref name="commit"/> run back on it.</summary>
    private void Run<T>(PeerState peer, ReplyTo? replyTo, Func<Task<T>> work, Func<T, IEnumerable<RoomEffect>> commit, Action? settle = null)
    {
        var self = _self;
        Task.Run(work).ContinueWith(t =>
        {
            var error = t.Exception?.GetBaseException();
            self.Tell(new Completed(peer, replyTo, error is null ? t.Result : null, r => commit((T)r!), error, settle));
        });
    }

    /// <summary>Asks <paramref name="target"/> something answered with <see cref="Done"/>; replies Done.</summary>
    private void RunDone(PeerState peer, ReplyTo replyTo, IActorRef target, object message) =>
        Run(peer, replyTo, () => target.Ask<Done>(message, AskTimeout), _ => [new RoomEffect.Reply(RoomReplies.Done.Instance)]);

    private void OnCompleted(Completed c)
    {
        c.Settle?.Invoke();
        var current = _state.IsCurrent(c.Peer);
        if (c.Error is not null)
        {
            // A protoo peer that has gone gets nothing; the broadcaster API always gets its answer.
            if (c.ReplyTo is { } replyTo && (current || !replyTo.IsPeer)) Reply(replyTo, Failure(c.Error));
            else if (c.ReplyTo is null) _log.Debug("room {0}: background step failed: {1}", _roomId, c.Error.Message);
            return;
        }
        if (!current)
        {
            CleanUpOrphan(c.Result);
            if (c.ReplyTo is { IsPeer: false } asker) Reply(asker, RoomState.NoBroadcaster(c.Peer.Id));
            return;
        }
        try
        {
            Apply(c.Commit(c.Result), c.ReplyTo);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Error(e, "room {0}: completing a command of {1} failed", _roomId, c.Peer.Id);
            if (c.ReplyTo is { } replyTo) Reply(replyTo, new RoomReplies.Failed(RoomErrorKind.Failed, e.Message));
        }
    }

    private void Reply(ReplyTo replyTo, IRoomReply reply) => replyTo.Send(reply, _self);

    /// <summary>A media actor's refusal as the demo words it: mediasoup's TypeError / UnsupportedError and the
    /// actors' own refusals are the caller's input (HTTP 400); a timeout or anything else is ours (500).</summary>
    private RoomReplies.Failed Failure(Exception e)
    {
        switch (e)
        {
            case OrtcException or SfuException:
                return new(RoomErrorKind.Invalid, e.Message);
            case AskTimeoutException:
                _log.Warning("room {0}: a request timed out", _roomId);
                return new(RoomErrorKind.Failed, "request timed out");
            default:
                _log.Error(e, "room {0}: a request failed", _roomId);
                return new(RoomErrorKind.Failed, e.Message);
        }
    }

    /// <summary>Something was created for a member that has left meanwhile: close it.</summary>
    private void CleanUpOrphan(object? result)
    {
        switch (result)
        {
            case WebRtcTransportCreated t: t.Transport.Tell(CloseTransport.Instance); break;
            case PlainTransportCreated t: t.Transport.Tell(CloseTransport.Instance); break;
            case ProducerCreated p: p.Producer.Tell(CloseProducer.Instance); break;
            case ConsumerCreated c:
                c.Consumer.Tell(CloseConsumer.Instance);
                ReleaseConsumer(c.ConsumerId);
                break;
        }
    }
}
