using Akka.Actor;
using Akka.Cluster;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Rooms;

namespace AkkaSfu.Signalling.Cluster;

/// <summary>Asks a node (its <c>/user/node</c> actor, on any member) what it is. Reply: <see cref="NodeInfo"/>.</summary>
public sealed record GetNodeInfo : ICrossNodeMessage
{
    public static readonly GetNodeInfo Instance = new();
}

/// <summary>A node's Akka address, its HTTP base (the <c>--urls</c> it serves; null until Kestrel has
/// started) and the rooms it hosts.</summary>
public sealed record NodeInfo(string Address, string? Url, IReadOnlyList<string> Rooms) : ICrossNodeMessage;

/// <summary>From the host once Kestrel listens: this node's HTTP base.</summary>
public sealed record SetNodeUrl(string Url);

/// <summary>One per node at <c>/user/node</c>: answers <see cref="GetNodeInfo"/> for <c>GET /cluster</c>.</summary>
public sealed class NodeActor : ReceiveActor
{
    public const string Name = "node";
    private static readonly TimeSpan RoomsTimeout = TimeSpan.FromSeconds(3);

    private string? _url;

    public NodeActor(IActorRef rooms, bool clustered)
    {
        var directory = RoomDirectories.Over(rooms, clustered);
        var address = clustered ? Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString() : ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString();
        Receive<SetNodeUrl>(u => _url = u.Url);
        Receive<GetNodeInfo>(_ =>
        {
            var url = _url;
            directory.HostedRoomsAsync(RoomsTimeout).PipeTo(Sender,
                success: r => new NodeInfo(address, url, r),
                failure: _ => new NodeInfo(address, url, []));
        });
    }

    public static Props Props(IActorRef rooms, bool clustered) => Akka.Actor.Props.Create(() => new NodeActor(rooms, clustered));
}
