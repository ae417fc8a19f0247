// signalling.md §3–4 on the socket's side: a protoo request's data, validated into a room command, and the
// room's reply written as the protoo response (and newConsumer as the server request). Pure functions.
using System.Text.Json;
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Protocol;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Signalling.Rooms;

public static class ProtooCommands
{
    /// <summary>The command for <paramref name="request"/>, or null with the protoo response (JSON) to answer it
    /// with on the spot: an unknown method, or one whose answer needs no room. A malformed field becomes an
    /// <see cref="RoomCommands.Invalid"/> carrying the checks the room makes first, so the client gets the
    /// same error as when the room read the JSON itself.</summary>
    public static IRoomCommand? Parse(ProtooMessage request, out string? response)
    {
        response = null;
        var data = request.Data;
        switch (request.Method)
        {
            case "getRouterRtpCapabilities":
                return RoomCommands.GetRouterRtpCapabilities.Instance;
            case "join":
            {
                var device = data.TryGetProperty("device", out var d) && d.ValueKind == JsonValueKind.Object ? (JsonObject)JsonNode.Parse(d.GetRawText())! : new JsonObject();
                RtpCapabilities? caps = null;
                if (data.TryGetProperty("rtpCapabilities", out var c) && c.ValueKind == JsonValueKind.Object)
                {
                    try { caps = OrtcRules.ValidateRtpCapabilities(OrtcJson.Deserialize<RtpCapabilities>(c)); }
                    catch (Exception e) when (e is not OutOfMemoryException) { return Invalid(new(NotJoined: true), e.Message); }
                }
                return new RoomCommands.Join(Str(data, "displayName") ?? "", device, caps);
            }
            case "createWebRtcTransport":
                return new RoomCommands.CreateWebRtcTransport(Bool(data, "producing"), Bool(data, "consuming"));
            case "connectWebRtcTransport":
            {
                var transportId = Id(data, "transportId");
                return Parse<DtlsParameters>(data, "dtlsParameters", out var dtls) is { } error
                    ? Invalid(new(TransportId: transportId), error)
                    : new RoomCommands.ConnectWebRtcTransport(transportId, dtls!);
            }
            case "restartIce":
                return new RoomCommands.RestartIce(Id(data, "transportId"));
            case "produce":
            {
                var checks = new RoomCommands.Checks(Joined: true, TransportId: Id(data, "transportId"));
                MediaKind kind;
                try { kind = MediaKinds.Parse(Str(data, "kind")); }
                catch (OrtcException e) { return Invalid(checks, e.Message); }
                if (Parse<RtpParameters>(data, "rtpParameters", out var rtp) is { } error) return Invalid(checks, error);
                var appData = data.TryGetProperty("appData", out var a) && a.ValueKind == JsonValueKind.Object ? (JsonObject)JsonNode.Parse(a.GetRawText())! : new JsonObject();
                return new RoomCommands.Produce(checks.TransportId!, kind, rtp!, appData);
            }
            case "closeProducer":
                return new RoomCommands.CloseProducer(Id(data, "producerId"));
            case "pauseProducer":
                return new RoomCommands.PauseProducer(Id(data, "producerId"));
            case "resumeProducer":
                return new RoomCommands.ResumeProducer(Id(data, "producerId"));
            case "pauseConsumer":
                return new RoomCommands.PauseConsumer(Id(data, "consumerId"));
            case "resumeConsumer":
                return new RoomCommands.ResumeConsumer(Id(data, "consumerId"));
            case "requestConsumerKeyFrame":
                return new RoomCommands.RequestConsumerKeyFrame(Id(data, "consumerId"));
            case "setConsumerPreferredLayers":
            {
                var consumerId = Id(data, "consumerId");
                return Int(data, "spatialLayer") is { } spatial
                    ? new RoomCommands.SetConsumerPreferredLayers(consumerId, spatial, Int(data, "temporalLayer"))
                    : Invalid(new(Joined: true, ConsumerId: consumerId), "missing spatialLayer");
            }
            case "setConsumerPriority":
            {
                var consumerId = Id(data, "consumerId");
                return Int(data, "priority") is { } priority
                    ? new RoomCommands.SetConsumerPriority(consumerId, priority)
                    : Invalid(new(Joined: true, ConsumerId: consumerId), "missing priority");
            }
            case "changeDisplayName":
                return Str(data, "displayName") is { } name
                    ? new RoomCommands.ChangeDisplayName(name)
                    : Invalid(new(Joined: true), "missing displayName");
            case "getTransportStats":
                return new RoomCommands.GetTransportStats(Id(data, "transportId"));
            case "getProducerStats":
                return new RoomCommands.GetProducerStats(Id(data, "producerId"));
            case "getConsumerStats":
                return new RoomCommands.GetConsumerStats(Id(data, "consumerId"));
            case "produceData":
                return new RoomCommands.Invalid(new(Joined: true), RoomErrorKind.NotImplemented, RoomState.NoDataChannels);
            // No data producers or consumers ever exist here: nothing to ask the room.
            case "getDataProducerStats":
                response = Protoo.Error(request.Id, 500, $"dataProducer with id \"{Str(data, "dataProducerId")}\" not found");
                return null;
            case "getDataConsumerStats":
                response = Protoo.Error(request.Id, 500, $"dataConsumer with id \"{Str(data, "dataConsumerId")}\" not found");
                return null;
            case "applyNetworkThrottle":
            case "resetNetworkThrottle":
                response = Protoo.Error(request.Id, 403, "operation not allowed");
                return null;
            default:
                response = Protoo.Error(request.Id, 500, $"unknown request.method \"{request.Method}\"");
                return null;
        }
    }

    /// <summary>The protoo response to request <paramref name="id"/> for the room's <paramref name="reply"/>
    /// (every failure is errorCode 500 with the room's text, as mediasoup-demo answers a throwing handler; a limit's
    /// refusal is 429).</summary>
    public static string Response(long id, IRoomReply reply, long nowMs) => reply switch
    {
        RoomReplies.Failed { Kind: RoomErrorKind.TooMany } f => Protoo.Error(id, 429, f.Reason),
        RoomReplies.Failed f => Protoo.Error(id, 500, f.Reason),
        RoomReplies.Done => Protoo.Success(id, null),
        RoomReplies.RouterRtpCapabilities c => Protoo.Success(id, c.RtpCapabilities),
        RoomReplies.Joined j => Protoo.Success(id, new { peers = j.Peers.Select(p => new { id = p.Id, displayName = p.DisplayName, device = p.Device }).ToArray() }),
        RoomReplies.WebRtcTransport w => Protoo.Success(id, new { id = w.Id, iceParameters = w.IceParameters, iceCandidates = w.IceCandidates, dtlsParameters = w.DtlsParameters }),
        RoomReplies.IceRestarted i => Protoo.Success(id, i.IceParameters),
        RoomReplies.Produced p => Protoo.Success(id, new { id = p.Id }),
        RoomReplies.TransportStats { Stats: var s } => Protoo.Success(id, new[]
        {
            new
            {
                type = "webrtc-transport", transportId = s.TransportId, iceState = s.IceState, dtlsState = s.DtlsState,
                rtpPacketsReceived = s.RtpPacketsReceived, rtpPacketsSent = s.RtpPacketsSent,
                availableOutgoingBitrate = s.AvailableOutgoingBitrate, desiredOutgoingBitrate = s.DesiredOutgoingBitrate,
                maxIncomingBitrate = s.MaxIncomingBitrate, maxOutgoingBitrate = s.MaxOutgoingBitrate, minOutgoingBitrate = s.MinOutgoingBitrate,
                probationPacketsSent = s.ProbationPacketsSent,
                // AkkaSfu's own (mediasoup has none): what this transport, its producers and consumers dropped, by
                // reason (the reasons of akkasfu_worker_drops_total), the reasons counted at least once.
                drops = s.Drops ?? new Dictionary<string, long>(),
            },
        }),
        RoomReplies.RtpStreamStats { Stats: var s } => Protoo.Success(id, new[]
        {
            new { type = s.Type, id = s.Id, packetCount = s.PacketCount, byteCount = s.ByteCount, timestamp = nowMs },
        }),
        _ => Protoo.Error(id, 500, $"unexpected room reply {reply.GetType().Name}"),
    };

    /// <summary>The <c>newConsumer</c> server request (signalling.md §4).</summary>
    public static string NewConsumerRequest(long id, NewConsumer c) => Protoo.Request(id, "newConsumer", new
    {
        peerId = c.PeerId,
        producerId = c.ProducerId,
        id = c.Id,
        kind = c.Kind.ToWire(),
        rtpParameters = c.RtpParameters,
        type = c.Type.ToString().ToLowerInvariant(),
        appData = c.AppData,
        producerPaused = c.ProducerPaused,
    });

    private static RoomCommands.Invalid Invalid(RoomCommands.Checks checks, string reason) => new(checks, RoomErrorKind.Invalid, reason);

    private static string? Str(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>An id field; missing (or not a string) is "", which names nothing (the error says <c>id ""</c>).</summary>
    private static string Id(JsonElement data, string name) => Str(data, name) ?? "";

    private static bool Bool(JsonElement data, string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static int? Int(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    /// <summary>An ORTC object field; null on success, else the error text (<c>missing name</c> or the parser's).</summary>
    private static string? Parse<T>(JsonElement data, string name, out T? value) where T : class
    {
        value = null;
        if (!data.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Object) return $"missing {name}";
        try
        {
            value = OrtcJson.Deserialize<T>(v);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e.Message;
        }
    }
}
