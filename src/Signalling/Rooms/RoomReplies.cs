// The room's answers to IRoomCommands: typed results, or an error with mediasoup-demo's text. The PeerActor
// writes them as protoo responses (ProtooCommands.Response), the HTTP routes as BroadcasterReplies
// (BroadcasterReplies.From). They may cross nodes.
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>A room's answer to one <see cref="IRoomCommand"/>.</summary>
public interface IRoomReply : ICrossNodeMessage;

/// <summary>What kind of failure: the broadcaster API's status (protoo answers every one with errorCode 500, but TooMany with 429).</summary>
public enum RoomErrorKind : byte
{
    /// <summary>The caller's input (mediasoup's TypeError): HTTP 400 <c>TypeError: ..</c>.</summary>
    Invalid,
    /// <summary>An unknown id: HTTP 404.</summary>
    NotFound,
    /// <summary>An id already taken: HTTP 409.</summary>
    Conflict,
    /// <summary>Something this server does not do (DataChannels): HTTP 501.</summary>
    NotImplemented,
    /// <summary>Ours (a timeout, a bug): HTTP 500.</summary>
    Failed,
    /// <summary>Not now (a node limit): HTTP 503.</summary>
    Unavailable,
    /// <summary>A limit of akkasfu.limits (too many transports, producers, peers…): HTTP 429, protoo errorCode 429.</summary>
    TooMany,
}

public static class RoomReplies
{
    /// <summary>Success without data (protoo <c>{}</c>).</summary>
    public sealed record Done : IRoomReply
    {
        public static readonly Done Instance = new();
    }

    /// <summary>The command failed; <paramref name="Reason"/> is the protoo errorReason / the HTTP body's message.</summary>
    public sealed record Failed(RoomErrorKind Kind, string Reason) : IRoomReply;

    public sealed record RouterRtpCapabilities(RtpCapabilities RtpCapabilities) : IRoomReply;

    /// <summary>A peer as <c>join</c> lists it (and <c>newPeer</c> announces it).</summary>
    public sealed record PeerInfo(string Id, string DisplayName, JsonObject Device);

    /// <summary><c>join</c>: the other joined peers and broadcasters.</summary>
    public sealed record Joined(IReadOnlyList<PeerInfo> Peers) : IRoomReply;

    public sealed record WebRtcTransport(string Id, IceParameters IceParameters, IReadOnlyList<IceCandidate> IceCandidates,
        DtlsParameters DtlsParameters) : IRoomReply;

    public sealed record PlainTransport(string Id, string Ip, int Port, int? RtcpPort, SrtpParameters? SrtpParameters) : IRoomReply;

    public sealed record IceRestarted(IceParameters IceParameters) : IRoomReply;

    public sealed record Produced(string Id) : IRoomReply;

    /// <summary>A broadcaster's consumer (not paused unless asked).</summary>
    public sealed record Consumed(string Id, string ProducerId, MediaKind Kind, RtpParameters RtpParameters, RtpType Type) : IRoomReply;

    public sealed record TransportStats(AkkaSfu.Actors.Messages.TransportStats Stats) : IRoomReply;

    public sealed record RtpStreamStats(AkkaSfu.Actors.Messages.RtpStreamStats Stats) : IRoomReply;

    public sealed record ProducerInfo(string Id, MediaKind Kind);

    /// <summary>A protoo peer as <c>createBroadcaster</c> lists it: with the producers the broadcaster can consume.</summary>
    public sealed record BroadcasterPeerInfo(string Id, string DisplayName, JsonObject Device, IReadOnlyList<ProducerInfo> Producers);

    /// <summary><c>createBroadcaster</c>: the joined protoo peers.</summary>
    public sealed record BroadcasterCreated(IReadOnlyList<BroadcasterPeerInfo> Peers) : IRoomReply;

    /// <summary>One router of a room: the node (Akka address) and worker it is on, the peers whose transports it
    /// carries and their consumers; <paramref name="Main"/>: the room's first router (its active speaker observer).</summary>
    public sealed record RouterInfo(string RouterId, string Node, int Worker, int Peers, int Consumers, bool Main);

    public sealed record Routers(IReadOnlyList<RouterInfo> Items) : IRoomReply;
}
