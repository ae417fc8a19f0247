using System.Collections.Concurrent;
using AkkaSfu.Media.Dtls;

namespace AkkaSfu.LoadGen;

/// <summary>A peer the generator emulates (WebRTC peer or plain broadcaster).</summary>
public interface IEmulatedPeer : IAsyncDisposable
{
    string PeerId { get; }
    /// <summary>Index into <see cref="LoadGenOptions.PeerServers"/> of the server this peer talks to.</summary>
    int ServerIndex { get; }
    /// <summary>Consumers the server created for this peer, by consumer id.</summary>
    ConcurrentDictionary<string, ConsumerStream> Consumers { get; }
    /// <summary>This peer's producers: server producer id → its streams.</summary>
    Dictionary<string, ProducerStream[]> Producers { get; }
}

/// <summary>Progress of a run, for a display.</summary>
public readonly record struct RunProgress(string Phase, double Fraction, string Detail);

/// <summary>Runs one load: sets up R × P peers, waits for media on every consumer, measures for the duration,
/// and returns the figures (or the stage that failed).</summary>
public static class Runner
{
    private static readonly bool Debug = Environment.GetEnvironmentVariable("LOADGEN_DEBUG") == "1";

    /// <summary>Runs one load with <paramref name="o"/>. Never throws for server-side failures: they come back
    /// as <see cref="RunResult.FailedStage"/> and <see cref="RunResult.Error"/>.</summary>
    public static async Task<RunResult> RunAsync(LoadGenOptions o, IProgress<RunProgress>? progress = null, CancellationToken ct = default)
    {
        var baseResult = new RunResult
        {
            Mode = o.Mode == Mode.WebRtc ? "webrtc" : (o.PlainSrtp ? "plain-srtp" : "plain"),
            Server = o.Server.ToString(), Servers = o.PeerServers.Select(u => u.ToString()).ToArray(), Rooms = o.Rooms, PeersPerRoom = o.Peers, Peers = o.Rooms * o.Peers,
            Producers = o.Rooms * o.Peers * o.ProducersPerPeer,
            ConsumersExpected = o.Rooms * o.Peers * (o.Peers - 1) * o.ProducersPerPeer,
            Simulcast = o.Simulcast, VideoKbps = o.Video ? o.VideoKbps : 0, DurationS = o.DurationSec,
            RecvSleepUs = o.ReceiveSleepUs, SendTickUs = o.SendTickUs,
        };
        int[] pids = o.ServerPid != 0 ? [o.ServerPid] : ProcStats.FindListeners(o.PeerServers);
        baseResult = baseResult with { ServerPid = pids.FirstOrDefault(), ServerPids = pids };
        using var engine = new MediaEngine(o.ReceiveThreads, o.ReceiveSleepUs) { Nack = o.Nack, UplinkDropEvery = o.UplinkDropEvery, SendTickUs = o.SendTickUs };
        var peers = new List<IEmulatedPeer>();
        try
        {
            await SetupAsync(o, engine, peers, baseResult.Peers, progress, ct);
            return await MeasureAsync(o, engine, peers, baseResult, pids, progress, ct);
        }
        catch (StageException e)
        {
            return baseResult with { FailedStage = e.Stage.ToString().ToLowerInvariant(), Error = e.Message };
        }
        finally
        {
            progress?.Report(new RunProgress("closing", 1, ""));
            await Task.WhenAll(peers.Select(p => p.DisposeAsync().AsTask()));
        }
    }

    private static async Task SetupAsync(LoadGenOptions o, MediaEngine engine, List<IEmulatedPeer> peers, int total,
        IProgress<RunProgress>? progress, CancellationToken ct)
    {
        var cert = o.Mode == Mode.WebRtc ? DtlsCertificate.Generate("AkkaSfu.LoadGen") : null;
        var runTag = Guid.NewGuid().ToString("N")[..6];
        using var gate = new SemaphoreSlim(Math.Max(1, o.SetupConcurrency));
        int done = 0;
        var tasks = new List<Task>();
        for (var r = 0; r < o.Rooms; r++)
        {
            var roomId = o.RoomId ?? $"{o.RoomPrefix}-{runTag}-{r}";
            for (var p = 0; p < o.Peers; p++)
            {
                var si = o.ServerIndexOf(p);
                IEmulatedPeer peer = o.Mode == Mode.WebRtc
                    ? new WebRtcPeer(o, engine, cert!, roomId, $"{roomId}-p{p}", o.PeerServers[si], si)
                    : new PlainBroadcaster(o, engine, roomId, $"{roomId}-b{p}", o.PeerServers[si], si);
                lock (peers) peers.Add(peer);
                tasks.Add(Task.Run(async () =>
                {
                    await gate.WaitAsync(ct);
                    try
                    {
                        await (peer is WebRtcPeer w ? w.SetupAsync(ct) : ((PlainBroadcaster)peer).SetupAsync(ct));
                    }
                    finally { gate.Release(); }
                    var n = Interlocked.Increment(ref done);
                    progress?.Report(new RunProgress("setup", (double)n / total, $"{n}/{total} peers up"));
                }, ct));
            }
        }
        var all = Task.WhenAll(tasks);
        try { await all; }
        catch (Exception) when (all.Exception is { } agg)
        {
            var first = agg.InnerExceptions.OfType<StageException>().FirstOrDefault();
            if (first is not null) throw first;
            throw new StageException(Stage.Setup, agg.InnerExceptions[0].Message, agg.InnerExceptions[0]);
        }
        // Plain broadcasters consume once every producer exists.
        if (o.Mode == Mode.Plain)
        {
            var byRoom = peers.OfType<PlainBroadcaster>().GroupBy(b => b.RoomId);
            foreach (var room in byRoom)
                await Task.WhenAll(room.Select(b => b.ConsumeOthersAsync(room.Where(x => x != b))));
        }
    }

    private static async Task<RunResult> MeasureAsync(LoadGenOptions o, MediaEngine engine, List<IEmulatedPeer> peers,
        RunResult result, int[] pids, IProgress<RunProgress>? progress, CancellationToken ct)
    {
        // Wait for every consumer to be announced and to carry media.
        var deadline = Clock.NowMs + 15_000;
        while (true)
        {
            int announced = peers.Sum(p => p.Consumers.Count);
            int withMedia = peers.Sum(p => p.Consumers.Values.Count(c => c.FirstPacketUs != 0));
            progress?.Report(new RunProgress("media", result.ConsumersExpected == 0 ? 1 : (double)withMedia / result.ConsumersExpected,
                $"{announced}/{result.ConsumersExpected} consumers, {withMedia} with media"));
            if (announced >= result.ConsumersExpected && withMedia >= announced) break;
            if (Clock.NowMs > deadline)
            {
                if (withMedia == 0 && result.ConsumersExpected > 0)
                {
                    var t = engine.Transports;
                    throw new StageException(Stage.Media, announced == 0
                        ? $"the server announced none of {result.ConsumersExpected} consumers in 15 s"
                        : $"no media reached any of {announced} consumers in 15 s (RTP in: {t.Sum(x => x.RtpIn)}, SRTP errors: {t.Sum(x => x.SrtpErrors)}, unknown SSRC: {t.Sum(x => x.UnknownSsrc)})");
                }
                break; // partial: measure anyway, the silent consumers count as lost
            }
            await Task.Delay(100, ct);
        }
        await Task.Delay(TimeSpan.FromSeconds(o.WarmupSec), ct);

        var producers = peers.SelectMany(p => p.Producers).ToDictionary(kv => kv.Key, kv => kv.Value);
        var sentAtStart = producers.Values.SelectMany(s => s).ToDictionary(s => s, s => s.LastProbeSeq);
        var delayBefore = await ServerMetrics.ReadForwardingDelayAsync(o.Server, ct);
        var a = Snapshot(engine, pids);
        engine.StartMeasuring();
        var start = Clock.NowUs;
        var end = start + (long)(o.DurationSec * 1_000_000);
        var last = a;
        while (Clock.NowUs < end)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp((end - Clock.NowUs) / 1000.0, 1, 500)), ct);
            var now = Snapshot(engine, pids);
            var dt = Math.Max(1, now.Us - last.Us) / 1e6;
            progress?.Report(new RunProgress("measure", Math.Min(1, (now.Us - start) / (double)(end - start)),
                $"out {(now.RtpIn - last.RtpIn) / dt:0} pkt/s, in {(now.RtpOut - last.RtpOut) / dt:0} pkt/s, server CPU {now.ServerCpuUsSince(last) / dt / 1e4:0}%"));
            last = now;
        }
        var b = Snapshot(engine, pids);
        var delayAfter = delayBefore is null ? null : await ServerMetrics.ReadForwardingDelayAsync(o.Server, ct);
        foreach (var t in engine.Transports) t.Sending = false;
        await Task.Delay(300, ct); // drain what is in flight
        engine.StopMeasuring();

        // Both ends' servers: the producer by its id, or by its peer's id when the server did not say which.
        var producerPeer = peers.SelectMany(p => p.Producers.Keys.Select(id => (id, p))).ToDictionary(x => x.id, x => x.p);
        var peerById = peers.ToDictionary(p => p.PeerId);
        var tally = LossAccounting.Tally(peers.SelectMany(p => p.Consumers.Values.Select(c =>
        {
            var from = producerPeer.GetValueOrDefault(c.ProducerId) ?? peerById.GetValueOrDefault(c.ProducerPeer);
            return new AccountedConsumer(c, p.ServerIndex, producers.GetValueOrDefault(c.ProducerId), from?.ServerIndex ?? -1);
        })), sentAtStart, Debug ? Console.Error : null);
        if (b.RtpIn == a.RtpIn && result.ConsumersExpected > 0)
            throw new StageException(Stage.Media, $"total loss: no RTP arrived during the {o.DurationSec:0.#} s window ({tally.WithMedia} of {tally.Consumers} consumers had media before it)");
        var secs = Math.Max(1, b.Us - a.Us) / 1e6;
        double pktOut = (b.RtpIn - a.RtpIn) / secs;
        var lat = engine.Latency;
        var recvLat = engine.RecvThreadLatency;
        return result with
        {
            Consumers = tally.Consumers, ConsumersWithMedia = tally.WithMedia, DurationS = Math.Round(secs, 2),
            PacketsInPerSec = Math.Round((b.RtpOut - a.RtpOut) / secs, 1),
            PacketsOutPerSec = Math.Round(pktOut, 1),
            MbitsInPerSec = Math.Round((b.BytesOut - a.BytesOut) * 8 / secs / 1e6, 3),
            MbitsOutPerSec = Math.Round((b.BytesIn - a.BytesIn) * 8 / secs / 1e6, 3),
            Expected = tally.Expected, Lost = tally.Lost, LossPct = tally.Expected == 0 ? 0 : Math.Round(100.0 * tally.Lost / tally.Expected, 4),
            LossByServerPair = tally.ByServerPair,
            Duplicates = tally.Duplicates, Reordered = tally.Reordered, RtxRecovered = tally.Recovered, NacksSent = tally.NacksSent,
            KeyFramesSent = producers.Values.SelectMany(s => s).Sum(s => s.KeyFramesSent),
            NacksReceived = producers.Values.SelectMany(s => s).Sum(s => s.NacksReceived),
            Retransmitted = producers.Values.SelectMany(s => s).Sum(s => s.Retransmitted),
            SrtpErrors = engine.Transports.Sum(t => t.SrtpErrors),
            LatencyP50Ms = Math.Round(lat.Percentile(50) / 1000.0, 3),
            LatencyP99Ms = Math.Round(lat.Percentile(99) / 1000.0, 3),
            LatencyMaxMs = Math.Round(lat.MaxUs / 1000.0, 3),
            LatencyRecvThreadP99Ms = Math.Round(recvLat.Percentile(99) / 1000.0, 3),
            ServerDelayP50Ms = ServerMetrics.QuantileMs(delayBefore, delayAfter, 0.5),
            ServerDelayP99Ms = ServerMetrics.QuantileMs(delayBefore, delayAfter, 0.99),
            ServerCpuPct = pids.Length == 0 ? 0 : Math.Round(b.ServerCpuUsSince(a) / secs / 1e4, 1),
            ServerCpuUsPerPacketOut = pids.Length == 0 || b.RtpIn == a.RtpIn ? 0 : Math.Round(b.ServerCpuUsSince(a) / (double)(b.RtpIn - a.RtpIn), 2),
            ServerRssMb = Math.Round(b.ServerRssBytes / 1048576.0, 1),
            LoadGenCpuPct = Math.Round((b.OwnCpuUs - a.OwnCpuUs) / secs / 1e4, 1),
            SenderLagSkips = engine.SenderLagSkips,
            UdpRcvbufErrors = b.RcvbufErrors - a.RcvbufErrors,
        };
    }

    /// <summary>Counters at one instant; <see cref="Servers"/> holds one (CPU µs, RSS) sample per server process,
    /// null for one that is gone.</summary>
    private readonly record struct Snap(long Us, long RtpOut, long BytesOut, long RtpIn, long BytesIn, (long CpuUs, long RssBytes)?[] Servers,
        long OwnCpuUs, long RcvbufErrors)
    {
        /// <summary>CPU µs of all server processes since <paramref name="earlier"/>, over those sampled both times
        /// (a process that exited in between is left out, not counted negative).</summary>
        public long ServerCpuUsSince(Snap earlier)
        {
            long us = 0;
            for (var i = 0; i < Servers.Length; i++)
                if (Servers[i] is { } now && earlier.Servers[i] is { } then) us += now.CpuUs - then.CpuUs;
            return us;
        }

        public long ServerRssBytes => Servers.Sum(s => s?.RssBytes ?? 0);
    }

    private static Snap Snapshot(MediaEngine engine, int[] pids)
    {
        long rtpOut = 0, bytesOut = 0, rtpIn = 0, bytesIn = 0;
        foreach (var t in engine.Transports) { rtpOut += t.RtpOut; bytesOut += t.RtpBytesOut; rtpIn += t.RtpIn; bytesIn += t.RtpBytesIn; }
        var servers = Array.ConvertAll(pids, ProcStats.Sample);
        return new Snap(Clock.NowUs, rtpOut, bytesOut, rtpIn, bytesIn, servers, ProcStats.OwnCpuUs(), ProcStats.UdpRcvbufErrors());
    }
}
