namespace AkkaSfu.Actors.Ortc;

/// <summary>The router media codecs of mediasoup-demo's config (signalling.md §5.1), used when a router is
/// created without its own list; AV1 (profile 0 by default) last, so clients that name no codec still send VP8
/// (the page's forceAV1 picks it).</summary>
public static class DefaultMediaCodecs
{
    public const string Json = """
    [
      {"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2},
      {"kind":"video","mimeType":"video/VP8","clockRate":90000,"parameters":{"x-google-start-bitrate":1000}},
      {"kind":"video","mimeType":"video/VP9","clockRate":90000,"parameters":{"profile-id":2,"x-google-start-bitrate":1000}},
      {"kind":"video","mimeType":"video/h264","clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"4d0032","level-asymmetry-allowed":1,"x-google-start-bitrate":1000}},
      {"kind":"video","mimeType":"video/h264","clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"42e01f","level-asymmetry-allowed":1,"x-google-start-bitrate":1000}},
      {"kind":"video","mimeType":"video/AV1","clockRate":90000}
    ]
    """;

    public static IReadOnlyList<RouterRtpCodecCapability> Value { get; } = OrtcJson.Deserialize<RouterRtpCodecCapability[]>(Json);
}
