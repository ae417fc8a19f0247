using Akka.Actor;
using AkkaSfu.Actors.Messages;

namespace AkkaSfu.Actors.Rooms;

/// <summary>Asks a room for its router. Reply: <see cref="RouterCreated"/>.</summary>
public sealed record GetRoomRouter
{
    public static readonly GetRoomRouter Instance = new();
}

/// <summary>The simplest room: one router on the least loaded worker, created when the room starts; other
/// messages go to the router. Closing the room closes the router; a router that dies ends the room.</summary>
public sealed class RouterRoomActor : ReceiveActor, IWithUnboundedStash
{
    private RouterCreated? _router;

    public IStash Stash { get; set; } = null!;

    public RouterRoomActor(string roomId, IActorRef workers)
    {
        workers.Ask<RouterCreated>(new CreateRouter("room-" + roomId + "-" + Guid.NewGuid().ToString("N")[..8]), TimeSpan.FromSeconds(10)).PipeTo(Self,
            failure: e => new Status.Failure(e));
        Receive<RouterCreated>(r =>
        {
            _router = r;
            Context.Watch(r.Router);
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(f => throw new InvalidOperationException($"room {roomId}: no router", f.Cause));
        ReceiveAny(_ => Stash.Stash());
    }

    public static Props Props(string roomId, IActorRef workers) => Akka.Actor.Props.Create(() => new RouterRoomActor(roomId, workers));

    private void Ready()
    {
        Receive<GetRoomRouter>(_ => Sender.Tell(_router));
        Receive<CloseRoom>(_ =>
        {
            // Passivate first: the parent then buffers for a fresh room anything sent once the router is gone
            // (in the other order a message sent on the router's Terminated could still reach this room).
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(StopRoom.Instance));
            _router!.Router.Tell(CloseRouter.Instance);
        });
        Receive<StopRoom>(_ => Context.Stop(Self));
        Receive<Terminated>(_ => Context.Stop(Self));
        ReceiveAny(m => _router!.Router.Forward(m));
    }
}
