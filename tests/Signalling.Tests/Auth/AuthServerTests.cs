using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Tests.Protoo;
using static AkkaSfu.Signalling.Tests.Auth.AuthProbe;

namespace AkkaSfu.Signalling.Tests.Auth;

/// <summary>Issue 13's "no authentication" holes against the real server with a secret set: who may join,
/// take a peer id's place, use the broadcaster API, from which Origin; /dev/token with its flag.</summary>
public class AuthServerTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    private readonly HttpClient _http = fixture.Http;
    private Uri Server => fixture.Server.BaseAddress;

    private static async Task<bool> OkAsync(ProtooClient c) => (await c.RequestAsync("getRouterRtpCapabilities"))["ok"]!.GetValue<bool>();

    [Fact]
    public async Task Joins_without_or_with_a_bad_expired_or_other_rooms_token_are_refused_and_create_no_room()
    {
        var room = Room();
        var before = new Dictionary<string, double>();
        foreach (var reason in (string[])["missing", "invalid", "expired", "wrong_room", "wrong_peer", "no_grant"]) before[reason] = await RefusalsAsync(_http, reason);

        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(_http, room, "p1", token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(_http, room, "p1", "garbage"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(_http, room, "p1", Token(room, "p1", Grant.All, secret: "a-different-secret-a-different-secret")));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(_http, room, "p1", Token(room, "p1", Grant.All, ttl: TimeSpan.FromMinutes(-5))));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(_http, room, "p1", Token(Room(), "p1", Grant.All)));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(_http, room, "p1", Token(room, "p2", Grant.All)));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(_http, room, "p1", Token(room, "p1", Grant.None)));
        var client = new ClientWebSocket();
        client.Options.AddSubProtocol("protoo");
        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(new UriBuilder(Server) { Scheme = "ws", Query = $"roomId={room}&peerId=p1" }.Uri, CancellationToken.None));

        Assert.DoesNotContain(room, await RoomsAsync(_http));
        Assert.True(await RefusalsAsync(_http, "missing") >= before["missing"] + 2);
        Assert.True(await RefusalsAsync(_http, "invalid") >= before["invalid"] + 2);
        Assert.True(await RefusalsAsync(_http, "expired") >= before["expired"] + 1);
        Assert.True(await RefusalsAsync(_http, "wrong_room") >= before["wrong_room"] + 1);
        Assert.True(await RefusalsAsync(_http, "wrong_peer") >= before["wrong_peer"] + 1);
        Assert.True(await RefusalsAsync(_http, "no_grant") >= before["no_grant"] + 1);

        // The right token joins.
        await using var peer = await ProtooClient.ConnectAsync(Server, room, "p1", Token(room, "p1", Grant.Subscribe));
        Assert.True(await OkAsync(peer));
        Assert.Contains(room, await RoomsAsync(_http));
    }

    [Fact]
    public async Task A_peer_id_cannot_be_taken_over_by_another_tokens_holder()
    {
        var room = Room();
        await using var victim = await ProtooClient.ConnectAsync(Server, room, "victim", Token(room, "victim", Grant.Publish | Grant.Subscribe));
        await victim.RequestAsync("join", new { displayName = "v", device = new { name = "test" } });

        // Another peer of the same room, with every grant, cannot connect as the victim.
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(_http, room, "victim", Token(room, "mallory", Grant.All)));
        var refused = await Assert.ThrowsAsync<ProtooClient.RefusedException>(() => ProtooClient.ConnectAsync(Server, room, "victim", Token(room, "mallory", Grant.All)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);

        Assert.True(await OkAsync(victim));
        Assert.Null(victim.CloseStatus);
    }

    [Fact]
    public async Task The_holder_of_the_right_token_can_replace_its_own_connection()
    {
        var room = Room();
        var token = Token(room, "p1", Grant.Publish | Grant.Subscribe);
        await using var first = await ProtooClient.ConnectAsync(Server, room, "p1", token);
        await first.RequestAsync("join", new { displayName = "p", device = new { name = "test" } });

        await using var second = await ProtooClient.ConnectAsync(Server, room, "p1", token);
        await first.ClosedAsync(20_000);
        Assert.Equal((WebSocketCloseStatus)4000, first.CloseStatus);
        Assert.True((await second.RequestAsync("join", new { displayName = "p", device = new { name = "test" } }))["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Produce_needs_publish_and_a_peer_without_subscribe_gets_no_consumer()
    {
        var room = Room();
        await using var publisher = await ProtooClient.ConnectAsync(Server, room, "pub", Token(room, "pub", Grant.Publish));
        await using var subscriber = await ProtooClient.ConnectAsync(Server, room, "sub", Token(room, "sub", Grant.Subscribe));
        await using var publishOnly = await ProtooClient.ConnectAsync(Server, room, "pub2", Token(room, "pub2", Grant.Publish));
        foreach (var (c, name) in new[] { (publisher, "pub"), (subscriber, "sub"), (publishOnly, "pub2") })
        {
            Assert.True((await c.RequestAsync("join", new { displayName = name, device = new { name = "test" }, rtpCapabilities = ProtooConsumerTests.DeviceCaps }))["ok"]!.GetValue<bool>());
            await c.RequestAsync("createWebRtcTransport", new { producing = true, consuming = true });
        }

        // The subscriber may not produce: 403, counted.
        var noGrant = await RefusalsAsync(_http, "no_grant");
        var subSend = (await subscriber.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false }))["data"]!["id"]!.GetValue<string>();
        var refused = await subscriber.RequestAsync("produce", new { transportId = subSend, kind = "audio", rtpParameters = ProtooConsumerTests.Mic, appData = new { } });
        Assert.False(refused["ok"]!.GetValue<bool>());
        Assert.Equal(403, refused["errorCode"]!.GetValue<int>());
        Assert.True(await RefusalsAsync(_http, "no_grant") > noGrant);

        var send = (await publisher.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false }))["data"]!["id"]!.GetValue<string>();
        Assert.True((await publisher.RequestAsync("produce", new { transportId = send, kind = "audio", rtpParameters = ProtooConsumerTests.Mic, appData = new { } }))["ok"]!.GetValue<bool>());

        var newConsumer = await subscriber.NextAsync(m => m["request"]?.GetValue<bool>() == true && m["method"]?.GetValue<string>() == "newConsumer");
        var consumerId = newConsumer["data"]!["id"]!.GetValue<string>();
        await subscriber.AcceptAsync(newConsumer);
        Assert.True((await subscriber.RequestAsync("pauseConsumer", new { consumerId }))["ok"]!.GetValue<bool>());

        // The publish-only peer joined with capabilities and a consuming transport, yet is offered nothing, and
        // its consumer requests are refused with 403 whatever the id.
        var theirs = await publishOnly.RequestAsync("pauseConsumer", new { consumerId });
        Assert.Equal(403, theirs["errorCode"]!.GetValue<int>());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            publishOnly.NextAsync(m => m["method"]?.GetValue<string>() == "newConsumer", timeoutMs: 1_500));
    }

    [Fact]
    public async Task The_broadcaster_api_needs_a_bearer_token_with_publish_or_admin()
    {
        var room = Room();
        var path = $"/rooms/{room}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(_http, HttpMethod.Get, path, token: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(_http, HttpMethod.Post, path + "/broadcasters", "nonsense", """{"id":"b1"}""")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(_http, HttpMethod.Delete, path + "/broadcasters/b1", token: null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(_http, HttpMethod.Get, path, Token(Room(), "b1", Grant.Admin))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(_http, HttpMethod.Get, path, Token(room, "b1", Grant.Subscribe))).Status);
        Assert.DoesNotContain(room, await RoomsAsync(_http));

        var b1 = Token(room, "b1", Grant.Publish);
        var admin = Token(room, "ops", Grant.Admin);
        const string device = """ "displayName":"B","device":{"name":"FFmpeg"} """;
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_http, HttpMethod.Get, path, b1)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(_http, HttpMethod.Post, path + "/broadcasters", b1, $$"""{"id":"b2",{{device}}}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_http, HttpMethod.Post, path + "/broadcasters", b1, $$"""{"id":"b1",{{device}}}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_http, HttpMethod.Post, path + "/broadcasters", admin, $$"""{"id":"b2",{{device}}}""")).Status);

        // b1 may act on itself only; consuming needs subscribe too.
        var (status, body) = await SendAsync(_http, HttpMethod.Post, path + "/broadcasters/b1/transports", b1, """{"type":"plain","comedia":false,"rtcpMux":true}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var transportId = JsonNode.Parse(body)!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(_http, HttpMethod.Post, $"{path}/broadcasters/b1/transports/{transportId}/consume?producerId=x", b1)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(_http, HttpMethod.Post, path + "/broadcasters/b2/transports", b1, """{"type":"plain"}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(_http, HttpMethod.Delete, path + "/broadcasters/b2", b1)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_http, HttpMethod.Delete, path + "/broadcasters/b2", admin)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_http, HttpMethod.Delete, path + "/broadcasters/b1", b1)).Status);
    }

    [Fact]
    public async Task An_upgrade_from_an_origin_not_listed_is_refused()
    {
        var room = Room();
        var token = Token(room, "p1", Grant.All);
        var origins = await RefusalsAsync(_http, "origin");
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(_http, room, "p1", token, origin: "http://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(_http, room, "p1", token, origin: "http://good.example.evil.example"));
        Assert.True(await RefusalsAsync(_http, "origin") >= origins + 2);
        Assert.DoesNotContain(room, await RoomsAsync(_http));

        await using var listed = await ProtooClient.ConnectAsync(Server, room, "p1", token, origin: AuthServerFixture.GoodOrigin);
        Assert.True(await OkAsync(listed));
        await using var other = await ProtooClient.ConnectAsync(Server, room, "p2", Token(room, "p2", Grant.All), origin: "https://other.example");
        Assert.True(await OkAsync(other));
    }

    [Fact]
    public async Task Dev_tokens_are_handed_out_with_the_flag_and_let_their_peer_in()
    {
        var room = Room();
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/dev/token?roomId={room}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/dev/token?roomId={room}&peerId=p1&grants=fly")).StatusCode);

        var answer = JsonNode.Parse(await _http.GetStringAsync($"/dev/token?roomId={room}&peerId=p1&grants=subscribe"))!;
        var token = answer["token"]!.GetValue<string>();
        Assert.True(answer["expiresAt"]!.GetValue<long>() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await using var peer = await ProtooClient.ConnectAsync(Server, room, "p1", token);
        Assert.True((await peer.RequestAsync("join", new { displayName = "p", device = new { name = "test" } }))["ok"]!.GetValue<bool>());
        var send = (await peer.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false }))["data"]!["id"]!.GetValue<string>();
        Assert.Equal(403, (await peer.RequestAsync("produce", new { transportId = send, kind = "audio", rtpParameters = ProtooConsumerTests.Mic, appData = new { } }))["errorCode"]!.GetValue<int>());
        // It is for its peer only.
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(_http, room, "p2", token));
    }
}
