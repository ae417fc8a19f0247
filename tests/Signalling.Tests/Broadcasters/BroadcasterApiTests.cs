using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AkkaSfu.Signalling.Tests.Broadcasters;

/// <summary>One server process for the HTTP API tests (each test uses its own room).</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        Http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>signalling.md §7 against the real server: each route's happy shape and each error code.</summary>
public class BroadcasterApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = fixture.Http;
    private readonly string _room = "b" + Guid.NewGuid().ToString("N")[..8];

    private const string AudioProducer = """
        {"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"sprop-stereo":1}}],"encodings":[{"ssrc":1111}]}}
        """;
    private const string VideoProducer = """
        {"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/vp8","payloadType":101,"clockRate":90000}],"encodings":[{"ssrc":2222}]}}
        """;

    private async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<(int Status, string Body)> PostAsync(string path, string? body = null) => SendAsync(HttpMethod.Post, path, body);

    private async Task<JsonObject> PostOkAsync(string path, string? body = null)
    {
        var (status, text) = await PostAsync(path, body);
        Assert.True(status == 200, $"POST {path}: {status} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private string Room => $"/rooms/{_room}";

    private async Task<JsonObject> RouterCapsAsync() => JsonNode.Parse(await _http.GetStringAsync(Room))!.AsObject();

    private async Task<string> CreateBroadcasterAsync(string? id = null, bool withCaps = false)
    {
        id ??= Guid.NewGuid().ToString("N");
        var body = new JsonObject { ["id"] = id, ["displayName"] = "Broadcaster", ["device"] = new JsonObject { ["name"] = "FFmpeg", ["version"] = "7.1" } };
        if (withCaps) body["rtpCapabilities"] = await RouterCapsAsync();
        await PostOkAsync($"{Room}/broadcasters", body.ToJsonString());
        return id;
    }

    private async Task<string> CreatePlainTransportAsync(string bid) =>
        (await PostOkAsync($"{Room}/broadcasters/{bid}/transports", """{"type":"plain","comedia":true,"rtcpMux":false}"""))["id"]!.GetValue<string>();

    [Fact]
    public async Task Get_room_answers_the_router_rtp_capabilities()
    {
        var caps = await RouterCapsAsync();
        var codecs = caps["codecs"]!.AsArray();
        Assert.Contains(codecs, c => c!["mimeType"]!.GetValue<string>() == "audio/opus" && c["preferredPayloadType"]!.GetValue<int>() == 100);
        Assert.Contains(codecs, c => c!["mimeType"]!.GetValue<string>() == "video/VP8" && c["preferredPayloadType"]!.GetValue<int>() == 101);
        Assert.NotEmpty(caps["headerExtensions"]!.AsArray());
    }

    [Theory]
    [InlineData("{bad", 400, "TypeError: malformed JSON body")]
    [InlineData("[1,2]", 400, "TypeError: body is not a JSON object")]
    [InlineData("", 400, "TypeError: missing body.id")]
    [InlineData("""{"displayName":"B","device":{"name":"x"}}""", 400, "TypeError: missing body.id")]
    [InlineData("""{"id":7,"displayName":"B","device":{"name":"x"}}""", 400, "TypeError: missing body.id")]
    [InlineData("""{"id":"","displayName":"B","device":{"name":"x"}}""", 400, "TypeError: missing body.id")]
    [InlineData("""{"id":"b","device":{"name":"x"}}""", 400, "TypeError: missing body.displayName")]
    [InlineData("""{"id":"b","displayName":"B"}""", 400, "TypeError: missing body.device.name")]
    [InlineData("""{"id":"b","displayName":"B","device":{}}""", 400, "TypeError: missing body.device.name")]
    [InlineData("""{"id":"b","displayName":"B","device":"x"}""", 400, "TypeError: missing body.device.name")]
    [InlineData("""{"id":"b","displayName":"B","device":{"name":"x"},"rtpCapabilities":5}""", 400, "TypeError: wrong body.rtpCapabilities")]
    [InlineData("""{"id":"b","displayName":"B","device":{"name":"x"},"rtpCapabilities":{"codecs":7}}""", 400, "TypeError: wrong body.rtpCapabilities")]
    public async Task Create_broadcaster_validates_its_body(string body, int status, string text)
    {
        var (s, t) = await PostAsync($"{Room}/broadcasters", body);
        Assert.Equal(status, s);
        Assert.StartsWith(text, t);
    }

    [Fact]
    public async Task Create_broadcaster_lists_joined_peers_and_rejects_a_duplicate_id()
    {
        var id = await CreateBroadcasterAsync();
        var (status, text) = await PostAsync($"{Room}/broadcasters", $$$"""{"id":"{{{id}}}","displayName":"B","device":{"name":"x"}}""");
        Assert.Equal(409, status);
        Assert.Equal($"Error: broadcaster with id \"{id}\" already exists", text);
        // A broadcaster is not listed to another broadcaster (the demo lists protoo peers only).
        var second = await PostOkAsync($"{Room}/broadcasters", """{"id":"other","displayName":"B2","device":{"name":"GStreamer"}}""");
        Assert.Empty(second["peers"]!.AsArray());
    }

    [Fact]
    public async Task Delete_broadcaster_answers_text_and_404_for_unknown_ids()
    {
        var id = await CreateBroadcasterAsync();
        var (status, text) = await SendAsync(HttpMethod.Delete, $"{Room}/broadcasters/{id}");
        Assert.Equal((200, "broadcaster deleted"), (status, text));
        (status, text) = await SendAsync(HttpMethod.Delete, $"{Room}/broadcasters/{id}");
        Assert.Equal((404, $"Error: broadcaster with id \"{id}\" does not exist"), (status, text));
        // The id is free again.
        await CreateBroadcasterAsync(id);
    }

    [Fact]
    public async Task Plain_transport_shapes()
    {
        var bid = await CreateBroadcasterAsync();
        var byDefault = await PostOkAsync($"{Room}/broadcasters/{bid}/transports", """{"type":"plain"}""");
        Assert.Equal(["id", "ip", "port", "rtcpPort"], byDefault.Select(kv => kv.Key).Order().ToArray());
        Assert.Equal("127.0.0.1", byDefault["ip"]!.GetValue<string>());
        Assert.NotEqual(byDefault["port"]!.GetValue<int>(), byDefault["rtcpPort"]!.GetValue<int>());

        var muxed = await PostOkAsync($"{Room}/broadcasters/{bid}/transports", """{"type":"plain","rtcpMux":true,"comedia":true}""");
        Assert.Equal(["id", "ip", "port"], muxed.Select(kv => kv.Key).Order().ToArray());

        var srtp = await PostOkAsync($"{Room}/broadcasters/{bid}/transports", """{"type":"plain","enableSrtp":true}""");
        Assert.Equal("AES_CM_128_HMAC_SHA1_80", srtp["srtpParameters"]!["cryptoSuite"]!.GetValue<string>());
        Assert.Equal(30, Convert.FromBase64String(srtp["srtpParameters"]!["keyBase64"]!.GetValue<string>()).Length);

        var gcm = await PostOkAsync($"{Room}/broadcasters/{bid}/transports", """{"type":"plain","enableSrtp":true,"srtpCryptoSuite":"AEAD_AES_256_GCM"}""");
        Assert.Equal("AEAD_AES_256_GCM", gcm["srtpParameters"]!["cryptoSuite"]!.GetValue<string>());
        Assert.Equal(44, Convert.FromBase64String(gcm["srtpParameters"]!["keyBase64"]!.GetValue<string>()).Length);

        // Connect with the client's SRTP key (and a remote address: no comedia needed): empty 200.
        var clientKey = Convert.ToBase64String(new byte[30]);
        var id = srtp["id"]!.GetValue<string>();
        Assert.Equal((200, ""), await PostAsync($"{Room}/broadcasters/{bid}/transports/{id}/connect",
            $$$"""{"ip":"127.0.0.1","port":5004,"rtcpPort":5005,"srtpParameters":{"cryptoSuite":"AES_CM_128_HMAC_SHA1_80","keyBase64":"{{{clientKey}}}"}}"""));
        // A key of the wrong length, or an unknown suite, is the caller's error.
        var (status, text) = await PostAsync($"{Room}/broadcasters/{bid}/transports/{gcm["id"]}/connect",
            $$$"""{"srtpParameters":{"cryptoSuite":"AEAD_AES_256_GCM","keyBase64":"{{{clientKey}}}"}}""");
        Assert.Equal(400, status);
        Assert.StartsWith("TypeError: ", text);
        (status, text) = await PostAsync($"{Room}/broadcasters/{bid}/transports", """{"type":"plain","enableSrtp":true,"srtpCryptoSuite":"NOPE"}""");
        Assert.Equal(400, status);
        Assert.StartsWith("TypeError: ", text);
    }

    [Fact]
    public async Task WebRtc_transport_has_the_createWebRtcTransport_shape_and_needs_dtlsParameters_to_connect()
    {
        var bid = await CreateBroadcasterAsync();
        var t = await PostOkAsync($"{Room}/broadcasters/{bid}/transports", """{"type":"webrtc","sctpCapabilities":{"numStreams":{"OS":1024,"MIS":1024}}}""");
        Assert.Equal(["dtlsParameters", "iceCandidates", "iceParameters", "id"], t.Select(kv => kv.Key).Order().ToArray());
        Assert.True(t["iceParameters"]!["iceLite"]!.GetValue<bool>());
        Assert.Equal("auto", t["dtlsParameters"]!["role"]!.GetValue<string>());
        Assert.Equal("udp", t["iceCandidates"]![0]!["protocol"]!.GetValue<string>());
        var id = t["id"]!.GetValue<string>();

        var (status, text) = await PostAsync($"{Room}/broadcasters/{bid}/transports/{id}/connect", "{}");
        Assert.Equal((400, "TypeError: missing body.dtlsParameters"), (status, text));
        var fingerprint = t["dtlsParameters"]!["fingerprints"]!.AsArray().Last()!.ToJsonString();
        Assert.Equal((200, ""), await PostAsync($"{Room}/broadcasters/{bid}/transports/{id}/connect",
            $$$"""{"dtlsParameters":{"role":"client","fingerprints":[{{{fingerprint}}}]}}"""));
        (status, text) = await PostAsync($"{Room}/broadcasters/{bid}/transports/{id}/connect",
            $$$"""{"dtlsParameters":{"role":"client","fingerprints":[{{{fingerprint}}}]}}""");
        Assert.Equal(400, status);
        Assert.Contains("connect() already called", text);
    }

    [Theory]
    [InlineData("""{"type":"x"}""", "TypeError: invalid type")]
    [InlineData("""{}""", "TypeError: invalid type")]
    [InlineData("""{"type":"plain","rtcpMux":"yes"}""", "TypeError: wrong body.rtcpMux")]
    [InlineData("""{"type":"plain","comedia":1}""", "TypeError: wrong body.comedia")]
    [InlineData("""{"type":"plain","srtpCryptoSuite":5}""", "TypeError: wrong body.srtpCryptoSuite")]
    public async Task Create_transport_validates_its_body(string body, string text)
    {
        var bid = await CreateBroadcasterAsync();
        Assert.Equal((400, text), await PostAsync($"{Room}/broadcasters/{bid}/transports", body));
    }

    [Fact]
    public async Task Unknown_broadcaster_or_transport_is_404_before_any_body_check()
    {
        var bid = await CreateBroadcasterAsync();
        var tid = await CreatePlainTransportAsync(bid);
        var nob = $"{Room}/broadcasters/nobody";
        var not = $"{Room}/broadcasters/{bid}/transports/nothing";
        var noBroadcaster = "Error: broadcaster with id \"nobody\" does not exist";
        var noTransport = "Error: transport with id \"nothing\" does not exist";
        Assert.Equal((404, noBroadcaster), await PostAsync($"{nob}/transports", """{"type":"x"}"""));
        Assert.Equal((404, noBroadcaster), await PostAsync($"{nob}/transports/{tid}/producers", "{}"));
        Assert.Equal((404, noBroadcaster), await PostAsync($"{nob}/consumers/c/resume"));
        Assert.Equal((404, noTransport), await PostAsync($"{not}/connect", "{}"));
        Assert.Equal((404, noTransport), await PostAsync($"{not}/producers", "{}"));
        Assert.Equal((404, noTransport), await PostAsync($"{not}/producers", "{bad"));
        Assert.Equal((404, noTransport), await PostAsync($"{not}/consume?producerId=p"));
        Assert.Equal((404, noTransport), await PostAsync($"{not}/consume/data", "{}"));
        // Another broadcaster's transport is not this one's.
        var other = await CreateBroadcasterAsync();
        Assert.Equal(404, (await PostAsync($"{Room}/broadcasters/{other}/transports/{tid}/producers", AudioProducer)).Status);
    }

    [Fact]
    public async Task Producers_with_the_ffmpeg_shapes_and_their_errors()
    {
        var bid = await CreateBroadcasterAsync();
        var tid = await CreatePlainTransportAsync(bid);
        var path = $"{Room}/broadcasters/{bid}/transports/{tid}/producers";
        var audio = await PostOkAsync(path, AudioProducer);
        Assert.Equal(["id"], audio.Select(kv => kv.Key).ToArray());
        Assert.True(Guid.TryParse(audio["id"]!.GetValue<string>(), out _));
        await PostOkAsync(path, VideoProducer);

        Assert.Equal((400, "TypeError: ssrc already exists in RTP listener [ssrc:2222]"), await PostAsync(path, VideoProducer));
        Assert.Equal((400, "TypeError: invalid kind \"vid\""), await PostAsync(path, """{"kind":"vid","rtpParameters":{}}"""));
        Assert.Equal((400, "TypeError: missing rtpParameters"), await PostAsync(path, """{"kind":"video"}"""));
        Assert.Equal((400, "TypeError: missing params.codecs"), await PostAsync(path, """{"kind":"video","rtpParameters":{"encodings":[{"ssrc":5}]}}"""));
        Assert.Equal((400, "TypeError: unsupported codec [mimeType:video/foo, payloadType:101]"),
            await PostAsync(path, """{"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/foo","payloadType":101,"clockRate":90000}],"encodings":[{"ssrc":3333}]}}"""));
        var (status, text) = await PostAsync(path, """{"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/vp8","payloadType":"x","clockRate":90000}]}}""");
        Assert.Equal(400, status);
        Assert.StartsWith("TypeError: ", text);
    }

    [Fact]
    public async Task Consume_answers_the_consumer_shape_not_paused_or_paused_until_resumed()
    {
        var producerB = await CreateBroadcasterAsync();
        var ptid = await CreatePlainTransportAsync(producerB);
        var producerId = (await PostOkAsync($"{Room}/broadcasters/{producerB}/transports/{ptid}/producers", VideoProducer))["id"]!.GetValue<string>();

        var viewer = await CreateBroadcasterAsync(withCaps: true);
        var vtid = await CreatePlainTransportAsync(viewer);
        var consumer = await PostOkAsync($"{Room}/broadcasters/{viewer}/transports/{vtid}/consume?producerId={producerId}");
        Assert.Equal(["id", "kind", "producerId", "rtpParameters", "type"], consumer.Select(kv => kv.Key).Order().ToArray());
        Assert.Equal(producerId, consumer["producerId"]!.GetValue<string>());
        Assert.Equal("video", consumer["kind"]!.GetValue<string>());
        Assert.Equal("simple", consumer["type"]!.GetValue<string>());
        Assert.Equal("video/VP8", consumer["rtpParameters"]!["codecs"]![0]!["mimeType"]!.GetValue<string>());
        Assert.Equal(101, consumer["rtpParameters"]!["codecs"]![0]!["payloadType"]!.GetValue<int>());

        var paused = await PostOkAsync($"{Room}/broadcasters/{viewer}/transports/{vtid}/consume?producerId={producerId}&paused=true");
        Assert.Equal((200, ""), await PostAsync($"{Room}/broadcasters/{viewer}/consumers/{paused["id"]}/resume"));
        Assert.Equal((404, "Error: consumer with id \"nope\" not found"), await PostAsync($"{Room}/broadcasters/{viewer}/consumers/nope/resume"));

        Assert.Equal((404, "Error: producer with id \"nope\" not found"), await PostAsync($"{Room}/broadcasters/{viewer}/transports/{vtid}/consume?producerId=nope"));
        Assert.Equal((400, "TypeError: missing producerId"), await PostAsync($"{Room}/broadcasters/{viewer}/transports/{vtid}/consume"));
        Assert.Equal((400, "TypeError: broadcaster does not have rtpCapabilities"),
            await PostAsync($"{Room}/broadcasters/{producerB}/transports/{ptid}/consume?producerId={producerId}"));
    }

    [Fact]
    public async Task Plain_transports_refuse_dtls_and_data_channels_are_not_implemented()
    {
        var bid = await CreateBroadcasterAsync();
        var tid = await CreatePlainTransportAsync(bid);
        Assert.Equal((400, $"TypeError: transport with id \"{tid}\" is not a WebRtcTransport"),
            await PostAsync($"{Room}/broadcasters/{bid}/transports/{tid}/connect", """{"dtlsParameters":{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB"}]}}"""));
        Assert.Equal((400, "TypeError: wrong body.port"), await PostAsync($"{Room}/broadcasters/{bid}/transports/{tid}/connect", """{"ip":"127.0.0.1","port":70000}"""));
        Assert.Equal((400, "TypeError: missing body.port"), await PostAsync($"{Room}/broadcasters/{bid}/transports/{tid}/connect", """{"ip":"127.0.0.1"}"""));
        var (status, text) = await PostAsync($"{Room}/broadcasters/{bid}/transports/{tid}/consume/data", """{"dataProducerId":"x"}""");
        Assert.Equal(501, status);
        Assert.Contains("no SCTP", text);
        (status, _) = await PostAsync($"{Room}/broadcasters/{bid}/transports/{tid}/produce/data", """{"label":"chat"}""");
        Assert.Equal(501, status);
    }

    [Fact]
    public async Task A_server_fed_garbage_keeps_serving()
    {
        var bid = await CreateBroadcasterAsync();
        var rng = new Random(7);
        var routes = new[] { "/broadcasters", $"/broadcasters/{bid}/transports", $"/broadcasters/{bid}/transports/x/producers" };
        for (var i = 0; i < 30; i++)
        {
            var bytes = new byte[rng.Next(0, 200)];
            rng.NextBytes(bytes);
            using var content = new ByteArrayContent(bytes);
            using var response = await _http.PostAsync(Room + routes[i % routes.Length], content);
            Assert.InRange((int)response.StatusCode, 400, 499);
        }
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(Room)).StatusCode);
        await CreatePlainTransportAsync(bid);
    }
}
