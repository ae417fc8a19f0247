using AkkaSfu.LoadGen;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.LoadGen;

/// <summary>The load generator against the real server (one worker): a few peers for a few seconds must get
/// every consumer, media on each, and lose nothing. Correctness only: no timing assertions.</summary>
public sealed class LoadGenSmokeTests(LoadGenSmokeTests.Server fixture, ITestOutputHelper output) : IClassFixture<LoadGenSmokeTests.Server>
{
    /// <summary>One server (one worker) for the class: every run uses its own rooms.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public ServerProcess Process { get; private set; } = null!;
        public async Task InitializeAsync() => Process = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        public async Task DisposeAsync() => await Process.DisposeAsync();
    }

    private LoadGenOptions Options() => new()
    {
        Server = fixture.Process.BaseAddress, Peers = 3, Rooms = 1, DurationSec = 2, WarmupSec = 0.5,
        VideoKbps = 300, Quiet = true, SetupConcurrency = 3,
    };


    [Fact]
    public async Task WebRtc_peers_see_all_consumers_with_zero_loss()
    {
        var r = await Runner.RunAsync(Options());
        output.WriteLine(r.ToJson());

        Assert.Null(r.Error);
        Assert.Equal(3, r.Peers);
        Assert.Equal(6, r.Producers);
        Assert.Equal(12, r.ConsumersExpected); // 3 peers x 2 others x (audio + video)
        Assert.Equal(12, r.Consumers);
        Assert.Equal(12, r.ConsumersWithMedia);
        Assert.True(r.Expected > 12 * 20, $"expected {r.Expected} probes");
        Assert.Equal(0, r.Lost);
        Assert.Equal(0, r.Duplicates);
        Assert.Equal(0, r.SrtpErrors);
        Assert.True(r.PacketsOutPerSec > 0 && r.PacketsInPerSec > 0);
        // Every packet a producer sends goes to the 2 other peers.
        Assert.InRange(r.PacketsOutPerSec / r.PacketsInPerSec, 1.5, 2.5);
        Assert.True(r.KeyFramesSent >= 3, "each video producer starts with a key frame");
        Assert.True(r.LatencyP50Ms > 0);
        Assert.True(r.ServerPid > 0, "server process found by its port");
        Assert.Equal([fixture.Process.BaseAddress.ToString()], r.Servers!);
        Assert.Equal([new ServerPairLoss(0, 0, 12, r.Expected, 0)], r.LossByServerPair!);
        // The server timed every forwarded copy (its /metrics histogram), and says so per worker.
        Assert.True(r.ServerDelayP50Ms > 0, "server forwarding delay read from /metrics");
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(fixture.Process.BaseAddress, "/metrics"));
        Assert.Contains("akkasfu_worker_forwarding_delay_seconds_bucket{worker=\"0\",le=\"0.001\"}", metrics);
        Assert.Matches(@"akkasfu_worker_rtp_sent_total\{worker=""0""\} [1-9]", metrics);
        Assert.Matches(@"akkasfu_worker_rtp_received_total\{worker=""0""\} [1-9]", metrics);
    }

    [Fact]
    public async Task Simulcast_consumers_get_media_in_two_rooms()
    {
        var r = await Runner.RunAsync(Options() with { Peers = 2, Rooms = 2, Simulcast = true });
        output.WriteLine(r.ToJson());

        Assert.Null(r.Error);
        Assert.Equal(8, r.Consumers); // 2 rooms x 2 peers x 1 other x 2
        Assert.Equal(8, r.ConsumersWithMedia);
        Assert.Equal(0, r.Lost);
        Assert.Equal(0, r.SrtpErrors);
    }

    [Fact]
    public async Task Uplink_loss_is_nacked_by_the_server_and_recovered_by_our_retransmissions()
    {
        // Video only: the server NACKs video ingress; we answer on RTX, so consumers end up missing nothing.
        var r = await Runner.RunAsync(Options() with { Peers = 2, Audio = false, UplinkDropEvery = 25 });
        output.WriteLine(r.ToJson());

        Assert.Null(r.Error);
        Assert.Equal(2, r.ConsumersWithMedia);
        Assert.True(r.NacksReceived > 0, "server NACKed the dropped packets");
        Assert.True(r.Retransmitted > 0, "we retransmitted them");
        // Every drop is recovered except, at most, one dropped in the run's last moments: no later packet
        // reveals that gap before the window closes, so nobody NACKs it (loss counts the tail).
        Assert.InRange(r.Lost, 0, 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Plain_broadcasters_consume_each_other_with_zero_loss(bool srtp)
    {
        var r = await Runner.RunAsync(Options() with { Mode = Mode.Plain, PlainSrtp = srtp });
        output.WriteLine(r.ToJson());

        Assert.Null(r.Error);
        Assert.Equal(srtp ? "plain-srtp" : "plain", r.Mode);
        Assert.Equal(12, r.Consumers);
        Assert.Equal(12, r.ConsumersWithMedia);
        Assert.Equal(0, r.Lost);
        Assert.Equal(0, r.SrtpErrors);
        Assert.InRange(r.PacketsOutPerSec / r.PacketsInPerSec, 1.5, 2.5);
    }

    [Theory]
    [InlineData(Mode.WebRtc)]
    [InlineData(Mode.Plain)]
    public async Task Peers_spread_over_two_servers_are_accounted_per_server_pair(Mode mode)
    {
        // No cluster: the same server listed twice, so peers 0 and 2 use "server 0" and peer 1 "server 1".
        var server = fixture.Process.BaseAddress;
        var r = await Runner.RunAsync(Options() with { Mode = mode, Servers = [server, server] });
        output.WriteLine(r.ToJson());

        Assert.Null(r.Error);
        Assert.Equal([server.ToString(), server.ToString()], r.Servers!);
        Assert.Equal(12, r.ConsumersWithMedia);
        Assert.Equal(0, r.Lost);
        // 0 ← 2 and 2 ← 0 on server 0; 1 ← 0, 2 on server 1; 0, 2 ← 1: two consumers (audio + video) each.
        Assert.Equal([(0, 0, 4), (0, 1, 4), (1, 0, 4)], r.LossByServerPair!.Select(x => (x.FromServer, x.ToServer, x.Consumers)));
        Assert.All(r.LossByServerPair!, x => Assert.True(x.Expected > 4 * 20 && x.Lost == 0, x.ToString()));
        Assert.Equal(r.Expected, r.LossByServerPair!.Sum(x => x.Expected));
        Assert.Single(r.ServerPids!);                         // one process behind both: measured once
        Assert.True(r.ServerCpuPct > 0);
    }

    [Fact]
    public async Task Server_down_fails_at_the_signalling_stage()
    {
        // A port nothing listens on: bind one, free it.
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var r = await Runner.RunAsync(new LoadGenOptions { Server = new Uri($"http://127.0.0.1:{port}"), Peers = 2, DurationSec = 1, Quiet = true });

        Assert.Equal("signalling", r.FailedStage);
        Assert.Contains("cannot open", r.Error);
        Assert.Equal(0, r.Consumers);
    }
}
