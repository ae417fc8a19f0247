using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Signalling.Protocol;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>Carries out a <see cref="RoomState"/> decision, in order; <paramref name="replyTo"/> gets its
    /// <see cref="RoomEffect.Reply"/>.</summary>
    private void Apply(IEnumerable<RoomEffect> effects, ReplyTo? replyTo)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case RoomEffect.Reply r when replyTo is not null:
                    Reply(replyTo, r.Value);
                    break;
                case RoomEffect.Notify n:
                    n.Connection.Tell(new PeerSend(Protoo.Notification(n.Method, n.Data)), _self);
                    break;
                case RoomEffect.CreateConsumer c:
                    CreateConsumer(c);
                    break;
                case RoomEffect.ObserveAudio o:
                    ObserveAudio(o.ProducerId);
                    break;
                case RoomEffect.ListConsumable l when replyTo is not null:
                    ListConsumable(l, replyTo);
                    break;
                case RoomEffect.CloseTransport t:
                    t.Transport.Tell(CloseTransport.Instance);
                    break;
                case RoomEffect.ClosePeerConnection c:
                    c.Connection.Tell(c.Close, _self);
                    break;
                case RoomEffect.Left l:
                    _routers.Forget(l.PeerId);
                    _log.Info("room {0}: peer {1} left", _roomId, l.PeerId);
                    break;
                case RoomEffect.CloseRoom:
                    CloseRoom();
                    break;
            }
        }
    }

    /// <summary>mediasoup-demo's _createConsumer: a paused consumer, then <c>newConsumer</c> to its peer; when the
    /// client accepts it (<see cref="ConsumerAccepted"/>) it is resumed.</summary>
    private void CreateConsumer(RoomEffect.CreateConsumer c)
    {
        if (_state.Find(c.PeerId) is not { Connection: { } connection } peer) return;
        var request = new Consume(c.TransportId, Guid.NewGuid().ToString(), c.ProducerId, c.RtpCapabilities, Paused: true, Listener: _self);
        Run(peer, null, ConsumeOn(SlotOf(peer), c.ProducerId, request), created =>
        {
            _state.AddConsumer(peer, new ConsumerEntry(created.ConsumerId, created.Consumer, c.ProducerId, c.TransportId));
            connection.Tell(new NewConsumer(c.ProducerPeerId, c.ProducerId, created.ConsumerId, created.Kind, created.RtpParameters, created.Type,
                (System.Text.Json.Nodes.JsonObject)c.AppData.DeepClone(), created.ProducerPaused), _self);
            return [];
        }, () => _state.EndConsumer(peer, c.TransportId));
    }

    private void OnConsumerAccepted(ConsumerAccepted a)
    {
        if (_state.Current(a.PeerId, a.Peer) is not { } peer || !peer.Consumers.TryGetValue(a.ConsumerId, out var consumer)) return;
        // The resumed consumer reports its score (ConsumerScoreChanged → consumerScore), as mediasoup-demo's
        // server sends consumer.score after resume.
        consumer.Ref.Tell(ResumeConsumer.Instance);
    }

    /// <summary>createBroadcaster with caps: only the producers the broadcaster can consume (the router decides).</summary>
    private void ListConsumable(RoomEffect.ListConsumable l, ReplyTo replyTo)
    {
        if (_state.FindBroadcaster(l.BroadcasterId) is not { } broadcaster) return;
        var router = Main.Router;
        Run(broadcaster, replyTo, async () =>
        {
            var peers = new List<RoomReplies.BroadcasterPeerInfo>();
            foreach (var peer in l.Peers)
            {
                var ok = new List<RoomReplies.ProducerInfo>();
                foreach (var producer in peer.Producers)
                    if (await router.Ask<bool>(new CanConsume(producer.Id, l.RtpCapabilities), AskTimeout)) ok.Add(producer);
                peers.Add(peer with { Producers = ok });
            }
            return peers;
        }, peers => [new RoomEffect.Reply(new RoomReplies.BroadcasterCreated(peers))]);
    }
}
