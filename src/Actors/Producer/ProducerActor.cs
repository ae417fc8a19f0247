using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Router;
using AkkaSfu.Actors.Worker;
using AkkaSfu.Media.Engine;

namespace AkkaSfu.Actors.Producer;

/// <summary>mediasoup's Producer: creates its engine producer, tells its router (so consumers can be made),
/// and handles pause/resume/close. Closing it closes its consumers on every transport ("producerclose").</summary>
public sealed class ProducerActor : SfuObjectActor
{
    private readonly ProducerSettings _settings;
    private readonly ProducerRtp _prepared;
    private readonly MediaKind _kind;
    private readonly IActorRef _router;
    private readonly IActorRef _requester;
    private bool _paused;

    public ProducerActor(ProducerSettings settings, ProducerRtp prepared, MediaKind kind, IActorRef router, IActorRef worker,
        IActorRef? listener, IActorRef requester)
        : base(settings.Id, worker, listener, parentCloseReason: "transportclose")
    {
        _settings = settings;
        _prepared = prepared;
        _kind = kind;
        _router = router;
        _requester = requester;
        _paused = settings.Paused;

        Receive<Done>(_ =>
        {
            _router.Tell(new RouterActor.ProducerOpened(Id, _kind, _prepared.Type, _prepared.ConsumableRtpParameters, Self, _paused));
            _requester.Tell(new ProducerCreated(Id, Self, _kind, _prepared.Type, _prepared.ConsumableRtpParameters));
            Become(Running);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(f => { _requester.Tell(f); CloseSelf(null); });
        ReceiveAny(_ => Stash.Stash());
    }

    public static Props Props(ProducerSettings settings, ProducerRtp prepared, MediaKind kind, IActorRef router, IActorRef worker,
        IActorRef? listener, IActorRef requester) =>
        Akka.Actor.Props.Create(() => new ProducerActor(settings, prepared, kind, router, worker, listener, requester));

    protected override void PreStart()
    {
        var transportId = Context.Parent.Path.Name["transport-".Length..];
        Engine(new EngineProduce(transportId, _settings));
    }

    private void Running()
    {
        Receive<PauseProducer>(_ => SetPaused(true));
        Receive<ResumeProducer>(_ => SetPaused(false));
        Receive<CloseProducer>(_ => { Sender.Tell(Done.Instance); CloseSelf(null); });
        Receive<GetRtpStreamStats>(_ => EngineAndReply(new EngineGetProducerStats(Id), Sender));
        ReceiveCommon();
    }

    private void SetPaused(bool paused)
    {
        _paused = paused;
        EngineAndReply(paused ? new EnginePauseProducer(Id) : new EngineResumeProducer(Id), Sender);
        _router.Tell(new RouterActor.ProducerPausedChanged(Id, paused));
    }

    protected override void PostStop()
    {
        _router.Tell(new RouterActor.ProducerGone(Id));
        base.PostStop();
    }

    protected override IEngineClose CloseEngineObject() => new EngineCloseProducer(Id);

    protected override ISfuEvent Closed(string reason) => new ProducerClosed(Id, reason);
}
