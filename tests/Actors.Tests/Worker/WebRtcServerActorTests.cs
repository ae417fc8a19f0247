using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Actors.Tests.Supervision;
using AkkaSfu.Actors.Worker;

namespace AkkaSfu.Actors.Tests.Worker;

/// <summary>akkasfu.webrtc-server through the actors: worker i's WebRTC transports announce rtc-min-port + i,
/// plain and pipe transports take ports after the workers', and per-transport ports stay available. A range
/// of its own (outside the default 40000-49999 other servers on the host use) keeps the ports predictable.</summary>
public class WebRtcServerActorTests() : TestKit(AkkaSfuConfig.With("akka.loglevel = INFO"))
{
    private const int Min = 36100, Max = 36199;

    private static SfuSettings SettingsOf(string hocon = "", int workers = 2) =>
        SfuSettings.Create(AkkaSfuConfig.With($"akkasfu.rtc-min-port = {Min}\nakkasfu.rtc-max-port = {Max}\n{hocon}")) with { Workers = workers };

    private static string Akkasfu(string hocon) => $"akkasfu {{ {hocon} }}";

    private async Task<(IActorRef Workers, RouterCreated[] Routers)> StartAsync(SfuSettings settings)
    {
        var workers = Sys.ActorOf(WorkersActor.Props(settings), "workers-" + Guid.NewGuid().ToString("N")[..8]);
        var routers = new RouterCreated[settings.Workers];
        for (var i = 0; i < settings.Workers; i++)
            routers[i] = await workers.Ask<RouterCreated>(new CreateRouter("r" + i + Guid.NewGuid().ToString("N")[..4], WorkerIndex: i), SfuTestBed.Timeout);
        return (workers, routers);
    }

    private static async Task<WebRtcTransportCreated> WebRtcAsync(RouterCreated router, bool ownPort = false) =>
        await router.Router.Ask<WebRtcTransportCreated>(new CreateWebRtcTransport(Guid.NewGuid().ToString(), OwnPort: ownPort), SfuTestBed.Timeout);

    private static async Task<WorkerMetrics> MetricsAsync(IActorRef workers, int index)
    {
        var all = await workers.Ask<WorkersStatus>(GetWorkers.Instance, SfuTestBed.Timeout);
        return await all.Workers.Single(w => w.Index == index).Worker.Ask<WorkerMetrics>(GetWorkerMetrics.Instance, SfuTestBed.Timeout);
    }

    [Fact]
    public async Task Each_workers_webrtc_transports_share_rtc_min_port_plus_its_index()
    {
        var settings = SettingsOf();
        var (workers, routers) = await StartAsync(settings);
        for (var i = 0; i < routers.Length; i++)
        {
            var a = await WebRtcAsync(routers[i]);
            var b = await WebRtcAsync(routers[i]);
            Assert.Equal(Min + i, a.IceCandidates.Single().Port);
            Assert.Equal(Min + i, b.IceCandidates.Single().Port);
            Assert.Equal("udp", a.IceCandidates.Single().Protocol);
            Assert.NotEqual(a.IceParameters.UsernameFragment, b.IceParameters.UsernameFragment);
            var m = await MetricsAsync(workers, routers[i].WorkerIndex);
            Assert.Equal(Min + i, m.WebRtcServerPort);
            Assert.Equal(0, m.WebRtcServerTuples);
            Assert.Equal(0, m.Drops["UnknownTuple"] + m.Drops["UnknownUfrag"]);
        }

        // Plain transports, and a WebRTC transport asking for its own port, take ports after the workers'.
        var plain = await routers[0].Router.Ask<PlainTransportCreated>(new CreatePlainTransport("plain", RtcpMux: true, Comedia: true), SfuTestBed.Timeout);
        Assert.InRange(plain.Port, Min + settings.Workers, Max);
        var own = await WebRtcAsync(routers[0], ownPort: true);
        Assert.InRange(own.IceCandidates.Single().Port, Min + settings.Workers, Max);
        Assert.NotEqual(plain.Port, own.IceCandidates.Single().Port);
    }

    [Fact]
    public async Task Unknown_tuples_and_ufrags_on_the_shared_port_are_counted_per_worker()
    {
        var (workers, routers) = await StartAsync(SettingsOf(workers: 1));
        var t = await WebRtcAsync(routers[0]);
        using var junk = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var port = new IPEndPoint(IPAddress.Loopback, t.IceCandidates[0].Port);
        for (var i = 0; i < 5; i++) junk.SendTo(new byte[] { 0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, port);
        // a STUN Binding request naming a ufrag nobody has
        using var client = new AkkaSfu.Media.Ice.IceClient("cliUfrag", "cliPasswordAbcdefghijklm", "NoSuchUfrag01234", t.IceParameters.Password, 1);
        var buf = new byte[512];
        Assert.True(client.Tick(0, buf, out var n));
        junk.SendTo(buf.AsSpan(0, n), port);

        await AwaitAssertAsync(async () =>
        {
            var m = await MetricsAsync(workers, 0);
            Assert.Equal(5, m.Drops["UnknownTuple"]);
            Assert.Equal(1, m.Drops["UnknownUfrag"]);
        }, SfuTestBed.Timeout);
    }

    [Fact]
    public async Task With_the_server_off_every_webrtc_transport_binds_its_own_port_of_the_whole_range()
    {
        var settings = SettingsOf("akkasfu.webrtc-server.enabled = off", workers: 1);
        Assert.Equal(Min, settings.TransportMinPort);
        var (workers, routers) = await StartAsync(settings);
        var a = await WebRtcAsync(routers[0]);
        var b = await WebRtcAsync(routers[0]);
        Assert.NotEqual(a.IceCandidates[0].Port, b.IceCandidates[0].Port);
        Assert.All([a, b], t => Assert.InRange(t.IceCandidates[0].Port, Min, Max));
        Assert.Equal(0, (await MetricsAsync(workers, 0)).WebRtcServerPort);
    }

    [Fact]
    public async Task A_taken_worker_port_falls_back_to_a_free_one_unless_strict()
    {
        const int min = 36180, max = 36189;
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, min)); // "another process" holds worker 0's port
        var loose = SfuSettings.Create(AkkaSfuConfig.With($"akkasfu.rtc-min-port = {min}\nakkasfu.rtc-max-port = {max}")) with { Workers = 1 };
        var worker = Sys.ActorOf(WorkerActor.Props(0, loose));
        var m = await worker.Ask<WorkerMetrics>(GetWorkerMetrics.Instance, SfuTestBed.Timeout);
        Assert.InRange(m.WebRtcServerPort, min + 1, max);

        var strict = loose with { WebRtcServer = loose.WebRtcServer with { StrictPort = true } };
        var failing = Sys.ActorOf(WorkerActor.Props(0, strict));
        Watch(failing);
        await ExpectTerminatedAsync(failing, SfuTestBed.Timeout);
    }

    [Fact]
    public void Settings_default_to_one_port_per_worker_at_the_start_of_the_range()
    {
        var s = SettingsOf(workers: 3);
        Assert.Equal(new WebRtcServerSettings(true, null, null, false), s.WebRtcServer);
        Assert.Equal((Min, Min + 2), (s.WebRtcServerPort(0), s.WebRtcServerPort(2)));
        Assert.Equal(Min + 3, s.TransportMinPort);
        Assert.Equal(s.ListenIp, s.WebRtcServerListenIp);
        Assert.Equal(s.AnnouncedIp, s.WebRtcServerAnnouncedIp);

        var c = ConfigurationFactory.ParseString(Akkasfu("""webrtc-server { enabled = on, listen-ip = "0.0.0.0", announced-ip = "203.0.113.7", strict-port = on }"""))
            .GetConfig("akkasfu");
        var w = WebRtcServerSettings.Create(c, _ => null);
        Assert.Equal(new WebRtcServerSettings(true, IPAddress.Any, IPAddress.Parse("203.0.113.7"), true), w);
        var listenOnly = SettingsOf("akkasfu.webrtc-server.listen-ip = \"127.0.0.2\"");
        Assert.Equal(IPAddress.Parse("127.0.0.2"), listenOnly.WebRtcServerListenIp);
        Assert.Null(listenOnly.WebRtcServerAnnouncedIp); // its own listen address is announced
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData("1", true)]
    [InlineData("true", true)]
    public void The_environment_overrides_enabled(string value, bool enabled)
    {
        var on = ConfigurationFactory.ParseString(Akkasfu("webrtc-server.enabled = on")).GetConfig("akkasfu");
        var off = ConfigurationFactory.ParseString(Akkasfu("webrtc-server.enabled = off")).GetConfig("akkasfu");
        string? Env(string name) => name == "AKKASFU_WEBRTC_SERVER" ? value : null;
        Assert.Equal(enabled, WebRtcServerSettings.Create(on, Env).Enabled);
        Assert.Equal(enabled, WebRtcServerSettings.Create(off, Env).Enabled);
    }

    [Theory]
    [InlineData("akkasfu.webrtc-server.listen-ip = \"nope\"", "webrtc-server.listen-ip must be an IP address")]
    [InlineData("akkasfu.webrtc-server.announced-ip = \"example.com\"", "webrtc-server.announced-ip must be an IP address")]
    [InlineData("akkasfu.workers = 4\nakkasfu.rtc-min-port = 40000\nakkasfu.rtc-max-port = 40003", "no port left for plain and pipe transports")]
    public void Bad_webrtc_server_settings_are_refused_with_a_clear_message(string hocon, string message)
    {
        if (hocon.Contains("workers") && Environment.GetEnvironmentVariable("AKKASFU_WORKERS") is { Length: > 0 }) return;
        var e = Assert.Throws<ConfigurationException>(() => SfuSettings.Create(AkkaSfuConfig.With(hocon)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_bad_environment_value_is_refused()
    {
        var c = ConfigurationFactory.ParseString(Akkasfu("webrtc-server.enabled = on")).GetConfig("akkasfu");
        var e = Assert.Throws<ConfigurationException>(() => WebRtcServerSettings.Create(c, _ => "maybe"));
        Assert.Contains("AKKASFU_WEBRTC_SERVER must be 0 or 1", e.Message);
    }
}
