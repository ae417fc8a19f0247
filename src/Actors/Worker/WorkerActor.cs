using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Router;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;

namespace AkkaSfu.Actors.Worker;

/// <summary>mediasoup's Worker: one per core, on its own pinned thread, owning one media engine. Datagram
/// batches arrive through the RTP ingress mailbox (dropped and counted when it is full); the object actors
/// below it (routers, transports, producers, consumers) change the engine only by sending it
/// typed <see cref="IEngineCommand"/>s (ids and plain data), which <see cref="EngineCommandHandler"/> applies
/// here between batches. Engine events go back to the actor that owns the object they concern.</summary>
public sealed class WorkerActor : ReceiveActor, IWithTimers
{
    /// <summary>A batch of datagrams from this worker's receive thread.</summary>
    internal sealed record Datagrams(DatagramBatch Batch) : IDroppableMessage
    {
        void IDroppableMessage.OnDropped() => Batch.Release();
    }

    /// <summary>Another thread posted work to the engine.</summary>
    internal sealed record Wake
    {
        public static readonly Wake Instance = new();
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    /// <summary>The sender no longer owns <paramref name="Id"/>.</summary>
    public sealed record Disown(string Id);

    /// <summary>An engine object the receiver owns threw on the packet path.</summary>
    public sealed record EngineFault(Exception Exception);

    private readonly int _index;
    private readonly SfuSettings _settings;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, IActorRef> _owners = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private WorkerEngine _engine = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public WorkerActor(int index, SfuSettings settings, TimeProvider? time = null)
    {
        _index = index;
        _settings = settings;
        _time = time ?? TimeProvider.System;

        Receive<Datagrams>(d => _engine.OnBatch(d.Batch, Now));
        Receive<Wake>(_ => _engine.RunPosted());
        Receive<Tick>(_ =>
        {
            _engine.Tick(Now);
            Timers.StartSingleTimer("tick", Tick.Instance, _settings.TickInterval);
        });
        Receive<IEngineCommand>(Handle);
        Receive<Disown>(d => { if (_owners.TryGetValue(d.Id, out var o) && o.Equals(Sender)) _owners.Remove(d.Id); });
        Receive<CreateRouter>(CreateRouter);
        Receive<GetWorkerStatus>(_ => Sender.Tell(Status()));
        Receive<GetWorkerMetrics>(_ => Sender.Tell(Metrics()));
        Receive<InjectFault>(f => throw new InvalidOperationException($"injected fault: {f.Reason}"));
    }

    public static Props Props(int index, SfuSettings settings, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new WorkerActor(index, settings, time))
            .WithMailbox(AkkaSfuConfig.RtpMailbox)
            .WithDispatcher(AkkaSfuConfig.RtpDispatcher);

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    protected override void PreStart()
    {
        var self = Self;
        _engine = new WorkerEngine(new Observer(this), wakeup: () => self.Tell(Wake.Instance),
            onBatch: batch => self.Tell(new Datagrams(batch)), name: $"worker-{_index}")
        {
            BandwidthEstimation = _settings.BandwidthEstimation,
            DtlsHandshakes = new DtlsHandshakePool(_settings.DtlsMaxConcurrentHandshakes, _settings.DtlsMaxQueuedHandshakes, $"worker-{_index}-dtls"),
        };
        StartWebRtcServer();
        Timers.StartSingleTimer("tick", Tick.Instance, _settings.TickInterval);
        _log.Info("worker {0} started (WebRTC port {1}, transport ports {2}-{3} on {4})", _index,
            _engine.WebRtcServer?.Port.ToString() ?? "per transport", _settings.TransportMinPort, _settings.RtcMaxPort, _settings.ListenIp);
    }

    /// <summary>The worker's shared WebRTC port (akkasfu.webrtc-server): rtc-min-port + index; when another
    /// process holds it, a free port of the transport range unless strict-port is on (then the worker fails).</summary>
    private void StartWebRtcServer()
    {
        if (!_settings.WebRtcServer.Enabled) return;
        var (ip, announced, port) = (_settings.WebRtcServerListenIp, _settings.WebRtcServerAnnouncedIp, _settings.WebRtcServerPort(_index));
        if (_engine.TryStartWebRtcServer(ip, announced, port, port, out var error)) return;
        if (_settings.WebRtcServer.StrictPort)
        {
            _engine.Dispose(); // its receive thread is running already
            throw new InvalidOperationException($"worker {_index}: WebRTC port {port} on {ip}: {error} (webrtc-server.strict-port is on)");
        }
        if (!_engine.TryStartWebRtcServer(ip, announced, _settings.TransportMinPort, _settings.RtcMaxPort, out var fallbackError))
        {
            _engine.Dispose();
            throw new InvalidOperationException($"worker {_index}: no WebRTC port: {port} is taken ({error}) and {fallbackError}");
        }
        _log.Warning("worker {0}: WebRTC port {1} on {2} is taken ({3}); using {4} instead (a firewall must open it; webrtc-server.strict-port = on refuses)",
            _index, port, ip, error, _engine.WebRtcServer!.Port);
    }

    protected override void PostStop()
    {
        _engine?.Dispose();
        _log.Info("worker {0} stopped", _index);
    }

    /// <summary>Object actors stop when they fail: their engine object is gone with the fault, and a
    /// restart could not bring back sockets or SRTP state (mediasoup closes them too).</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Applies <paramref name="command"/> and answers its sender with the result, Done or
    /// Status.Failure; a successful <see cref="IEngineCreateOwned"/> makes the sender the object's owner. An
    /// <see cref="IEngineClose"/> comes from a stopped actor: not answered, a failure is logged.</summary>
    private void Handle(IEngineCommand command)
    {
        var reply = EngineCommandHandler.Run(_engine, command, Now);
        if (command is IEngineClose)
        {
            if (reply is Akka.Actor.Status.Failure f) _log.Warning("engine command {0} failed: {1}", command.GetType().Name, f.Cause.Message);
            return;
        }
        if (command is IEngineCreateOwned && reply is not Akka.Actor.Status.Failure) _owners[command.Id] = Sender;
        Sender.Tell(reply);
    }

    private void CreateRouter(CreateRouter request)
    {
        try
        {
            var caps = Ortc.Ortc.GenerateRouterRtpCapabilities(request.MediaCodecs ?? DefaultMediaCodecs.Value);
            _engine.CreateRouter(request.RouterId);
            var router = Context.ActorOf(RouterActor.Props(request.RouterId, caps, Self, _settings, request.Listener), "router-" + request.RouterId);
            _owners[request.RouterId] = router;
            Sender.Tell(new RouterCreated(request.RouterId, router, _index, caps));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Sender.Tell(new Status.Failure(new SfuException(e.Message)));
        }
    }

    private WorkerStatus Status()
    {
        var transports = _engine.Routers.Sum(r => r.Transports.Count);
        var consumers = _engine.Routers.SelectMany(r => r.Transports).Sum(t => t.Consumers.Count);
        return new WorkerStatus(_index, Self, _engine.Routers.Count, transports, consumers);
    }

    private WorkerMetrics Metrics()
    {
        var transports = _engine.Routers.SelectMany(r => r.Transports).ToList();
        var c = _engine.Counters;
        return new WorkerMetrics(_index, _engine.Routers.Count, transports.Count,
            _engine.Routers.Sum(r => r.Producers.Count), transports.Sum(t => t.Consumers.Count),
            c.RtpReceived, c.RtpSent, c.RtcpReceived, c.RtcpSent, c.Retransmitted,
            Enum.GetValues<Drop>().ToDictionary(d => d.ToString(), d => c[d]),
            RtpIngressMailbox.CountersOf(Self).Dropped, _engine.Receiver.Overflowed,
            _engine.ForwardingDelay.Snapshot(), _engine.ForwardingDelay.SumUs)
        {
            NoFreePort = c.NoFreePort,
            DtlsHandshakesRunning = _engine.DtlsHandshakes.Running,
            DtlsHandshakesQueued = _engine.DtlsHandshakes.Queued,
            DtlsHandshakesRefused = _engine.DtlsHandshakes.Refused,
            DtlsHandshakeThreads = _engine.DtlsHandshakes.Threads,
            WebRtcServerPort = _engine.WebRtcServer?.Port ?? 0,
            WebRtcServerTuples = _engine.WebRtcServer?.TupleCount ?? 0,
        };
    }

    private void Tell(string id, object message)
    {
        if (_owners.TryGetValue(id, out var owner)) owner.Tell(message, Self);
    }

    private sealed class Observer(WorkerActor worker) : IEngineObserver
    {
        public void OnIceStateChanged(string transportId, IceState state) =>
            worker.Tell(transportId, new IceStateChanged(transportId, state.ToString().ToLowerInvariant()));

        public void OnIceSelectedTupleChanged(string transportId, string? remote) =>
            worker.Tell(transportId, new IceSelectedTupleChanged(transportId, remote));

        public void OnDtlsStateChanged(string transportId, DtlsState state, DtlsFailure? failure) =>
            worker.Tell(transportId, new DtlsStateChanged(transportId, state.ToString().ToLowerInvariant()));

        public void OnPlainTupleLearnt(string transportId, string remote, bool rtcp) =>
            worker.Tell(transportId, new PlainTransportTuple(transportId, remote, rtcp));

        public void OnProducerScore(string producerId, IReadOnlyList<ProducerStreamScore> scores) =>
            worker.Tell(producerId, new ProducerScoreChanged(producerId, scores.Select(s => new ProducerStreamScoreInfo(s.EncodingIndex, s.Ssrc, s.Rid, s.Score)).ToArray()));

        public void OnConsumerScore(string consumerId, int score, int producerScore) =>
            worker.Tell(consumerId, new ConsumerScoreChanged(consumerId, score, producerScore));

        public void OnConsumerLayersChanged(string consumerId, int spatialLayer, int temporalLayer) =>
            worker.Tell(consumerId, new ConsumerLayersChanged(consumerId, spatialLayer < 0 ? null : spatialLayer, temporalLayer < 0 ? null : temporalLayer));

        public void OnConsumerProducerPaused(string consumerId, bool paused) =>
            worker.Tell(consumerId, paused ? new ConsumerProducerPaused(consumerId) : new ConsumerProducerResumed(consumerId));

        public void OnConsumerClosed(string consumerId, ConsumerCloseReason reason) =>
            worker.Tell(consumerId, new ConsumerClosed(consumerId, reason switch
            {
                ConsumerCloseReason.ProducerClosed => "producerclose",
                ConsumerCloseReason.TransportClosed => "transportclose",
                ConsumerCloseReason.Fault => "fault",
                _ => "closed",
            }));

        public void OnAudioLevels(string routerId, string? producerId, int volumeDbov) =>
            worker.Tell(routerId, new AudioLevels(routerId, producerId, volumeDbov));

        /// <summary>To the actor of the observer's router (it owns the observer).</summary>
        public void OnDominantSpeaker(string observerId, string producerId)
        {
            if (worker._engine.FindActiveSpeakerObserver(observerId) is { } observer)
                worker.Tell(observer.Router.Id, new DominantSpeaker(observer.Router.Id, observerId, producerId));
        }

        public void OnTransportBwe(string transportId, TransportBwe bwe) =>
            worker.Tell(transportId, new TransportBweChanged(transportId, bwe.DesiredBitrate, bwe.EffectiveDesiredBitrate, bwe.AvailableBitrate));

        public void OnFault(EngineObjectKind kind, string id, Exception exception) =>
            worker.Tell(id, new EngineFault(exception));
    }
}
