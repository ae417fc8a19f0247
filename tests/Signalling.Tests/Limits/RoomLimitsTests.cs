using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AkkaSfu.Signalling.Tests.Metrics;
using AkkaSfu.Signalling.Tests.Protoo;

namespace AkkaSfu.Signalling.Tests.Limits;

/// <summary>A server with scaled-down room limits: 2 peers and 1 broadcaster per room, 2 transports per peer, 1 per
/// broadcaster, 1 producer and 1 consumer per transport.</summary>
public sealed class RoomLimitsTests() : LimitsServer("room-limits", "max-peers-per-room = 2, max-broadcasters-per-room = 1, max-transports-per-peer = 2, max-transports-per-broadcaster = 1, max-producers-per-transport = 1, max-consumers-per-transport = 1")
{
    private static string Room() => "q" + Guid.NewGuid().ToString("N")[..8];

    private async Task<ProtooClient> JoinedAsync(string room, string peer)
    {
        var c = await ProtooClient.ConnectAsync(Server.BaseAddress, room, peer);
        var join = await c.RequestAsync("join", new { displayName = peer, device = new { name = "test" }, rtpCapabilities = ProtooConsumerTests.DeviceCaps });
        Assert.True(join["ok"]!.GetValue<bool>(), join.ToJsonString());
        return c;
    }

    private static async Task<string> TransportAsync(ProtooClient c, bool producing = true) =>
        (await c.RequestAsync("createWebRtcTransport", new { producing, consuming = !producing }))["data"]!["id"]!.GetValue<string>();

    private static JsonNode Mic(int n)
    {
        var p = JsonNode.Parse(((JsonNode)ProtooConsumerTests.Mic).ToJsonString())!;
        p["mid"] = n.ToString();
        p["encodings"]![0]!["ssrc"] = 2345678901L + n;
        return p;
    }

    private static void AssertTooMany(JsonObject response, string reason)
    {
        Assert.False(response["ok"]!.GetValue<bool>(), response.ToJsonString());
        Assert.Equal(429, response["errorCode"]!.GetValue<int>());
        Assert.Contains(reason, response["errorReason"]!.GetValue<string>());
    }

    private async Task<double> HitsAsync(string limit) => await MetricsPage.MetricAsync(Http, "akkasfu_limit_hits_total", $"limit=\"{limit}\"");

    [Fact]
    public async Task Past_max_transports_per_peer_a_create_is_answered_429_and_nothing_is_created_even_when_asked_at_once()
    {
        await using var peer = await JoinedAsync(Room(), "p");
        // Four at once: the room counts the two being made, so exactly two are made.
        for (var id = 101; id <= 104; id++)
            await peer.SendRawAsync($"{{\"request\":true,\"id\":{id},\"method\":\"createWebRtcTransport\",\"data\":{{\"producing\":true,\"consuming\":false}}}}");
        var answers = new List<JsonObject>();
        for (var id = 101; id <= 104; id++)
        {
            var expected = id;
            answers.Add((await peer.NextAsync(m => m["response"] is not null && m["id"]!.GetValue<int>() == expected)).AsObject());
        }
        Assert.Equal(2, answers.Count(a => a["ok"]!.GetValue<bool>()));
        foreach (var refused in answers.Where(a => !a["ok"]!.GetValue<bool>())) AssertTooMany(refused, "too many transports: at most 2 per peer");
        AssertTooMany(await peer.RequestAsync("createWebRtcTransport", new { producing = false, consuming = true }), "at most 2 per peer");

        var metrics = await MetricsPage.GetAsync(Http);
        Assert.Equal(2, MetricsPage.Value(metrics, "akkasfu_worker_transports"));
        Assert.Equal(3, MetricsPage.Value(metrics, "akkasfu_limit_hits_total", "limit=\"transports_per_peer\""));
        // Still served.
        Assert.True((await peer.RequestAsync("getRouterRtpCapabilities"))["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Past_max_peers_per_room_a_join_is_answered_429_and_other_rooms_are_not_affected()
    {
        var room = Room();
        await using var a = await JoinedAsync(room, "a");
        await using var b = await JoinedAsync(room, "b");
        Assert.Equal("b", (await a.NotificationAsync("newPeer"))["data"]!["id"]!.GetValue<string>());
        await using var c = await ProtooClient.ConnectAsync(Server.BaseAddress, room, "c");
        AssertTooMany(await c.RequestAsync("join", new { displayName = "c", device = new { name = "test" } }), "room is full: at most 2 peers per room");
        Assert.Equal(1, await HitsAsync("peers_per_room"));
        // No newPeer went out for it; a peer of another room joins.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a.NotificationAsync("newPeer", 500));
        await using var other = await JoinedAsync(Room(), "c");
        // Once a peer leaves, there is room again.
        await b.DisposeAsync();
        await a.NotificationAsync("peerClosed");
        Assert.True((await c.RequestAsync("join", new { displayName = "c", device = new { name = "test" } }))["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Past_max_producers_per_transport_a_produce_is_answered_429_and_past_max_consumers_the_room_creates_no_more()
    {
        var room = Room();
        await using var a = await JoinedAsync(room, "a");
        await using var b = await JoinedAsync(room, "b");
        await TransportAsync(b, producing: false);
        var send1 = await TransportAsync(a);
        Assert.True((await a.RequestAsync("produce", new { transportId = send1, kind = "audio", rtpParameters = Mic(0), appData = new { } }))["ok"]!.GetValue<bool>());
        AssertTooMany(await a.RequestAsync("produce", new { transportId = send1, kind = "audio", rtpParameters = Mic(1), appData = new { } }),
            "too many producers: at most 1 per transport");
        Assert.Equal(1, await HitsAsync("producers_per_transport"));

        // A second producer on another transport is made (the limit is per transport), but b's receiving transport
        // has its one consumer: the room skips the second, and the producer is not failed.
        var send2 = await TransportAsync(a);
        Assert.True((await a.RequestAsync("produce", new { transportId = send2, kind = "audio", rtpParameters = Mic(2), appData = new { } }))["ok"]!.GetValue<bool>());
        var first = await b.NextAsync("newConsumer");
        await b.AcceptAsync(first);
        var metrics = await MetricsPage.GetAsync(Http);
        Assert.Equal(1, MetricsPage.Value(metrics, "akkasfu_limit_hits_total", "limit=\"consumers_per_transport\""));
        Assert.Equal(2, MetricsPage.Value(metrics, "akkasfu_worker_producers"));
        Assert.Equal(1, MetricsPage.Value(metrics, "akkasfu_worker_consumers"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b.NextAsync("newConsumer", TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Past_max_broadcasters_and_transports_per_broadcaster_theHttp_api_answers_429()
    {
        var room = $"/rooms/{Room()}";
        Assert.Equal(200, (await PostAsync($"{room}/broadcasters", """{"id":"b1","displayName":"b","device":{"name":"ffmpeg"}}""")).Status);
        var (status, body) = await PostAsync($"{room}/broadcasters", """{"id":"b2","displayName":"b","device":{"name":"ffmpeg"}}""");
        Assert.Equal((429, "Error: too many broadcasters: at most 1 per room"), (status, body));

        Assert.Equal(200, (await PostAsync($"{room}/broadcasters/b1/transports", """{"type":"plain","comedia":true,"rtcpMux":false}""")).Status);
        (status, body) = await PostAsync($"{room}/broadcasters/b1/transports", """{"type":"plain","comedia":true,"rtcpMux":false}""");
        Assert.Equal((429, "Error: too many transports: at most 1 per broadcaster"), (status, body));

        var metrics = await MetricsPage.GetAsync(Http);
        Assert.Equal(1, MetricsPage.Value(metrics, "akkasfu_limit_hits_total", "limit=\"broadcasters_per_room\""));
        Assert.Equal(1, MetricsPage.Value(metrics, "akkasfu_limit_hits_total", "limit=\"transports_per_broadcaster\""));
        Assert.Equal(1, MetricsPage.Value(metrics, "akkasfu_worker_transports"));
        // The broadcaster that is there still works: its id is taken (409), not refused for the limit.
        Assert.Equal(409, (await PostAsync($"{room}/broadcasters", """{"id":"b1","displayName":"b","device":{"name":"ffmpeg"}}""")).Status);
    }

    private async Task<(int Status, string Body)> PostAsync(string path, string body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
