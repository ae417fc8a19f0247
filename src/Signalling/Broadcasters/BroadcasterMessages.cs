// mediasoup-demo v3 broadcaster HTTP API (server/lib/Room.js createBroadcaster.. and server.js routes;
// signalling.md §7). The HTTP layer validates each body into one of these, sends the room the room command it
// stands for (a BroadcasterCommand: the same commands as protoo peers send, run as the broadcaster) and writes
// the room's IRoomReply as a BroadcasterReply.
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Broadcasters;

/// <summary>A broadcaster API call for a room: <paramref name="Command"/>, run as broadcaster
/// <paramref name="BroadcasterId"/> (404 if there is none), or as the room's (null: GET room, create broadcaster).
/// Answered with an <see cref="IRoomReply"/>.</summary>
public sealed record BroadcasterCommand(string? BroadcasterId, IRoomCommand Command) : ICrossNodeMessage;

/// <summary>POST /rooms/:roomId/broadcasters: the broadcaster's join. Reply: <see cref="RoomReplies.BroadcasterCreated"/>
/// (409 if the id is taken).</summary>
public sealed record CreateBroadcaster(string Id, string DisplayName, string DeviceName, string? DeviceVersion,
    RtpCapabilities? RtpCapabilities) : IRoomCommand;

public enum BroadcasterTransportType : byte { Plain, WebRtc }

/// <summary>POST ../broadcasters/:bid/transports (SRTP: the AkkaSfu extension for plain transports).</summary>
public sealed record CreateBroadcasterTransport(string BroadcasterId, BroadcasterTransportType Type, bool RtcpMux = false,
    bool Comedia = true, bool EnableSrtp = false, string? SrtpCryptoSuite = null)
{
    /// <summary>A WebRTC transport produces and consumes, as a plain one. <paramref name="callerIp"/>: the HTTP
    /// request's remote address, the only source a comedia transport learns from without SRTP.</summary>
    public BroadcasterCommand ToCommand(string? callerIp) => new(BroadcasterId, Type == BroadcasterTransportType.Plain
        ? new RoomCommands.CreatePlainTransport(RtcpMux, Comedia, EnableSrtp, SrtpCryptoSuite, callerIp)
        : new RoomCommands.CreateWebRtcTransport(Producing: true, Consuming: true));
}

/// <summary>POST ../transports/:tid/connect: DTLS for a WebRTC transport; remote address and/or SRTP key for a
/// plain one (mediasoup's PlainTransport.connect, an AkkaSfu extension).</summary>
public sealed record ConnectBroadcasterTransport(string BroadcasterId, string TransportId, DtlsParameters? DtlsParameters,
    string? Ip = null, int? Port = null, int? RtcpPort = null, SrtpParameters? SrtpParameters = null)
{
    /// <summary>With DTLS parameters a WebRTC connect (400 on a plain transport), else a plain one (400 on a WebRTC
    /// transport: <c>missing body.dtlsParameters</c>).</summary>
    public BroadcasterCommand ToCommand() => new(BroadcasterId, DtlsParameters is { } dtls
        ? new RoomCommands.ConnectWebRtcTransport(TransportId, dtls)
        : new RoomCommands.ConnectPlainTransport(TransportId, Ip, Port, RtcpPort, SrtpParameters));
}

/// <summary>POST ../transports/:tid/producers.</summary>
public sealed record CreateBroadcasterProducer(string BroadcasterId, string TransportId, MediaKind Kind, RtpParameters RtpParameters)
{
    public BroadcasterCommand ToCommand() => new(BroadcasterId, new RoomCommands.Produce(TransportId, Kind, RtpParameters, new JsonObject()));
}

/// <summary>POST ../transports/:tid/consume?producerId=P[&amp;paused=true].</summary>
public sealed record CreateBroadcasterConsumer(string BroadcasterId, string TransportId, string ProducerId, bool Paused = false)
{
    public BroadcasterCommand ToCommand() => new(BroadcasterId, new RoomCommands.Consume(TransportId, ProducerId, Paused));
}

/// <summary>The HTTP answer: status, body and its content type.</summary>
public sealed record BroadcasterReply(int Status, string Body, string ContentType)
{
    public const string Json = "application/json";
    public const string Text = "text/plain";

    public static BroadcasterReply Ok(string json) => new(200, json, Json);
    public static readonly BroadcasterReply Empty = new(200, "", Text);
    public static BroadcasterReply OkText(string text) => new(200, text, Text);

    /// <summary>400, body <c>TypeError: msg</c> (mediasoup's TypeError).</summary>
    public static BroadcasterReply BadRequest(string message) => new(400, "TypeError: " + message, Text);

    public static BroadcasterReply NotFound(string message) => new(404, "Error: " + message, Text);
    public static BroadcasterReply Conflict(string message) => new(409, "Error: " + message, Text);
    public static BroadcasterReply NotImplemented(string message) => new(501, "Error: " + message, Text);
    public static BroadcasterReply ServerError(string message) => new(500, "Error: " + message, Text);
    public static BroadcasterReply Unavailable(string message) => new(503, "Error: " + message, Text);
    public static BroadcasterReply TooMany(string message) => new(429, "Error: " + message, Text);

    /// <summary>The room's <paramref name="reply"/> to <paramref name="command"/>, as the demo's routes write it.</summary>
    public static BroadcasterReply From(IRoomCommand command, IRoomReply reply) => reply switch
    {
        RoomReplies.Failed f => f.Kind switch
        {
            RoomErrorKind.Invalid => BadRequest(f.Reason),
            RoomErrorKind.NotFound => NotFound(f.Reason),
            RoomErrorKind.Conflict => Conflict(f.Reason),
            RoomErrorKind.NotImplemented => NotImplemented(f.Reason),
            RoomErrorKind.Unavailable => Unavailable(f.Reason),
            RoomErrorKind.TooMany => TooMany(f.Reason),
            _ => ServerError(f.Reason),
        },
        RoomReplies.Done when command is RoomCommands.DeleteBroadcaster => OkText("broadcaster deleted"),
        RoomReplies.Done => Empty,
        RoomReplies.RouterRtpCapabilities c => JsonOf(c.RtpCapabilities),
        RoomReplies.Routers r => JsonOf(r.Items.Select(i => new
        {
            routerId = i.RouterId, node = i.Node, worker = i.Worker, peers = i.Peers, consumers = i.Consumers, main = i.Main,
        }).ToArray()),
        RoomReplies.BroadcasterCreated c => JsonOf(new
        {
            peers = c.Peers.Select(p => new
            {
                id = p.Id,
                displayName = p.DisplayName,
                device = p.Device,
                producers = p.Producers.Select(x => new { id = x.Id, kind = x.Kind.ToWire() }).ToArray(),
            }).ToArray(),
        }),
        RoomReplies.PlainTransport p => JsonOf(new { id = p.Id, ip = p.Ip, port = p.Port, rtcpPort = p.RtcpPort, srtpParameters = p.SrtpParameters }),
        RoomReplies.WebRtcTransport w => JsonOf(new { id = w.Id, iceParameters = w.IceParameters, iceCandidates = w.IceCandidates, dtlsParameters = w.DtlsParameters }),
        RoomReplies.Produced p => JsonOf(new { id = p.Id }),
        RoomReplies.Consumed c => JsonOf(new
        {
            id = c.Id,
            producerId = c.ProducerId,
            kind = c.Kind.ToWire(),
            rtpParameters = c.RtpParameters,
            type = c.Type.ToString().ToLowerInvariant(),
        }),
        _ => ServerError($"unexpected room reply {reply.GetType().Name}"),
    };

    private static BroadcasterReply JsonOf(object value) => Ok(Protoo.ToNode(value)!.ToJsonString(OrtcJson.Options));
}
