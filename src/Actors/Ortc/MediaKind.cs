// mediasoup 3.27.1 node/src/rtpParametersTypes.ts: MediaKind and RtpHeaderExtensionDirection.
using System.Text.Json.Serialization;

namespace AkkaSfu.Actors.Ortc;

/// <summary>Media kind, JSON <c>"audio"</c> / <c>"video"</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MediaKind>))]
public enum MediaKind
{
    /// <summary>"audio"</summary>
    [JsonStringEnumMemberName("audio")] Audio,

    /// <summary>"video"</summary>
    [JsonStringEnumMemberName("video")] Video,
}

/// <summary>Direction of a router header extension capability, from the router's point of view.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RtpHeaderExtensionDirection>))]
public enum RtpHeaderExtensionDirection
{
    /// <summary>"sendrecv"</summary>
    [JsonStringEnumMemberName("sendrecv")] SendRecv,

    /// <summary>"sendonly"</summary>
    [JsonStringEnumMemberName("sendonly")] SendOnly,

    /// <summary>"recvonly"</summary>
    [JsonStringEnumMemberName("recvonly")] RecvOnly,

    /// <summary>"inactive"</summary>
    [JsonStringEnumMemberName("inactive")] Inactive,
}

/// <summary>Producer / consumer type (signalling.md §5.5), JSON <c>"simple"</c>, <c>"simulcast"</c>, <c>"svc"</c>, <c>"pipe"</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RtpType>))]
public enum RtpType
{
    /// <summary>One encoding, no layers.</summary>
    [JsonStringEnumMemberName("simple")] Simple,

    /// <summary>More than one encoding (VP8/H264).</summary>
    [JsonStringEnumMemberName("simulcast")] Simulcast,

    /// <summary>One encoding with more than one spatial or temporal layer.</summary>
    [JsonStringEnumMemberName("svc")] Svc,

    /// <summary>Router-to-router.</summary>
    [JsonStringEnumMemberName("pipe")] Pipe,
}

/// <summary>Helpers for <see cref="MediaKind"/>.</summary>
public static class MediaKinds
{
    /// <summary>"audio" or "video".</summary>
    public static string ToWire(this MediaKind kind) => kind == MediaKind.Audio ? "audio" : "video";

    /// <summary>Parses a producer's <c>kind</c>; anything else throws <c>invalid kind "x"</c>.</summary>
    public static MediaKind Parse(string? kind) => kind switch
    {
        "audio" => MediaKind.Audio,
        "video" => MediaKind.Video,
        _ => throw new OrtcTypeError($"invalid kind \"{kind}\""),
    };
}
