using System.Text.Json.Nodes;
using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Signalling.Rooms;

// Between a peer's socket and its room. The peer side is a PeerActor on the node the WebSocket landed on;
// the room may live on any node, so every one of these may cross nodes. Peer is the PeerActor.

/// <summary>A protoo socket for <paramref name="PeerId"/> opened in this room.</summary>
public sealed record PeerConnected(string PeerId, IActorRef Peer) : ICrossNodeMessage;

/// <summary>That socket closed.</summary>
public sealed record PeerDisconnected(string PeerId, IActorRef Peer) : ICrossNodeMessage;

/// <summary>The peer's protoo request <paramref name="RequestId"/>, as a command (parsed on the socket's node).
/// The room answers <paramref name="Peer"/> with a <see cref="PeerReply"/> of the same id, unless the peer has gone.</summary>
public sealed record PeerCommand(string PeerId, IActorRef Peer, long RequestId, IRoomCommand Command) : ICrossNodeMessage;

/// <summary>The peer accepted our <see cref="NewConsumer"/>: the room resumes the consumer.</summary>
public sealed record ConsumerAccepted(string PeerId, IActorRef Peer, string ConsumerId) : ICrossNodeMessage;

/// <summary>Room → peer: the answer to its request <paramref name="RequestId"/>.</summary>
public sealed record PeerReply(long RequestId, IRoomReply Reply) : ICrossNodeMessage;

/// <summary>Room → peer: mediasoup-demo's <c>newConsumer</c> server request (signalling.md §4); the consumer is
/// paused until the client accepts it (<see cref="ConsumerAccepted"/>). <paramref name="PeerId"/> is the producer's
/// owner.</summary>
public sealed record NewConsumer(string PeerId, string ProducerId, string Id, MediaKind Kind, RtpParameters RtpParameters,
    RtpType Type, JsonObject AppData, bool ProducerPaused) : ICrossNodeMessage;

/// <summary>Room → peer: one protoo notification, already written.</summary>
public sealed record PeerSend(string Json) : ICrossNodeMessage;

/// <summary>Room → peer: close the socket with this WebSocket close code (4000: the peer is closed for good,
/// protoo-client gives up; 1012: the room moved, it reconnects and joins again).</summary>
public sealed record PeerClose(int Code, string Reason) : ICrossNodeMessage
{
    public const int Closed = 4000;
    public const int Moved = 1012;
    public static readonly PeerClose RoomMoved = new(Moved, "room moved");
}
