using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Broadcasters;

namespace AkkaSfu.Signalling.Rooms;

/// <summary>mediasoup-demo's Room (server/lib/Room.js), as a sharding entity: its router and active speaker
/// observer, and the room's <see cref="RoomState"/>. It runs the commands of both front doors (protoo peers'
/// <see cref="PeerCommand"/>s, the broadcaster API's <see cref="BroadcasterCommand"/>s) against the media
/// actors, carries out the state's decisions, turns the media actors' events into notifications, and ends
/// (passivation, hand-off) as sharding asks. Work that needs other actors runs as a task whose result comes back
/// as a <see cref="Completed"/> message, so the room keeps serving every peer meanwhile.</summary>
public sealed partial class RoomActor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly string _roomId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RoomState _state;
    private readonly IActorRef _self;
    private readonly IActorRef _workers;
    private readonly SfuSettings _settings;
    private readonly RoomCensus _census;

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public RoomActor(string roomId, IActorRef workers, SfuSettings settings)
    {
        _roomId = roomId;
        _self = Self; // for tasks started by commands: Self is only valid on the actor's own thread
        _workers = workers;
        _settings = settings;
        _census = RoomCensus.Get(Context.System);
        _state = new RoomState(settings.Limits, Limits.LimitHits.Get(Context.System));
        ReceiveAny(Admit);
    }

    public static Props Props(string roomId, IActorRef workers, SfuSettings settings) =>
        Akka.Actor.Props.Create(() => new RoomActor(roomId, workers, settings));

    /// <summary>Admitted: the router is being created; everything waits for it.</summary>
    private void Starting()
    {
        Receive<RouterCreated>(r =>
        {
            _routers.Main.Created = r;
            Context.Watch(r.Router);
            _log.Info("room {0}: router {1} on worker {2}", _roomId, r.RouterId, r.WorkerIndex);
            CreateActiveSpeakerObserver();
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(f => throw new InvalidOperationException($"room {_roomId}: could not create its router", f.Cause));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Receive<PeerConnected>(c =>
        {
            Context.Watch(c.Peer);
            Apply(_state.Connect(c.PeerId, c.Peer), null);
        });
        Receive<PeerDisconnected>(d =>
        {
            if (_state.Current(d.PeerId, d.Peer) is { } peer) Apply(_state.Leave(peer, closeRoomIfEmpty: true), null);
        });
        Receive<PeerCommand>(c =>
        {
            if (_state.Current(c.PeerId, c.Peer) is { } peer) Execute(peer, c.Command, ReplyTo.Peer(c.Peer, c.RequestId));
        });
        Receive<ConsumerAccepted>(OnConsumerAccepted);
        Receive<BroadcasterCommand>(OnBroadcasterCommand);
        Receive<Completed>(OnCompleted);
        Receive<ISfuEvent>(OnSfuEvent);
        Receive<EmptyTimedOut>(_ => OnEmptyTimedOut());
        Receive<CloseRoom>(_ => CloseRoom());
        Receive<StopRoom>(_ => Context.Stop(Self));
        Receive<HandOffRoom>(_ => HandOff());
        ReceiveRouters();
    }

    /// <summary>Every member leaves (peers are closed with 4000), the router closes, and the room asks its shard to
    /// passivate it; messages meanwhile go to a fresh room.</summary>
    private void CloseRoom()
    {
        _ending = true;
        Apply(_state.LeaveAll(), null);
        CloseRouters();
        _log.Info("room {0} closed", _roomId);
        Context.Parent.Tell(new Passivate(StopRoom.Instance));
    }

    /// <summary>This node is leaving the cluster and the room's shard moves: peers are told the room moved
    /// (close 1012: they reconnect and join it again where it starts next; broadcasters find it gone, 404),
    /// the media closes, and the room stops.</summary>
    private void HandOff()
    {
        _ending = true;
        Apply(_state.HandOff(), null);
        CloseRouters();
        _log.Info("room {0} handed off: its peers were told it moved", _roomId);
        Context.Stop(Self);
    }
}
