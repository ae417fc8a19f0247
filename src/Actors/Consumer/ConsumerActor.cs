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
        var settings = _settings;
        var transportId = Context.Parent.Path.Name["transport-".Length..];
        Engine(e => { e.Consume(transportId, settings, Now); return null; }, own: true);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void Running()
    {
        var id = Id;
        Receive<PauseConsumer>(_ => EngineAndReply(e => { e.GetConsumer(id).Pause(); return null; }, Sender));
        Receive<ResumeConsumer>(_ => EngineAndReply(e => { e.GetConsumer(id).Resume(Now); return null; }, Sender));
        Receive<RequestConsumerKeyFrame>(_ => EngineAndReply(e => { e.GetConsumer(id).RequestKeyFrame(Now); return null; }, Sender));
        Receive<SetConsumerPreferredLayers>(l => EngineAndReply(e =>
        {
            if (e.GetConsumer(id) is ILayeredConsumer s) s.SetPreferredLayers(l.SpatialLayer, l.TemporalLayer ?? -1, Now);
            return null;
        }, Sender));
        Receive<SetConsumerPriority>(_ => Sender.Tell(Done.Instance)); // bandwidth allocation by priority: not yet
        Receive<CloseConsumer>(_ => { Sender.Tell(Done.Instance); CloseSelf(null); });
        Receive<GetRtpStreamStats>(_ => Worker.Tell(new WorkerActor.EngineCommand(e =>
        {
            var c = e.GetConsumer(id);
            return new RtpStreamStats(id, "outbound-rtp", c.PacketsSent, c.BytesSent);
        }), Sender));
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

    protected override void CloseEngineObject(WorkerEngine engine) => engine.CloseConsumer(Id);

    protected override ISfuEvent Closed(string reason) => new ConsumerClosed(Id, reason);
}
