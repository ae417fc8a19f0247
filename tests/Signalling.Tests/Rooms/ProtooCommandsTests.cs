using System.Text;
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Tests.Rooms;

/// <summary>The PeerActor's half of signalling.md §3: protoo requests read into room commands (malformed
/// fields keep the checks the room makes first) and the room's replies written back.</summary>
public class ProtooCommandsTests
{
    private static ProtooMessage Request(string method, string data = "{}") =>
        AkkaSfu.Signalling.Protocol.Protoo.TryParse(Encoding.UTF8.GetBytes($$"""{"request":true,"id":42,"method":"{{method}}","data":{{data}}}"""), out _)!;

    private static IRoomCommand? Parse(string method, string data, out JsonNode? response)
    {
        var command = ProtooCommands.Parse(Request(method, data), out var json);
        response = json is null ? null : JsonNode.Parse(json);
        return command;
    }

    [Theory]
    [InlineData("fly", "{}", 500, "unknown request.method \"fly\"")]
    [InlineData("applyNetworkThrottle", """{"secret":"x"}""", 403, "operation not allowed")]
    [InlineData("resetNetworkThrottle", "{}", 403, "operation not allowed")]
    [InlineData("getDataProducerStats", """{"dataProducerId":"d"}""", 500, "dataProducer with id \"d\" not found")]
    [InlineData("getDataConsumerStats", "{}", 500, "dataConsumer with id \"\" not found")]
    public void Requests_that_need_no_room_are_answered_on_the_spot(string method, string data, int code, string reason)
    {
        Assert.Null(Parse(method, data, out var response));
        Assert.Equal((42L, false, code, reason), (response!["id"]!.GetValue<long>(), response["ok"]!.GetValue<bool>(),
            response["errorCode"]!.GetValue<int>(), response["errorReason"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("produce", """{"transportId":"t","kind":"data","rtpParameters":{}}""", true, false, "t", null, "invalid kind \"data\"")]
    [InlineData("produce", """{"transportId":"t","kind":"audio"}""", true, false, "t", null, "missing rtpParameters")]
    [InlineData("produce", """{"kind":"audio","rtpParameters":5}""", true, false, "", null, "missing rtpParameters")]
    [InlineData("connectWebRtcTransport", """{"transportId":"t"}""", false, false, "t", null, "missing dtlsParameters")]
    [InlineData("setConsumerPreferredLayers", """{"consumerId":"c","spatialLayer":"1"}""", true, false, null, "c", "missing spatialLayer")]
    [InlineData("setConsumerPriority", """{"consumerId":"c"}""", true, false, null, "c", "missing priority")]
    [InlineData("changeDisplayName", """{"displayName":7}""", true, false, null, null, "missing displayName")]
    [InlineData("produceData", """{"transportId":"t","label":"chat"}""", true, false, null, null, "DataChannels are not supported by this server (no SCTP)")]
    public void A_malformed_request_keeps_the_checks_the_room_makes_before_its_error(string method, string data, bool joined, bool notJoined,
        string? transportId, string? consumerId, string reason)
    {
        var invalid = Assert.IsType<RoomCommands.Invalid>(Parse(method, data, out var response));
        Assert.Null(response);
        Assert.Equal(new RoomCommands.Checks(joined, notJoined, transportId, null, consumerId), invalid.Checks);
        Assert.Equal(reason, invalid.Reason);
    }

    [Fact]
    public void Join_reads_its_device_and_validates_its_caps_after_the_already_joined_check()
    {
        var join = Assert.IsType<RoomCommands.Join>(Parse("join", """{"displayName":"Ann","device":{"flag":"chrome","name":"Chrome"}}""", out _));
        Assert.Equal(("Ann", """{"flag":"chrome","name":"Chrome"}"""), (join.DisplayName, join.Device.ToJsonString()));
        Assert.Null(join.RtpCapabilities);
        var bare = Assert.IsType<RoomCommands.Join>(Parse("join", "{}", out _));
        Assert.Equal(("", "{}"), (bare.DisplayName, bare.Device.ToJsonString()));

        var bad = Assert.IsType<RoomCommands.Invalid>(Parse("join", """{"rtpCapabilities":{"codecs":7}}""", out _));
        Assert.Equal(new RoomCommands.Checks(NotJoined: true), bad.Checks);
    }

    [Fact]
    public void Well_formed_requests_become_their_commands_and_a_missing_id_names_nothing()
    {
        Assert.Equal(new RoomCommands.CreateWebRtcTransport(Producing: true, Consuming: false),
            Parse("createWebRtcTransport", """{"producing":true,"consuming":false,"forceTcp":false}""", out _));
        Assert.Equal(new RoomCommands.CloseProducer(""), Parse("closeProducer", """{"producerId":5}""", out _));
        Assert.Equal(new RoomCommands.SetConsumerPreferredLayers("c", 2, null), Parse("setConsumerPreferredLayers", """{"consumerId":"c","spatialLayer":2}""", out _));
        Assert.Equal(new RoomCommands.RestartIce("t"), Parse("restartIce", """{"transportId":"t"}""", out _));
        var produce = Assert.IsType<RoomCommands.Produce>(Parse("produce",
            """{"transportId":"t","kind":"video","rtpParameters":{"codecs":[]},"appData":{"share":true}}""", out _));
        Assert.Equal(("t", MediaKind.Video, """{"share":true}"""), (produce.TransportId, produce.Kind, produce.AppData.ToJsonString()));
    }

    [Fact]
    public void Replies_are_written_as_protoo_responses()
    {
        var failed = JsonNode.Parse(ProtooCommands.Response(7, new RoomReplies.Failed(RoomErrorKind.NotFound, "transport with id \"x\" not found"), 0))!;
        Assert.Equal((7L, false, 500, "transport with id \"x\" not found"), (failed["id"]!.GetValue<long>(), failed["ok"]!.GetValue<bool>(),
            failed["errorCode"]!.GetValue<int>(), failed["errorReason"]!.GetValue<string>()));
        Assert.Equal("""{"response":true,"id":7,"ok":true,"data":{}}""", ProtooCommands.Response(7, RoomReplies.Done.Instance, 0));
        var joined = new RoomReplies.Joined([new RoomReplies.PeerInfo("b", "Bob", new JsonObject { ["flag"] = "firefox" })]);
        Assert.Equal("""{"response":true,"id":7,"ok":true,"data":{"peers":[{"id":"b","displayName":"Bob","device":{"flag":"firefox"}}]}}""",
            ProtooCommands.Response(7, joined, 0));
        var stats = JsonNode.Parse(ProtooCommands.Response(7, new RoomReplies.RtpStreamStats(new("c", "outbound-rtp", 3, 300)), 1234))!;
        Assert.Equal("""[{"type":"outbound-rtp","id":"c","packetCount":3,"byteCount":300,"timestamp":1234}]""", stats["data"]!.ToJsonString());
    }
}
