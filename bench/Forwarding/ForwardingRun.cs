using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Net;
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
        (long Rcvbuf, long Sndbuf, long In) Udp, (long Busy, long Irq, long Idle, long Steal) Cpu0);

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
        var (ingressPort, sinkKeys) = host.Invoke(e =>
        {
            var now = host.NowMs;
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", Ingress);
            ingress.Connect(null, null, senderKey);
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Simple,
                [new CodecMapping(Sender.PayloadType, MappedPt, 90000, "video/VP8")],
                [new EncodingMapping(MappedSsrc, Ssrc: Sender.Ssrc)], Mid: null, default, default, Nack: false));
            var keys = new SrtpMasterKey?[n];
            for (var i = 0; i < n; i++)
            {
                var t = e.CreatePlainTransport("r", $"out{i}", egress);
                t.Connect(sinks[i].Socket.LocalEndPoint, null, o.EgressSrtp ? NewKey(SrtpProfile.AeadAes128Gcm) : null);
                keys[i] = t.LocalSrtpKey;
                var c = e.Consume($"out{i}", new ConsumerSettings($"c{i}", "p", StreamKind.Video, RtpStreamType.Simple,
                    Ssrc: 10_000u + (uint)i, MappedPt, 90000, default, "bench"));
                c.Resume(now);
            }
            return (ingress.Port, keys);
        });
        var heap1 = GC.GetTotalMemory(forceFullCollection: true);
        var rss1 = Native.RssBytes();

        for (var i = 0; i < n; i++)
        {
            sinks[i].ExpectedSsrc = 10_000u + (uint)i;
            sinks[i].Srtp = sinkKeys[i] is { } k ? new SrtpSession(k) : null;
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

        using var sender = new Sender(new IPEndPoint(IPAddress.Loopback, ingressPort), senderKey, o.Size, pps, o.KeyFrameEvery, o.Pin ? PeerCpu : -1);
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
            var cpuTime = Process.GetCurrentProcess().TotalProcessorTime;
            var udp = Native.UdpErrors();
            if (start) processAlloc = GC.GetTotalAllocatedBytes(precise: true);
            return new Snapshot(Stopwatch.GetTimestamp(), sender.Sent, user + sys, alloc, (user, sys),
                rxTid > 0 ? Native.ThreadCpuUs(rxTid) : default, sinkCpu,
                senderTid > 0 ? Native.ThreadCpuUs(senderTid) : default,
                cpuTime, processAlloc,
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                Volatile.Read(ref c.RtpSent), Volatile.Read(ref host.BatchTicks), Volatile.Read(ref host.BatchCount),
                Volatile.Read(ref host.TickTicks), Volatile.Read(ref host.Wakeups), c[Drop.SendFailed], udp, Native.CpuJiffies(WorkerCpu));
        }

        var a = Take(start: true);
        foreach (var g in sinkGroups) g.SetWindow(a.Seq, long.MaxValue);
        Volatile.Write(ref host.QueueMax, 0);
        Thread.Sleep(TimeSpan.FromSeconds(o.Seconds));
        var b = Take(start: false);
        var queueMax = Volatile.Read(ref host.QueueMax);
        var queueAtEnd = host.QueueLength;
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
        };
        foreach (var s in sinks) s.Srtp?.Dispose();
        return result;
    }
}
