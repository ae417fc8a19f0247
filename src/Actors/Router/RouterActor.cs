using Akka.Actor;
using AkkaSfu.Actors.Consumer;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Actors.Transport;
using AkkaSfu.Actors.Worker;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Router;

/// <summary>mediasoup's Router: one room (or part of one) on one worker. Holds the router RTP capabilities
/// and the producers' consumable parameters; creates transports as children; answers canConsume and
/// builds consumer parameters (ORTC) before handing the consumer to the transport that will carry it.</summary>
public sealed class RouterActor : SfuObjectActor
{
    /// <summary>A producer of this router, as consumers need it (sent by the producer actor).</summary>
    internal sealed record ProducerOpened(string ProducerId, MediaKind Kind, RtpType Type, RtpParameters Consumable, IActorRef Producer, bool Paused);
    internal sealed record ProducerGone(string ProducerId);
    internal sealed record ProducerPausedChanged(string ProducerId, bool Paused);

    private readonly RtpCapabilities _caps;
    private readonly SfuSettings _settings;
    private readonly Dictionary<string, ProducerOpened> _producers = new();
    private readonly Dictionary<string, IActorRef> _transports = new();
    private readonly HashSet<string> _observers = new();
    private readonly IActorRef _pipes;

    public RouterActor(string routerId, RtpCapabilities caps, IActorRef worker, SfuSettings settings, IActorRef? listener)
        : base(routerId, worker, listener, parentCloseReason: "workerclose")
    {
        _caps = caps;
        _settings = settings;
        _pipes = Context.ActorOf(PipesActor.Props(Self), "pipes");

        Receive<GetRouterRtpCapabilities>(_ => Sender.Tell(_caps));
        Receive<CreateWebRtcTransport>(r => NewTransport(r.TransportId, TransportActor.Props(r.TransportId, Id, _caps, worker, settings, r.Listener, Sender, r)));
        Receive<CreatePlainTransport>(r => NewTransport(r.TransportId, TransportActor.Props(r.TransportId, Id, _caps, worker, settings, r.Listener, Sender, r)));
        Receive<CreatePipeTransport>(r => NewTransport(r.TransportId, TransportActor.Props(r.TransportId, Id, _caps, worker, settings, r.Listener, Sender, r)));
        Receive<PipeToRouter>(r => _pipes.Forward(r));
        Receive<ClosePipe>(r => _pipes.Forward(r));
        Receive<Terminated>(t =>
        {
            foreach (var id in _transports.Where(kv => kv.Value.Equals(t.ActorRef)).Select(kv => kv.Key).ToArray()) _transports.Remove(id);
        });
        Receive<ProducerOpened>(p => _producers[p.ProducerId] = p);
        Receive<ProducerGone>(p => _producers.Remove(p.ProducerId));
        Receive<ProducerPausedChanged>(p => { if (_producers.TryGetValue(p.ProducerId, out var o)) _producers[p.ProducerId] = o with { Paused = p.Paused }; });
        Receive<CanConsume>(r => Sender.Tell(_producers.TryGetValue(r.ProducerId, out var p) && Safe(() => OrtcRules.CanConsume(p.Consumable, r.RtpCapabilities))));
        Receive<Consume>(HandleConsume);
        Receive<CreateActiveSpeakerObserver>(HandleCreateObserver);
        Receive<RtpObserverAddProducer>(r => Observer(new EngineRtpObserverAddProducer(r.ObserverId, r.ProducerId)));
        Receive<RtpObserverRemoveProducer>(r => Observer(new EngineRtpObserverRemoveProducer(r.ObserverId, r.ProducerId)));
        Receive<PauseRtpObserver>(r => Observer(new EnginePauseRtpObserver(r.ObserverId)));
        Receive<ResumeRtpObserver>(r => Observer(new EngineResumeRtpObserver(r.ObserverId)));
        Receive<CloseRtpObserver>(r => Observer(new EngineCloseRtpObserver(r.ObserverId), then: () => _observers.Remove(r.ObserverId)));
        Receive<CloseRouter>(_ => { Sender.Tell(Done.Instance); CloseSelf(null); });
        ReceiveCommon();
    }

    public static Props Props(string routerId, RtpCapabilities caps, IActorRef worker, SfuSettings settings, IActorRef? listener) =>
        Akka.Actor.Props.Create(() => new RouterActor(routerId, caps, worker, settings, listener));

    private void NewTransport(string transportId, Props props)
    {
        if (_transports.ContainsKey(transportId))
        {
            Sender.Tell(new Status.Failure(new SfuException($"a Transport with same transportId already exists [transportId:{transportId}]")));
            return;
        }
        var transport = Context.ActorOf(props, "transport-" + transportId);
        _transports[transportId] = transport;
        Context.Watch(transport);
    }

    private void HandleCreateObserver(CreateActiveSpeakerObserver r)
    {
        var id = r.ObserverId ?? Guid.NewGuid().ToString();
        if (!_observers.Add(id))
        {
            Sender.Tell(new Status.Failure(new SfuException($"an RtpObserver with same rtpObserverId already exists [rtpObserverId:{id}]")));
            return;
        }
        EngineAndReply(new EngineCreateActiveSpeakerObserver(Id, id, Math.Clamp(r.Interval, 100, 5000)), Sender);
    }

    /// <summary>Sends <paramref name="command"/> about one of this router's observers to the worker, which
    /// replies Done; an unknown id (here or in the engine) or a refused producer answers
    /// Status.Failure(SfuException).</summary>
    private void Observer(IEngineCommand command, Action? then = null)
    {
        var observerId = command.Id;
        if (!_observers.Contains(observerId))
        {
            Sender.Tell(new Status.Failure(new SfuException($"rtpObserver with id \"{observerId}\" not found")));
            return;
        }
        then?.Invoke();
        EngineAndReply(command, Sender);
    }

    private void HandleConsume(Consume r)
    {
        try
        {
            if (!_transports.TryGetValue(r.TransportId, out var transport)) throw new SfuException($"transport with id \"{r.TransportId}\" not found");
            if (!_producers.TryGetValue(r.ProducerId, out var producer)) throw new SfuException($"producer with id \"{r.ProducerId}\" not found");
            if (!r.Pipe && !OrtcRules.CanConsume(producer.Consumable, r.RtpCapabilities))
                throw new SfuException($"cannot consume [producerId:{r.ProducerId}]");
            var rtp = r.Pipe
                ? OrtcRules.GetPipeConsumerRtpParameters(producer.Consumable, r.EnableRtx)
                : OrtcRules.GetConsumerRtpParameters(producer.Consumable, r.RtpCapabilities, pipe: false, enableRtx: r.EnableRtx);
            var type = r.Pipe ? RtpType.Pipe : producer.Type;
            var settings = EngineParameters.ForConsumer(r.ConsumerId, r.ProducerId, producer.Kind, type, rtp, r.Paused,
                r.PreferredSpatialLayer ?? -1, r.PreferredTemporalLayer ?? -1);
            transport.Tell(new TransportActor.CreateConsumer(settings, rtp, producer.Kind, type, producer.Paused, r.Listener, Sender));
        }
        catch (Exception e) when (e is SfuException or OrtcException)
        {
            Sender.Tell(new Status.Failure(e as SfuException ?? new SfuException(e.Message)));
        }
    }

    private static bool Safe(Func<bool> f)
    {
        try { return f(); }
        catch (OrtcException) { return false; }
    }

    protected override IEngineClose CloseEngineObject() => new EngineCloseRouter(Id);

    protected override ISfuEvent Closed(string reason) => new RouterClosed(Id);
}
