using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Signalling.Protocol;

namespace AkkaSfu.Signalling.Rooms;

// Between a peer's socket and its room. The peer side is a PeerActor on the node the WebSocket landed on;
// the room may live on any node, so every one of these may cross nodes. Peer is the PeerActor.

/// <summary>A protoo socket for <paramref name="PeerId"/> opened in this room.</summary>
public sealed record PeerConnected(string PeerId, IActorRef Peer) : ICrossNodeMessage;

/// <summary>That socket closed.</summary>
public sealed record PeerDisconnected(string PeerId, IActorRef Peer) : ICrossNodeMessage;

/// <summary>A request from the peer.</summary>
public sealed record PeerRequest(string PeerId, IActorRef Peer, ProtooMessage Message) : ICrossNodeMessage;

/// <summary>The peer's answer to one of our requests (newConsumer).</summary>
public sealed record PeerResponse(string PeerId, IActorRef Peer, ProtooMessage Message) : ICrossNodeMessage;

/// <summary>Room → peer: one protoo message (response, request or notification), already written.</summary>
public sealed record PeerSend(string Json) : ICrossNodeMessage;

/// <summary>Room → peer: close the socket with this WebSocket close code (4000: the peer is closed for good,
/// protoo-client gives up; 1012: the room moved, it reconnects and joins again).</summary>
public sealed record PeerClose(int Code, string Reason) : ICrossNodeMessage
{
    public const int Closed = 4000;
    public const int Moved = 1012;
    public static readonly PeerClose RoomMoved = new(Moved, "room moved");
}
