using System.Net;
using System.Net.WebSockets;
using AkkaSfu.Signalling.Tests.Protoo;
using static AkkaSfu.Signalling.Tests.Auth.AuthProbe;

namespace AkkaSfu.Signalling.Tests.Auth;

/// <summary>Without a secret the server runs open, as before: no token needed anywhere, a reused peer id
/// replaces the earlier socket, and /dev/token does not exist.</summary>
public class OpenServerTests : IAsyncLifetime
{
    private ServerProcess _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" }, "open");
        _http = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Everything_works_without_a_token_and_dev_tokens_are_absent()
    {
        var room = Room();
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/dev/token?roomId={room}&peerId=p1")).StatusCode);

        await using var first = await ProtooClient.ConnectAsync(_server.BaseAddress, room, "p1");
        Assert.True((await first.RequestAsync("join", new { displayName = "p", device = new { name = "test" }, rtpCapabilities = ProtooConsumerTests.DeviceCaps }))["ok"]!.GetValue<bool>());
        var send = (await first.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false }))["data"]!["id"]!.GetValue<string>();
        Assert.True((await first.RequestAsync("produce", new { transportId = send, kind = "audio", rtpParameters = ProtooConsumerTests.Mic, appData = new { } }))["ok"]!.GetValue<bool>());

        // As today: the same peer id from anywhere replaces the earlier socket (4000).
        await using var second = await ProtooClient.ConnectAsync(_server.BaseAddress, room, "p1", origin: "http://anything.example");
        await first.ClosedAsync(20_000);
        Assert.Equal((WebSocketCloseStatus)4000, first.CloseStatus);

        var (status, _) = await SendAsync(_http, HttpMethod.Post, $"/rooms/{room}/broadcasters", token: null, """{"id":"b1","displayName":"B","device":{"name":"FFmpeg"}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_http, HttpMethod.Delete, $"/rooms/{room}/broadcasters/b1", token: null)).Status);
        Assert.Equal(0, await RefusalsAsync(_http, "missing"));
    }
}
