using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Protocol;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>A request that cannot be served; its message goes back to the client as errorReason.</summary>
    private sealed class RequestError(string message) : Exception(message);

    private void HandleRequest(Peer peer, ProtooMessage m)
    {
        var id = m.Id;
        var data = m.Data;
        try
        {
            switch (m.Method)
            {
                case "getRouterRtpCapabilities":
                    Respond(peer, id, _router.RtpCapabilities);
                    break;
                case "join":
                    Join(peer, id, data);
                    break;
                case "createWebRtcTransport":
                {
                    var producing = Bool(data, "producing");
                    var consuming = Bool(data, "consuming");
                    var transportId = Guid.NewGuid().ToString();
                    Run(peer, id, () => _router.Router.Ask<WebRtcTransportCreated>(new CreateWebRtcTransport(transportId, _self), AskTimeout), t =>
                    {
                        peer.Transports[t.TransportId] = new TransportEntry(t.Transport, producing, consuming);
                        Respond(peer, id, new { id = t.TransportId, iceParameters = t.IceParameters, iceCandidates = t.IceCandidates, dtlsParameters = t.DtlsParameters });
                    });
                    break;
                }
                case "connectWebRtcTransport":
                {
                    var transport = Transport(peer, data);
                    var dtls = Parse<DtlsParameters>(data, "dtlsParameters");
                    Run(peer, id, () => transport.Ref.Ask<Done>(new ConnectWebRtcTransport(dtls), AskTimeout), _ => Respond(peer, id, null));
                    break;
                }
                case "restartIce":
                {
                    var transport = Transport(peer, data);
                    Run(peer, id, () => transport.Ref.Ask<IceParameters>(RestartIce.Instance, AskTimeout), ice => Respond(peer, id, ice));
                    break;
                }
                case "produce":
                    Produce(peer, id, data);
                    break;
                case "closeProducer":
                {
                    Joined(peer);
                    var (producerId, producer) = Producer(peer, data);
                    peer.Producers.Remove(producerId);
                    Run(peer, id, () => producer.Ref.Ask<Done>(CloseProducer.Instance, AskTimeout), _ => Respond(peer, id, null));
                    break;
                }
                case "pauseProducer":
                case "resumeProducer":
                {
                    Joined(peer);
                    var (_, producer) = Producer(peer, data);
                    object command = m.Method == "pauseProducer" ? PauseProducer.Instance : ResumeProducer.Instance;
                    Run(peer, id, () => producer.Ref.Ask<Done>(command, AskTimeout), _ => Respond(peer, id, null));
                    break;
                }
                case "pauseConsumer":
                case "resumeConsumer":
                case "requestConsumerKeyFrame":
                {
                    Joined(peer);
                    var consumer = Consumer(peer, data);
                    object command = m.Method switch
                    {
                        "pauseConsumer" => PauseConsumer.Instance,
                        "resumeConsumer" => ResumeConsumer.Instance,
                        _ => RequestConsumerKeyFrame.Instance,
                    };
                    Run(peer, id, () => consumer.Ref.Ask<Done>(command, AskTimeout), _ => Respond(peer, id, null));
                    break;
                }
                case "setConsumerPreferredLayers":
                {
                    Joined(peer);
                    var consumer = Consumer(peer, data);
                    var spatial = Int(data, "spatialLayer") ?? throw new RequestError("missing spatialLayer");
                    var command = new SetConsumerPreferredLayers(spatial, Int(data, "temporalLayer"));
                    Run(peer, id, () => consumer.Ref.Ask<Done>(command, AskTimeout), _ => Respond(peer, id, null));
                    break;
                }
                case "setConsumerPriority":
                {
                    Joined(peer);
                    var consumer = Consumer(peer, data);
                    var priority = Int(data, "priority") ?? throw new RequestError("missing priority");
                    Run(peer, id, () => consumer.Ref.Ask<Done>(new SetConsumerPriority(priority), AskTimeout), _ => Respond(peer, id, null));
                    break;
                }
                case "changeDisplayName":
                {
                    Joined(peer);
                    var name = Str(data, "displayName") ?? throw new RequestError("missing displayName");
                    var old = peer.DisplayName;
                    peer.DisplayName = name;
                    foreach (var other in JoinedPeers(peer))
                        Notify(other, "peerDisplayNameChanged", new { peerId = peer.Id, displayName = name, oldDisplayName = old });
                    Respond(peer, id, null);
                    break;
                }
                case "getTransportStats":
                {
                    var transport = Transport(peer, data);
                    Run(peer, id, () => transport.Ref.Ask<TransportStats>(GetTransportStats.Instance, AskTimeout),
                        s => Respond(peer, id, new[] { new { type = "webrtc-transport", transportId = s.TransportId, iceState = s.IceState, dtlsState = s.DtlsState, rtpPacketsReceived = s.RtpPacketsReceived, rtpPacketsSent = s.RtpPacketsSent } }));
                    break;
                }
                case "getProducerStats":
                {
                    var (_, producer) = Producer(peer, data);
                    Run(peer, id, () => producer.Ref.Ask<RtpStreamStats>(GetRtpStreamStats.Instance, AskTimeout), s => Respond(peer, id, new[] { Stats(s) }));
                    break;
                }
                case "getConsumerStats":
                {
                    var consumer = Consumer(peer, data);
                    Run(peer, id, () => consumer.Ref.Ask<RtpStreamStats>(GetRtpStreamStats.Instance, AskTimeout), s => Respond(peer, id, new[] { Stats(s) }));
                    break;
                }
                case "produceData":
                    Joined(peer);
                    throw new RequestError("DataChannels are not supported by this server (no SCTP)");
                case "getDataProducerStats":
                    throw new RequestError($"dataProducer with id \"{Str(data, "dataProducerId")}\" not found");
                case "getDataConsumerStats":
                    throw new RequestError($"dataConsumer with id \"{Str(data, "dataConsumerId")}\" not found");
                case "applyNetworkThrottle":
                case "resetNetworkThrottle":
                    Fail(peer, id, "operation not allowed", 403);
                    break;
                default:
                    throw new RequestError($"unknown request.method \"{m.Method}\"");
            }
        }
        catch (Exception e) when (e is RequestError or OrtcException or JsonException or FormatException or InvalidOperationException)
        {
            Fail(peer, id, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours: answer it, log it, and keep the room (and every other peer) going.
            _log.Error(e, "room {0}: request {1} from {2} failed", _roomId, m.Method, peer.Id);
            Fail(peer, id, e.Message);
        }
    }

    private static object Stats(RtpStreamStats s) => new { type = s.Type, id = s.Id, packetCount = s.PacketCount, byteCount = s.ByteCount, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };

    private void Join(Peer peer, long id, JsonElement data)
    {
        if (peer.Joined) throw new RequestError("Peer already joined");
        var displayName = Str(data, "displayName") ?? "";
        var device = data.TryGetProperty("device", out var d) && d.ValueKind == JsonValueKind.Object ? JsonNode.Parse(d.GetRawText())! : new JsonObject();
        RtpCapabilities? caps = null;
        if (data.TryGetProperty("rtpCapabilities", out var c) && c.ValueKind == JsonValueKind.Object)
            caps = OrtcRules.ValidateRtpCapabilities(OrtcJson.Deserialize<RtpCapabilities>(c));

        peer.Joined = true;
        peer.DisplayName = displayName;
        peer.Device = device;
        peer.RtpCapabilities = caps;

        var others = JoinedPeers(peer).ToArray();
        Respond(peer, id, new { peers = others.Select(o => new { id = o.Id, displayName = o.DisplayName, device = o.Device.DeepClone() }).ToArray() });
        foreach (var other in others)
            foreach (var (producerId, producer) in other.Producers)
                CreateConsumer(peer, other, producerId, producer);
        foreach (var other in others)
            if (!other.IsBroadcaster) Notify(other, "newPeer", new { id = peer.Id, displayName, device = device.DeepClone() });
        _log.Info("room {0}: peer {1} joined ({2})", _roomId, peer.Id, displayName);
    }

    private void Produce(Peer peer, long id, JsonElement data)
    {
        Joined(peer);
        var transport = Transport(peer, data);
        var kind = MediaKinds.Parse(Str(data, "kind"));
        var rtp = Parse<RtpParameters>(data, "rtpParameters");
        var appData = data.TryGetProperty("appData", out var a) && a.ValueKind == JsonValueKind.Object ? (JsonObject)JsonNode.Parse(a.GetRawText())! : new JsonObject();
        appData["peerId"] = peer.Id;
        var producerId = Guid.NewGuid().ToString();
        Run(peer, id, () => transport.Ref.Ask<ProducerCreated>(new Produce(producerId, kind, rtp, Listener: _self), AskTimeout), p =>
        {
            var entry = new ProducerEntry(p.Producer, kind, appData);
            peer.Producers[p.ProducerId] = entry;
            if (kind == MediaKind.Audio) ObserveAudio(p.ProducerId);
            Respond(peer, id, new { id = p.ProducerId });
            foreach (var other in JoinedPeers(peer)) CreateConsumer(other, peer, p.ProducerId, entry);
        });
    }

    /// <summary>mediasoup-demo's _createConsumer: skipped silently when the peer cannot consume.</summary>
    private void CreateConsumer(Peer consumerPeer, Peer producerPeer, string producerId, ProducerEntry producer)
    {
        if (consumerPeer.RtpCapabilities is not { } caps || consumerPeer.IsBroadcaster) return;
        var transport = consumerPeer.Transports.Values.FirstOrDefault(t => t.Consuming);
        if (transport is null) return;
        var transportId = consumerPeer.Transports.First(kv => kv.Value == transport).Key;
        var consumerId = Guid.NewGuid().ToString();
        var request = new Consume(transportId, consumerId, producerId, caps, Paused: true, Listener: _self);
        Run(consumerPeer, -1, () => _router.Router.Ask<ConsumerCreated>(request, AskTimeout), c =>
        {
            consumerPeer.Consumers[c.ConsumerId] = new ConsumerEntry(c.Consumer, producerId);
            ServerRequest(consumerPeer, "newConsumer", new
            {
                peerId = producerPeer.Id,
                producerId,
                id = c.ConsumerId,
                kind = c.Kind.ToWire(),
                rtpParameters = c.RtpParameters,
                type = c.Type.ToString().ToLowerInvariant(),
                appData = producer.AppData.DeepClone(),
                producerPaused = c.ProducerPaused,
            }, response =>
            {
                if (!response.Ok) { _log.Warning("room {0}: newConsumer refused by {1}: {2}", _roomId, consumerPeer.Id, response.ErrorReason); return; }
                c.Consumer.Tell(ResumeConsumer.Instance);
                Notify(consumerPeer, "consumerScore", new { consumerId = c.ConsumerId, score = new { score = 10, producerScore = 10, producerScores = new[] { 10 } } });
            });
        });
    }

    // ---- lookups, in the requester's own maps ------------------------------------------------------------

    private static void Joined(Peer peer)
    {
        if (!peer.Joined) throw new RequestError("Peer not yet joined");
    }

    private static TransportEntry Transport(Peer peer, JsonElement data)
    {
        var id = Str(data, "transportId");
        return id is not null && peer.Transports.TryGetValue(id, out var t) ? t : throw new RequestError($"transport with id \"{id}\" not found");
    }

    private static (string, ProducerEntry) Producer(Peer peer, JsonElement data)
    {
        var id = Str(data, "producerId");
        return id is not null && peer.Producers.TryGetValue(id, out var p) ? (id, p) : throw new RequestError($"producer with id \"{id}\" not found");
    }

    private static ConsumerEntry Consumer(Peer peer, JsonElement data)
    {
        var id = Str(data, "consumerId");
        return id is not null && peer.Consumers.TryGetValue(id, out var c) ? c : throw new RequestError($"consumer with id \"{id}\" not found");
    }

    private static string? Str(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement data, string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static int? Int(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static T Parse<T>(JsonElement data, string name) where T : class =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object
            ? OrtcJson.Deserialize<T>(v)
            : throw new RequestError($"missing {name}");
}
