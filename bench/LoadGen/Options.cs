using System.Globalization;
using System.Net;

namespace AkkaSfu.LoadGen;

/// <summary>Which server API the generator drives.</summary>
public enum Mode : byte
{
    /// <summary>protoo WebSocket + WebRTC transports (ICE, DTLS, SRTP) like a browser.</summary>
    WebRtc,
    /// <summary>Broadcaster HTTP API (spec §7) with plain RTP transports.</summary>
    Plain,
}

/// <summary>One run's settings (command line: see README.md).</summary>
public sealed record LoadGenOptions
{
    private readonly Uri _server = new("http://127.0.0.1:3000");

    /// <summary>The one server for code that needs one (signalling RTT, /metrics, --start-server): the first of
    /// <see cref="Servers"/> when that is set, else this value (default http://127.0.0.1:3000).</summary>
    public Uri Server { get => Servers.Length > 0 ? Servers[0] : _server; init => _server = value; }
    /// <summary>Nodes of one cluster: peer i of every room uses Servers[i % n] for its protoo socket (plain mode:
    /// its broadcaster HTTP calls). Empty: every peer uses <see cref="Server"/>.</summary>
    public Uri[] Servers { get; init; } = [];
    public Mode Mode { get; init; } = Mode.WebRtc;
    /// <summary>Peers per room.</summary>
    public int Peers { get; init; } = 4;
    public int Rooms { get; init; } = 1;
    public double DurationSec { get; init; } = 10;
    /// <summary>Seconds after setup before the measurement window (latency) starts.</summary>
    public double WarmupSec { get; init; } = 1;
    public bool Audio { get; init; } = true;
    public bool Video { get; init; } = true;
    /// <summary>Total video bitrate per peer (all simulcast encodings together), kbit/s.</summary>
    public int VideoKbps { get; init; } = 1000;
    /// <summary>Video packets per second per peer (0: bitrate / 1100-byte payloads).</summary>
    public int VideoPps { get; init; }
    public int Fps { get; init; } = 30;
    /// <summary>Periodic key frames every this many seconds (0: only at start and on PLI/FIR, like a browser).</summary>
    public double KeyFrameIntervalSec { get; init; }
    /// <summary>Three simulcast encodings r0/r1/r2 (1/7, 2/7, 4/7 of the bitrate).</summary>
    public bool Simulcast { get; init; }
    /// <summary>Plain mode: SRTP on the plain transports (spec §7 AkkaSfu extension).</summary>
    public bool PlainSrtp { get; init; }
    /// <summary>Send NACKs for gaps (as a browser does).</summary>
    public bool Nack { get; init; } = true;
    /// <summary>Emulated uplink loss: drop every Nth first transmission of our producers (0 = none), to exercise
    /// the server's NACKs and our retransmissions.</summary>
    public int UplinkDropEvery { get; init; }
    public IPAddress LocalIp { get; init; } = IPAddress.Loopback;
    /// <summary>Server process to measure (0: find the one listening on the server's port).</summary>
    public int ServerPid { get; init; }
    public string RoomPrefix { get; init; } = "lg";
    /// <summary>The exact room id (one room only): e.g. a room already placed on a chosen cluster node.</summary>
    public string? RoomId { get; init; }
    /// <summary>Instead of a load run: this many sequential signalling round trips (see SignallingRtt).</summary>
    public int Rtt { get; init; }
    /// <summary>Receive threads (sockets spread over them); more than 1 only when cores are free.</summary>
    public int ReceiveThreads { get; init; } = 1;
    /// <summary>Receive threads sleep this long (µs) when their sockets are empty instead of waiting on them, so
    /// the server's sendto on loopback does not pay for waking them (a remote peer costs it nothing); latency is
    /// timed at kernel arrival, so the sleep does not add to it. 0: wait on the sockets.</summary>
    public int ReceiveSleepUs { get; init; } = 200;
    /// <summary>The sender thread's period (µs): every pass sends all packets that fell due since the last.</summary>
    public int SendTickUs { get; init; } = 1000;
    /// <summary>Peers being set up at once.</summary>
    public int SetupConcurrency { get; init; } = 4;
    /// <summary>No progress display (tests, pipes).</summary>
    public bool Quiet { get; init; }
    /// <summary>Append each run's JSON line to this file too.</summary>
    public string? OutFile { get; init; }
    /// <summary>Sweep: "peers=2..40:2" (P per room, one room) or "rooms=1..20" (R rooms of --peers).</summary>
    public string? Sweep { get; init; }
    /// <summary>Sweep stops after a run above this loss (%).</summary>
    public double LossThresholdPct { get; init; } = 1.0;
    /// <summary>Sweep plot file (PNG).</summary>
    public string Plot { get; init; } = "loadgen-sweep.png";
    /// <summary>Start this server dll for each run group (instead of using --server), measuring its process.</summary>
    public string? StartServer { get; init; }
    /// <summary>With --start-server: AKKASFU_WORKERS values, one run (or sweep) per value.</summary>
    public int[] Workers { get; init; } = [1];

    /// <summary>The servers peers are spread over: <see cref="Servers"/>, or just <see cref="Server"/>.</summary>
    public Uri[] PeerServers => Servers.Length > 0 ? Servers : [Server];

    /// <summary>Index into <see cref="PeerServers"/> of the server used by peer <paramref name="peerInRoom"/> of a room.</summary>
    public int ServerIndexOf(int peerInRoom) => peerInRoom % PeerServers.Length;

    /// <summary>Producers per peer (audio + video encodings counted as one producer each track).</summary>
    public int ProducersPerPeer => (Audio ? 1 : 0) + (Video ? 1 : 0);

    /// <summary>Video packets per second (after the automatic default).</summary>
    public int EffectiveVideoPps => VideoPps > 0 ? VideoPps : Math.Max(Fps, (int)Math.Ceiling(VideoKbps * 1000.0 / 8 / 1100));

    public static string Usage => """
        AkkaSfu.LoadGen [options]
          --server URL           server base (default http://127.0.0.1:3000)
          --servers URL1,URL2    nodes of one cluster: peer i of each room connects to URL(i mod n); CPU sums
                                 every loopback node's process, server delay is read from URL1 only
          --mode webrtc|plain    protoo + WebRTC (default) or broadcaster HTTP API + plain RTP
          --peers P  --rooms R   P peers in each of R rooms (default 4 x 1)
          --duration S           measured seconds (default 10); --warmup S (default 1)
          --video-kbps K         video bitrate per peer (default 1000); --video-pps N; --fps F (30)
          --keyframe-interval S  also send a key frame every S seconds (default 0: start + PLI/FIR only)
          --simulcast            3 encodings r0/r1/r2 with RIDs
          --no-audio | --no-video | --no-nack
          --uplink-drop-every N  drop every Nth packet we send (first transmissions) to exercise NACK/RTX
          --plain-srtp           plain mode: SRTP on plain transports (AkkaSfu extension)
          --server-pid PID       server process to measure (default: the one listening on the port)
          --room-id ID           use exactly this room (one room), e.g. one placed on a chosen cluster node
          --rtt N                no load: N sequential protoo round trips to --room-id, p50/p99 as JSON
          --local-ip IP          address to bind (default 127.0.0.1)
          --setup-concurrency N  peers set up at once (default 4)
          --recv-threads N       receive threads (default 1; one handles ~100k packets/s)
          --recv-sleep-us N      receive threads sleep N µs when idle instead of waiting on their sockets, so
                                 the server's loopback sends do not pay for waking them (default 200; 0: wait)
          --send-tick-us N       the sender thread's period: each pass sends every packet due by then (default
                                 1000: all peers' due packets go out as one burst per millisecond)
          --out FILE             append JSON lines to FILE
          --sweep peers=2..40:2 | rooms=1..20:1   increasing runs until loss > --loss-threshold (default 1 %)
          --plot FILE.png        sweep plot (default loadgen-sweep.png)
          --start-server DLL     start the server (e.g. src/Signalling/bin/Release/net10.0/AkkaSfu.Signalling.dll)
                                 on a free port for each --workers value and measure it
          --workers 1,2          AKKASFU_WORKERS values with --start-server (default 1)
          --quiet                no progress display
        AkkaSfu.LoadGen --soak-plot SOAK.csv OUT.png [TITLE]   plot a bench/Soak/soak.sh CSV (no load)
        """;

    /// <summary>Parses the command line; throws ArgumentException with a readable message.</summary>
    public static LoadGenOptions Parse(string[] args)
    {
        var o = new LoadGenOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Dbl() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--server" => o with { Servers = [ParseServer("--server", Next())] },
                "--servers" => o with { Servers = ParseServers(Next()) },
                "--mode" => o with { Mode = Next().ToLowerInvariant() switch { "webrtc" => Mode.WebRtc, "plain" => Mode.Plain, var m => throw new ArgumentException($"unknown mode {m}") } },
                "--peers" => o with { Peers = Int() },
                "--rooms" => o with { Rooms = Int() },
                "--duration" => o with { DurationSec = Dbl() },
                "--warmup" => o with { WarmupSec = Dbl() },
                "--video-kbps" => o with { VideoKbps = Int() },
                "--video-pps" => o with { VideoPps = Int() },
                "--fps" => o with { Fps = Int() },
                "--keyframe-interval" => o with { KeyFrameIntervalSec = Dbl() },
                "--simulcast" => o with { Simulcast = true },
                "--no-audio" => o with { Audio = false },
                "--no-video" => o with { Video = false },
                "--no-nack" => o with { Nack = false },
                "--uplink-drop-every" => o with { UplinkDropEvery = Int() },
                "--plain-srtp" => o with { PlainSrtp = true },
                "--server-pid" => o with { ServerPid = Int() },
                "--local-ip" => o with { LocalIp = IPAddress.Parse(Next()) },
                "--room-prefix" => o with { RoomPrefix = Next() },
                "--room-id" => o with { RoomId = Next(), Rooms = 1 },
                "--rtt" => o with { Rtt = Int() },
                "--recv-threads" => o with { ReceiveThreads = Int() },
                "--recv-sleep-us" => o with { ReceiveSleepUs = Int() },
                "--send-tick-us" => o with { SendTickUs = Int() },
                "--setup-concurrency" => o with { SetupConcurrency = Int() },
                "--out" => o with { OutFile = Next() },
                "--sweep" => o with { Sweep = Next() },
                "--loss-threshold" => o with { LossThresholdPct = Dbl() },
                "--plot" => o with { Plot = Next() },
                "--start-server" => o with { StartServer = Next() },
                "--workers" => o with { Workers = Next().Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() },
                "--quiet" => o with { Quiet = true },
                var a => throw new ArgumentException($"unknown option {a}"),
            };
        }
        if (o.Peers < 1 || o.Rooms < 1) throw new ArgumentException("--peers and --rooms must be >= 1");
        if (!o.Audio && !o.Video) throw new ArgumentException("nothing to send: --no-audio and --no-video");
        if (o.Servers.Length > 1 && o.ServerPid != 0)
            throw new ArgumentException("--server-pid measures one process: with several --servers the loopback ones are found by their ports");
        if (o.Servers.Length > 1 && o.StartServer is not null)
            throw new ArgumentException("--start-server starts one server: --servers needs nodes that are already running");
        return o;
    }

    /// <summary>"URL1,URL2,...": each an absolute http(s) URL (the server base, as for --server); no empty entries.</summary>
    private static Uri[] ParseServers(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0)) throw new ArgumentException($"--servers '{list}': empty entry (expected URL1,URL2,...)");
        return parts.Select(p => ParseServer("--servers", p)).ToArray();
    }

    private static Uri ParseServer(string option, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && u.Host.Length > 0
            ? u
            : throw new ArgumentException($"{option}: '{text}' is not an absolute http:// or https:// URL");
}
