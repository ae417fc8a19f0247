using Akka.Actor;
using Akka.Cluster.Sharding;
using AkkaSfu.Actors.Messages;

namespace AkkaSfu.Actors.Rooms;

/// <summary>A message for the room <paramref name="RoomId"/> in the single-node directory; the directory
/// creates the room on first use. (A cluster routes <see cref="ShardingEnvelope"/>s instead.)</summary>
public sealed record RoomEnvelope(string RoomId, object Message);

/// <summary>Closes the room (its router and everything in it).</summary>
public sealed record CloseRoom : ICrossNodeMessage
{
    public static readonly CloseRoom Instance = new();
}

/// <summary>What a room that is done sends its parent: <c>Context.Parent.Tell(new Passivate(StopRoom.Instance))</c>.
/// The parent (a shard, or <see cref="RoomsActor"/>) answers with this message, and the room then stops
/// itself; messages sent to the room meanwhile go to a fresh one.</summary>
public sealed record StopRoom
{
    public static readonly StopRoom Instance = new();
}

/// <summary>A shard hands the room to another node (this node is leaving the cluster): the room tells its
/// peers it moved, closes its media and stops. Sharding's hand-off stop message.</summary>
public sealed record HandOffRoom
{
    public static readonly HandOffRoom Instance = new();
}

/// <summary>How callers find rooms: by id, created on first use, wherever they live. A single node keeps
/// them as children of one actor (<see cref="LocalRoomDirectory"/>); a cluster shards them
/// (<see cref="ShardedRoomDirectory"/>), and callers do not change.</summary>
public interface IRoomDirectory
{
    /// <summary>Sends <paramref name="message"/> to room <paramref name="roomId"/>, creating it if needed.</summary>
    void Tell(string roomId, object message, IActorRef? sender = null);

    /// <summary>Asks room <paramref name="roomId"/> (created if needed).</summary>
    Task<T> Ask<T>(string roomId, object message, TimeSpan timeout);

    /// <summary>Closes the room if it exists.</summary>
    void Close(string roomId);

    /// <summary>The ids of the rooms that live on this node.</summary>
    Task<IReadOnlyList<string>> HostedRoomsAsync(TimeSpan timeout);
}

/// <summary>The directory over a running rooms actor: the shard region in a cluster, else the local parent.</summary>
public static class RoomDirectories
{
    public static IRoomDirectory Over(IActorRef rooms, bool clustered) =>
        clustered ? new ShardedRoomDirectory(rooms) : new LocalRoomDirectory(rooms);
}

/// <summary>The single-node directory: one parent actor, one child per room, made by
/// <paramref name="roomProps"/>(roomId).</summary>
public sealed class LocalRoomDirectory : IRoomDirectory
{
    /// <summary>Starts the rooms' parent actor.</summary>
    public LocalRoomDirectory(ActorSystem system, Func<string, Props> roomProps, string name = "rooms")
        : this(system.ActorOf(Props.Create(() => new RoomsActor(roomProps)), name)) { }

    /// <summary>Over a running <see cref="RoomsActor"/>.</summary>
    public LocalRoomDirectory(IActorRef parent) => Parent = parent;

    public IActorRef Parent { get; }

    public void Tell(string roomId, object message, IActorRef? sender = null) =>
        Parent.Tell(new RoomEnvelope(roomId, message), sender ?? ActorRefs.NoSender);

    public Task<T> Ask<T>(string roomId, object message, TimeSpan timeout) => Parent.Ask<T>(new RoomEnvelope(roomId, message), timeout);

    public void Close(string roomId) => Parent.Tell(new RoomEnvelope(roomId, CloseRoom.Instance));

    public async Task<IReadOnlyList<string>> HostedRoomsAsync(TimeSpan timeout) =>
        (await Parent.Ask<RoomsActor.HostedRooms>(RoomsActor.GetHostedRooms.Instance, timeout)).RoomIds;
}

/// <summary>The cluster's directory: rooms are entities of the shard region <paramref name="region"/>
/// (Akka.Cluster.Sharding); a message reaches its room on whichever node hosts it.</summary>
public sealed class ShardedRoomDirectory(IActorRef region) : IRoomDirectory
{
    public IActorRef Region { get; } = region;

    public void Tell(string roomId, object message, IActorRef? sender = null) =>
        Region.Tell(new ShardingEnvelope(roomId, message), sender ?? ActorRefs.NoSender);

    public Task<T> Ask<T>(string roomId, object message, TimeSpan timeout) => Region.Ask<T>(new ShardingEnvelope(roomId, message), timeout);

    /// <summary>Closes the room (a sharded entity starts on any message: a room that did not exist starts
    /// and closes at once).</summary>
    public void Close(string roomId) => Region.Tell(new ShardingEnvelope(roomId, CloseRoom.Instance));

    public async Task<IReadOnlyList<string>> HostedRoomsAsync(TimeSpan timeout)
    {
        var state = await Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout);
        return state.Shards.SelectMany(s => s.EntityIds).Order(StringComparer.Ordinal).ToArray();
    }
}

/// <summary>Room id → shard: MurmurHash of the id over a fixed number of shards (the same on every node).
/// Every message is sent as a <see cref="ShardingEnvelope"/>, which Akka unwraps itself; nothing else is a
/// room message.</summary>
public sealed class RoomMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => null;
}

/// <summary>Child-per-entity parent, as a shard without a cluster: routes each envelope to the room's child,
/// creating it on first use (except for a close, which never creates). A room that ends sends
/// <see cref="Passivate"/>; it is sent its stop message, and messages that arrive until it has stopped are
/// kept and handed to a fresh room (as sharding's passivation does).</summary>
public sealed class RoomsActor : ReceiveActor
{
    /// <summary>Reply: <see cref="HostedRooms"/>.</summary>
    public sealed record GetHostedRooms
    {
        public static readonly GetHostedRooms Instance = new();
    }

    public sealed record HostedRooms(IReadOnlyList<string> RoomIds);

    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _stopping = new();

    public RoomsActor(Func<string, Props> roomProps)
    {
        Receive<RoomEnvelope>(e =>
        {
            var name = Uri.EscapeDataString(e.RoomId);
            if (_stopping.TryGetValue(name, out var buffered))
            {
                if (e.Message is not CloseRoom) buffered.Add((e.Message, Sender));
                return;
            }
            var child = Context.Child(name);
            if (child.IsNobody())
            {
                if (e.Message is CloseRoom) return;
                child = Context.Watch(Context.ActorOf(roomProps(e.RoomId), name));
            }
            child.Forward(e.Message);
        });
        Receive<Passivate>(p =>
        {
            var child = Sender;
            var name = child.Path.Name;
            if (!Context.Child(name).Equals(child) || _stopping.ContainsKey(name)) return;
            _stopping[name] = [];
            child.Tell(p.StopMessage);
        });
        Receive<Terminated>(t =>
        {
            var name = t.ActorRef.Path.Name;
            if (!_stopping.Remove(name, out var buffered) || buffered.Count == 0) return;
            var roomId = Uri.UnescapeDataString(name);
            var child = Context.Watch(Context.ActorOf(roomProps(roomId), name));
            foreach (var (message, sender) in buffered) child.Tell(message, sender);
        });
        Receive<GetHostedRooms>(_ => Sender.Tell(new HostedRooms(
            Context.GetChildren().Select(c => Uri.UnescapeDataString(c.Path.Name)).Order(StringComparer.Ordinal).ToArray())));
    }

    /// <summary>A room that fails is stopped (its media cannot be restored); the next message re-creates it.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
