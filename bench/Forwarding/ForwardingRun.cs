using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Rtp;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Bench.Forwarding;

/// <summary>What one run measured over its steady-state window.</summary>
internal sealed record RunResult
{
    public int Consumers { get; init; }
    public double WindowSeconds { get; init; }
    public double OfferedPps { get; init; }          // producer packets per second into the SFU
    public double ExpectedOutPps { get; init; }      // offered × N
    public double ForwardedPps { get; init; }        // engine RtpSent per second
    public double WorkerCpuPct { get; init; }        // engine thread, % of one core
    public double WorkerRxCpuPct { get; init; }      // engine's UdpReceiver thread (poll + recvmmsg)
    public double WorkerUsPerPacket { get; init; }   // engine thread CPU µs / forwarded packet
    public double WorkerUserUsPerPacket { get; init; }
    public double WorkerSysUsPerPacket { get; init; }
    public double OnBatchUsPerPacket { get; init; }  // wall µs inside WorkerEngine.OnBatch / forwarded packet
    public double TickMsPerSecond { get; init; }     // wall ms per second inside WorkerEngine.Tick
    public double WorkerWakeupsPerSecond { get; init; }
    public double BatchesPerSecond { get; init; }
    public double ProcessCpuPct { get; init; }
    public double SinkCpuPct { get; init; }
    public double SenderCpuPct { get; init; }
    public double WorkerAllocBytesPerPacket { get; init; }
    public double ProcessAllocBytesPerPacket { get; init; }
    public int Gen0Collections { get; init; }
    public int Gen1Collections { get; init; }
    public int Gen2Collections { get; init; }
    public double LossPct { get; init; }
    public double WorstConsumerLossPct { get; init; }
    public long Duplicates { get; init; }
    public long LatencyP50Us { get; init; }
    public long LatencyP99Us { get; init; }
    public long LatencyMaxUs { get; init; }
    public long ConsumerP99MedianUs { get; init; }
    public long ConsumerP99MaxUs { get; init; }
    public long HeapBytesPerConsumer { get; init; }
    public long RssBytesPerConsumer { get; init; }
    public long WarmupWorkerAllocBytesPerConsumer { get; init; } // engine thread, creation to window start, ÷ N
    public double Cpu0BusyPct { get; init; }         // the worker's CPU, all tasks (others' included), /proc/stat
    public double Cpu0IrqPct { get; init; }          // irq + softirq on it (loopback delivery of our sends)
    public double Cpu0StealPct { get; init; }
    public long WorkerQueueMax { get; init; }       // most batches waiting for the worker thread in the window
    public long WorkerQueueAtEnd { get; init; }
    public long EngineSendFailed { get; init; }
    public long UdpRcvbufErrors { get; init; }
    public long UdpSndbufErrors { get; init; }
    public long SinkAuthFailed { get; init; }
    public long SinkRtcp { get; init; }
    public string EngineCounters { get; init; } = "";
    public bool Pinned { get; init; }
    public bool EgressSrtp { get; init; }
    public int SinkThreads { get; init; }

    // Transport-cc and bandwidth estimation (--twcc, --bwe).
    public bool Twcc { get; init; }
    public bool Bwe { get; init; }
    public long FeedbackSent { get; init; }           // transport-cc packets the sinks sent in the window
    public double FeedbackPerSecond { get; init; }
    public long FeedbackFailed { get; init; }         // whole run: SRTCP protect or send failed
    public long EngineRtcpReceived { get; init; }     // in the window (the sinks' feedback)
    public long EngineRtcpSent { get; init; }         // in the window (SR/SDES, the ingress's feedback to the sender)
    public int BweActive { get; init; }               // egress transports whose estimate the feedback drives, at the end
    public double AvailableKbpsMeanStart { get; init; } // mean over egress transports of AvailableOutgoingBitrate, window start
    public double AvailableKbpsMean { get; init; }    // … at the window's end
    public double AvailableKbpsMin { get; init; }
    public double AvailableKbpsMax { get; init; }
    public double AvailableMbpsSum { get; init; }     // sum over egress transports, at the window's end
    public double DesiredMbpsSum { get; init; }       // sum of DesiredOutgoingBitrate (what the allocation wants)
    public long ProbationSent { get; init; }          // engine ProbationSent in the window
    public long ProbationTotal { get; init; }         // sum of Transport.ProbationPacketsSent, from creation to the window's end
    public long EngineDrops { get; init; }            // engine drop counters, in the window
    public long SinkProbation { get; init; }          // probation packets the sinks got (whole run)
    public long SinkNoTwcc { get; init; }             // packets without transport-wide seq (whole run; 0 expected)
    public long TwccLate { get; init; }               // recorder: late + duplicate + pushed out unreported (0 expected)
}

/// <summary>One run: N consumers, warm-up, a measured window, drain, teardown.</summary>
internal static class ForwardingRun
{
    private const uint MappedSsrc = 500_001;
    private const byte MappedPt = 101;
    private const int WorkerCpu = 0, PeerCpu = 1;

    private static readonly PlainTransportSettings Ingress =
        new(IPAddress.Loopback, null, 40000, 49999, RtcpMux: true, Comedia: true, SrtpProfile: SrtpProfile.AeadAes128Gcm);

    private static SrtpMasterKey NewKey(SrtpProfile profile) =>
        new(profile, RandomNumberGenerator.GetBytes(profile.KeyLength()), RandomNumberGenerator.GetBytes(profile.SaltLength()));

    private readonly record struct Snapshot(
        long Ticks, long Seq, long WorkerCpuUs, long WorkerAlloc, (long U, long S) Worker, (long U, long S) Rx,
        long SinkCpuUs, (long U, long S) SenderCpu, TimeSpan ProcessCpu, long ProcessAlloc, int G0, int G1, int G2,
        long RtpSent, long BatchTicks, long Batches, long TickTicks, long Wakeups, long SendFailed,
        (long Rcvbuf, long Sndbuf, long In) Udp, (long Busy, long Irq, long Idle, long Steal) Cpu0,
        long Drops, long RtcpReceived, long RtcpSent, long ProbationSent, long Feedback);

    /// <summary>The egress transports' bandwidth state, read on the worker thread. Active is
    /// AvailableOutgoingBitrate &gt; 0, which is BandwidthController.IsActive (internal): the estimate is 0
    /// until the endpoint's feedback drives it, and at least the 30 kbps floor after.</summary>
    private readonly record struct BweState(int Active, long SumBps, long MinBps, long MaxBps, long DesiredBps, long ProbationPackets);

    private static BweState ReadBwe(WorkerEngine e, int n)
    {
        int active = 0;
        long sum = 0, min = long.MaxValue, max = 0, desired = 0, probation = 0;
        for (var i = 0; i < n; i++)
        {
            var t = e.GetTransport($"out{i}");
            var bps = t.AvailableOutgoingBitrate;
            if (bps > 0) active++;
            sum += bps;
            min = Math.Min(min, bps);
            max = Math.Max(max, bps);
            desired += t.DesiredOutgoingBitrate;
            probation += t.ProbationPacketsSent;
        }
        return new BweState(active, sum, n == 0 ? 0 : min, max, desired, probation);
    }

    public static RunResult Run(Options o, int n, TextWriter log)
    {
        var egress = o.EgressSrtp
            ? new PlainTransportSettings(IPAddress.Loopback, null, 40000, 49999, RtcpMux: true, Comedia: false, SrtpProfile: SrtpProfile.AeadAes128Gcm)
            : new PlainTransportSettings(IPAddress.Loopback, null, 40000, 49999, RtcpMux: true, Comedia: false);
        var pps = o.Pps;
        var capacity = (int)(pps * (o.Warmup + o.Seconds + 15)) + 1024;
        var groups = o.SinkThreads > 0 ? o.SinkThreads : Math.Max(1, (n + 499) / 500);

        using var host = new EngineHost("fwd-worker", o.Bwe);
        var sinkGroups = Enumerable.Range(0, groups).Select(g => new SinkGroup($"fwd-sink{g}")).ToArray();
        var sinks = new SinkConsumer[n];
        for (var i = 0; i < n; i++)
        {
            var socket = UdpSocket.Bind(IPAddress.Loopback, 0);
            sinks[i] = new SinkConsumer(i, socket, capacity);
            socket.Owner = sinks[i];
        }

        // Memory of N consumers: engine objects, sockets, SRTP contexts (heap; RSS also counts native state).
        var heap0 = GC.GetTotalMemory(forceFullCollection: true);
        var rss0 = Native.RssBytes();
        var senderKey = NewKey(SrtpProfile.AeadAes128Gcm);
        // With --twcc the endpoint (sender) numbers its packets with id 3, the producer maps that to the router's
        // id 5, and the consumers have 5: the engine stamps each transport's own seq there on egress.
        var producerIds = o.Twcc ? new RtpExtensionIds { TransportWideCc01 = Sender.TwccExtensionId } : default;
        var routerIds = o.Twcc ? new RtpExtensionIds { TransportWideCc01 = SinkConsumer.TwccExtensionId } : default;
        var (ingressPort, sinkKeys, remoteKeys, egressPorts) = host.Invoke(e =>
        {
            var now = host.NowMs;
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", Ingress);
            ingress.Connect(null, null, senderKey);
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Simple,
                [new CodecMapping(Sender.PayloadType, MappedPt, 90000, "video/VP8")],
                [new EncodingMapping(MappedSsrc, Ssrc: Sender.Ssrc)], Mid: null, producerIds, routerIds, Nack: false));
            var keys = new SrtpMasterKey?[n];
            var remote = new SrtpMasterKey?[n];
            var ports = new int[n];
            for (var i = 0; i < n; i++)
            {
                var t = e.CreatePlainTransport("r", $"out{i}", egress);
                remote[i] = o.EgressSrtp ? NewKey(SrtpProfile.AeadAes128Gcm) : null;
                t.Connect(sinks[i].Socket.LocalEndPoint, null, remote[i]);
                keys[i] = t.LocalSrtpKey;
                ports[i] = t.Port;
                var c = e.Consume($"out{i}", new ConsumerSettings($"c{i}", "p", StreamKind.Video, RtpStreamType.Simple,
                    Ssrc: 10_000u + (uint)i, MappedPt, 90000, routerIds, "bench"));
                c.Resume(now);
            }
            return (ingress.Port, keys, remote, ports);
        });
        var heap1 = GC.GetTotalMemory(forceFullCollection: true);
        var rss1 = Native.RssBytes();
        // State the engine creates on the first packets (the send-side estimator's history, with --twcc --bwe
        // on) is not in heap1: it shows in what the worker allocates during the warm-up.
        var workerAllocCreated = host.ThreadCounters().AllocatedBytes;

        for (var i = 0; i < n; i++)
        {
            sinks[i].ExpectedSsrc = 10_000u + (uint)i;
            sinks[i].Srtp = sinkKeys[i] is { } k ? new SrtpSession(k) : null;
            if (o.Twcc)
            {
                // The browser's side: its RTCP is protected with the key it gave the transport (rtcp-mux, so
                // it goes to the transport's RTP port).
                sinks[i].Twcc = new TransportCcRecorder { FeedbackIntervalUs = 100_000 }; // Chromium's interval
                sinks[i].RtcpSrtp = remoteKeys[i] is { } rk ? new SrtpSession(rk) : null;
                sinks[i].FeedbackTo = new IPEndPoint(IPAddress.Loopback, egressPorts[i]).Serialize();
                sinks[i].RtcpSsrc = 20_000u + (uint)i;
                sinks[i].Socket.EnableArrivalTimestamps();
            }
            sinkGroups[i % groups].Receiver.Add(sinks[i].Socket);
        }
        Thread.Sleep(50); // let the receive threads start and name themselves

        var rxTid = Native.FindThread("fwd-worker-rx");
        var sinkTids = sinkGroups.Select((_, g) => Native.FindThread($"fwd-sink{g}")).ToArray();
        if (o.Pin)
        {
            Native.Pin(host.Tid, WorkerCpu);
            if (rxTid > 0) Native.Pin(rxTid, WorkerCpu);
            foreach (var t in sinkTids) if (t > 0) Native.Pin(t, PeerCpu);
        }

        using var sender = new Sender(new IPEndPoint(IPAddress.Loopback, ingressPort), senderKey, o.Size, pps, o.KeyFrameEvery, o.Pin ? PeerCpu : -1, o.Twcc);
        sender.Start();
        Thread.Sleep(100);
        var senderTid = Native.FindThread("fwd-sender");

        // Warm-up: every consumer got its key frame and JIT has settled.
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (sinks.Any(s => Volatile.Read(ref s.Received) == 0) && Stopwatch.GetTimestamp() < deadline) Thread.Sleep(20);
        var notStarted = sinks.Count(s => s.Received == 0);
        if (notStarted > 0) log.WriteLine($"# N={n}: {notStarted} consumers got nothing during warm-up; engine: {host.Engine.Counters}");
        Thread.Sleep(TimeSpan.FromSeconds(o.Warmup));

        // The process allocation count is read where the snapshot's own allocations fall outside the window.
        Snapshot Take(bool start)
        {
            var processAlloc = start ? 0 : GC.GetTotalAllocatedBytes(precise: true);
            var (user, sys, alloc) = host.ThreadCounters();
            long sinkCpu = 0;
            foreach (var t in sinkTids) { var (u, s) = Native.ThreadCpuUs(t); sinkCpu += u + s; }
            var c = host.Engine.Counters;
            var drops = c.TotalDrops;
            long feedback = 0;
            foreach (var sink in sinks) feedback += Volatile.Read(ref sink.FeedbackSent);
            var cpuTime = Process.GetCurrentProcess().TotalProcessorTime;
            var udp = Native.UdpErrors();
            if (start) processAlloc = GC.GetTotalAllocatedBytes(precise: true);
            return new Snapshot(Stopwatch.GetTimestamp(), sender.Sent, user + sys, alloc, (user, sys),
                rxTid > 0 ? Native.ThreadCpuUs(rxTid) : default, sinkCpu,
                senderTid > 0 ? Native.ThreadCpuUs(senderTid) : default,
                cpuTime, processAlloc,
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                Volatile.Read(ref c.RtpSent), Volatile.Read(ref host.BatchTicks), Volatile.Read(ref host.BatchCount),
                Volatile.Read(ref host.TickTicks), Volatile.Read(ref host.Wakeups), c[Drop.SendFailed], udp, Native.CpuJiffies(WorkerCpu),
                drops, Volatile.Read(ref c.RtcpReceived), Volatile.Read(ref c.RtcpSent), Volatile.Read(ref c.ProbationSent), feedback);
        }

        var bweStart = host.Invoke(e => ReadBwe(e, n));
        var a = Take(start: true);
        foreach (var g in sinkGroups) g.SetWindow(a.Seq, long.MaxValue);
        Volatile.Write(ref host.QueueMax, 0);
        Thread.Sleep(TimeSpan.FromSeconds(o.Seconds));
        var b = Take(start: false);
        var queueMax = Volatile.Read(ref host.QueueMax);
        var queueAtEnd = host.QueueLength;
        var bweEnd = host.Invoke(e => ReadBwe(e, n));
        if (o.Twcc && o.Bwe && bweEnd.Active < n)
            log.WriteLine($"# WARNING N={n}: only {bweEnd.Active} of {n} egress transports have an active estimate (feedback sent {b.Feedback}, engine rtcp in {b.RtcpReceived})");
        if (!(o.Twcc && o.Bwe) && bweEnd.Active > 0)
            log.WriteLine($"# WARNING N={n}: {bweEnd.Active} egress transports have an estimate without --twcc --bwe on");
        foreach (var g in sinkGroups) g.SetWindow(a.Seq, b.Seq);

        // Drain: stop sending, wait until the sinks stop receiving.
        sender.Dispose();
        long last = -1;
        for (var i = 0; i < 50; i++)
        {
            Thread.Sleep(100);
            var total = sinks.Sum(s => Volatile.Read(ref s.Received));
            if (total == last) break;
            last = total;
        }
        var counters = host.Engine.Counters.ToString();
        foreach (var g in sinkGroups) g.Dispose();

        var seconds = (b.Ticks - a.Ticks) / (double)Stopwatch.Frequency;
        var sent = b.RtpSent - a.RtpSent;
        var offered = b.Seq - a.Seq;
        var perSinkReceived = sinks.Select(s => s.ReceivedIn(a.Seq, b.Seq)).ToArray();
        var histogram = new Histogram();
        foreach (var g in sinkGroups) histogram.AddAll(g.Histogram);
        var consumerP99 = sinks.Select(s => s.Percentile(99)).Order().ToArray();
        double Pct(long us) => 100.0 * us / (seconds * 1e6);
        double JiffyPct(long jiffies) => jiffies / seconds; // 100 jiffies per second = 100 %
        double PerPacket(double x) => sent == 0 ? double.NaN : x / sent;
        var workerProcUser = b.Worker.U - a.Worker.U;
        var workerProcSys = b.Worker.S - a.Worker.S;
        var workerCpu = b.WorkerCpuUs - a.WorkerCpuUs;

        var result = new RunResult
        {
            Consumers = n,
            WindowSeconds = Math.Round(seconds, 3),
            OfferedPps = Math.Round(offered / seconds, 1),
            ExpectedOutPps = Math.Round(offered * n / seconds, 1),
            ForwardedPps = Math.Round(sent / seconds, 1),
            WorkerCpuPct = Math.Round(Pct(workerCpu), 2),
            WorkerRxCpuPct = Math.Round(Pct(b.Rx.U + b.Rx.S - a.Rx.U - a.Rx.S), 2),
            WorkerUsPerPacket = Math.Round(PerPacket(workerCpu), 3),
            WorkerUserUsPerPacket = Math.Round(PerPacket(workerProcUser), 3),
            WorkerSysUsPerPacket = Math.Round(PerPacket(workerProcSys), 3),
            OnBatchUsPerPacket = Math.Round(PerPacket((b.BatchTicks - a.BatchTicks) * 1e6 / Stopwatch.Frequency), 3),
            TickMsPerSecond = Math.Round((b.TickTicks - a.TickTicks) * 1e3 / Stopwatch.Frequency / seconds, 3),
            WorkerWakeupsPerSecond = Math.Round((b.Wakeups - a.Wakeups) / seconds, 1),
            BatchesPerSecond = Math.Round((b.Batches - a.Batches) / seconds, 1),
            ProcessCpuPct = Math.Round(100 * (b.ProcessCpu - a.ProcessCpu).TotalSeconds / seconds, 1),
            SinkCpuPct = Math.Round(Pct(b.SinkCpuUs - a.SinkCpuUs), 1),
            SenderCpuPct = Math.Round(Pct(b.SenderCpu.U + b.SenderCpu.S - a.SenderCpu.U - a.SenderCpu.S), 2),
            WorkerAllocBytesPerPacket = Math.Round(PerPacket(b.WorkerAlloc - a.WorkerAlloc), 2),
            ProcessAllocBytesPerPacket = Math.Round(PerPacket(b.ProcessAlloc - a.ProcessAlloc), 2),
            Gen0Collections = b.G0 - a.G0,
            Gen1Collections = b.G1 - a.G1,
            Gen2Collections = b.G2 - a.G2,
            LossPct = Math.Round(100.0 * (1 - perSinkReceived.Sum() / (double)Math.Max(1, offered * n)), 3),
            WorstConsumerLossPct = Math.Round(100.0 * (1 - perSinkReceived.Min() / (double)Math.Max(1, offered)), 3),
            Duplicates = sinks.Sum(s => s.Duplicates),
            LatencyP50Us = histogram.Percentile(50),
            LatencyP99Us = histogram.Percentile(99),
            LatencyMaxUs = histogram.Percentile(100),
            ConsumerP99MedianUs = consumerP99[consumerP99.Length / 2],
            ConsumerP99MaxUs = consumerP99[^1],
            HeapBytesPerConsumer = (heap1 - heap0) / Math.Max(1, n),
            RssBytesPerConsumer = (rss1 - rss0) / Math.Max(1, n),
            WarmupWorkerAllocBytesPerConsumer = (a.WorkerAlloc - workerAllocCreated) / Math.Max(1, n),
            Cpu0BusyPct = Math.Round(JiffyPct(b.Cpu0.Busy - a.Cpu0.Busy + b.Cpu0.Irq - a.Cpu0.Irq), 1),
            Cpu0IrqPct = Math.Round(JiffyPct(b.Cpu0.Irq - a.Cpu0.Irq), 1),
            Cpu0StealPct = Math.Round(JiffyPct(b.Cpu0.Steal - a.Cpu0.Steal), 1),
            WorkerQueueMax = queueMax,
            WorkerQueueAtEnd = queueAtEnd,
            EngineSendFailed = b.SendFailed - a.SendFailed,
            UdpRcvbufErrors = b.Udp.Rcvbuf - a.Udp.Rcvbuf,
            UdpSndbufErrors = b.Udp.Sndbuf - a.Udp.Sndbuf,
            SinkAuthFailed = sinks.Sum(s => s.AuthFailed),
            SinkRtcp = sinks.Sum(s => s.Rtcp),
            EngineCounters = counters,
            Pinned = o.Pin,
            EgressSrtp = o.EgressSrtp,
            SinkThreads = groups,
            Twcc = o.Twcc,
            Bwe = o.Bwe,
            FeedbackSent = b.Feedback - a.Feedback,
            FeedbackPerSecond = Math.Round((b.Feedback - a.Feedback) / seconds, 1),
            FeedbackFailed = sinks.Sum(s => s.FeedbackFailed),
            EngineRtcpReceived = b.RtcpReceived - a.RtcpReceived,
            EngineRtcpSent = b.RtcpSent - a.RtcpSent,
            BweActive = bweEnd.Active,
            AvailableKbpsMeanStart = Math.Round(bweStart.SumBps / 1e3 / Math.Max(1, n), 1),
            AvailableKbpsMean = Math.Round(bweEnd.SumBps / 1e3 / Math.Max(1, n), 1),
            AvailableKbpsMin = Math.Round(bweEnd.MinBps / 1e3, 1),
            AvailableKbpsMax = Math.Round(bweEnd.MaxBps / 1e3, 1),
            AvailableMbpsSum = Math.Round(bweEnd.SumBps / 1e6, 3),
            DesiredMbpsSum = Math.Round(bweEnd.DesiredBps / 1e6, 3),
            ProbationSent = b.ProbationSent - a.ProbationSent,
            ProbationTotal = bweEnd.ProbationPackets,
            EngineDrops = b.Drops - a.Drops,
            SinkProbation = sinks.Sum(s => s.Probation),
            SinkNoTwcc = sinks.Sum(s => s.NoTwcc),
            TwccLate = sinks.Sum(s => s.Twcc is { } t ? t.LateArrivals + t.Duplicates + t.DroppedUnreported : 0),
        };
        foreach (var s in sinks) { s.Srtp?.Dispose(); s.RtcpSrtp?.Dispose(); }
        return result;
    }
}
