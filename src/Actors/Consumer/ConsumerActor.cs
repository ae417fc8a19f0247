using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Worker;
using AkkaSfu.Media.Engine;

namespace AkkaSfu.Actors.Consumer;

/// <summary>mediasoup's Consumer: created paused (by default) and resumed once the client is ready; tells its
/// listener when its producer pauses, resumes or closes, and when it fails.</summary>
public sealed class ConsumerActor : SfuObjectActor
{
    private readonly ConsumerSettings _settings;
    private readonly RtpParameters _rtp;
    private readonly MediaKind _kind;
    private readonly RtpType _type;
    private readonly bool _producerPaused;
    private readonly IActorRef _requester;

    public ConsumerActor(ConsumerSettings settings, RtpParameters rtp, MediaKind kind, RtpType type, bool producerPaused,
        IActorRef worker, IActorRef? listener, IActorRef requester)
        : base(settings.Id, worker, listener, parentCloseReason: "transportclose")
    {
        _settings = settings;
        _rtp = rtp;
        _kind = kind;
        _type = type;
        _producerPaused = producerPaused;
        _requester = requester;

        Receive<Done>(_ =>
        {
            _requester.Tell(new ConsumerCreated(Id, Self, _settings.ProducerId, _kind, _rtp, _type, _producerPaused));
            Become(Running);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(f => { _requester.Tell(f); CloseSelf(null); });
        ReceiveAny(_ => Stash.Stash());
    }

    public static Props Props(ConsumerSettings settings, RtpParameters rtp, MediaKind kind, RtpType type, bool producerPaused,
        IActorRef worker, IActorRef? listener, IActorRef requester) =>
        Akka.Actor.Props.Create(() => new ConsumerActor(settings, rtp, kind, type, producerPaused, worker, listener, requester));

    protected override void PreStart()
    {
        var transportId = Context.Parent.Path.Name["transport-".Length..];
        Engine(new EngineConsume(transportId, _settings));
    }

    private void Running()
    {
        Receive<PauseConsumer>(_ => EngineAndReply(new EnginePauseConsumer(Id), Sender));
        Receive<ResumeConsumer>(_ => EngineAndReply(new EngineResumeConsumer(Id), Sender));
        Receive<RequestConsumerKeyFrame>(_ => EngineAndReply(new EngineRequestConsumerKeyFrame(Id), Sender));
        Receive<SetConsumerPreferredLayers>(l => EngineAndReply(new EngineSetConsumerPreferredLayers(Id, l.SpatialLayer, l.TemporalLayer), Sender));
        Receive<SetConsumerPriority>(p => EngineAndReply(new EngineSetConsumerPriority(Id, p.Priority), Sender));
        Receive<CloseConsumer>(_ => { Sender.Tell(Done.Instance); CloseSelf(null); });
        Receive<GetRtpStreamStats>(_ => EngineAndReply(new EngineGetConsumerStats(Id), Sender));
        ReceiveCommon();
    }

    protected override void OnEngineEvent(ISfuEvent e)
    {
        if (e is ConsumerClosed closed)
        {
            CloseSelf(closed.Reason); // PostStop tells the listener, once
            return;
        }
        base.OnEngineEvent(e);
    }

    protected override IEngineClose CloseEngineObject() => new EngineCloseConsumer(Id);

    protected override ISfuEvent Closed(string reason) => new ConsumerClosed(Id, reason);
}
