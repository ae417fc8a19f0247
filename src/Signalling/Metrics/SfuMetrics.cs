using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Media.Engine;
using AkkaSfu.Signalling.Limits;
using Prometheus;

namespace AkkaSfu.Signalling.Metrics;

/// <summary>The node's Prometheus metrics, served at <c>/metrics</c>: per worker, packets in and out, drops by
/// reason, ingress-mailbox drops, object counts, and the forwarding delay (kernel arrival → send, per consumer
/// copy) as a histogram; plus prometheus-net's process and .NET runtime metrics. Workers are asked on every
/// scrape (one message each); nothing is added to the packet path.</summary>
public sealed class SfuMetrics
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);
    private readonly Func<IActorRef> _workers;
    private readonly Counter _rtpIn, _rtpOut, _rtcpIn, _rtcpOut, _retransmitted, _drops, _ingressDropped, _rxOverflowed;
    private readonly Gauge _routers, _transports, _producers, _consumers;
    private readonly Counter _noFreePort, _dtlsRefused;
    private readonly Gauge _dtlsRunning, _dtlsQueued, _dtlsThreads, _webRtcPort, _webRtcTuples;
    private readonly Histogram _delay;
    private readonly Gauge _members, _rooms, _emptyRooms;
    private readonly Counter _roomsRefused, _roomsClosedEmpty;
    private readonly Counter _limitHits, _ignoredMessages;
    private readonly Func<WebSockets.IgnoredMessages>? _ignored;
    private readonly Gauge _sockets, _sendQueueMessages, _sendQueueBytes;
    private readonly Func<Limits.SocketLimits>? _limits;
    private readonly Func<CancellationToken, Task<NodeStats>>? _node;
    private readonly Func<Rooms.RoomCensus.Counts>? _census;
    private readonly object _gate = new();
    // Per worker index: the last cumulative values seen, and what earlier incarnations of that worker (a
    // replaced worker starts from zero) had counted, so exported counters never go down.
    private readonly Dictionary<(int, string), (long Last, long Carried)> _totals = new();
    private readonly Dictionary<int, long[]> _lastBuckets = new();

    public SfuMetrics(IActorRef workers, CollectorRegistry? registry = null, Func<CancellationToken, Task<NodeStats>>? node = null)
        : this(() => workers, registry, node) { }

    /// <summary><paramref name="workers"/> is resolved at each scrape (the actor system starts after the
    /// metrics are mapped).</summary>
    public SfuMetrics(Func<IActorRef> workers, CollectorRegistry? registry = null, Func<CancellationToken, Task<NodeStats>>? node = null,
        Func<Rooms.RoomCensus.Counts>? census = null, Func<Limits.SocketLimits>? limits = null, Func<WebSockets.IgnoredMessages>? ignored = null)
    {
        _workers = workers;
        _limits = limits;
        _ignored = ignored;
        _node = node;
        _census = census;
        Registry = registry ?? Prometheus.Metrics.NewCustomRegistry();
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        string[] worker = ["worker"];
        _rtpIn = f.CreateCounter("akkasfu_worker_rtp_received_total", "RTP packets received by the worker.", worker);
        _rtpOut = f.CreateCounter("akkasfu_worker_rtp_sent_total", "RTP packets sent by the worker (forwarded copies and retransmissions).", worker);
        _rtcpIn = f.CreateCounter("akkasfu_worker_rtcp_received_total", "RTCP packets received by the worker.", worker);
        _rtcpOut = f.CreateCounter("akkasfu_worker_rtcp_sent_total", "RTCP packets sent by the worker.", worker);
        _retransmitted = f.CreateCounter("akkasfu_worker_rtp_retransmitted_total", "Packets retransmitted on NACK.", worker);
        _drops = f.CreateCounter("akkasfu_worker_drops_total", "Datagrams or packets the worker dropped, by reason.", ["worker", "reason"]);
        _ingressDropped = f.CreateCounter("akkasfu_worker_ingress_dropped_total", "Datagram batches dropped because the worker's ingress mailbox was full.", worker);
        _rxOverflowed = f.CreateCounter("akkasfu_worker_rx_overflow_datagrams_total", "Datagrams the worker's receive thread dropped because all its batches were still queued to the worker.", worker);
        _noFreePort = f.CreateCounter("akkasfu_worker_no_free_port_total", "Transports refused because the UDP port range had no free port.", worker);
        _dtlsRefused = f.CreateCounter("akkasfu_worker_dtls_handshakes_refused_total", "DTLS handshakes refused because the worker's handshake queue was full.", worker);
        _dtlsRunning = f.CreateGauge("akkasfu_worker_dtls_handshakes_running", "DTLS handshakes running on the worker's handshake threads.", worker);
        _dtlsQueued = f.CreateGauge("akkasfu_worker_dtls_handshakes_queued", "DTLS handshakes waiting for a handshake thread.", worker);
        _dtlsThreads = f.CreateGauge("akkasfu_worker_dtls_handshake_threads", "Threads of the worker's DTLS handshake pool.", worker);
        _webRtcPort = f.CreateGauge("akkasfu_worker_webrtc_server_port", "The worker's shared WebRTC UDP port (0: each WebRTC transport binds its own).", worker);
        _webRtcTuples = f.CreateGauge("akkasfu_worker_webrtc_server_tuples", "Remote tuples the worker's shared WebRTC port maps to a transport (each passed a valid STUN check); drops of unknown tuples and ufrags are in akkasfu_worker_drops_total (UnknownTuple, UnknownUfrag).", worker);
        _routers = f.CreateGauge("akkasfu_worker_routers", "Routers on the worker.", worker);
        _transports = f.CreateGauge("akkasfu_worker_transports", "Transports on the worker.", worker);
        _producers = f.CreateGauge("akkasfu_worker_producers", "Producers on the worker.", worker);
        _consumers = f.CreateGauge("akkasfu_worker_consumers", "Consumers on the worker.", worker);
        _delay = f.CreateHistogram("akkasfu_worker_forwarding_delay_seconds",
            "Time from a packet's arrival on the worker's socket to its send, per consumer copy.",
            new HistogramConfiguration
            {
                LabelNames = worker,
                Buckets = ForwardingDelay.UpperBoundsUs.Select(us => us / 1e6).ToArray(),
            });
        _members = f.CreateGauge("akkasfu_cluster_members", "Cluster members by status, as this node sees them (a single node counts itself, Up).", ["status"]);
        _rooms = f.CreateGauge("akkasfu_rooms", "Rooms hosted on this node.");
        _emptyRooms = f.CreateGauge("akkasfu_rooms_empty", "Rooms on this node with no member (no protoo peer, no broadcaster).");
        _roomsRefused = f.CreateCounter("akkasfu_rooms_refused_total", "Rooms not opened because of a node limit: rooms (max-rooms-per-node), empty_rooms (max-empty-rooms).", ["reason"]);
        _roomsClosedEmpty = f.CreateCounter("akkasfu_rooms_closed_empty_total", "Rooms closed because nobody was in them for empty-room-timeout.");
        _limitHits = f.CreateCounter("akkasfu_limit_hits_total", "Requests, sockets or objects refused (or sockets closed) because they passed a limit of akkasfu.limits, by limit.", ["limit"]);
        foreach (var l in Limits.LimitHits.All) _limitHits.WithLabels(l.Label());
        _ignoredMessages = f.CreateCounter("akkasfu_protoo_ignored_messages_total", "Client messages the protoo WebSockets ignored: too_big, binary, malformed (not JSON or not protoo).", ["reason"]);
        foreach (var r in WebSockets.IgnoredMessages.All) _ignoredMessages.WithLabels(WebSockets.IgnoredMessages.Label(r));
        _sockets = f.CreateGauge("akkasfu_websocket_connections", "Protoo WebSockets open on this node.");
        _sendQueueMessages = f.CreateGauge("akkasfu_websocket_send_queue_messages", "Messages waiting to be written to this node's protoo WebSockets.");
        _sendQueueBytes = f.CreateGauge("akkasfu_websocket_send_queue_bytes", "Bytes waiting to be written to this node's protoo WebSockets.");
        Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    /// <summary>The node's view of the cluster: members by status (Up, Joining, Leaving, Unreachable…) and
    /// the rooms it hosts.</summary>
    public sealed record NodeStats(IReadOnlyDictionary<string, int> MembersByStatus, int Rooms);

    /// <summary>The node, its cluster members by status and its rooms, from <paramref name="node"/>; its
    /// sockets and limit hits from <paramref name="limits"/> (resolved at each scrape).</summary>
    public SfuMetrics(Hosting.SfuNode node, Func<Limits.SocketLimits>? limits = null) : this(() => node.Workers, null,
        ct => Cluster.ClusterEndpoints.StatsAsync(node, ct), () => Rooms.RoomCensus.Get(node.System).Read(), limits,
        () => WebSockets.IgnoredMessages.Get(node.System)) { }

    /// <summary>What <c>/metrics</c> serves.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Asks every worker for its counters and updates the exported metrics.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await Task.WhenAll(RefreshWorkersAsync(ct), RefreshNodeAsync(ct));
    }

    private async Task RefreshNodeAsync(CancellationToken ct)
    {
        if (_limits?.Invoke() is { } limits)
            lock (_gate)
            {
                foreach (var l in Limits.LimitHits.All) _limitHits.WithLabels(l.Label()).IncTo(limits.Hits[l]);
                _sockets.Set(limits.Open);
                var (messages, bytes) = limits.Queued;
                _sendQueueMessages.Set(messages);
                _sendQueueBytes.Set(bytes);
            }
        if (_ignored?.Invoke() is { } ignored)
            lock (_gate)
                foreach (var r in WebSockets.IgnoredMessages.All) _ignoredMessages.WithLabels(WebSockets.IgnoredMessages.Label(r)).IncTo(ignored[r]);
        if (_census?.Invoke() is { } census)
            lock (_gate)
            {
                _emptyRooms.Set(census.EmptyRooms);
                _roomsRefused.WithLabels("rooms").IncTo(census.RefusedRooms);
                _roomsRefused.WithLabels("empty_rooms").IncTo(census.RefusedEmptyRooms);
                _roomsClosedEmpty.IncTo(census.ClosedEmpty);
            }
        if (_node is null) return;
        NodeStats stats;
        try { stats = await _node(ct); }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or ObjectDisposedException or Akka.Hosting.MissingActorRegistryEntryException) { return; }
        lock (_gate)
        {
            foreach (var status in (string[])["Joining", "WeaklyUp", "Up", "Leaving", "Exiting", "Down", "Removed", "Unreachable"])
                _members.WithLabels(status).Set(stats.MembersByStatus.GetValueOrDefault(status));
            _rooms.Set(stats.Rooms);
        }
    }

    private async Task RefreshWorkersAsync(CancellationToken ct)
    {
        WorkersStatus status;
        try { status = await _workers().Ask<WorkersStatus>(GetWorkers.Instance, AskTimeout, ct); }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or ObjectDisposedException or Akka.Hosting.MissingActorRegistryEntryException)
        {
            return; // starting, shutting down or overloaded: serve what was last known
        }
        var replies = await Task.WhenAll(status.Workers
            .Where(w => !w.Worker.IsNobody())
            .Select(async w =>
            {
                try { return await w.Worker.Ask<WorkerMetrics>(GetWorkerMetrics.Instance, AskTimeout, ct); }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return null; }
            }));
        lock (_gate)
        {
            foreach (var m in replies.OfType<WorkerMetrics>()) Update(m);
        }
    }

    private void Update(WorkerMetrics m)
    {
        var w = m.Index.ToString();
        Raise(_rtpIn.WithLabels(w), m.Index, "rtpIn", m.RtpReceived);
        Raise(_rtpOut.WithLabels(w), m.Index, "rtpOut", m.RtpSent);
        Raise(_rtcpIn.WithLabels(w), m.Index, "rtcpIn", m.RtcpReceived);
        Raise(_rtcpOut.WithLabels(w), m.Index, "rtcpOut", m.RtcpSent);
        Raise(_retransmitted.WithLabels(w), m.Index, "rtx", m.Retransmitted);
        Raise(_ingressDropped.WithLabels(w), m.Index, "ingress", m.IngressDropped);
        Raise(_rxOverflowed.WithLabels(w), m.Index, "rxOverflow", m.RxOverflowed);
        foreach (var (reason, count) in m.Drops)
            if (count > 0 || _totals.ContainsKey((m.Index, "drop:" + reason)))
                Raise(_drops.WithLabels(w, reason), m.Index, "drop:" + reason, count);
        Raise(_noFreePort.WithLabels(w), m.Index, "noFreePort", m.NoFreePort);
        Raise(_dtlsRefused.WithLabels(w), m.Index, "dtlsRefused", m.DtlsHandshakesRefused);
        _dtlsRunning.WithLabels(w).Set(m.DtlsHandshakesRunning);
        _dtlsQueued.WithLabels(w).Set(m.DtlsHandshakesQueued);
        _dtlsThreads.WithLabels(w).Set(m.DtlsHandshakeThreads);
        _webRtcPort.WithLabels(w).Set(m.WebRtcServerPort);
        _webRtcTuples.WithLabels(w).Set(m.WebRtcServerTuples);
        _routers.WithLabels(w).Set(m.Routers);
        _transports.WithLabels(w).Set(m.Transports);
        _producers.WithLabels(w).Set(m.Producers);
        _consumers.WithLabels(w).Set(m.Consumers);

        // The histogram only accepts observations: observe each bucket's growth at its upper bound (which
        // lands in that bucket, as bounds are inclusive). A replaced worker starts again from zero.
        var buckets = m.ForwardingDelayBuckets;
        var last = _lastBuckets.GetValueOrDefault(m.Index);
        if (last is not null && buckets.Select((c, i) => c < last[i]).Any(x => x)) last = null;
        var delay = _delay.WithLabels(w);
        var bounds = ForwardingDelay.UpperBoundsUs;
        for (var i = 0; i < buckets.Count; i++)
        {
            var grown = buckets[i] - (last?[i] ?? 0);
            if (grown > 0) delay.Observe((i < bounds.Count ? bounds[i] : bounds[^1] * 2) / 1e6, grown);
        }
        _lastBuckets[m.Index] = buckets.ToArray();
    }

    private void Raise(Counter.Child counter, int worker, string name, long cumulative)
    {
        var (last, carried) = _totals.GetValueOrDefault((worker, name));
        if (cumulative < last) carried += last; // the worker was replaced: its successor counts from zero
        _totals[(worker, name)] = (cumulative, carried);
        counter.IncTo(carried + cumulative);
    }
}
