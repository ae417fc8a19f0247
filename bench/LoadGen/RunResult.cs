using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaSfu.LoadGen;

/// <summary>One run's figures: the JSON line the generator prints.</summary>
public sealed record RunResult
{
    public string Time { get; init; } = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
    public string Mode { get; init; } = "";
    /// <summary>The first server (the one /metrics is read from).</summary>
    public string Server { get; init; } = "";
    /// <summary>Every server peers were spread over (peer i of a room used Servers[i % n]); null in old lines.</summary>
    public string[]? Servers { get; init; }
    /// <summary>Server workers when the generator started the server (--start-server), else 0 (unknown).</summary>
    public int Workers { get; init; }
    public int Rooms { get; init; }
    public int PeersPerRoom { get; init; }
    public int Peers { get; init; }
    public int Producers { get; init; }
    /// <summary>Consumers the server should create (each peer consumes every other peer's producers).</summary>
    public int ConsumersExpected { get; init; }
    /// <summary>Consumers announced by the server (newConsumer / consume).</summary>
    public int Consumers { get; init; }
    /// <summary>Consumers that received at least one probe.</summary>
    public int ConsumersWithMedia { get; init; }
    public bool Simulcast { get; init; }
    public int VideoKbps { get; init; }
    public double DurationS { get; init; }
    /// <summary>RTP packets/s we sent to the server (its input).</summary>
    public double PacketsInPerSec { get; init; }
    /// <summary>RTP packets/s we received from the server (its forwarded output).</summary>
    public double PacketsOutPerSec { get; init; }
    public double MbitsInPerSec { get; init; }
    public double MbitsOutPerSec { get; init; }
    /// <summary>Probes expected from each consumer's first arrival to its producer's last send.</summary>
    public long Expected { get; init; }
    public long Lost { get; init; }
    public double LossPct { get; init; }
    /// <summary><see cref="Expected"/> and <see cref="Lost"/> split by (producer's peer's server, consumer's peer's
    /// server), indices into <see cref="Servers"/>: e.g. zero loss among the peers of the nodes that survived.</summary>
    public ServerPairLoss[]? LossByServerPair { get; init; }
    public long Duplicates { get; init; }
    public long Reordered { get; init; }
    public long RtxRecovered { get; init; }
    public long NacksSent { get; init; }
    /// <summary>NACKs the server sent our producers (its ingress loss) and the packets we retransmitted.</summary>
    public long NacksReceived { get; init; }
    public long Retransmitted { get; init; }
    public long KeyFramesSent { get; init; }
    public long SrtpErrors { get; init; }
    public double LatencyP50Ms { get; init; }
    public double LatencyP99Ms { get; init; }
    public double LatencyMaxMs { get; init; }
    /// <summary>p99 of the same samples timed when our receive thread handled them (not at kernel arrival on
    /// our socket): adds the generator's own receive-side queueing.</summary>
    public double LatencyRecvThreadP99Ms { get; init; }
    /// <summary>The server's own forwarding delay over the window (kernel arrival on its socket → send, per
    /// consumer copy), from its /metrics; null for servers without it.</summary>
    public double? ServerDelayP50Ms { get; init; }
    public double? ServerDelayP99Ms { get; init; }
    /// <summary>The first server process measured (0: none found).</summary>
    public int ServerPid { get; init; }
    /// <summary>Every server process measured: --server-pid, else the listener on each loopback server's port.</summary>
    public int[]? ServerPids { get; init; }
    /// <summary>Server CPU over the window, % of one core (may exceed 100 with several workers), summed over
    /// <see cref="ServerPids"/>.</summary>
    public double ServerCpuPct { get; init; }
    /// <summary>Server CPU µs per packet it forwarded (out) during the window.</summary>
    public double ServerCpuUsPerPacketOut { get; init; }
    /// <summary>RSS of the server processes at the end of the window, summed.</summary>
    public double ServerRssMb { get; init; }
    public double LoadGenCpuPct { get; init; }
    /// <summary>How long our receive threads sleep when idle (µs; 0: they wait on their sockets).</summary>
    public int RecvSleepUs { get; init; }
    /// <summary>The sender thread's period (µs).</summary>
    public int SendTickUs { get; init; }
    /// <summary>Packet slots the sender thread skipped because it fell behind (&gt; 0: the generator was the bottleneck).</summary>
    public long SenderLagSkips { get; init; }
    /// <summary>Datagrams the kernel dropped at full UDP receive buffers during the window (server's or ours).</summary>
    public long UdpRcvbufErrors { get; init; }
    /// <summary>Failed stage (signalling, ice, dtls, media, setup), or null.</summary>
    public string? FailedStage { get; init; }
    public string? Error { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>One line of JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static RunResult? FromJson(string line) => JsonSerializer.Deserialize<RunResult>(line, Json);
}
