using System.Net;
using System.Net.WebSockets;
using AkkaSfu.Signalling.Tests.Metrics;
using AkkaSfu.Signalling.Tests.Protoo;

namespace AkkaSfu.Signalling.Tests.Limits;

/// <summary>A server with scaled-down socket limits: 6 WebSockets per node, 3 per address, 5 requests/s (burst
/// 10, closed after 20 refusals). Clients from 127.0.0.2, .3 … stand for other hosts.</summary>
public sealed class SocketLimitsTests() : LimitsServer("limits", "max-connections = 6, max-connections-per-address = 3, requests-per-second = 5, request-burst = 10, flood-close-after = 20")
{
    private static string Room() => "l" + Guid.NewGuid().ToString("N")[..8];

    private static IPAddress Host(int n) => IPAddress.Parse($"127.0.0.{n}");

    private Task<ProtooClient> ConnectAsync(string room, string peer, int host) =>
        ProtooClient.ConnectAsync(Server.BaseAddress, room, peer, localAddress: Host(host));

    private async Task<ProtooClient.RefusedException> RefusedAsync(string room, string peer, int host) =>
        await Assert.ThrowsAsync<ProtooClient.RefusedException>(() => ConnectAsync(room, peer, host));

    private static async Task<bool> ServesAsync(ProtooClient peer) => (await peer.RequestAsync("getRouterRtpCapabilities"))["ok"]!.GetValue<bool>();

    [Fact]
    public async Task A_connection_flood_is_refused_past_the_per_address_and_per_node_limits_while_a_normal_peer_is_served()
    {
        await MetricsPage.UntilAsync(Http, m => MetricsPage.Value(m, "akkasfu_websocket_connections") == 0, "other tests' sockets closed", "akkasfu_websocket");
        var room = Room();
        await using var normal = await ConnectAsync(room, "normal", 1);
        Assert.True((await normal.RequestAsync("join", new { displayName = "n", device = new { name = "test" } }))["ok"]!.GetValue<bool>());

        var flood = new List<ProtooClient>();
        try
        {
            for (var i = 0; i < 3; i++) flood.Add(await ConnectAsync(room, "a" + i, 2));
            var perAddress = await RefusedAsync(room, "a3", 2);
            Assert.Equal(HttpStatusCode.TooManyRequests, perAddress.Status);
            Assert.Contains("at most 3 WebSocket connections per address", perAddress.Reason);

            for (var i = 0; i < 2; i++) flood.Add(await ConnectAsync(room, "b" + i, 3)); // 1 + 3 + 2 = 6: the node is full
            var perNode = await RefusedAsync(room, "b2", 3);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, perNode.Status);
            Assert.Contains("maximum of 6 WebSocket connections", perNode.Reason);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await RefusedAsync(room, "c0", 4)).Status);

            // The server is up and the normal peer is served meanwhile; HTTP is not a WebSocket.
            Assert.True(await ServesAsync(normal));
            Assert.Equal("ok", await Http.GetStringAsync("/healthz"));
            var metrics = await MetricsPage.GetAsync(Http);
            Assert.Equal(1, MetricsPage.Value(metrics, "akkasfu_limit_hits_total", "limit=\"connections_per_address\""));
            Assert.Equal(2, MetricsPage.Value(metrics, "akkasfu_limit_hits_total", "limit=\"connections\""));
            Assert.Equal(6, MetricsPage.Value(metrics, "akkasfu_websocket_connections"));
        }
        finally
        {
            foreach (var c in flood) await c.DisposeAsync();
        }

        // Closed sockets give their slots back.
        await MetricsPage.UntilAsync(Http, m => MetricsPage.Value(m, "akkasfu_websocket_connections") == 1, "the flood's slots came back", "akkasfu_websocket");
        await using var later = await ConnectAsync(room, "later", 2);
        Assert.True(await ServesAsync(later));
        Assert.True(await ServesAsync(normal));
    }

    [Fact]
    public async Task A_request_flood_gets_429s_then_the_socket_is_closed_with_1008()
    {
        var room = Room();
        await using var normal = await ConnectAsync(room, "normal", 5);
        await using var flooder = await ConnectAsync(room, "flooder", 6);
        var before = await MetricsPage.GetAsync(Http);

        // The burst of 10 is served.
        for (var i = 0; i < 10; i++) Assert.True(await ServesAsync(flooder));
        // Then 60 at once: over the rate, 19 are answered 429 and the 20th refusal closes the socket (answers the room
        // had not sent yet are dropped with it).
        for (var i = 0; i < 60; i++)
        {
            try { await flooder.SendRawAsync($"{{\"request\":true,\"id\":{1000 + i},\"method\":\"getRouterRtpCapabilities\",\"data\":{{}}}}"); }
            catch (WebSocketException) { break; } // closed under our feet
        }
        var answers = new List<System.Text.Json.Nodes.JsonNode>();
        try
        {
            while (true) answers.Add(await flooder.NextAsync(m => m["response"] is not null, 10_000));
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException) { }
        await flooder.ClosedAsync();

        Assert.Equal((WebSocketCloseStatus)1008, flooder.CloseStatus);
        var refused = answers.Where(a => !a["ok"]!.GetValue<bool>()).ToArray();
        Assert.Equal(19, refused.Length);
        Assert.All(refused, r => Assert.Equal((429, "too many requests"), (r["errorCode"]!.GetValue<int>(), r["errorReason"]!.GetValue<string>())));
        var after = await MetricsPage.GetAsync(Http);
        Assert.Equal(1, MetricsPage.Value(after, "akkasfu_limit_hits_total", "limit=\"request_flood\"") - MetricsPage.Value(before, "akkasfu_limit_hits_total", "limit=\"request_flood\""));
        Assert.Equal(19, MetricsPage.Value(after, "akkasfu_limit_hits_total", "limit=\"request_rate\"") - MetricsPage.Value(before, "akkasfu_limit_hits_total", "limit=\"request_rate\""));

        // Another socket is not affected.
        Assert.True(await ServesAsync(normal));
    }

    [Fact]
    public async Task Garbage_is_counted_by_reason_and_a_flood_of_it_closes_the_socket_with_1008()
    {
        var room = Room();
        await using var normal = await ConnectAsync(room, "normal", 7);
        await using var sender = await ConnectAsync(room, "garbage", 8);
        var before = await MetricsPage.GetAsync(Http);
        double Delta(string after, string reason) =>
            MetricsPage.Value(after, "akkasfu_protoo_ignored_messages_total", $"reason=\"{reason}\"") -
            MetricsPage.Value(before, "akkasfu_protoo_ignored_messages_total", $"reason=\"{reason}\"");

        // Within the burst: each ignored, counted, and the socket still serves.
        await sender.SendRawAsync("{ not json");
        await sender.SendRawAsync("[1,2,3]");
        await sender.SendRawAsync(new string('x', 1_000_000));
        Assert.True(await ServesAsync(sender));
        await MetricsPage.UntilAsync(Http, m => Delta(m, "malformed") == 2 && Delta(m, "too_big") == 1, "the garbage was counted", "akkasfu_protoo");
        Assert.Equal(0, Delta(await MetricsPage.GetAsync(Http), "binary"));

        // A flood of garbage (no answers to wait for) is metered as requests are: the socket is closed with 1008.
        for (var i = 0; i < 100; i++)
        {
            try { await sender.SendRawAsync("{ not json either"); }
            catch (WebSocketException) { break; }
        }
        await sender.ClosedAsync();
        Assert.Equal((WebSocketCloseStatus)1008, sender.CloseStatus);
        Assert.True(await ServesAsync(normal));
    }

    [Fact]
    public async Task Every_limit_is_exported_from_zero()
    {
        var metrics = await MetricsPage.GetAsync(Http);
        foreach (var label in (string[])["connections", "connections_per_address", "send_queue", "request_rate", "request_flood", "peers_per_room",
                     "broadcasters_per_room", "transports_per_peer", "transports_per_broadcaster", "producers_per_transport", "consumers_per_transport"])
            Assert.Contains($"akkasfu_limit_hits_total{{limit=\"{label}\"}} ", metrics);
        Assert.Contains("akkasfu_websocket_send_queue_bytes ", metrics);
        foreach (var reason in (string[])["too_big", "binary", "malformed"])
            Assert.Contains($"akkasfu_protoo_ignored_messages_total{{reason=\"{reason}\"}} ", metrics);
        // A fresh server, no client yet: the auth refusal reasons are there from zero too.
        Assert.Contains("akkasfu_auth_refusals_total{reason=\"missing\"} 0", metrics);
    }
}
