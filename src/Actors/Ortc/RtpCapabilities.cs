// mediasoup 3.27.1 node/src/rtpParametersTypes.ts: RtpCapabilities, RtpCodecCapability,
// RtpHeaderExtension, RouterRtpCodecCapability (signalling.md §5.1). Fields that mediasoup requires
// are nullable here so that Ortc.Validate* can report a missing one with mediasoup's message.
namespace AkkaSfu.Actors.Ortc;

/// <summary>What an endpoint (router or remote device) can receive / send.</summary>
public sealed record RtpCapabilities
{
    /// <summary>Supported codecs, media and RTX.</summary>
    public IReadOnlyList<RtpCodecCapability>? Codecs { get; init; }

    /// <summary>Supported RTP header extensions.</summary>
    public IReadOnlyList<RtpHeaderExtension>? HeaderExtensions { get; init; }
}

/// <summary>A codec capability (router or device).</summary>
public sealed record RtpCodecCapability
{
    /// <summary>Media kind; validation overrides it with the kind in <see cref="MimeType"/>.</summary>
    public MediaKind? Kind { get; init; }

    /// <summary>e.g. <c>audio/opus</c>, <c>video/VP8</c>, <c>video/rtx</c>.</summary>
    public string? MimeType { get; init; }

    /// <summary>Payload type the router prefers (mandatory in router capabilities).</summary>
    public int? PreferredPayloadType { get; init; }

    /// <summary>Clock rate in Hz.</summary>
    public int? ClockRate { get; init; }

    /// <summary>Audio channels (defaults to 1 for audio, absent for video).</summary>
    public int? Channels { get; init; }

    /// <summary>Codec fmtp parameters.</summary>
    public ParameterMap? Parameters { get; init; }

    /// <summary>Supported RTCP feedback.</summary>
    public IReadOnlyList<RtcpFeedback>? RtcpFeedback { get; init; }
}

/// <summary>
/// A codec in the router's <c>mediaCodecs</c> configuration (mediasoup's RouterRtpCodecCapability):
/// like <see cref="RtpCodecCapability"/>, preferredPayloadType optional.
/// </summary>
public sealed record RouterRtpCodecCapability
{
    /// <summary>Media kind (informative; the mime type decides).</summary>
    public MediaKind? Kind { get; init; }

    /// <summary>e.g. <c>audio/opus</c>.</summary>
    public string? MimeType { get; init; }

    /// <summary>Fixed payload type; else the supported codec's static one or the next dynamic one.</summary>
    public int? PreferredPayloadType { get; init; }

    /// <summary>Clock rate in Hz.</summary>
    public int? ClockRate { get; init; }

    /// <summary>Audio channels (default 1).</summary>
    public int? Channels { get; init; }

    /// <summary>Parameters laid over the supported codec's.</summary>
    public ParameterMap? Parameters { get; init; }

    /// <summary>Ignored, as in mediasoup: the supported codec's feedback is used.</summary>
    public IReadOnlyList<RtcpFeedback>? RtcpFeedback { get; init; }

    internal RtpCodecCapability ToCapability() => new()
    {
        Kind = Kind,
        MimeType = MimeType,
        PreferredPayloadType = PreferredPayloadType,
        ClockRate = ClockRate,
        Channels = Channels,
        Parameters = Parameters,
        RtcpFeedback = RtcpFeedback,
    };
}

/// <summary>A header extension capability (router or device).</summary>
public sealed record RtpHeaderExtension
{
    /// <summary>Media kind this entry applies to (mandatory).</summary>
    public MediaKind? Kind { get; init; }

    /// <summary>Extension URI.</summary>
    public string? Uri { get; init; }

    /// <summary>Extension id the router uses.</summary>
    public int? PreferredId { get; init; }

    /// <summary>Encrypted extension (default false).</summary>
    public bool? PreferredEncrypt { get; init; }

    /// <summary>Router's direction (default sendrecv): sendrecv/sendonly ones reach consumers.</summary>
    public RtpHeaderExtensionDirection? Direction { get; init; }
}

/// <summary>An RTCP feedback entry, e.g. <c>{"type":"nack","parameter":"pli"}</c>.</summary>
public sealed record RtcpFeedback
{
    /// <summary>Creates an entry.</summary>
    public RtcpFeedback(string? type, string? parameter = "")
    {
        Type = type;
        Parameter = parameter;
    }

    /// <summary>e.g. <c>nack</c>, <c>ccm</c>, <c>goog-remb</c>, <c>transport-cc</c>.</summary>
    public string? Type { get; init; }

    /// <summary>e.g. <c>""</c>, <c>pli</c>, <c>fir</c>.</summary>
    public string? Parameter { get; init; }
}
