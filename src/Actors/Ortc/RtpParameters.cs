// mediasoup 3.27.1 node/src/rtpParametersTypes.ts: RtpParameters and its parts (signalling.md §5.4–5.5).
using System.Text.Json.Serialization;

namespace AkkaSfu.Actors.Ortc;

/// <summary>What a producer sends or a consumer receives.</summary>
public sealed record RtpParameters
{
    /// <summary>MID (producer: the client's transceiver mid; consumer: assigned by the transport).</summary>
    public string? Mid { get; init; }

    /// <summary>Media codecs, each followed by its RTX codec if any.</summary>
    public IReadOnlyList<RtpCodecParameters>? Codecs { get; init; }

    /// <summary>Header extensions in use.</summary>
    public IReadOnlyList<RtpHeaderExtensionParameters>? HeaderExtensions { get; init; }

    /// <summary>Encodings (simulcast streams); consumers have exactly one (pipe: all).</summary>
    public IReadOnlyList<RtpEncodingParameters>? Encodings { get; init; }

    /// <summary>RTCP parameters.</summary>
    public RtcpParameters? Rtcp { get; init; }

    /// <summary>MediaStream id ("streamId trackId") given by the producer; forwarded to consumers.</summary>
    public string? Msid { get; init; }
}

/// <summary>A codec in use.</summary>
public sealed record RtpCodecParameters
{
    /// <summary>e.g. <c>video/VP8</c>.</summary>
    public string? MimeType { get; init; }

    /// <summary>Payload type.</summary>
    public int? PayloadType { get; init; }

    /// <summary>Clock rate in Hz.</summary>
    public int? ClockRate { get; init; }

    /// <summary>Audio channels (default 1 for audio, absent for video).</summary>
    public int? Channels { get; init; }

    /// <summary>Codec fmtp parameters.</summary>
    public ParameterMap? Parameters { get; init; }

    /// <summary>RTCP feedback in use.</summary>
    public IReadOnlyList<RtcpFeedback>? RtcpFeedback { get; init; }
}

/// <summary>A header extension in use.</summary>
public sealed record RtpHeaderExtensionParameters
{
    /// <summary>Extension URI.</summary>
    public string? Uri { get; init; }

    /// <summary>Extension id (1..255).</summary>
    public int? Id { get; init; }

    /// <summary>Encrypted (default false).</summary>
    public bool? Encrypt { get; init; }

    /// <summary>Extension parameters (default <c>{}</c>).</summary>
    public ParameterMap? Parameters { get; init; }
}

/// <summary>One encoding (RTP stream). Unknown JSON keys are ignored.</summary>
public sealed record RtpEncodingParameters
{
    /// <summary>SSRC of the media stream.</summary>
    public uint? Ssrc { get; init; }

    /// <summary>RID (simulcast stream id).</summary>
    public string? Rid { get; init; }

    /// <summary>Payload type of the codec this encoding uses (default: first media codec).</summary>
    public int? CodecPayloadType { get; init; }

    /// <summary>RTX stream.</summary>
    public RtxParameters? Rtx { get; init; }

    /// <summary>Discontinuous transmission (validation defaults it to false).</summary>
    public bool? Dtx { get; init; }

    /// <summary>e.g. <c>L1T3</c>, <c>L3T3_KEY</c>.</summary>
    public string? ScalabilityMode { get; init; }

    /// <summary>Browser's downscale factor (informative).</summary>
    public double? ScaleResolutionDownBy { get; init; }

    /// <summary>Maximum bitrate in bps.</summary>
    public long? MaxBitrate { get; init; }

    /// <summary>Browser's maximum frame rate (informative).</summary>
    public double? MaxFramerate { get; init; }

    /// <summary>Browser's active flag (informative).</summary>
    public bool? Active { get; init; }
}

/// <summary><c>{"ssrc":N}</c> of an RTX stream.</summary>
public sealed record RtxParameters
{
    /// <summary>Creates it.</summary>
    public RtxParameters(uint? ssrc) => Ssrc = ssrc;

    /// <summary>RTX SSRC (mandatory).</summary>
    public uint? Ssrc { get; init; }
}

/// <summary>RTCP parameters.</summary>
public sealed record RtcpParameters
{
    /// <summary>CNAME (producers: replaced by the transport's).</summary>
    public string? Cname { get; init; }

    /// <summary>RFC 5506 reduced-size RTCP (default true).</summary>
    public bool? ReducedSize { get; init; }
}

/// <summary>
/// How a producer's RTP is rewritten on ingress (mediasoup's RtpMapping): payload types to router
/// PTs, and each encoding (by ssrc or rid) to a router-side SSRC.
/// </summary>
public sealed record RtpMapping
{
    /// <summary>Producer PT → router PT, media codecs first then RTX.</summary>
    public required IReadOnlyList<RtpCodecMapping> Codecs { get; init; }

    /// <summary>One entry per producer encoding, in order.</summary>
    public required IReadOnlyList<RtpEncodingMapping> Encodings { get; init; }
}

/// <summary>Producer payload type → router payload type.</summary>
public sealed record RtpCodecMapping(int PayloadType, int MappedPayloadType);

/// <summary>Producer encoding (ssrc and/or rid) → router-side SSRC.</summary>
public sealed record RtpEncodingMapping
{
    /// <summary>Producer's SSRC, if signalled.</summary>
    public uint? Ssrc { get; init; }

    /// <summary>Producer's RID, if signalled.</summary>
    public string? Rid { get; init; }

    /// <summary>Producer's scalability mode, if signalled.</summary>
    public string? ScalabilityMode { get; init; }

    /// <summary>SSRC used inside the router (and in consumable parameters).</summary>
    [JsonRequired]
    public uint MappedSsrc { get; init; }
}
