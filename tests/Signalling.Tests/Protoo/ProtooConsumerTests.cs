using System.Text.Json.Nodes;

namespace AkkaSfu.Signalling.Tests.Protoo;

/// <summary>newConsumer, consumer pause/resume and producer pause/resume/close notifications, without media.</summary>
public class ProtooConsumerTests
{
    internal static readonly object DeviceCaps = JsonNode.Parse("""
        {"codecs":[{"kind":"audio","mimeType":"audio/opus","preferredPayloadType":100,"clockRate":48000,"channels":2,
                    "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"transport-cc","parameter":""}],"parameters":{}}],
         "headerExtensions":[{"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"}]}
        """)!;

    internal static readonly object Mic = JsonNode.Parse("""
        {"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{"minptime":10,"useinbandfec":1},
                    "rtcpFeedback":[{"type":"transport-cc","parameter":""},{"type":"nack","parameter":""}]}],
         "headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":4,"encrypt":false,"parameters":{}}],
         "encodings":[{"ssrc":2345678901,"dtx":false}],"rtcp":{"cname":"abc","reducedSize":true}}
        """)!;

    [Fact]
    public async Task A_new_producer_reaches_the_other_peer_as_newConsumer_and_its_pause_resume_close_follow()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        var room = "r" + Guid.NewGuid().ToString("N")[..8];
        await using var a = await ProtooClient.ConnectAsync(server.BaseAddress, room, "a");
        await using var b = await ProtooClient.ConnectAsync(server.BaseAddress, room, "b");
        await a.RequestAsync("join", new { displayName = "a", device = new { name = "test" }, rtpCapabilities = DeviceCaps });
        await b.RequestAsync("join", new { displayName = "b", device = new { name = "test" }, rtpCapabilities = DeviceCaps });
        var send = (await a.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false }))["data"]!["id"]!.GetValue<string>();
        await b.RequestAsync("createWebRtcTransport", new { producing = false, consuming = true });

        var produced = await a.RequestAsync("produce", new { transportId = send, kind = "audio", rtpParameters = Mic, appData = new { source = "mic" } });
        var producerId = produced["data"]!["id"]!.GetValue<string>();

        var newConsumer = await b.NextAsync(m => m["request"]?.GetValue<bool>() == true && m["method"]?.GetValue<string>() == "newConsumer");
        var data = newConsumer["data"]!;
        Assert.Equal("a", data["peerId"]!.GetValue<string>());
        Assert.Equal(producerId, data["producerId"]!.GetValue<string>());
        Assert.Equal("audio", data["kind"]!.GetValue<string>());
        Assert.Equal("simple", data["type"]!.GetValue<string>());
        Assert.Equal("mic", data["appData"]!["source"]!.GetValue<string>());
        Assert.Equal(100, data["rtpParameters"]!["codecs"]![0]!["payloadType"]!.GetValue<int>());
        Assert.Equal("0", data["rtpParameters"]!["mid"]!.GetValue<string>());
        var consumerId = data["id"]!.GetValue<string>();
        await b.SendRawAsync(new JsonObject { ["response"] = true, ["id"] = newConsumer["id"]!.GetValue<long>(), ["ok"] = true, ["data"] = new JsonObject() }.ToJsonString());
        Assert.Equal(consumerId, (await b.NotificationAsync("consumerScore"))["data"]!["consumerId"]!.GetValue<string>());

        Assert.True((await b.RequestAsync("pauseConsumer", new { consumerId }))["ok"]!.GetValue<bool>());
        Assert.True((await b.RequestAsync("resumeConsumer", new { consumerId }))["ok"]!.GetValue<bool>());
        Assert.True((await b.RequestAsync("requestConsumerKeyFrame", new { consumerId }))["ok"]!.GetValue<bool>());
        var stats = await b.RequestAsync("getConsumerStats", new { consumerId });
        Assert.Equal("outbound-rtp", stats["data"]![0]!["type"]!.GetValue<string>());

        await a.RequestAsync("pauseProducer", new { producerId });
        Assert.Equal(consumerId, (await b.NotificationAsync("consumerPaused"))["data"]!["consumerId"]!.GetValue<string>());
        await a.RequestAsync("resumeProducer", new { producerId });
        Assert.Equal(consumerId, (await b.NotificationAsync("consumerResumed"))["data"]!["consumerId"]!.GetValue<string>());
        await a.RequestAsync("closeProducer", new { producerId });
        Assert.Equal(consumerId, (await b.NotificationAsync("consumerClosed"))["data"]!["consumerId"]!.GetValue<string>());
        var gone = await b.RequestAsync("pauseConsumer", new { consumerId });
        Assert.False(gone["ok"]!.GetValue<bool>());

        await a.RequestAsync("changeDisplayName", new { displayName = "alice" });
        var renamed = (await b.NotificationAsync("peerDisplayNameChanged"))["data"]!;
        Assert.Equal(("a", "alice", "a"), (renamed["peerId"]!.GetValue<string>(), renamed["displayName"]!.GetValue<string>(), renamed["oldDisplayName"]!.GetValue<string>()));
    }
}
