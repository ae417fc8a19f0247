// Real client messages (signalling.md §3–5, §7; what mediasoup-client 3.24 and the demo's ffmpeg script send),
// used as the producers already in a room and written out as the AFL seed corpus (fuzz/corpus/).
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Fuzz;

public static class Seeds
{
    public const string Mic = """
    {"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{"minptime":10,"useinbandfec":1,"sprop-stereo":1,"usedtx":1},"rtcpFeedback":[{"type":"transport-cc","parameter":""},{"type":"nack","parameter":""}]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":2,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":3,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":1,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":2345678901,"dtx":false}],"rtcp":{"cname":"k3Fd9sPq1Zx0AbCd","reducedSize":true},"msid":"a b"}
    """;

    public const string Webcam = """
    {"mid":"1","codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"parameters":{},"rtcpFeedback":[{"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""},{"type":"ccm","parameter":"fir"},{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"}]},{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":96},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":4,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","id":10,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","id":11,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":2,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":3,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":13,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:toffset","id":14,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":5,"encrypt":false,"parameters":{}}],"encodings":[{"active":true,"scaleResolutionDownBy":4,"maxBitrate":500000,"scalabilityMode":"L1T3","rid":"r0","dtx":false},{"active":true,"scaleResolutionDownBy":2,"maxBitrate":1000000,"scalabilityMode":"L1T3","rid":"r1","dtx":false},{"active":true,"scaleResolutionDownBy":1,"maxBitrate":5000000,"scalabilityMode":"L1T3","rid":"r2","dtx":false}],"rtcp":{"cname":"k3Fd9sPq1Zx0AbCd","reducedSize":true},"msid":"a c"}
    """;

    public const string Vp9Svc = """
    {"mid":"2","codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000,"parameters":{"profile-id":2},"rtcpFeedback":[{"type":"transport-cc","parameter":""},{"type":"nack","parameter":"pli"}]},{"mimeType":"video/rtx","payloadType":99,"clockRate":90000,"parameters":{"apt":98},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":4},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":3}],"encodings":[{"ssrc":1111,"rtx":{"ssrc":1112},"scalabilityMode":"L3T3_KEY"}],"rtcp":{"cname":"x"}}
    """;

    public const string H264 = """
    {"mid":"3","codecs":[{"mimeType":"video/H264","payloadType":102,"clockRate":90000,"parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"42e01f"},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"}]},{"mimeType":"video/rtx","payloadType":103,"clockRate":90000,"parameters":{"apt":102}}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":4},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":2}],"encodings":[{"ssrc":3333,"rtx":{"ssrc":3334}}]}
    """;

    /// <summary>The demo's ffmpeg broadcaster (no mid, extensions or feedback).</summary>
    public const string FfmpegAudio = """{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"sprop-stereo":1}}],"encodings":[{"ssrc":1111}]}""";

    public const string FfmpegVideo = """{"codecs":[{"mimeType":"video/vp8","payloadType":101,"clockRate":90000}],"encodings":[{"ssrc":2222}]}""";

    public static readonly (MediaKind Kind, string Json)[] Producers =
        [(MediaKind.Audio, Mic), (MediaKind.Video, Webcam), (MediaKind.Video, Vp9Svc), (MediaKind.Video, H264)];

    /// <summary>The device caps mediasoup-client sends in join: the router's, as the JSON the server wrote.</summary>
    public static string DeviceCaps => OrtcJson.Serialize(ServerPath.DeviceCaps);

    public const string Dtls = """{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:AC:2D:65:E5:80:C4:B6:FB:AF:1A:A0:21:9F:6D:0C:AD"}]}""";

    /// <summary>Seed inputs per target, by file name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Name, string Text)>> ByTarget() => new Dictionary<string, IReadOnlyList<(string, string)>>
    {
        ["protoo"] =
        [
            ("caps", """{"request":true,"id":1,"method":"getRouterRtpCapabilities","data":{}}"""),
            ("join", """{"request":true,"id":2,"method":"join","data":{"displayName":"Owl","device":{"flag":"chrome","name":"Chrome","version":"140.0"},"rtpCapabilities":""" + DeviceCaps + """}}"""),
            ("join-nocaps", """{"request":true,"id":2,"method":"join","data":{"displayName":"Owl","device":{"flag":"chrome","name":"Chrome","version":"140.0"}}}"""),
            ("transport", """{"request":true,"id":3,"method":"createWebRtcTransport","data":{"forceTcp":false,"producing":true,"consuming":false}}"""),
            ("connect", """{"request":true,"id":4,"method":"connectWebRtcTransport","data":{"transportId":"t1","dtlsParameters":""" + Dtls + """}}"""),
            ("restart", """{"request":true,"id":5,"method":"restartIce","data":{"transportId":"t1"}}"""),
            ("produce-mic", """{"request":true,"id":6,"method":"produce","data":{"transportId":"t1","kind":"audio","rtpParameters":""" + Mic + ""","appData":{"source":"mic"}}}"""),
            ("produce-webcam", """{"request":true,"id":7,"method":"produce","data":{"transportId":"t1","kind":"video","rtpParameters":""" + Webcam + ""","appData":{"source":"webcam"}}}"""),
            ("produce-svc", """{"request":true,"id":8,"method":"produce","data":{"transportId":"t1","kind":"video","rtpParameters":""" + Vp9Svc + ""","appData":{}}}"""),
            ("layers", """{"request":true,"id":9,"method":"setConsumerPreferredLayers","data":{"consumerId":"c1","spatialLayer":2,"temporalLayer":1}}"""),
            ("priority", """{"request":true,"id":10,"method":"setConsumerPriority","data":{"consumerId":"c1","priority":2}}"""),
            ("name", """{"request":true,"id":11,"method":"changeDisplayName","data":{"displayName":"Cat"}}"""),
            ("stats", """{"request":true,"id":12,"method":"getConsumerStats","data":{"consumerId":"c1"}}"""),
            ("data-stats", """{"request":true,"id":13,"method":"getDataProducerStats","data":{"dataProducerId":"d1"}}"""),
            ("produce-data", """{"request":true,"id":14,"method":"produceData","data":{"transportId":"t1","sctpStreamParameters":{"streamId":0,"ordered":true},"label":"chat","protocol":"","appData":{}}}"""),
            ("response", """{"response":true,"id":7,"ok":true,"data":{}}"""),
            ("response-error", """{"response":true,"id":7,"ok":false,"errorCode":500,"errorReason":"no"}"""),
            ("notification", """{"notification":true,"method":"activeSpeaker","data":{"peerId":"p"}}"""),
        ],
        ["rtp-parameters"] =
        [
            ("mic", Mic), ("webcam", Webcam), ("vp9-svc", Vp9Svc), ("h264", H264), ("ffmpeg-audio", FfmpegAudio), ("ffmpeg-video", FfmpegVideo),
        ],
        ["rtp-capabilities"] =
        [
            ("device", DeviceCaps),
            ("opus-only", """{"codecs":[{"kind":"audio","mimeType":"audio/opus","preferredPayloadType":100,"clockRate":48000,"channels":2,"parameters":{},"rtcpFeedback":[{"type":"nack"}]}],"headerExtensions":[{"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"}]}"""),
            ("h264", """{"codecs":[{"kind":"video","mimeType":"video/H264","preferredPayloadType":107,"clockRate":90000,"parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"42e01f"},"rtcpFeedback":[{"type":"nack","parameter":"pli"}]},{"kind":"video","mimeType":"video/rtx","preferredPayloadType":108,"clockRate":90000,"parameters":{"apt":107}}]}"""),
        ],
        ["broadcaster"] =
        [
            ("create", """{"id":"b1","displayName":"Broadcaster","device":{"name":"FFmpeg","version":"7.1"},"rtpCapabilities":""" + DeviceCaps + """}"""),
            ("create-min", """{"id":"b1","displayName":"Broadcaster","device":{"name":"FFmpeg"}}"""),
            ("transport-plain", """{"type":"plain","comedia":true,"rtcpMux":false}"""),
            ("transport-srtp", """{"type":"plain","comedia":false,"rtcpMux":true,"enableSrtp":true,"srtpCryptoSuite":"AES_CM_128_HMAC_SHA1_80"}"""),
            ("transport-webrtc", """{"type":"webrtc","sctpCapabilities":{"numStreams":{"OS":1024,"MIS":1024}}}"""),
            ("connect-webrtc", """{"dtlsParameters":""" + Dtls + """}"""),
            ("connect-plain", """{"ip":"127.0.0.1","port":40000,"rtcpPort":40001,"srtpParameters":{"cryptoSuite":"AES_CM_128_HMAC_SHA1_80","keyBase64":"ZnV6emZ1enpmdXp6ZnV6emZ1enpmdXp6ZnV6eg=="}}"""),
            ("produce-audio", """{"kind":"audio","rtpParameters":""" + FfmpegAudio + """}"""),
            ("produce-video", """{"kind":"video","rtpParameters":""" + FfmpegVideo + """}"""),
            ("empty", ""),
        ],
    };
}
