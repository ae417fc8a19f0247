using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Protocol;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>Events of the router, transports, producers and consumers this room created (it is their
    /// listener), turned into protoo notifications for the peer concerned (signalling.md §4).</summary>
    private void OnSfuEvent(ISfuEvent e)
    {
        switch (e)
        {
            case ConsumerClosed c:
                ReleaseConsumer(c.ConsumerId);
                if (_state.ConsumerOwner(c.ConsumerId) is not { } owner) break;
                _state.RemoveConsumer(owner, c.ConsumerId);
                if (c.Reason != "transportclose") Notify(owner, "consumerClosed", new { consumerId = c.ConsumerId });
                break;
            case ConsumerProducerPaused c when _state.ConsumerOwner(c.ConsumerId) is { } peer:
                Notify(peer, "consumerPaused", new { consumerId = c.ConsumerId });
                break;
            case ConsumerProducerResumed c when _state.ConsumerOwner(c.ConsumerId) is { } peer:
                Notify(peer, "consumerResumed", new { consumerId = c.ConsumerId });
                break;
            case ConsumerLayersChanged c when _state.ConsumerOwner(c.ConsumerId) is { } peer:
                Notify(peer, "consumerLayersChanged", new { consumerId = c.ConsumerId, spatialLayer = c.SpatialLayer, temporalLayer = c.TemporalLayer });
                break;
            case TransportBweChanged t when _state.TransportOwner(t.TransportId) is { } peer:
                Notify(peer, "downlinkBwe", new { desiredBitrate = t.DesiredBitrate, effectiveDesiredBitrate = t.EffectiveDesiredBitrate, availableBitrate = t.AvailableBitrate });
                break;
            case ConsumerScoreChanged c when _state.ConsumerOwner(c.ConsumerId) is { } peer:
                Notify(peer, "consumerScore", new { consumerId = c.ConsumerId, score = new { score = c.Score, producerScore = c.ProducerScore, producerScores = new[] { c.ProducerScore } } });
                break;
            case ProducerScoreChanged p when _state.ProducerOwner(p.ProducerId) is { } peer:
                Notify(peer, "producerScore", new { producerId = p.ProducerId, score = p.Scores.Select(s => new { encodingIdx = s.EncodingIdx, ssrc = s.Ssrc, rid = s.Rid, score = s.Score }).ToArray() });
                break;
            case ProducerClosed p:
                ForgetProducer(p.ProducerId);
                if (_state.ProducerOwner(p.ProducerId) is { } producerOwner) _state.RemoveProducer(producerOwner, p.ProducerId);
                break;
            case TransportClosed t:
                if (_state.TransportOwner(t.TransportId) is { } transportOwner) _state.RemoveTransport(transportOwner, t.TransportId);
                break;
            case DtlsStateChanged { DtlsState: "failed" or "closed" } t when _state.TransportOwner(t.TransportId) is { } peer:
                // As mediasoup-demo: a transport whose DTLS failed or was closed by the client ends the peer.
                _log.Info("room {0}: peer {1} transport DTLS {2}; closing the peer", _roomId, peer.Id, t.DtlsState);
                Apply(_state.Leave(peer, closeRoomIfEmpty: true), null);
                break;
            case AudioLevels levels when levels.RouterId != Main.RouterId:
                break; // the main router hears every audio producer of the room (piped there); the others are not asked
            case AudioLevels { ProducerId: { } producerId } levels when _state.ProducerOwner(producerId) is { } speaker:
                foreach (var p in _state.JoinedPeers()) Notify(p, "activeSpeaker", new { peerId = speaker.Id, volume = levels.Volume });
                break;
            case AudioLevels { ProducerId: null }:
                foreach (var p in _state.JoinedPeers()) Notify(p, "activeSpeaker", new JsonObject { ["peerId"] = null });
                break;
            case DominantSpeaker d:
                OnDominantSpeaker(d);
                break;
            case RouterClosed r when _routers.Slots.FirstOrDefault(x => x.Created?.RouterId == r.RouterId) is { } slot:
                RouterLost(slot, "it closed");
                break;
        }
    }

    /// <summary>A notification for a protoo peer (broadcasters have no socket).</summary>
    private void Notify(PeerState peer, string method, object data) =>
        peer.Connection?.Tell(new PeerSend(Protoo.Notification(method, data)), _self);
}
