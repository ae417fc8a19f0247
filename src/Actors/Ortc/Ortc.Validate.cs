// mediasoup 3.27.1 node/src/ortc.ts validate*(): check the shapes and fill defaults. mediasoup mutates
// its input; here each function returns a normalised copy and throws OrtcTypeError with mediasoup's
// message on invalid input. JSON-level type errors (a string where a number belongs) are caught
// earlier by the typed records (see OrtcJson.Deserialize).

namespace AkkaSfu.Actors.Ortc;

public static partial class Ortc
{

    /// <summary>Validates and normalises capabilities: missing lists become empty, codecs and extensions are validated.</summary>
    public static RtpCapabilities ValidateRtpCapabilities(RtpCapabilities? caps)
    {
        if (caps is null) throw new OrtcTypeError("caps is not an object");
        return caps with
        {
            Codecs = (caps.Codecs ?? []).Select(ValidateRtpCodecCapability).ToArray(),
            HeaderExtensions = (caps.HeaderExtensions ?? []).Select(ValidateRtpHeaderExtension).ToArray(),
        };
    }

    /// <summary>Validates and normalises RTP parameters: codecs mandatory; extensions, encodings, rtcp defaulted.</summary>
    public static RtpParameters ValidateRtpParameters(RtpParameters? parameters)
    {
        if (parameters is null) throw new OrtcTypeError("params is not an object");
        if (parameters.Codecs is null) throw new OrtcTypeError("missing params.codecs");
        return parameters with
        {
            Codecs = parameters.Codecs.Select(ValidateRtpCodecParameters).ToArray(),
            HeaderExtensions = (parameters.HeaderExtensions ?? []).Select(ValidateRtpHeaderExtensionParameters).ToArray(),
            Encodings = (parameters.Encodings ?? []).Select(ValidateRtpEncodingParameters).ToArray(),
            Rtcp = ValidateRtcpParameters(parameters.Rtcp ?? new RtcpParameters()),
        };
    }

    /// <summary>Validates a codec capability: kind taken from the mime type, audio channels default 1, parameters <c>{}</c>.</summary>
    public static RtpCodecCapability ValidateRtpCodecCapability(RtpCodecCapability? codec)
    {
        if (codec is null) throw new OrtcTypeError("codec is not an object");
        var kind = KindOfMimeType(codec.MimeType);
        if (codec.ClockRate is null) throw new OrtcTypeError("missing codec.clockRate");
        return codec with
        {
            Kind = kind,
            Channels = kind == MediaKind.Audio ? codec.Channels ?? 1 : null,
            Parameters = ValidateCodecParameterMap(codec.Parameters),
            RtcpFeedback = (codec.RtcpFeedback ?? []).Select(ValidateRtcpFeedback).ToArray(),
        };
    }

    /// <summary>Validates a codec in use: payloadType and clockRate mandatory, audio channels default 1.</summary>
    public static RtpCodecParameters ValidateRtpCodecParameters(RtpCodecParameters? codec)
    {
        if (codec is null) throw new OrtcTypeError("codec is not an object");
        var kind = KindOfMimeType(codec.MimeType);
        if (codec.PayloadType is null) throw new OrtcTypeError("missing codec.payloadType");
        // RTP carries 7 bits; the engine keeps a byte. 1000 became PT 232, and many codecs with distinct
        // out-of-range PTs passed the duplicate check while colliding in the engine.
        if (codec.PayloadType is not (>= 0 and <= 127)) throw new OrtcTypeError("invalid codec.payloadType");
        if (codec.ClockRate is null) throw new OrtcTypeError("missing codec.clockRate");
        return codec with
        {
            Channels = kind == MediaKind.Audio ? codec.Channels ?? 1 : null,
            Parameters = ValidateCodecParameterMap(codec.Parameters),
            RtcpFeedback = (codec.RtcpFeedback ?? []).Select(ValidateRtcpFeedback).ToArray(),
        };
    }

    /// <summary>Validates a feedback entry: type mandatory, parameter defaults to <c>""</c>.</summary>
    public static RtcpFeedback ValidateRtcpFeedback(RtcpFeedback? fb)
    {
        if (fb is null) throw new OrtcTypeError("fb is not an object");
        if (string.IsNullOrEmpty(fb.Type)) throw new OrtcTypeError("missing fb.type");
        return fb.Parameter is null ? fb with { Parameter = "" } : fb;
    }

    /// <summary>Validates a header extension capability: kind, uri, preferredId mandatory; encrypt false and sendrecv by default.</summary>
    public static RtpHeaderExtension ValidateRtpHeaderExtension(RtpHeaderExtension? ext)
    {
        if (ext is null) throw new OrtcTypeError("ext is not an object");
        if (ext.Kind is null) throw new OrtcTypeError("invalid ext.kind");
        if (string.IsNullOrEmpty(ext.Uri)) throw new OrtcTypeError("missing ext.uri");
        if (ext.PreferredId is null) throw new OrtcTypeError("missing ext.preferredId");
        return ext with
        {
            PreferredEncrypt = ext.PreferredEncrypt ?? false,
            Direction = ext.Direction ?? RtpHeaderExtensionDirection.SendRecv,
        };
    }

    /// <summary>Validates a header extension in use: uri and id mandatory; encrypt false and parameters <c>{}</c> by default.</summary>
    public static RtpHeaderExtensionParameters ValidateRtpHeaderExtensionParameters(RtpHeaderExtensionParameters? ext)
    {
        if (ext is null) throw new OrtcTypeError("ext is not an object");
        if (string.IsNullOrEmpty(ext.Uri)) throw new OrtcTypeError("missing ext.uri");
        if (ext.Id is null) throw new OrtcTypeError("missing ext.id");
        return ext with { Encrypt = ext.Encrypt ?? false, Parameters = ext.Parameters ?? ParameterMap.Empty };
    }

    /// <summary>Validates an encoding: an rtx object needs its ssrc; dtx defaults to false.</summary>
    public static RtpEncodingParameters ValidateRtpEncodingParameters(RtpEncodingParameters? encoding)
    {
        if (encoding is null) throw new OrtcTypeError("encoding is not an object");
        if (encoding.Rtx is not null && encoding.Rtx.Ssrc is null) throw new OrtcTypeError("missing encoding.rtx.ssrc");
        return encoding with { Dtx = encoding.Dtx ?? false };
    }

    /// <summary>Validates RTCP parameters: reducedSize defaults to true.</summary>
    public static RtcpParameters ValidateRtcpParameters(RtcpParameters? rtcp)
    {
        if (rtcp is null) throw new OrtcTypeError("rtcp is not an object");
        return rtcp with { ReducedSize = rtcp.ReducedSize ?? true };
    }

    private static MediaKind KindOfMimeType(string? mimeType)
    {
        if (string.IsNullOrEmpty(mimeType)) throw new OrtcTypeError("missing codec.mimeType");
        // mediasoup's /^(audio|video)\/(.+)/i, without a Regex: this runs for every codec of every
        // capability check, and a Match allocated on each (MBs of garbage when a room fills).
        if (mimeType.Length > 6 && mimeType[5] == '/' && mimeType.StartsWith("audio", StringComparison.OrdinalIgnoreCase)) return MediaKind.Audio;
        if (mimeType.Length > 6 && mimeType[5] == '/' && mimeType.StartsWith("video", StringComparison.OrdinalIgnoreCase)) return MediaKind.Video;
        throw new OrtcTypeError("invalid codec.mimeType");
    }

    private static ParameterMap ValidateCodecParameterMap(ParameterMap? parameters)
    {
        parameters ??= ParameterMap.Empty;
        if (parameters.TryGetValue("apt", out var apt) && !apt.IsNumber)
            throw new OrtcTypeError("invalid codec apt parameter");
        return parameters;
    }
}
