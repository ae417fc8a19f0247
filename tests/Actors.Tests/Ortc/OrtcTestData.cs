// Test data pasted from signalling.md §5 (demo router codecs, Chrome producer, consumer) and a
// Chrome-like device capability set as mediasoup-client 3.24 builds it from the §5.1 router caps.
using System.Text.Json;
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Ortc;
using Xunit;

namespace AkkaSfu.Actors.Tests.Ortc;

internal static class OrtcTestData
{
    public const string DemoMediaCodecs = """
    [
      {"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2},
      {"kind":"video","mimeType":"video/VP8","clockRate":90000,"parameters":{"x-google-start-bitrate":1000}},
      {"kind":"video","mimeType":"video/VP9","clockRate":90000,"parameters":{"profile-id":2,"x-google-start-bitrate":1000}},
      {"kind":"video","mimeType":"video/h264","clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"4d0032","level-asymmetry-allowed":1,"x-google-start-bitrate":1000}},
      {"kind":"video","mimeType":"video/h264","clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"42e01f","level-asymmetry-allowed":1,"x-google-start-bitrate":1000}}
    ]
    """;

    private const string Fb5 = """[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""}]""";

    // §5.1, with the abbreviated rows written out.
    public static readonly string RouterCodecs = $$"""
    [
      {"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2,"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"transport-cc","parameter":""}],"parameters":{},"preferredPayloadType":100},
      {"kind":"video","mimeType":"video/VP8","clockRate":90000,"rtcpFeedback":{{Fb5}},"parameters":{"x-google-start-bitrate":1000},"preferredPayloadType":101},
      {"kind":"video","mimeType":"video/rtx","preferredPayloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]},
      {"kind":"video","mimeType":"video/VP9","clockRate":90000,"rtcpFeedback":{{Fb5}},"parameters":{"profile-id":2,"x-google-start-bitrate":1000},"preferredPayloadType":103},
      {"kind":"video","mimeType":"video/rtx","preferredPayloadType":104,"clockRate":90000,"parameters":{"apt":103},"rtcpFeedback":[]},
      {"kind":"video","mimeType":"video/H264","clockRate":90000,"rtcpFeedback":{{Fb5}},"parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"4d0032","x-google-start-bitrate":1000},"preferredPayloadType":105},
      {"kind":"video","mimeType":"video/rtx","preferredPayloadType":106,"clockRate":90000,"parameters":{"apt":105},"rtcpFeedback":[]},
      {"kind":"video","mimeType":"video/H264","clockRate":90000,"rtcpFeedback":{{Fb5}},"parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"42e01f","x-google-start-bitrate":1000},"preferredPayloadType":107},
      {"kind":"video","mimeType":"video/rtx","preferredPayloadType":108,"clockRate":90000,"parameters":{"apt":107},"rtcpFeedback":[]}
    ]
    """;

    // §5.1 table (packet-id omitted, as allowed).
    public static readonly (int Id, string Uri, MediaKind Kind, string Direction)[] RouterExtensions =
    [
        (1, "urn:ietf:params:rtp-hdrext:sdes:mid", MediaKind.Audio, "sendrecv"),
        (1, "urn:ietf:params:rtp-hdrext:sdes:mid", MediaKind.Video, "sendrecv"),
        (2, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", MediaKind.Video, "recvonly"),
        (3, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", MediaKind.Video, "recvonly"),
        (4, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", MediaKind.Audio, "sendrecv"),
        (4, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", MediaKind.Video, "sendrecv"),
        (5, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", MediaKind.Audio, "recvonly"),
        (5, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", MediaKind.Video, "sendrecv"),
        (6, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", MediaKind.Audio, "sendrecv"),
        (7, "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension", MediaKind.Video, "recvonly"),
        (8, "urn:3gpp:video-orientation", MediaKind.Video, "sendrecv"),
        (9, "urn:ietf:params:rtp-hdrext:toffset", MediaKind.Video, "sendrecv"),
        (10, "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time", MediaKind.Audio, "sendrecv"),
        (10, "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time", MediaKind.Video, "sendrecv"),
        (11, "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay", MediaKind.Audio, "sendrecv"),
        (11, "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay", MediaKind.Video, "sendrecv"),
    ];

    // §5.4 webcam, abbreviations written out.
    public const string ChromeWebcam = """
    {"mid":"1","codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"parameters":{},"rtcpFeedback":[{"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""},{"type":"ccm","parameter":"fir"},{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"}]},
      {"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":96},"rtcpFeedback":[]}],
     "headerExtensions":[
      {"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":4,"encrypt":false,"parameters":{}},
      {"uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","id":10,"encrypt":false,"parameters":{}},
      {"uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","id":11,"encrypt":false,"parameters":{}},
      {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":2,"encrypt":false,"parameters":{}},
      {"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":3,"encrypt":false,"parameters":{}},
      {"uri":"urn:3gpp:video-orientation","id":13,"encrypt":false,"parameters":{}},
      {"uri":"urn:ietf:params:rtp-hdrext:toffset","id":14,"encrypt":false,"parameters":{}},
      {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":5,"encrypt":false,"parameters":{}}],
     "encodings":[{"active":true,"scaleResolutionDownBy":4,"maxBitrate":500000,"scalabilityMode":"L1T3","rid":"r0","dtx":false},
      {"active":true,"scaleResolutionDownBy":2,"maxBitrate":1000000,"scalabilityMode":"L1T3","rid":"r1","dtx":false},
      {"active":true,"scaleResolutionDownBy":1,"maxBitrate":5000000,"scalabilityMode":"L1T3","rid":"r2","dtx":false}],
     "rtcp":{"cname":"k3Fd9sPq1Zx0AbCd","reducedSize":true},"msid":"s1 t1"}
    """;

    public const string ChromeMic = """
    {"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{"minptime":10,"useinbandfec":1,"sprop-stereo":1,"usedtx":1},"rtcpFeedback":[{"type":"transport-cc","parameter":""},{"type":"nack","parameter":""}]}],
     "headerExtensions":[
      {"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":4,"encrypt":false,"parameters":{}},
      {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":2,"encrypt":false,"parameters":{}},
      {"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":3,"encrypt":false,"parameters":{}},
      {"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":1,"encrypt":false,"parameters":{}}],
     "encodings":[{"ssrc":2345678901,"dtx":false}],
     "rtcp":{"cname":"k3Fd9sPq1Zx0AbCd","reducedSize":true},"msid":"s1 t0"}
    """;

    // A Chrome device's RtpCapabilities as mediasoup-client sends them in join (router PTs and ids).
    public const string ChromeDeviceCaps = """
    {"codecs":[
      {"mimeType":"audio/opus","kind":"audio","preferredPayloadType":100,"clockRate":48000,"channels":2,"parameters":{"minptime":10,"useinbandfec":1},"rtcpFeedback":[{"type":"transport-cc","parameter":""},{"type":"nack","parameter":""}]},
      {"mimeType":"video/VP8","kind":"video","preferredPayloadType":101,"clockRate":90000,"parameters":{},"rtcpFeedback":[{"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""},{"type":"ccm","parameter":"fir"},{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"}]},
      {"mimeType":"video/rtx","kind":"video","preferredPayloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]},
      {"mimeType":"video/H264","kind":"video","preferredPayloadType":107,"clockRate":90000,"parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"42e01f"},"rtcpFeedback":[{"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""},{"type":"ccm","parameter":"fir"},{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"}]},
      {"mimeType":"video/rtx","kind":"video","preferredPayloadType":108,"clockRate":90000,"parameters":{"apt":107},"rtcpFeedback":[]}],
     "headerExtensions":[
      {"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"audio","uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","preferredId":4,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","preferredId":4,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","preferredId":5,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","preferredId":6,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"urn:3gpp:video-orientation","preferredId":8,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:toffset","preferredId":9,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","preferredId":11,"preferredEncrypt":false,"direction":"sendrecv"}]}
    """;

    public static RtpCapabilities DemoRouterCaps() =>
        global::AkkaSfu.Actors.Ortc.Ortc.GenerateRouterRtpCapabilities(OrtcJson.Deserialize<RouterRtpCodecCapability[]>(DemoMediaCodecs));

    public static T Parse<T>(string json) where T : class => OrtcJson.Deserialize<T>(json);

    public static void AssertJsonEqual(string expectedJson, object actual)
    {
        var expected = JsonNode.Parse(expectedJson);
        var actualNode = JsonSerializer.SerializeToNode(actual, actual.GetType(), OrtcJson.Options);
        Assert.True(JsonNode.DeepEquals(expected, actualNode),
            $"expected:\n{expected!.ToJsonString()}\nactual:\n{actualNode!.ToJsonString()}");
    }
}
