using System.Text.Json.Nodes;
using Akka.Actor;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>What a <see cref="RoomState"/> decision asks the room actor to do, in order. Plain data: actor
/// refs are opaque handles the state was given (a peer's PeerActor, a transport actor), never used here.</summary>
public abstract record RoomEffect
{
    private RoomEffect() { }

    /// <summary>Answer the command being decided.</summary>
    public sealed record Reply(IRoomReply Value) : RoomEffect;

    /// <summary>Send protoo notification <paramref name="Method"/> to peer <paramref name="PeerId"/> (its PeerActor
    /// <paramref name="Connection"/>).</summary>
    public sealed record Notify(string PeerId, IActorRef Connection, string Method, JsonObject Data) : RoomEffect;

    /// <summary>mediasoup-demo's _createConsumer: ask the router for a paused consumer of
    /// <paramref name="ProducerId"/> (of <paramref name="ProducerPeerId"/>) on peer <paramref name="PeerId"/>'s
    /// consuming transport, then send it <c>newConsumer</c> with the producer's <paramref name="AppData"/>.</summary>
    public sealed record CreateConsumer(string PeerId, string TransportId, string ProducerPeerId, string ProducerId,
        RtpCapabilities RtpCapabilities, JsonObject AppData) : RoomEffect;

    /// <summary>Add an audio producer to the room's active speaker observer.</summary>
    public sealed record ObserveAudio(string ProducerId) : RoomEffect;

    /// <summary>createBroadcaster with rtpCapabilities: keep, of each listed peer's producers, those the router says
    /// broadcaster <paramref name="BroadcasterId"/> can consume, and answer <see cref="RoomReplies.BroadcasterCreated"/>.</summary>
    public sealed record ListConsumable(string BroadcasterId, RtpCapabilities RtpCapabilities, IReadOnlyList<RoomReplies.BroadcasterPeerInfo> Peers) : RoomEffect;

    /// <summary>Close a transport (and so its producers and consumers).</summary>
    public sealed record CloseTransport(string TransportId, IActorRef Transport) : RoomEffect;

    /// <summary>Close peer <paramref name="PeerId"/>'s socket with <paramref name="Close"/>.</summary>
    public sealed record ClosePeerConnection(string PeerId, IActorRef Connection, PeerClose Close) : RoomEffect;

    /// <summary>Peer (or broadcaster) <paramref name="PeerId"/> has left the room.</summary>
    public sealed record Left(string PeerId) : RoomEffect;

    /// <summary>No protoo peer is left: close the room.</summary>
    public sealed record CloseRoom : RoomEffect
    {
        public static readonly CloseRoom Instance = new();
    }
}
