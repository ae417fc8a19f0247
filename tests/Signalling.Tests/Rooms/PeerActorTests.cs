using System.Collections.Concurrent;
using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;
using AkkaSfu.Signalling.WebSockets;

namespace AkkaSfu.Signalling.Tests.Rooms;

/// <summary>The peer actor's link to its room: attach (repeated until the room answers), messages kept until
/// then and delivered in order, 1012 when the room goes.</summary>
public sealed class PeerActorTests() : TestKit(AkkaSfuConfig.Default)
{
    private sealed class Connection : IPeerConnection
    {
        public readonly ConcurrentQueue<string> Sent = new();
        public readonly TaskCompletionSource<(int Code, string Reason)> Closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Send(string json) => Sent.Enqueue(json);
        public void Close(int code, string reason) => Closed.TrySetResult((code, reason));
    }

    /// <summary>Every message for the room goes to a probe, with its sender.</summary>
    private sealed class Directory(IActorRef probe) : IRoomDirectory
    {
        public void Tell(string roomId, object message, IActorRef? sender = null) => probe.Tell(message, sender ?? ActorRefs.NoSender);
        public Task<T> Ask<T>(string roomId, object message, TimeSpan timeout) => throw new NotSupportedException();
        public void Close(string roomId) { }
        public Task<IReadOnlyList<string>> HostedRoomsAsync(TimeSpan timeout) => Task.FromResult<IReadOnlyList<string>>([]);
    }

    private static ProtooMessage Request(long id, string method) =>
        AkkaSfu.Signalling.Protocol.Protoo.TryParse(Encoding.UTF8.GetBytes($$$"""{"request":true,"id":{{{id}}},"method":"{{{method}}}","data":{}}"""), out _)!;

    private (IActorRef Peer, TestProbe Directory, Connection Socket) Start()
    {
        var directory = CreateTestProbe();
        var socket = new Connection();
        var peer = Sys.ActorOf(PeerActor.Props("r1", "p1", socket, new Directory(directory)));
        return (peer, directory, socket);
    }

    [Fact]
    public async Task Attach_is_repeated_until_the_room_answers_and_what_the_socket_said_meanwhile_follows_in_order()
    {
        var (peer, directory, socket) = Start();
        Assert.Equal("p1", (await directory.ExpectMsgAsync<PeerConnected>()).PeerId);
        peer.Tell(new PeerActor.Inbound(Request(1, "getRouterRtpCapabilities")));
        peer.Tell(new PeerActor.Inbound(Request(2, "getRouterRtpCapabilities")));
        // No answer (say the message went to a node that was just lost): it asks again, and sends nothing else.
        await directory.ExpectMsgAsync<PeerConnected>(TimeSpan.FromSeconds(5));

        var room = CreateTestProbe();
        peer.Tell(new PeerSend("""{"notification":true,"method":"mediasoup-version","data":{}}"""), room);
        Assert.Equal(1, (await room.ExpectMsgAsync<PeerCommand>()).RequestId);
        Assert.Equal(2, (await room.ExpectMsgAsync<PeerCommand>()).RequestId);
        peer.Tell(new PeerActor.Inbound(Request(3, "getRouterRtpCapabilities")));
        Assert.Equal(3, (await room.ExpectMsgAsync<PeerCommand>()).RequestId); // now straight to the room
        // Attached: attempts sent before the answer may still be queued here, none come after.
        directory.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m as PeerConnected);
        await directory.ExpectNoMsgAsync(TimeSpan.FromSeconds(1.5));
        Assert.Single(socket.Sent);
    }

    [Fact]
    public async Task A_room_that_stops_gets_the_socket_closed_with_1012_so_the_client_comes_back()
    {
        var (peer, directory, socket) = Start();
        await directory.ExpectMsgAsync<PeerConnected>();
        var room = Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)));
        peer.Tell(new PeerSend("{}"), room); // the room's first message: the peer now watches it
        Watch(room);
        room.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(room);
        var closed = await socket.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((1012, "room moved"), closed);
    }

    [Fact]
    public async Task A_room_that_closes_the_peer_is_not_overruled_and_the_socket_end_reaches_the_room()
    {
        var (peer, directory, socket) = Start();
        await directory.ExpectMsgAsync<PeerConnected>();
        var room = CreateTestProbe();
        peer.Tell(new PeerClose(PeerClose.Closed, "peer closed"), room);
        Assert.Equal((4000, "peer closed"), await socket.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        peer.Tell(PeerActor.SocketEnded.Instance);
        Assert.Equal("p1", (await room.ExpectMsgAsync<PeerDisconnected>()).PeerId);
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }
}
