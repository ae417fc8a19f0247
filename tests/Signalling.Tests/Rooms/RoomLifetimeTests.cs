using System.Net;
using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Rooms;
using AkkaSfu.Signalling.Tests.Metrics;
using AkkaSfu.Signalling.Tests.Protoo;

namespace AkkaSfu.Signalling.Tests.Rooms;

/// <summary>Rooms close when nobody is in them, whatever opened them; a message for a room that has gone never
/// re-creates it; a node opens at most max-rooms-per-node rooms and max-empty-rooms empty ones (issue 13: 20,000
/// anonymous GETs left 20,016 routers).</summary>
public sealed class RoomLifetimeTests
{
    private static string Room() => "r" + Guid.NewGuid().ToString("N")[..8];

    private static Dictionary<string, string> Hocon(string hocon) => new() { ["AKKASFU_WORKERS"] = "1", ["akkasfu__hocon"] = hocon };

    [Fact]
    public async Task A_room_the_http_api_opened_closes_when_nobody_comes_and_its_router_goes()
    {
        await using var server = await ServerProcess.StartAsync(Hocon("akkasfu.rooms.empty-room-timeout = 1s"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        for (var i = 0; i < 5; i++) (await http.GetAsync($"/rooms/{Room()}")).EnsureSuccessStatusCode();
        Assert.True(await Metric(http, "akkasfu_rooms") >= 1);

        await Until(http, m => Value(m, "akkasfu_rooms") == 0 && Value(m, "akkasfu_worker_routers") == 0, "the rooms closed and their routers with them");
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(5, Value(metrics, "akkasfu_rooms_closed_empty_total"));
        Assert.Equal(0, Value(metrics, "akkasfu_rooms_empty"));
    }

    [Fact]
    public async Task A_room_whose_last_broadcaster_is_deleted_closes()
    {
        await using var server = await ServerProcess.StartAsync(Hocon("akkasfu.rooms.empty-room-timeout = 1s"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var room = Room();
        var created = await http.PostAsync($"/rooms/{room}/broadcasters", Json("""{"id":"b1","displayName":"b","device":{"name":"ffmpeg"}}"""));
        created.EnsureSuccessStatusCode();
        // A broadcaster keeps its room: longer than the timeout, it is still there.
        await Task.Delay(2500);
        Assert.Equal(1, await Metric(http, "akkasfu_rooms"));
        (await http.DeleteAsync($"/rooms/{room}/broadcasters/b1")).EnsureSuccessStatusCode();
        await Until(http, m => Value(m, "akkasfu_rooms") == 0 && Value(m, "akkasfu_worker_routers") == 0, "the room closed");
    }

    [Fact]
    public async Task A_peer_that_leaves_takes_the_room_with_it_and_nothing_re_creates_it()
    {
        await using var server = await ServerProcess.StartAsync(Hocon("akkasfu.rooms.empty-room-timeout = 30s"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var room = Room();
        for (var i = 0; i < 3; i++)
        {
            await using (var peer = await ProtooClient.ConnectAsync(server.BaseAddress, room, "p" + i))
            {
                await peer.RequestAsync("join", new { displayName = "p", device = new { name = "test" } });
                await peer.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false });
            }
            // It left (socket closed): the room closed at once, not after the 30 s empty timeout, and its late
            // goodbye (the socket's end after the room's close) did not re-open it. (A peer arriving while the room
            // is closing is told it moved, 1012, and joins the fresh one.)
            await Until(http, m => Value(m, "akkasfu_rooms") == 0 && Value(m, "akkasfu_worker_routers") == 0, "the room closed");
        }
        await Task.Delay(1500);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(0, Value(metrics, "akkasfu_rooms"));
        Assert.Equal(0, Value(metrics, "akkasfu_worker_transports"));
    }

    [Fact]
    public async Task Past_max_rooms_a_new_room_is_refused_with_1013_and_503_and_the_open_ones_keep_working()
    {
        await using var server = await ServerProcess.StartAsync(Hocon("akkasfu.rooms { max-rooms-per-node = 2, empty-room-timeout = 60s }"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var (a, b) = (Room(), Room());
        await using var pa = await ProtooClient.ConnectAsync(server.BaseAddress, a, "pa");
        await pa.RequestAsync("join", new { displayName = "a", device = new { name = "test" } });
        (await http.GetAsync($"/rooms/{b}")).EnsureSuccessStatusCode();

        await using var pc = await ProtooClient.ConnectAsync(server.BaseAddress, Room(), "pc");
        await pc.ClosedAsync();
        Assert.Equal((WebSocketCloseStatus)RoomActor.TryAgainLater, pc.CloseStatus);
        var refused = await http.GetAsync($"/rooms/{Room()}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("maximum of 2 rooms", await refused.Content.ReadAsStringAsync());

        // The rooms that are open still serve.
        Assert.True((await pa.RequestAsync("getRouterRtpCapabilities"))["ok"]!.GetValue<bool>());
        (await http.GetAsync($"/rooms/{b}")).EnsureSuccessStatusCode();
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(2, Value(metrics, "akkasfu_rooms_refused_total", "reason=\"rooms\""));
        Assert.Equal(2, Value(metrics, "akkasfu_rooms"));
    }

    [Fact]
    public async Task Past_max_empty_rooms_the_http_api_opens_no_room_but_a_peer_still_does()
    {
        await using var server = await ServerProcess.StartAsync(Hocon("akkasfu.rooms { max-empty-rooms = 2, empty-room-timeout = 60s }"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        for (var i = 0; i < 2; i++) (await http.GetAsync($"/rooms/{Room()}")).EnsureSuccessStatusCode();
        for (var i = 0; i < 3; i++)
        {
            var refused = await http.GetAsync($"/rooms/{Room()}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("nobody has joined", await refused.Content.ReadAsStringAsync());
        }

        await using var peer = await ProtooClient.ConnectAsync(server.BaseAddress, Room(), "p");
        var join = await peer.RequestAsync("join", new { displayName = "p", device = new { name = "test" } });
        Assert.True(join["ok"]!.GetValue<bool>());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(3, Value(metrics, "akkasfu_rooms_refused_total", "reason=\"empty_rooms\""));
        Assert.Equal(3, Value(metrics, "akkasfu_rooms"));
        Assert.Equal(2, Value(metrics, "akkasfu_rooms_empty"));
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static Task<double> Metric(HttpClient http, string name) => MetricsPage.MetricAsync(http, name);

    private static double Value(string metrics, string name, string? label = null) => MetricsPage.Value(metrics, name, label);

    private static Task Until(HttpClient http, Func<string, bool> done, string what) =>
        MetricsPage.UntilAsync(http, done, what, "akkasfu_rooms", "akkasfu_worker_routers");
}

/// <summary>The first message of a room decides whether it opens (no server process: the rooms' parent, with a
/// probe for the workers, so no router is ever created unseen).</summary>
public sealed class RoomAdmissionTests() : TestKit(AkkaSfuConfig.Default)
{
    private (LocalRoomDirectory Rooms, Akka.TestKit.TestProbe Workers) Start()
    {
        var workers = CreateTestProbe();
        var settings = SfuSettings.Create(AkkaSfuConfig.Default);
        return (new LocalRoomDirectory(Sys, id => RoomActor.Props(id, workers.Ref, settings), "rooms-" + Guid.NewGuid().ToString("N")[..6]), workers);
    }

    [Fact]
    public async Task A_late_disconnect_or_a_broadcasters_command_never_opens_a_room()
    {
        var (rooms, workers) = Start();
        rooms.Tell("gone", new PeerDisconnected("p", TestActor));
        rooms.Tell("gone", new PeerCommand("p", TestActor, 1, RoomCommands.GetRouterRtpCapabilities.Instance));
        rooms.Tell("gone", new ConsumerAccepted("p", TestActor, "c"));
        var reply = await rooms.Ask<IRoomReply>("gone-too", new BroadcasterCommand("b", RoomCommands.DeleteBroadcaster.Instance), TimeSpan.FromSeconds(5));
        Assert.Equal(RoomErrorKind.NotFound, Assert.IsType<RoomReplies.Failed>(reply).Kind);

        workers.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        await AwaitAssertAsync(async () => Assert.Empty(await rooms.HostedRoomsAsync(TimeSpan.FromSeconds(3))));
        Assert.Equal(0, RoomCensus.Get(Sys).Read().Rooms);
    }

    [Fact]
    public void A_peer_or_the_http_api_opens_a_room()
    {
        var (rooms, workers) = Start();
        rooms.Tell("a", new PeerConnected("p", TestActor));
        workers.ExpectMsg<CreateRouter>();
        rooms.Tell("b", new BroadcasterCommand(null, RoomCommands.GetRouterRtpCapabilities.Instance));
        workers.ExpectMsg<CreateRouter>();
    }
}
