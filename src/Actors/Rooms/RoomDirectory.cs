using Akka.Actor;

namespace AkkaSfu.Actors.Rooms;

/// <summary>A message for the room <paramref name="RoomId"/>; the directory creates the room on first use.
/// The same envelope is what a cluster shard region routes on.</summary>
public sealed record RoomEnvelope(string RoomId, object Message);

/// <summary>Closes the room (its router and everything in it).</summary>
public sealed record CloseRoom
{
    public static readonly CloseRoom Instance = new();
}

/// <summary>How callers find rooms: by id, created on first use. A single node keeps them as children of one
/// actor (<see cref="LocalRoomDirectory"/>); a cluster puts Akka.Cluster.Sharding behind the same interface,
/// and callers do not change.</summary>
public interface IRoomDirectory
{
    /// <summary>Sends <paramref name="message"/> to room <paramref name="roomId"/>, creating it if needed.</summary>
    void Tell(string roomId, object message, IActorRef? sender = null);

    /// <summary>Asks room <paramref name="roomId"/> (created if needed).</summary>
    Task<T> Ask<T>(string roomId, object message, TimeSpan timeout);

    /// <summary>Closes the room if it exists.</summary>
    void Close(string roomId);
}

/// <summary>The single-node directory: one parent actor, one child per room, made by
/// <paramref name="roomProps"/>(roomId).</summary>
public sealed class LocalRoomDirectory(ActorSystem system, Func<string, Props> roomProps, string name = "rooms") : IRoomDirectory
{
    public IActorRef Parent { get; } = system.ActorOf(Props.Create(() => new RoomsActor(roomProps)), name);

    public void Tell(string roomId, object message, IActorRef? sender = null) =>
        Parent.Tell(new RoomEnvelope(roomId, message), sender ?? ActorRefs.NoSender);

    public Task<T> Ask<T>(string roomId, object message, TimeSpan timeout) => Parent.Ask<T>(new RoomEnvelope(roomId, message), timeout);

    public void Close(string roomId) => Parent.Tell(new RoomEnvelope(roomId, CloseRoom.Instance));
}

/// <summary>Child-per-entity parent: routes each envelope to the room's child, creating it on first use
/// (except for a close, which never creates). A room that ends sends <see cref="Passivate"/>, is stopped,
/// and messages that arrive meanwhile are kept and handed to a fresh room once it has stopped (as
/// sharding's passivation does).</summary>
public sealed class RoomsActor : ReceiveActor
{
    /// <summary>From a room: it is done; stop it.</summary>
    public sealed record Passivate(string RoomId);

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
            var name = Uri.EscapeDataString(p.RoomId);
            var child = Context.Child(name);
            if (child.IsNobody() || _stopping.ContainsKey(name)) return;
            _stopping[name] = [];
            Context.Stop(child);
        });
        Receive<Terminated>(t =>
        {
            var name = t.ActorRef.Path.Name;
            if (!_stopping.Remove(name, out var buffered) || buffered.Count == 0) return;
            var roomId = Uri.UnescapeDataString(name);
            var child = Context.Watch(Context.ActorOf(roomProps(roomId), name));
            foreach (var (message, sender) in buffered) child.Tell(message, sender);
        });
    }

    /// <summary>A room that fails is stopped (its media cannot be restored); the next message re-creates it.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
