// What a room is asked to do, in mediasoup-demo's words (signalling.md §3, §7): one command set behind both
// front doors. A PeerActor builds them from protoo requests (ProtooCommands), the broadcaster HTTP routes from
// their bodies (BroadcasterRequests); the room runs them and answers each with one IRoomReply. The room may be
// on another node, so every one of these may cross nodes.
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>A command for a room, run as one of its peers (protoo or broadcaster); answered with an
/// <see cref="IRoomReply"/>.</summary>
public interface IRoomCommand : ICrossNodeMessage;

/// <summary>The room's commands. Ids a command names are looked up in the requester's own maps.</summary>
public static class RoomCommands
{
    /// <summary>Reply: <see cref="RoomReplies.RouterRtpCapabilities"/>.</summary>
    public sealed record GetRouterRtpCapabilities : IRoomCommand
    {
        public static readonly GetRouterRtpCapabilities Instance = new();
    }

    /// <summary>protoo <c>join</c>. Reply: <see cref="RoomReplies.Joined"/>.</summary>
    public sealed record Join(string DisplayName, JsonObject Device, RtpCapabilities? RtpCapabilities) : IRoomCommand;

    /// <summary>Reply: <see cref="RoomReplies.WebRtcTransport"/>.</summary>
    public sealed record CreateWebRtcTransport(bool Producing, bool Consuming) : IRoomCommand;

    /// <summary>A broadcaster's plain RTP transport (producing and consuming). <paramref name="CallerIp"/>: the API
    /// caller's address, the only source comedia may learn without SRTP (docs/security.md, "Plain transports").
    /// Reply: <see cref="RoomReplies.PlainTransport"/>.</summary>
    public sealed record CreatePlainTransport(bool RtcpMux, bool Comedia, bool EnableSrtp, string? SrtpCryptoSuite, string? CallerIp) : IRoomCommand;

    /// <summary>Reply: <see cref="RoomReplies.Done"/>.</summary>
    public sealed record ConnectWebRtcTransport(string TransportId, DtlsParameters DtlsParameters) : IRoomCommand;

    /// <summary>mediasoup's PlainTransport.connect: remote address and/or the client's SRTP key. Reply: <see cref="RoomReplies.Done"/>.</summary>
    public sealed record ConnectPlainTransport(string TransportId, string? Ip, int? Port, int? RtcpPort, SrtpParameters? SrtpParameters) : IRoomCommand;

    /// <summary>Reply: <see cref="RoomReplies.IceRestarted"/>.</summary>
    public sealed record RestartIce(string TransportId) : IRoomCommand;

    /// <summary>The room adds <c>peerId</c> to <paramref name="AppData"/>. Reply: <see cref="RoomReplies.Produced"/>.</summary>
    public sealed record Produce(string TransportId, MediaKind Kind, RtpParameters RtpParameters, JsonObject AppData) : IRoomCommand;

    /// <summary>A broadcaster consumes any producer of the room on one of its transports (not paused unless asked).
    /// Reply: <see cref="RoomReplies.Consumed"/>.</summary>
    public sealed record Consume(string TransportId, string ProducerId, bool Paused) : IRoomCommand;

    // Each of these is answered with RoomReplies.Done.
    public sealed record CloseProducer(string ProducerId) : IRoomCommand;
    public sealed record PauseProducer(string ProducerId) : IRoomCommand;
    public sealed record ResumeProducer(string ProducerId) : IRoomCommand;
    public sealed record PauseConsumer(string ConsumerId) : IRoomCommand;
    public sealed record ResumeConsumer(string ConsumerId) : IRoomCommand;
    public sealed record RequestConsumerKeyFrame(string ConsumerId) : IRoomCommand;
    public sealed record SetConsumerPreferredLayers(string ConsumerId, int SpatialLayer, int? TemporalLayer) : IRoomCommand;
    public sealed record SetConsumerPriority(string ConsumerId, int Priority) : IRoomCommand;
    public sealed record ChangeDisplayName(string DisplayName) : IRoomCommand;

    /// <summary>Reply: <see cref="RoomReplies.TransportStats"/>.</summary>
    public sealed record GetTransportStats(string TransportId) : IRoomCommand;

    /// <summary>Reply: <see cref="RoomReplies.RtpStreamStats"/>.</summary>
    public sealed record GetProducerStats(string ProducerId) : IRoomCommand;

    /// <summary>Reply: <see cref="RoomReplies.RtpStreamStats"/>.</summary>
    public sealed record GetConsumerStats(string ConsumerId) : IRoomCommand;

    /// <summary>The broadcaster API's <c>deleteBroadcaster</c>: the broadcaster leaves. Reply: <see cref="RoomReplies.Done"/>.</summary>
    public sealed record DeleteBroadcaster : IRoomCommand
    {
        public static readonly DeleteBroadcaster Instance = new();
    }

    /// <summary>AkkaSfu extension (<c>GET /rooms/:roomId/routers</c>): the room's routers and their load. Reply:
    /// <see cref="RoomReplies.Routers"/>.</summary>
    public sealed record GetRouters : IRoomCommand
    {
        public static readonly GetRouters Instance = new();
    }

    /// <summary>A request the front door could not turn into a command (a malformed body or field, or one this
    /// server refuses): the room runs <paramref name="Checks"/> first, as mediasoup-demo looks things up before
    /// it reads the rest, and answers their error, else <see cref="RoomReplies.Failed"/>(<paramref name="Kind"/>,
    /// <paramref name="Reason"/>).</summary>
    public sealed record Invalid(Checks Checks, RoomErrorKind Kind, string Reason) : IRoomCommand;

    /// <summary>What a command needs before it runs, checked in this order: joined (<c>Peer not yet joined</c>), not
    /// joined (<c>Peer already joined</c>), then the named transport, producer and consumer in the requester's maps.</summary>
    public sealed record Checks(bool Joined = false, bool NotJoined = false, string? TransportId = null, string? ProducerId = null,
        string? ConsumerId = null)
    {
        public static readonly Checks None = new();
    }
}
