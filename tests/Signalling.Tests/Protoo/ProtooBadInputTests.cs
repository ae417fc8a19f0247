using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace AkkaSfu.Signalling.Tests.Protoo;

/// <summary>Bad input on the protoo endpoint gets a clear answer and costs nobody anything (signalling.md §1, §3, §8).</summary>
public class ProtooBadInputTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Room() => "r" + Guid.NewGuid().ToString("N")[..8];

    private static void AssertError(JsonNode response, string reason)
    {
        Assert.False(response["ok"]!.GetValue<bool>());
        Assert.Equal(500, response["errorCode"]!.GetValue<int>());
        Assert.Equal(reason, response["errorReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upgrades_without_ids_or_subprotocol_are_refused_over_http()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseAddress };
        HttpRequestMessage Upgrade(string query, bool protoo)
        {
            var r = new HttpRequestMessage(HttpMethod.Get, "/" + query);
            r.Headers.Add("Connection", "Upgrade");
            r.Headers.Add("Upgrade", "websocket");
            r.Headers.Add("Sec-WebSocket-Version", "13");
            r.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
            if (protoo) r.Headers.Add("Sec-WebSocket-Protocol", "protoo");
            return r;
        }
        var noIds = await http.SendAsync(Upgrade("?roomId=r", protoo: true));
        Assert.Equal(HttpStatusCode.BadRequest, noIds.StatusCode);
        Assert.Equal("Connection request without roomId and/or peerId", noIds.Headers.GetValues("X-WebSocket-Reject-Reason").Single());

        var noProtocol = await http.SendAsync(Upgrade("?roomId=r&peerId=p", protoo: false));
        Assert.Equal(HttpStatusCode.Forbidden, noProtocol.StatusCode);
    }

    [Fact]
    public async Task Each_bad_request_gets_its_error_and_the_socket_keeps_working()
    {
        await using var peer = await ProtooClient.ConnectAsync(_server.BaseAddress, Room(), "p1");
        Assert.Equal("3.27.1", (await peer.NotificationAsync("mediasoup-version"))["data"]!["version"]!.GetValue<string>());

        await peer.SendRawAsync("{ this is not json");
        await peer.SendRawAsync("[1,2,3]");
        await peer.SendRawAsync("""{"request":true,"id":"seven","method":"join","data":{}}"""); // non-numeric id: ignored
        await peer.SendRawAsync(new string('x', 1_000_000)); // oversized: ignored

        AssertError(await peer.RequestAsync("fly"), "unknown request.method \"fly\"");
        AssertError(await peer.RequestAsync("produce", new { transportId = "t", kind = "audio", rtpParameters = new { } }), "Peer not yet joined");
        AssertError(await peer.RequestAsync("connectWebRtcTransport", new { transportId = "nope", dtlsParameters = new { role = "client", fingerprints = Array.Empty<object>() } }),
            "transport with id \"nope\" not found");

        var caps = await peer.RequestAsync("getRouterRtpCapabilities");
        Assert.True(caps["ok"]!.GetValue<bool>());
        var join = await peer.RequestAsync("join", new { displayName = "one", device = new { name = "test" } });
        Assert.Empty(join["data"]!["peers"]!.AsArray());
        AssertError(await peer.RequestAsync("join", new { displayName = "again" }), "Peer already joined");
        AssertError(await peer.RequestAsync("pauseConsumer", new { consumerId = "c" }), "consumer with id \"c\" not found");
        AssertError(await peer.RequestAsync("setConsumerPreferredLayers", new { consumerId = "x", spatialLayer = 1 }), "consumer with id \"x\" not found");

        var t = await peer.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false });
        var transportId = t["data"]!["id"]!.GetValue<string>();
        // Its drops by reason (none yet) come with its stats.
        Assert.Empty(Assert.IsType<JsonObject>((await peer.RequestAsync("getTransportStats", new { transportId }))["data"]![0]!["drops"]));
        AssertError(await peer.RequestAsync("produce", new { transportId, kind = "audio", rtpParameters = new { codecs = new[] { new { mimeType = "audio/G729", payloadType = 18, clockRate = 8000 } }, encodings = new[] { new { ssrc = 1 } } } }),
            "unsupported codec [mimeType:audio/G729, payloadType:18]");
        AssertError(await peer.RequestAsync("produce", new { transportId, kind = "data", rtpParameters = new { } }), "invalid kind \"data\"");
        AssertError(await peer.RequestAsync("connectWebRtcTransport", new { transportId }), "missing dtlsParameters");
        Assert.True((await peer.RequestAsync("getRouterRtpCapabilities"))["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Another_peers_ids_are_not_found_and_a_reconnecting_peer_replaces_its_old_socket()
    {
        var room = Room();
        await using var a = await ProtooClient.ConnectAsync(_server.BaseAddress, room, "a");
        await using var b = await ProtooClient.ConnectAsync(_server.BaseAddress, room, "b");
        await a.RequestAsync("join", new { displayName = "a", device = new { name = "test" } });
        await b.RequestAsync("join", new { displayName = "b", device = new { name = "test" } });
        var t = await a.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false });
        var transportId = t["data"]!["id"]!.GetValue<string>();
        AssertError(await b.RequestAsync("restartIce", new { transportId }), $"transport with id \"{transportId}\" not found");
        var ice = await a.RequestAsync("restartIce", new { transportId });
        Assert.Equal(32, ice["data"]!["password"]!.GetValue<string>().Length);

        // a connects again with the same peerId: the old socket is closed with 4000, b hears a leave.
        await using var a2 = await ProtooClient.ConnectAsync(_server.BaseAddress, room, "a");
        await a.ClosedAsync();
        Assert.Equal(4000, (int)a.CloseStatus!.Value);
        Assert.Equal("a", (await b.NotificationAsync("peerClosed"))["data"]!["peerId"]!.GetValue<string>());
        var again = await a2.RequestAsync("join", new { displayName = "a again", device = new { name = "test" } });
        Assert.Equal("b", again["data"]!["peers"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("a", (await b.NotificationAsync("newPeer"))["data"]!["id"]!.GetValue<string>());
    }
}
