using System.Diagnostics;
using System.Net.WebSockets;
using AkkaSfu.Signalling.Tests.Protoo;

namespace AkkaSfu.Signalling.Tests.Hosting;

/// <summary>SIGTERM on a single node (issue 13: it exited after 31 s and every client saw 1006 at 30 s): every
/// protoo peer is told "server shutting down" with 1012 (protoo-client reconnects, to this server when it is back
/// or to another behind the same address), broadcasters' media closes, and the process exits promptly.</summary>
public sealed class GracefulStopTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_tells_every_peer_1012_and_exits_within_the_bound()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var room = "r" + Guid.NewGuid().ToString("N")[..8];
        var joined = new List<ProtooClient>();
        for (var i = 0; i < 3; i++)
        {
            var peer = await ProtooClient.ConnectAsync(server.BaseAddress, room, "p" + i);
            await peer.RequestAsync("join", new { displayName = "p", device = new { name = "test" } });
            await peer.RequestAsync("createWebRtcTransport", new { producing = true, consuming = true });
            joined.Add(peer);
        }
        // A peer that never joined, and one in another room.
        joined.Add(await ProtooClient.ConnectAsync(server.BaseAddress, room, "lurker"));
        joined.Add(await ProtooClient.ConnectAsync(server.BaseAddress, "other" + room, "q"));
        var broadcaster = await http.PostAsync($"/rooms/{room}/broadcasters",
            new StringContent("""{"id":"b","displayName":"b","device":{"name":"ffmpeg"}}""", System.Text.Encoding.UTF8, "application/json"));
        broadcaster.EnsureSuccessStatusCode();
        (await http.PostAsync($"/rooms/{room}/broadcasters/b/transports",
            new StringContent("""{"type":"plain","comedia":true,"rtcpMux":false}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var stopwatch = Stopwatch.StartNew();
        Assert.True(await server.TerminateAsync(TimeSpan.FromSeconds(20)), "the server did not exit within 20 s of SIGTERM");
        var exitedIn = stopwatch.Elapsed;
        output.WriteLine($"exited {exitedIn.TotalMilliseconds:F0} ms after SIGTERM");
        try
        {
            foreach (var peer in joined)
            {
                await peer.ClosedAsync(timeoutMs: 5_000);
                Assert.Equal((WebSocketCloseStatus)1012, peer.CloseStatus);
            }
            Assert.True(exitedIn < TimeSpan.FromSeconds(10), $"exited {exitedIn.TotalSeconds:F1} s after SIGTERM");
        }
        finally
        {
            foreach (var peer in joined) await peer.DisposeAsync();
        }
    }
}
