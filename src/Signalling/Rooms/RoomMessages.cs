using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.WebSockets;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>A protoo socket for <paramref name="PeerId"/> opened in this room.</summary>
public sealed record PeerConnected(string PeerId, IPeerConnection Connection);

/// <summary>That socket closed.</summary>
public sealed record PeerDisconnected(string PeerId, IPeerConnection Connection);

/// <summary>A request from the peer.</summary>
public sealed record PeerRequest(string PeerId, IPeerConnection Connection, ProtooMessage Message);

/// <summary>The peer's answer to one of our requests (newConsumer).</summary>
public sealed record PeerResponse(string PeerId, IPeerConnection Connection, ProtooMessage Message);
