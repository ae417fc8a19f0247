using System.Text;
using AkkaSfu.Signalling.Broadcasters;

namespace AkkaSfu.Signalling.Tests.Broadcasters;

/// <summary>The body validators alone: exact messages, and never a throw on any input.</summary>
public class BroadcasterRequestsTests
{
    private static System.Text.Json.JsonElement Body(string json)
    {
        Assert.Null(BroadcasterRequests.TryParseBody(Encoding.UTF8.GetBytes(json), out var body));
        return body;
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("  \r\n", null)]
    [InlineData("{}", null)]
    [InlineData("{} x", "malformed JSON body")]
    [InlineData("{\"a\":", "malformed JSON body")]
    [InlineData("null", "body is not a JSON object")]
    [InlineData("\"s\"", "body is not a JSON object")]
    public void Body_must_be_a_json_object_or_empty(string json, string? error) =>
        Assert.Equal(error, BroadcasterRequests.TryParseBody(Encoding.UTF8.GetBytes(json), out _));

    [Theory]
    // Found by fuzzing: valid JSON and UTF-8, but no .NET string; GetString threw in the route's parser.
    [InlineData("""{"id":"\ud800","displayName":"b","device":{"name":"n"}}""")]
    [InlineData("""{"\udc00":1}""")]
    public void A_lone_surrogate_escape_is_a_malformed_body(string json) =>
        Assert.Equal("malformed JSON body", BroadcasterRequests.TryParseBody(Encoding.UTF8.GetBytes(json), out _));

    [Fact]
    public void Invalid_utf8_inside_a_string_is_a_malformed_body() =>
        Assert.Equal("malformed JSON body", BroadcasterRequests.TryParseBody("{\"id\":\""u8.ToArray().Concat(new byte[] { 0xB5 }).Concat("\"}"u8.ToArray()).ToArray(), out _));

    [Fact]
    public void Create_broadcaster_keeps_the_device_version_and_validates_caps()
    {
        Assert.Null(BroadcasterRequests.TryParseCreateBroadcaster(Body("""{"id":"b","displayName":"B","device":{"name":"FFmpeg","version":"7.1"}}"""), out var r));
        Assert.Equal(new CreateBroadcaster("b", "B", "FFmpeg", "7.1", null), r);
        Assert.Null(BroadcasterRequests.TryParseCreateBroadcaster(Body("""{"id":"b","displayName":"B","device":{"name":"x"},"rtpCapabilities":{"codecs":[],"headerExtensions":[]}}"""), out r));
        Assert.NotNull(r.RtpCapabilities);
        Assert.Null(r.DeviceVersion);
    }

    [Theory]
    [InlineData("""{"type":"plain"}""", BroadcasterTransportType.Plain, false, true, false)]
    [InlineData("""{"type":"plain","rtcpMux":true,"comedia":false,"enableSrtp":true}""", BroadcasterTransportType.Plain, true, false, true)]
    [InlineData("""{"type":"webrtc","rtcpMux":null}""", BroadcasterTransportType.WebRtc, false, true, false)]
    public void Transport_defaults_are_the_demo_s(string json, BroadcasterTransportType type, bool rtcpMux, bool comedia, bool srtp)
    {
        Assert.Null(BroadcasterRequests.TryParseCreateTransport("b", Body(json), out var r));
        Assert.Equal((type, rtcpMux, comedia, srtp), (r.Type, r.RtcpMux, r.Comedia, r.EnableSrtp));
    }

    [Theory]
    [InlineData("""{"dtlsParameters":5}""", "wrong body.dtlsParameters")]
    [InlineData("""{"dtlsParameters":{"role":"client"}}""", "wrong body.dtlsParameters.fingerprints")]
    [InlineData("""{"dtlsParameters":{"role":"client","fingerprints":[{"algorithm":"sha-256"}]}}""", "wrong body.dtlsParameters.fingerprints")]
    [InlineData("""{"dtlsParameters":{"role":7,"fingerprints":[]}}""", "wrong body.dtlsParameters")]
    [InlineData("""{"ip":5,"port":1}""", "wrong body.ip")]
    [InlineData("""{"ip":"127.0.0.1"}""", "missing body.port")]
    [InlineData("""{"port":0}""", "wrong body.port")]
    [InlineData("""{"port":1.5}""", "wrong body.port")]
    [InlineData("""{"rtcpPort":"5"}""", "wrong body.rtcpPort")]
    [InlineData("""{"srtpParameters":{"cryptoSuite":"AES_CM_128_HMAC_SHA1_80"}}""", "wrong body.srtpParameters")]
    [InlineData("""{"srtpParameters":[]}""", "wrong body.srtpParameters")]
    [InlineData("""{}""", null)]
    [InlineData("""{"ip":"127.0.0.1","port":5004,"rtcpPort":5005,"srtpParameters":{"cryptoSuite":"S","keyBase64":"K"}}""", null)]
    public void Connect_table(string json, string? error) =>
        Assert.Equal(error, BroadcasterRequests.TryParseConnect("b", "t", Body(json), out _));

    [Theory]
    [InlineData(null, null, "missing producerId")]
    [InlineData("", null, "missing producerId")]
    [InlineData("p", "maybe", "wrong paused")]
    [InlineData("p", null, null)]
    [InlineData("p", "true", null)]
    public void Consume_table(string? producerId, string? paused, string? error) =>
        Assert.Equal(error, BroadcasterRequests.TryParseConsume("b", "t", producerId, paused, out _));

    /// <summary>Random bytes and mutated valid bodies into every parser: an error or a request, never a throw.</summary>
    [Fact]
    public void No_input_makes_a_parser_throw()
    {
        string[] valid =
        [
            """{"id":"b","displayName":"B","device":{"name":"x","version":"1"},"rtpCapabilities":{"codecs":[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2,"preferredPayloadType":100}],"headerExtensions":[]}}""",
            """{"type":"plain","rtcpMux":false,"comedia":true,"enableSrtp":true,"srtpCryptoSuite":"AEAD_AES_256_GCM"}""",
            """{"dtlsParameters":{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]},"ip":"1.2.3.4","port":5,"srtpParameters":{"cryptoSuite":"a","keyBase64":"b"}}""",
            """{"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"sprop-stereo":1}}],"encodings":[{"ssrc":1111}]}}""",
        ];
        var rng = new Random(1234);
        var parsed = 0;
        for (var i = 0; i < 4000; i++)
        {
            byte[] input;
            if (i % 4 == 0)
            {
                input = new byte[rng.Next(0, 64)];
                rng.NextBytes(input);
            }
            else
            {
                input = Encoding.UTF8.GetBytes(valid[rng.Next(valid.Length)]);
                for (var m = rng.Next(1, 4); m > 0 && input.Length > 0; m--)
                {
                    var at = rng.Next(input.Length);
                    switch (rng.Next(3))
                    {
                        case 0: input[at] = (byte)rng.Next(256); break;
                        case 1: input = input[..at]; break;
                        default: input[at] = (byte)"{}[]\":,0-1tfn\"e."[rng.Next(16)]; break;
                    }
                }
            }
            if (BroadcasterRequests.TryParseBody(input, out var body) is not null) continue;
            parsed++;
            BroadcasterRequests.TryParseCreateBroadcaster(body, out _);
            BroadcasterRequests.TryParseCreateTransport("b", body, out _);
            BroadcasterRequests.TryParseConnect("b", "t", body, out _);
            BroadcasterRequests.TryParseProduce("b", "t", body, out _);
        }
        Assert.True(parsed > 300, $"only {parsed} inputs reached the field parsers");
    }
}
