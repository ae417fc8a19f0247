// Forwarding benchmark: one WorkerEngine forwarding 1 SRTP producer to N SRTP consumers over loopback UDP.
// Usage: dotnet run -c Release --project bench/Forwarding -- --consumers 1,10,100,500,1000 --seconds 10
using System.Globalization;
using System.Text.Json;
using AkkaSfu.Bench.Forwarding;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
Console.WriteLine($"# forwarding bench: {options.Bitrate} bps × {options.Size} B = {options.Pps:F1} pps per consumer, " +
                  $"window {options.Seconds} s after {options.Warmup} s warm-up, pinned={options.Pin}, egress SRTP={options.EgressSrtp}, " +
                  $"twcc={options.Twcc}, bwe={(options.Bwe ? "on" : "off")}, " +
                  $"{Environment.ProcessorCount} CPUs, .NET {Environment.Version}");

if (options.Breakdown)
{
    Breakdown.Run(options, Console.Out);
    return;
}

var rows = new List<string>();
const string header =
    "| N | offered pps | forwarded pps | worker CPU % | worker rx CPU % | CPU0 busy % (irq) | µs CPU / fwd pkt (user+sys) | alloc B / fwd pkt (worker / process) | loss % (worst consumer) | p50 / p99 µs | heap B / consumer | RSS B / consumer | twcc / bwe | feedback pkts / s | BWE active | avail. kbps mean (start → end) | probation pkts | engine drops |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|";
foreach (var n in options.Consumers)
{
    var r = ForwardingRun.Run(options, n, Console.Out);
    Console.WriteLine(JsonSerializer.Serialize(r));
    var row = $"| {r.Consumers} | {r.OfferedPps:F0} | {r.ForwardedPps:F0} | {r.WorkerCpuPct:F1} | {r.WorkerRxCpuPct:F1} | {r.Cpu0BusyPct:F0} ({r.Cpu0IrqPct:F0}) | " +
              $"{r.WorkerUsPerPacket:F2} ({r.WorkerUserUsPerPacket:F2}+{r.WorkerSysUsPerPacket:F2}) | " +
              $"{r.WorkerAllocBytesPerPacket:F1} / {r.ProcessAllocBytesPerPacket:F1} | {r.LossPct:F3} ({r.WorstConsumerLossPct:F2}) | " +
              $"{r.LatencyP50Us} / {r.LatencyP99Us} | {r.HeapBytesPerConsumer} | {r.RssBytesPerConsumer} | " +
              $"{(r.Twcc ? "on" : "off")} / {(r.Bwe ? "on" : "off")} | {r.FeedbackPerSecond:F0} | {r.BweActive} | " +
              $"{r.AvailableKbpsMeanStart:F0} → {r.AvailableKbpsMean:F0} | {r.ProbationSent} | {r.EngineDrops} |";
    Console.WriteLine(row);
    rows.Add(row);
    GC.Collect();
    GC.WaitForPendingFinalizers();
    Thread.Sleep(500);
}
Console.WriteLine();
Console.WriteLine(header);
foreach (var row in rows) Console.WriteLine(row);
