using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Protocol;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>A broadcaster API failure with its HTTP status (404, 409, 400, 501).</summary>
    private sealed class HttpError(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    /// <summary>A task started for an HTTP request finished: on the room's thread, check the broadcaster is
    /// still there, apply <paramref name="Commit"/> and answer <paramref name="ReplyTo"/>.</summary>
    private sealed record BroadcasterCompleted(Peer? Peer, IActorRef ReplyTo, object? Result, Func<object?, BroadcasterReply> Commit, Exception? Error);

    /// <summary>Ids of broadcasters' plain transports (the rest are WebRTC).</summary>
    private readonly HashSet<string> _plainTransports = new();

    /// <summary>mediasoup-demo's broadcaster HTTP API (signalling.md §7), as room messages. Broadcasters are
    /// joined peers without a protoo connection.</summary>
    private void ReceiveBroadcasterApi()
    {
        Receive<IBroadcasterRequest>(r =>
        {
            var replyTo = Sender;
            BroadcasterReply? reply;
            try
            {
                reply = HandleBroadcasterRequest(r, replyTo);
            }
            catch (Exception e)
            {
                reply = ErrorReply(e);
            }
            if (reply is not null) replyTo.Tell(reply);
        });
        Receive<BroadcasterCompleted>(c =>
        {
            BroadcasterReply reply;
            if (c.Error is not null) reply = ErrorReply(c.Error);
            else if (c.Peer is not null && !(_peers.TryGetValue(c.Peer.Id, out var p) && p == c.Peer))
            {
                CleanUpOrphan(c.Result);
                reply = BroadcasterReply.NotFound($"broadcaster with id \"{c.Peer.Id}\" does not exist");
            }
            else
            {
                try { reply = c.Commit(c.Result); }
                catch (Exception e) { reply = ErrorReply(e); }
            }
            c.ReplyTo.Tell(reply);
        });
    }

    /// <summary>Answers now (a reply) or later (null: a task was started that answers).</summary>
    private BroadcasterReply? HandleBroadcasterRequest(IBroadcasterRequest request, IActorRef replyTo)
    {
        switch (request)
        {
            case GetRoomRtpCapabilities:
                return Json(_router.RtpCapabilities);
            case CreateBroadcaster c:
                return CreateBroadcaster(c, replyTo);
            case DeleteBroadcaster d:
            {
                var b = Broadcaster(d.BroadcasterId);
                foreach (var id in b.Transports.Keys) _plainTransports.Remove(id);
                ClosePeer(b, closeRoomIfEmpty: false);
                return BroadcasterReply.OkText("broadcaster deleted");
            }
            case CreateBroadcasterTransport t:
                return CreateBroadcasterTransport(t, replyTo);
            case ConnectBroadcasterTransport c:
            {
                var b = Broadcaster(c.BroadcasterId);
                var transport = BroadcasterTransport(b, c.TransportId);
                object command;
                if (_plainTransports.Contains(c.TransportId))
                {
                    if (c.DtlsParameters is not null) throw new HttpError(400, $"transport with id \"{c.TransportId}\" is not a WebRtcTransport");
                    command = new ConnectPlainTransport(c.Ip, c.Port, c.RtcpPort, c.SrtpParameters);
                }
                else
                {
                    command = new ConnectWebRtcTransport(c.DtlsParameters ?? throw new HttpError(400, "missing body.dtlsParameters"));
                }
                RunHttp(b, replyTo, () => transport.Ref.Ask<Done>(command, AskTimeout), _ => BroadcasterReply.Empty);
                return null;
            }
            case CreateBroadcasterProducer p:
                return CreateBroadcasterProducer(p, replyTo);
            case CreateBroadcasterConsumer c:
                return CreateBroadcasterConsumer(c, replyTo);
            case ResumeBroadcasterConsumer r:
            {
                var b = Broadcaster(r.BroadcasterId);
                if (!b.Consumers.TryGetValue(r.ConsumerId, out var consumer)) throw new HttpError(404, $"consumer with id \"{r.ConsumerId}\" not found");
                RunHttp(b, replyTo, () => consumer.Ref.Ask<Done>(ResumeConsumer.Instance, AskTimeout), _ => BroadcasterReply.Empty);
                return null;
            }
            case InvalidBroadcasterRequest i:
            {
                var b = Broadcaster(i.BroadcasterId);
                if (i.TransportId is not null) BroadcasterTransport(b, i.TransportId);
                return BroadcasterReply.BadRequest(i.Error);
            }
            case BroadcasterDataChannelRequest d:
            {
                var b = Broadcaster(d.BroadcasterId);
                BroadcasterTransport(b, d.TransportId);
                return BroadcasterReply.NotImplemented("DataChannels are not supported by this server (no SCTP)");
            }
            default:
                return BroadcasterReply.ServerError($"unknown broadcaster request {request.GetType().Name}");
        }
    }

    private BroadcasterReply? CreateBroadcaster(CreateBroadcaster c, IActorRef replyTo)
    {
        if (_peers.ContainsKey(c.Id)) throw new HttpError(409, $"broadcaster with id \"{c.Id}\" already exists");
        var device = new JsonObject { ["flag"] = "broadcaster", ["name"] = c.DeviceName };
        if (c.DeviceVersion is not null) device["version"] = c.DeviceVersion;
        var b = new Peer(c.Id, connection: null) { Joined = true, DisplayName = c.DisplayName, Device = device, RtpCapabilities = c.RtpCapabilities };
        _peers[b.Id] = b;
        _log.Info("room {0}: broadcaster {1} created ({2})", _roomId, b.Id, b.DisplayName);

        // As the demo: the listing is of protoo peers; newPeer goes to them.
        var peers = JoinedPeers(b).Where(p => !p.IsBroadcaster).ToArray();
        foreach (var other in peers) Notify(other, "newPeer", new { id = b.Id, displayName = b.DisplayName, device = device.DeepClone() });

        var listed = peers.Select(p => (Peer: p, Producers: p.Producers.Select(kv => (Id: kv.Key, kv.Value.Kind)).ToArray())).ToArray();
        if (c.RtpCapabilities is not { } caps) return Json(new { peers = listed.Select(l => PeerInfo(l.Peer, [])).ToArray() });

        // Only the producers the broadcaster can consume (the router decides).
        var router = _router.Router;
        RunHttp(b, replyTo, async () =>
        {
            var result = new List<(Peer, (string, MediaKind)[])>();
            foreach (var (peer, producers) in listed)
            {
                var ok = new List<(string, MediaKind)>();
                foreach (var (id, kind) in producers)
                    if (await router.Ask<bool>(new CanConsume(id, caps), AskTimeout)) ok.Add((id, kind));
                result.Add((peer, ok.ToArray()));
            }
            return result;
        }, result => Json(new { peers = result.Select(r => PeerInfo(r.Item1, r.Item2)).ToArray() }));
        return null;
    }

    private static object PeerInfo(Peer p, (string Id, MediaKind Kind)[] producers) => new
    {
        id = p.Id,
        displayName = p.DisplayName,
        device = p.Device.DeepClone(),
        producers = producers.Select(x => new { id = x.Id, kind = x.Kind.ToWire() }).ToArray(),
    };

    private BroadcasterReply? CreateBroadcasterTransport(CreateBroadcasterTransport t, IActorRef replyTo)
    {
        var b = Broadcaster(t.BroadcasterId);
        var transportId = Guid.NewGuid().ToString();
        var router = _router.Router;
        if (t.Type == BroadcasterTransportType.Plain)
        {
            var create = new CreatePlainTransport(transportId, t.RtcpMux, t.Comedia, t.EnableSrtp, t.SrtpCryptoSuite, _self);
            RunHttp(b, replyTo, () => router.Ask<PlainTransportCreated>(create, AskTimeout), p =>
            {
                b.Transports[p.TransportId] = new TransportEntry(p.Transport, Producing: true, Consuming: true);
                _plainTransports.Add(p.TransportId);
                return Json(new { id = p.TransportId, ip = p.Ip, port = p.Port, rtcpPort = p.RtcpPort, srtpParameters = p.SrtpParameters });
            });
        }
        else
        {
            RunHttp(b, replyTo, () => router.Ask<WebRtcTransportCreated>(new CreateWebRtcTransport(transportId, _self), AskTimeout), w =>
            {
                b.Transports[w.TransportId] = new TransportEntry(w.Transport, Producing: true, Consuming: true);
                return Json(new { id = w.TransportId, iceParameters = w.IceParameters, iceCandidates = w.IceCandidates, dtlsParameters = w.DtlsParameters });
            });
        }
        return null;
    }

    private BroadcasterReply? CreateBroadcasterProducer(CreateBroadcasterProducer p, IActorRef replyTo)
    {
        var b = Broadcaster(p.BroadcasterId);
        var transport = BroadcasterTransport(b, p.TransportId);
        var producerId = Guid.NewGuid().ToString();
        var produce = new Produce(producerId, p.Kind, p.RtpParameters, Listener: _self);
        RunHttp(b, replyTo, () => transport.Ref.Ask<ProducerCreated>(produce, AskTimeout), created =>
        {
            var entry = new ProducerEntry(created.Producer, p.Kind, new JsonObject { ["peerId"] = b.Id });
            b.Producers[created.ProducerId] = entry;
            if (p.Kind == MediaKind.Audio) ObserveAudio(created.ProducerId);
            foreach (var other in JoinedPeers(b)) CreateConsumer(other, b, created.ProducerId, entry);
            _log.Info("room {0}: broadcaster {1} produces {2} ({3})", _roomId, b.Id, p.Kind.ToWire(), created.ProducerId);
            return Json(new { id = created.ProducerId });
        });
        return null;
    }

    private BroadcasterReply? CreateBroadcasterConsumer(CreateBroadcasterConsumer c, IActorRef replyTo)
    {
        var b = Broadcaster(c.BroadcasterId);
        BroadcasterTransport(b, c.TransportId);
        if (b.RtpCapabilities is not { } caps) throw new HttpError(400, "broadcaster does not have rtpCapabilities");
        if (FindProducer(c.ProducerId) is null) throw new HttpError(404, $"producer with id \"{c.ProducerId}\" not found");
        var consume = new Consume(c.TransportId, Guid.NewGuid().ToString(), c.ProducerId, caps, Paused: c.Paused, Listener: _self);
        var router = _router.Router;
        RunHttp(b, replyTo, () => router.Ask<ConsumerCreated>(consume, AskTimeout), created =>
        {
            b.Consumers[created.ConsumerId] = new ConsumerEntry(created.Consumer, c.ProducerId);
            return Json(new
            {
                id = created.ConsumerId,
                producerId = c.ProducerId,
                kind = created.Kind.ToWire(),
                rtpParameters = created.RtpParameters,
                type = created.Type.ToString().ToLowerInvariant(),
            });
        });
        return null;
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private Peer Broadcaster(string id) =>
        _peers.TryGetValue(id, out var p) && p.IsBroadcaster ? p : throw new HttpError(404, $"broadcaster with id \"{id}\" does not exist");

    private static TransportEntry BroadcasterTransport(Peer b, string id) =>
        b.Transports.TryGetValue(id, out var t) ? t : throw new HttpError(404, $"transport with id \"{id}\" does not exist");

    /// <summary>Runs <paramref name="work"/> off the room's thread; its result is committed back on it.</summary>
    private void RunHttp<T>(Peer? peer, IActorRef replyTo, Func<Task<T>> work, Func<T, BroadcasterReply> commit)
    {
        var self = _self;
        Task.Run(work).ContinueWith(t =>
        {
            var error = t.Exception?.GetBaseException();
            self.Tell(new BroadcasterCompleted(peer, replyTo, error is null ? t.Result : null, r => commit((T)r!), error));
        });
    }

    private static BroadcasterReply Json(object value) => BroadcasterReply.Ok(Protoo.ToNode(value)!.ToJsonString(AkkaSfu.Actors.Ortc.OrtcJson.Options));

    private BroadcasterReply ErrorReply(Exception e)
    {
        switch (e)
        {
            case HttpError h:
                return h.Status switch
                {
                    400 => BroadcasterReply.BadRequest(h.Message),
                    404 => BroadcasterReply.NotFound(h.Message),
                    409 => BroadcasterReply.Conflict(h.Message),
                    501 => BroadcasterReply.NotImplemented(h.Message),
                    _ => new BroadcasterReply(h.Status, "Error: " + h.Message, BroadcasterReply.Text),
                };
            case OrtcException or SfuException or RequestError:
                // mediasoup's TypeError / UnsupportedError and the actors' refusals: the caller's input.
                return BroadcasterReply.BadRequest(e.Message);
            case AskTimeoutException:
                _log.Warning("room {0}: broadcaster request timed out", _roomId);
                return BroadcasterReply.ServerError("request timed out");
            default:
                _log.Error(e, "room {0}: broadcaster request failed", _roomId);
                return BroadcasterReply.ServerError(e.Message);
        }
    }
}
