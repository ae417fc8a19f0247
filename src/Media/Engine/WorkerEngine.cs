using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Net;

namespace AkkaSfu.Media.Engine;

/// <summary>One worker's media engine: its routers, transports, producers and consumers, all owned by one
/// thread (the worker's). Datagram batches from the worker's <see cref="UdpReceiver"/>, timer ticks and
/// commands all arrive on that thread; work from other threads (DTLS handshakes) comes in through
/// <see cref="Post"/>. Nothing here locks on the packet path.</summary>
public sealed class WorkerEngine : IDisposable
{
    private readonly Dictionary<string, Router> _routers = new();
    private readonly Dictionary<string, Transport> _transports = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private Transport[] _tickList = [];
    private bool _tickListStale;
    private readonly Action _wakeup;
    private readonly SocketAddress _from4 = new(AddressFamily.InterNetwork);
    private readonly SocketAddress _from6 = new(AddressFamily.InterNetworkV6);

    /// <param name="observer">Told about state changes and faults, on the worker thread.</param>
    /// <param name="wakeup">Asks the owner to call <see cref="RunPosted"/> on the worker thread soon
    /// (called from any thread).</param>
    /// <param name="onBatch">Where the receive thread delivers datagram batches (the owner posts them to
    /// the worker thread, which calls <see cref="OnBatch"/>).</param>
    public WorkerEngine(IEngineObserver observer, Action wakeup, Action<DatagramBatch> onBatch, string name = "worker")
    {
        Observer = observer;
        _wakeup = wakeup;
        Certificate = DtlsCertificate.Generate();
        Receiver = new UdpReceiver(name + "-rx", new DatagramBatchPool(), onBatch);
    }

    public IEngineObserver Observer { get; }

    /// <summary>Send-side bandwidth estimation and layer allocation on every transport whose endpoint sends
    /// feedback (off: consumers get their preferred layers whatever the downlink, as before).</summary>
    public bool BandwidthEstimation { get; init; } = true;
    public EngineCounters Counters { get; } = new();
    public DtlsCertificate Certificate { get; }

    /// <summary>The threads this worker's DTLS handshakes run on (a bounded number, a bounded queue).</summary>
    public DtlsHandshakePool DtlsHandshakes { get; init; } = new();
    public UdpReceiver Receiver { get; }
    public IReadOnlyCollection<Router> Routers => _routers.Values;

    /// <summary>The worker's shared WebRTC port (null until <see cref="TryStartWebRtcServer"/>): its WebRTC
    /// transports use it unless created with their own port.</summary>
    public WebRtcServer? WebRtcServer { get; private set; }

    /// <summary>Binds the worker's shared WebRTC port: a free port of [<paramref name="minPort"/>,
    /// <paramref name="maxPort"/>] (one port: min = max) on <paramref name="listenIp"/>, through the port
    /// allocator. False with the error text when it could not be bound (no exception).</summary>
    public bool TryStartWebRtcServer(IPAddress listenIp, IPAddress? announcedIp, int minPort, int maxPort, [NotNullWhen(false)] out string? error)
    {
        if (WebRtcServer is not null) throw new InvalidOperationException("the worker's WebRTC server is already started");
        // Not through TryBind: a taken worker port is not a transport refused (NoFreePort).
        var err = UdpSocket.TryBindInRange(listenIp, minPort, maxPort, out var socket);
        if (err != BindError.None || socket is null) { error = UdpSocket.Describe(err, listenIp, minPort, maxPort); return false; }
        error = null;
        WebRtcServer = new WebRtcServer(this, socket, announcedIp ?? listenIp);
        Listen(socket);
        return true;
    }

    /// <summary>Time from a forwarded packet's arrival on its socket to its send, per consumer copy.</summary>
    public ForwardingDelay ForwardingDelay { get; } = new();

    /// <summary>Stopwatch timestamp of the kernel arrival of the datagram being handled, 0 when unknown.</summary>
    internal long ArrivalTimestamp { get; private set; }

    /// <summary>Starts receiving on <paramref name="socket"/>, with kernel arrival stamps for
    /// <see cref="ForwardingDelay"/>.</summary>
    internal void Listen(UdpSocket socket)
    {
        socket.EnableArrivalTimestamps();
        Receiver.Add(socket);
    }

    /// <summary>Records the <paramref name="copies"/> consumer copies of one forwarded packet (Stopwatch
    /// timestamps: kernel arrival, fan-out start and end; copy k of n is taken to have left at
    /// start + (end − start)·k/n).</summary>
    internal void RecordFanOut(long arrival, long start, long end, long copies)
    {
        if (copies <= 0) return;
        var toUs = 1e6 / Stopwatch.Frequency;
        var waitedUs = (start - arrival) * toUs;
        var spanUs = (end - start) * toUs;
        for (var k = 1; k <= copies; k++) ForwardingDelay.Record((long)(waitedUs + spanUs * k / copies));
    }

    /// <summary>Scratch for one outgoing RTP packet: room for a datagram plus the SRTP trailer.</summary>
    internal byte[] SendBuffer { get; } = new byte[DatagramBatch.SlotSize + 64];

    /// <summary>Scratch for an RTX packet built from <see cref="SendBuffer"/>.</summary>
    internal byte[] RtxBuffer { get; } = new byte[DatagramBatch.SlotSize + 64];

    /// <summary>Slots for the transports' paced packets (3 MB, made on first use).</summary>
    internal PacketPool PacingPool => _pacingPool ??= new PacketPool(PacingPoolSlots);
    private PacketPool? _pacingPool;
    internal const int PacingPoolSlots = 2048;

    /// <summary>Scratch for one outgoing RTCP compound.</summary>
    internal byte[] RtcpBuffer { get; } = new byte[1500];

    // ---- threads -------------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="action"/> on the worker thread, between packets (any thread may call).</summary>
    public void Post(Action action)
    {
        _posted.Enqueue(action);
        _wakeup();
    }

    /// <summary>Runs what other threads posted. Call on the worker thread.</summary>
    public void RunPosted()
    {
        while (_posted.TryDequeue(out var action)) action();
    }

    /// <summary>Handles a batch of datagrams from the receive thread, then returns it to its pool.</summary>
    public void OnBatch(DatagramBatch batch, long nowMs)
    {
        // Kernel arrival stamps are CLOCK_REALTIME: map them onto the Stopwatch once per batch.
        var monoNow = Stopwatch.GetTimestamp();
        var realNowNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var arrivalNs = batch.ArrivalUnixNs(i);
                ArrivalTimestamp = arrivalNs == 0 ? 0
                    : monoNow - (long)((realNowNs - arrivalNs) * (Stopwatch.Frequency / 1e9));
                var socket = batch.Socket(i);
                var from = socket.LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? _from6 : _from4;
                if (!batch.TryGetSource(i, from)) { Counters.Count(Drop.UnknownDatagram); continue; }
                // The shared WebRTC port finds the transport by ufrag (STUN) or source tuple (counting what it drops).
                var transport = socket.Owner switch
                {
                    Transport t => t,
                    Engine.WebRtcServer server => server.Route(batch.Datagram(i), from),
                    _ => null,
                };
                if (transport is null) { if (socket.Owner is not Engine.WebRtcServer) Counters.Count(Drop.UnknownDatagram); continue; }
                if (transport.IsClosed) { Counters.Count(Drop.UnknownDatagram); continue; }
                try
                {
                    transport.OnDatagram(batch.Datagram(i), from, socket, nowMs);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Fault(transport, e);
                }
            }
        }
        finally
        {
            ArrivalTimestamp = 0;
            batch.Release();
        }
        RunPosted();
    }

    /// <summary>Timers (ICE consent, RTCP reports). Call every 10–50 ms on the worker thread.</summary>
    public void Tick(long nowMs)
    {
        RunPosted();
        foreach (var r in _routers.Values) r.Tick(nowMs);
        if (_tickListStale) { _tickList = _transports.Values.ToArray(); _tickListStale = false; }
        foreach (var t in _tickList)
        {
            if (t.IsClosed) continue;
            try { t.Tick(nowMs); }
            catch (Exception e) when (e is not OutOfMemoryException) { Fault(t, e); }
        }
    }

    // ---- commands (worker thread) --------------------------------------------------------------------

    public Router CreateRouter(string id)
    {
        if (_routers.ContainsKey(id)) throw new InvalidOperationException($"a Router with same routerId already exists [routerId:{id}]");
        var router = new Router(this, id);
        _routers.Add(id, router);
        return router;
    }

    public void CloseRouter(string id)
    {
        if (_routers.Remove(id, out var router)) router.Close();
    }

    public Router GetRouter(string id) =>
        _routers.GetValueOrDefault(id) ?? throw new KeyNotFoundException($"Router not found [routerId:{id}]");

    /// <summary><see cref="TryCreateWebRtcTransport"/>, throwing its error (for callers that treat it as a bug).</summary>
    public WebRtcTransport CreateWebRtcTransport(string routerId, string id, WebRtcTransportSettings settings) =>
        TryCreateWebRtcTransport(routerId, id, settings, out var t, out var error) ? t : throw new InvalidOperationException(error);

    /// <summary><see cref="TryCreatePlainTransport"/>, throwing its error (for callers that treat it as a bug).</summary>
    public PlainTransport CreatePlainTransport(string routerId, string id, PlainTransportSettings settings) =>
        TryCreatePlainTransport(routerId, id, settings, out var t, out var error) ? t : throw new InvalidOperationException(error);

    /// <summary>A WebRTC transport on the worker's shared port (<see cref="WebRtcServer"/>, when started and
    /// the settings do not ask for <see cref="WebRtcTransportSettings.OwnPort"/>), else on a free port of the
    /// range; false with the error text ("no free UDP port …",
    /// counted in <see cref="EngineCounters.NoFreePort"/>) when none could be bound. No exception on that path.</summary>
    public bool TryCreateWebRtcTransport(string routerId, string id, WebRtcTransportSettings settings,
        [NotNullWhen(true)] out WebRtcTransport? transport, [NotNullWhen(false)] out string? error)
    {
        var router = GetRouter(routerId);
        CheckNewTransportId(id);
        transport = null;
        if (!settings.OwnPort && WebRtcServer is { } server)
        {
            error = null;
            transport = new WebRtcTransport(router, id, settings, null, server);
        }
        else
        {
            if (!TryBind(settings.ListenIp, settings.MinPort, settings.MaxPort, out var socket, out error)) return false;
            transport = new WebRtcTransport(router, id, settings, socket);
        }
        Register(router, transport);
        return true;
    }

    /// <summary>A plain (or pipe) transport on one free port of the range, two without rtcpMux; false with the
    /// error text when they could not be bound (as <see cref="TryCreateWebRtcTransport"/>).</summary>
    public bool TryCreatePlainTransport(string routerId, string id, PlainTransportSettings settings,
        [NotNullWhen(true)] out PlainTransport? transport, [NotNullWhen(false)] out string? error)
    {
        var router = GetRouter(routerId);
        CheckNewTransportId(id);
        transport = null;
        if (!TryBind(settings.ListenIp, settings.MinPort, settings.MaxPort, out var rtp, out error)) return false;
        UdpSocket? rtcp = null;
        if (!settings.RtcpMux && !TryBind(settings.ListenIp, settings.MinPort, settings.MaxPort, out rtcp, out error))
        {
            rtp.Dispose();
            return false;
        }
        transport = new PlainTransport(router, id, settings, rtp, rtcp);
        Register(router, transport);
        return true;
    }

    private bool TryBind(IPAddress ip, int min, int max, [NotNullWhen(true)] out UdpSocket? socket, [NotNullWhen(false)] out string? error)
    {
        var err = UdpSocket.TryBindInRange(ip, min, max, out socket);
        if (err == BindError.None && socket is not null) { error = null; return true; }
        if (err == BindError.NoFreePort) Counters.NoFreePort++;
        error = UdpSocket.Describe(err, ip, min, max);
        return false;
    }

    public Transport GetTransport(string id) =>
        _transports.GetValueOrDefault(id) ?? throw new KeyNotFoundException($"Transport not found [transportId:{id}]");

    public void CloseTransport(string id)
    {
        if (_transports.TryGetValue(id, out var t)) t.Close();
    }

    /// <summary>Ids are unique within the worker, as in mediasoup (a producer piped to another router of this
    /// worker needs a new id).</summary>
    public Producer Produce(string transportId, ProducerSettings settings)
    {
        var transport = GetTransport(transportId);
        if (FindProducer(settings.Id) is not null) throw new InvalidOperationException($"a Producer with same producerId already exists [producerId:{settings.Id}]");
        return transport.Produce(settings);
    }

    public Producer GetProducer(string id) => FindProducer(id) ?? throw new KeyNotFoundException($"Producer not found [producerId:{id}]");

    public Producer? FindProducer(string id)
    {
        foreach (var r in _routers.Values) if (r.FindProducer(id) is { } p) return p;
        return null;
    }

    public void CloseProducer(string id)
    {
        if (FindProducer(id) is { } p) p.Transport.CloseProducer(p);
    }

    /// <summary>Creates a consumer of <paramref name="settings"/>.ProducerId (same router) on a transport. A
    /// consumer created active asks for a key frame at once (a paused one does when resumed).</summary>
    public Consumer Consume(string transportId, ConsumerSettings settings, long nowMs = -1)
    {
        var transport = GetTransport(transportId);
        if (FindConsumer(settings.Id) is not null) throw new InvalidOperationException($"a Consumer with same consumerId already exists [consumerId:{settings.Id}]");
        var producer = transport.Router.FindProducer(settings.ProducerId)
            ?? throw new KeyNotFoundException($"Producer not found [producerId:{settings.ProducerId}]");
        var consumer = transport.Consume(settings, producer);
        if (!settings.Paused && nowMs >= 0) consumer.RequestKeyFrame(nowMs);
        return consumer;
    }

    public Consumer GetConsumer(string id) => FindConsumer(id) ?? throw new KeyNotFoundException($"Consumer not found [consumerId:{id}]");

    public Consumer? FindConsumer(string id)
    {
        foreach (var t in _transports.Values) if (t.FindConsumer(id) is { } c) return c;
        return null;
    }

    public void CloseConsumer(string id) => FindConsumer(id)?.Close(ConsumerCloseReason.Closed);

    /// <summary>Creates an active speaker observer on a router (ids are unique in the worker).</summary>
    public ActiveSpeakerObserver CreateActiveSpeakerObserver(string routerId, string id, int intervalMs = ActiveSpeakerObserver.DefaultIntervalMs)
    {
        var router = GetRouter(routerId);
        if (FindActiveSpeakerObserver(id) is not null) throw new InvalidOperationException($"an RtpObserver with same rtpObserverId already exists [rtpObserverId:{id}]");
        return router.CreateActiveSpeakerObserver(id, intervalMs);
    }

    public ActiveSpeakerObserver GetActiveSpeakerObserver(string id) =>
        FindActiveSpeakerObserver(id) ?? throw new KeyNotFoundException($"RtpObserver not found [rtpObserverId:{id}]");

    public ActiveSpeakerObserver? FindActiveSpeakerObserver(string id)
    {
        foreach (var r in _routers.Values) if (r.FindActiveSpeakerObserver(id) is { } o) return o;
        return null;
    }

    public void CloseRtpObserver(string id) => FindActiveSpeakerObserver(id)?.Router.CloseActiveSpeakerObserver(id);

    // ---- faults --------------------------------------------------------------------------------------

    /// <summary>An engine object threw on the packet path: take it out (close it) and tell the owner.</summary>
    internal void Fault(object culprit, Exception exception)
    {
        switch (culprit)
        {
            case Consumer c:
                c.Close(ConsumerCloseReason.Fault);
                Observer.OnFault(EngineObjectKind.Consumer, c.Id, exception);
                break;
            case Producer p:
                p.Transport.CloseProducer(p);
                Observer.OnFault(EngineObjectKind.Producer, p.Id, exception);
                break;
            case Transport t:
                t.Close();
                Observer.OnFault(EngineObjectKind.Transport, t.Id, exception);
                break;
        }
    }

    private void CheckNewTransportId(string id)
    {
        if (_transports.ContainsKey(id)) throw new InvalidOperationException($"a Transport with same transportId already exists [transportId:{id}]");
    }

    private void Register(Router router, Transport transport)
    {
        _transports.Add(transport.Id, transport);
        _tickListStale = true;
        router.Add(transport);
    }

    internal void Forget(Transport transport)
    {
        _transports.Remove(transport.Id);
        _tickListStale = true;
    }

    /// <summary>Closes every router and stops the receive thread (which closes the sockets).</summary>
    public void Dispose()
    {
        foreach (var r in _routers.Values.ToArray()) r.Close();
        _routers.Clear();
        Receiver.Dispose();
    }
}
