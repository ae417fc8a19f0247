// mediasoup-demo v3 broadcaster HTTP API (server/lib/Room.js createBroadcaster.. and server.js routes;
// signalling.md §7), as messages to a room. The HTTP layer parses and validates the bodies into these;
// the room answers each with one BroadcasterReply.
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Signalling.Broadcasters;

/// <summary>A broadcaster API call for a room; answered with a <see cref="BroadcasterReply"/>.</summary>
public interface IBroadcasterRequest : ICrossNodeMessage;

/// <summary>GET /rooms/:roomId: the router's RtpCapabilities.</summary>
public sealed record GetRoomRtpCapabilities : IBroadcasterRequest
{
    public static readonly GetRoomRtpCapabilities Instance = new();
}

/// <summary>POST /rooms/:roomId/broadcasters.</summary>
public sealed record CreateBroadcaster(string Id, string DisplayName, string DeviceName, string? DeviceVersion,
    RtpCapabilities? RtpCapabilities) : IBroadcasterRequest;

/// <summary>DELETE /rooms/:roomId/broadcasters/:bid.</summary>
public sealed record DeleteBroadcaster(string BroadcasterId) : IBroadcasterRequest;

public enum BroadcasterTransportType : byte { Plain, WebRtc }

/// <summary>POST ../broadcasters/:bid/transports (SRTP: the AkkaSfu extension for plain transports).</summary>
public sealed record CreateBroadcasterTransport(string BroadcasterId, BroadcasterTransportType Type, bool RtcpMux = false,
    bool Comedia = true, bool EnableSrtp = false, string? SrtpCryptoSuite = null) : IBroadcasterRequest;

/// <summary>POST ../transports/:tid/connect: DTLS for a WebRTC transport; remote address and/or SRTP key for a
/// plain one (mediasoup's PlainTransport.connect, an AkkaSfu extension).</summary>
public sealed record ConnectBroadcasterTransport(string BroadcasterId, string TransportId, DtlsParameters? DtlsParameters,
    string? Ip = null, int? Port = null, int? RtcpPort = null, SrtpParameters? SrtpParameters = null) : IBroadcasterRequest;

/// <summary>POST ../transports/:tid/producers.</summary>
public sealed record CreateBroadcasterProducer(string BroadcasterId, string TransportId, MediaKind Kind, RtpParameters RtpParameters)
    : IBroadcasterRequest;

/// <summary>POST ../transports/:tid/consume?producerId=P[&amp;paused=true].</summary>
public sealed record CreateBroadcasterConsumer(string BroadcasterId, string TransportId, string ProducerId, bool Paused = false)
    : IBroadcasterRequest;

/// <summary>POST ../broadcasters/:bid/consumers/:cid/resume (AkkaSfu extension).</summary>
public sealed record ResumeBroadcasterConsumer(string BroadcasterId, string ConsumerId) : IBroadcasterRequest;

/// <summary>POST ../transports/:tid/consume/data or ../produce/data: refused (no SCTP in this server) once the
/// broadcaster and transport are known.</summary>
public sealed record BroadcasterDataChannelRequest(string BroadcasterId, string TransportId, bool Produce) : IBroadcasterRequest;

/// <summary>A body that failed validation on a route naming a broadcaster (and transport): the room answers
/// 404 if those do not exist (as mediasoup-demo looks them up first), else 400 with <paramref name="Error"/>.</summary>
public sealed record InvalidBroadcasterRequest(string BroadcasterId, string? TransportId, string Error) : IBroadcasterRequest;

/// <summary>The HTTP answer: status, body and its content type.</summary>
public sealed record BroadcasterReply(int Status, string Body, string ContentType) : ICrossNodeMessage
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
}
