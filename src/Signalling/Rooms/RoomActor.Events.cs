using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>Events of the router, transports, producers and consumers this room created (it is their
    /// listener), turned into protoo notifications for the peer concerned (signalling.md §4).</summary>
    private void OnSfuEvent(ISfuEvent e)
    {
        switch (e)
        {
            case ConsumerClosed c when FindConsumer(c.ConsumerId) is { } peer:
                peer.Consumers.Remove(c.ConsumerId);
                if (c.Reason != "transportclose") Notify(peer, "consumerClosed", new { consumerId = c.ConsumerId });
                break;
            case ConsumerProducerPaused c when FindConsumer(c.ConsumerId) is { } peer:
                Notify(peer, "consumerPaused", new { consumerId = c.ConsumerId });
                break;
            case ConsumerProducerResumed c when FindConsumer(c.ConsumerId) is { } peer:
                Notify(peer, "consumerResumed", new { consumerId = c.ConsumerId });
                break;
            case ConsumerLayersChanged c when FindConsumer(c.ConsumerId) is { } peer:
                Notify(peer, "consumerLayersChanged", new { consumerId = c.ConsumerId, spatialLayer = c.SpatialLayer, temporalLayer = c.TemporalLayer });
                break;
            case ConsumerScoreChanged c when FindConsumer(c.ConsumerId) is { } peer:
                Notify(peer, "consumerScore", new { consumerId = c.ConsumerId, score = new { score = c.Score, producerScore = c.ProducerScore, producerScores = new[] { c.ProducerScore } } });
                break;
            case ProducerScoreChanged p when FindProducer(p.ProducerId) is { } peer:
                Notify(peer, "producerScore", new { producerId = p.ProducerId, score = p.Scores.Select(s => new { encodingIdx = s.EncodingIdx, ssrc = s.Ssrc, rid = s.Rid, score = s.Score }).ToArray() });
                break;
            case ProducerClosed p when FindProducer(p.ProducerId) is { } peer:
                peer.Producers.Remove(p.ProducerId);
                break;
            case TransportClosed t when FindTransport(t.TransportId) is { } peer:
                peer.Transports.Remove(t.TransportId);
                break;
            case DtlsStateChanged { DtlsState: "failed" or "closed" } t when FindTransport(t.TransportId) is { } peer:
                // As mediasoup-demo: a transport whose DTLS failed or was closed by the client ends the peer.
                _log.Info("room {0}: peer {1} transport DTLS {2}; closing the peer", _roomId, peer.Id, t.DtlsState);
                ClosePeer(peer, closeRoomIfEmpty: true);
                break;
            case AudioLevels { ProducerId: { } producerId } levels when FindProducer(producerId) is { } speaker:
                foreach (var p in JoinedPeers()) Notify(p, "activeSpeaker", new { peerId = speaker.Id, volume = levels.Volume });
                break;
            case AudioLevels { ProducerId: null }:
                foreach (var p in JoinedPeers()) Notify(p, "activeSpeaker", new System.Text.Json.Nodes.JsonObject { ["peerId"] = null });
                break;
            case DominantSpeaker d:
                OnDominantSpeaker(d);
                break;
            case RouterClosed:
                _log.Warning("room {0}: its router closed", _roomId);
                foreach (var p in _peers.Values.ToArray()) ClosePeer(p, closeRoomIfEmpty: false);
                Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(AkkaSfu.Actors.Rooms.StopRoom.Instance), Self);
                break;
        }
    }

    private Peer? FindConsumer(string id) => _peers.Values.FirstOrDefault(p => p.Consumers.ContainsKey(id));
    private Peer? FindProducer(string id) => _peers.Values.FirstOrDefault(p => p.Producers.ContainsKey(id));
    private Peer? FindTransport(string id) => _peers.Values.FirstOrDefault(p => p.Transports.ContainsKey(id));
}
