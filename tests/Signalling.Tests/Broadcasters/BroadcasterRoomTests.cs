using System.Text;
using System.Text.Json.Nodes;

using AkkaSfu.Signalling.Tests.Protoo;

namespace AkkaSfu.Signalling.Tests.Broadcasters;

/// <summary>Broadcasters as room members seen by protoo peers (signalling.md §3 join, §4, §7).</summary>
public class BroadcasterRoomTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = fixture.Http;
    private readonly string _room = "p" + Guid.NewGuid().ToString("N")[..8];
    private string Room => $"/rooms/{_room}";

    private async Task<JsonObject> PostOkAsync(string path, string body = "{}")
    {
        using var response = await _http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static JsonObject Data(JsonObject response)
    {
        Assert.True(response["ok"]!.GetValue<bool>(), response.ToJsonString());
        return response["data"]!.AsObject();
    }

    /// <summary>A protoo peer joined with the router's caps and a consuming transport.</summary>
    private async Task<(ProtooClient Client, JsonObject Join, string TransportId)> JoinAsync(string peerId)
    {
        var client = await ProtooClient.ConnectAsync(fixture.Server.BaseAddress, _room, peerId);
        var caps = Data(await client.RequestAsync("getRouterRtpCapabilities"));
        var transport = Data(await client.RequestAsync("createWebRtcTransport", new JsonObject { ["producing"] = true, ["consuming"] = true }));
        var join = Data(await client.RequestAsync("join", new JsonObject
        {
            ["displayName"] = peerId, ["device"] = new JsonObject { ["flag"] = "chrome", ["name"] = "Chrome" }, ["rtpCapabilities"] = caps.DeepClone(),
        }));
        return (client, join, transport["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Protoo_peers_see_a_broadcaster_come_produce_and_go()
    {
        var (alice, _, aliceTransport) = await JoinAsync("alice");
        await using var _a = alice;
        // Alice produces audio, so a broadcaster with caps gets it listed (and one without caps gets []).
        var produced = Data(await alice.RequestAsync("produce", JsonNode.Parse($$$"""
            {"transportId":"{{{aliceTransport}}}","kind":"audio","appData":{},
             "rtpParameters":{"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{}}],"encodings":[{"ssrc":12345678}]}}
            """)));
        var aliceProducer = produced["id"]!.GetValue<string>();

        var caps = JsonNode.Parse(await _http.GetStringAsync(Room))!;
        var withCaps = await PostOkAsync($"{Room}/broadcasters", new JsonObject
        {
            ["id"] = "bc1", ["displayName"] = "Broadcaster", ["device"] = new JsonObject { ["name"] = "FFmpeg", ["version"] = "7.1" }, ["rtpCapabilities"] = caps.DeepClone(),
        }.ToJsonString());
        var listed = Assert.Single(withCaps["peers"]!.AsArray())!;
        Assert.Equal("alice", listed["id"]!.GetValue<string>());
        Assert.Equal("alice", listed["displayName"]!.GetValue<string>());
        Assert.Equal("chrome", listed["device"]!["flag"]!.GetValue<string>());
        var producer = Assert.Single(listed["producers"]!.AsArray())!;
        Assert.Equal((aliceProducer, "audio"), (producer["id"]!.GetValue<string>(), producer["kind"]!.GetValue<string>()));

        var newPeer = (await alice.NextAsync("newPeer"))["data"]!;
        Assert.Equal("bc1", newPeer["id"]!.GetValue<string>());
        Assert.Equal("Broadcaster", newPeer["displayName"]!.GetValue<string>());
        Assert.Equal("""{"flag":"broadcaster","name":"FFmpeg","version":"7.1"}""", newPeer["device"]!.ToJsonString());

        var noCaps = await PostOkAsync($"{Room}/broadcasters", """{"id":"bc2","displayName":"B2","device":{"name":"GStreamer"}}""");
        Assert.Empty(Assert.Single(noCaps["peers"]!.AsArray())!["producers"]!.AsArray());
        Assert.Equal("bc2", (await alice.NextAsync("newPeer"))["data"]!["id"]!.GetValue<string>());

        // A broadcaster producer gives alice a newConsumer (createConsumer, as a peer's produce).
        var tid = (await PostOkAsync($"{Room}/broadcasters/bc1/transports", """{"type":"plain","comedia":true,"rtcpMux":false}"""))["id"]!.GetValue<string>();
        var video = await PostOkAsync($"{Room}/broadcasters/bc1/transports/{tid}/producers",
            """{"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/vp8","payloadType":101,"clockRate":90000}],"encodings":[{"ssrc":2222}]}}""");
        var newConsumer = await alice.NextAsync("newConsumer");
        var nc = newConsumer["data"]!;
        Assert.Equal("bc1", nc["peerId"]!.GetValue<string>());
        Assert.Equal(video["id"]!.GetValue<string>(), nc["producerId"]!.GetValue<string>());
        Assert.Equal(("video", "simple"), (nc["kind"]!.GetValue<string>(), nc["type"]!.GetValue<string>()));
        Assert.IsType<JsonObject>(nc["appData"]);
        await alice.AcceptAsync(newConsumer);

        // A late joiner lists both broadcasters and gets a consumer for bc1's producer.
        var (bob, bobJoin, _) = await JoinAsync("bob");
        await using var _b = bob;
        var ids = bobJoin["peers"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["alice", "bc1", "bc2"], ids);
        // One newConsumer per existing producer: alice's audio and bc1's video, in either order.
        var owners = new[] { await bob.NextAsync("newConsumer"), await bob.NextAsync("newConsumer") }
            .Select(m => m["data"]!["peerId"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["alice", "bc1"], owners);

        // Delete: peerClosed to joined peers, and the producer's consumers close.
        using var deleted = await _http.DeleteAsync($"{Room}/broadcasters/bc1");
        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal("bc1", (await alice.NextAsync("peerClosed"))["data"]!["peerId"]!.GetValue<string>());
        Assert.Equal(nc["id"]!.GetValue<string>(), (await alice.NextAsync("consumerClosed"))["data"]!["consumerId"]!.GetValue<string>());
    }
}
