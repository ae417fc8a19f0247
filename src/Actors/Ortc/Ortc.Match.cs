// signalling.md §6.5 / mediasoup 3.27.1 ortc.ts matchCodecs(): same lowercased mime, clock rate and
// channels; multiopus stream counts; strict mode adds VP9 profile-id, AV1 profile and H264 packetization-mode,
// profile and a computable answer level (RFC 6184 §8.2.2). Numeric-looking values compare numerically.
namespace AkkaSfu.Actors.Ortc;

public static partial class Ortc
{
    /// <summary>The fields codec matching looks at, from a capability or a codec in use.</summary>
    internal readonly record struct CodecKey(string? MimeType, int? ClockRate, int? Channels, ParameterMap Parameters);

    internal static CodecKey Key(RtpCodecCapability c) => new(c.MimeType, c.ClockRate, c.Channels, c.Parameters ?? ParameterMap.Empty);

    internal static CodecKey Key(RtpCodecParameters c) => new(c.MimeType, c.ClockRate, c.Channels, c.Parameters ?? ParameterMap.Empty);

    /// <summary>
    /// True when <paramref name="a"/> matches <paramref name="b"/>. <paramref name="aParameters"/> is
    /// <paramref name="a"/>'s parameters with H264 profile-level-id set to the answer (strict mode; removed
    /// when there is none), i.e. mediasoup's <c>modify</c>.
    /// </summary>
    internal static bool MatchCodecs(CodecKey a, CodecKey b, bool strict, out ParameterMap aParameters)
    {
        aParameters = a.Parameters;
        var mime = a.MimeType?.ToLowerInvariant();
        if (mime != b.MimeType?.ToLowerInvariant() || a.ClockRate != b.ClockRate || a.Channels != b.Channels)
            return false;

        switch (mime)
        {
            case "audio/multiopus":
                return SameParam(a.Parameters, b.Parameters, "num_streams", null) &&
                       SameParam(a.Parameters, b.Parameters, "coupled_streams", null);

            case "video/h264":
            case "video/h264-svc":
                if (!strict) return true;
                if (!SameParam(a.Parameters, b.Parameters, "packetization-mode", 0)) return false;
                if (!H264ProfileLevelId.IsSameProfile(a.Parameters, b.Parameters)) return false;
                if (!H264ProfileLevelId.TryGenerateAnswer(a.Parameters, b.Parameters, out var answer)) return false;
                aParameters = answer is null ? a.Parameters.Without("profile-level-id") : a.Parameters.With("profile-level-id", answer);
                return true;

            case "video/vp9":
                return !strict || SameParam(a.Parameters, b.Parameters, "profile-id", 0);

            // AV1 RTP spec §7.2 (SDP parameters): "profile" defaults to 0 (Main); a decoder of one profile cannot
            // take another's stream. level-idx and tier are not matched (libwebrtc's AV1 IsSameCodecSpecific: the
            // receiver's level is only an upper bound).
            case "video/av1":
                return !strict || SameParam(a.Parameters, b.Parameters, "profile", 0);

            default:
                return true;
        }
    }

    // Both absent → equal (or both default); one absent → its default, if any, is compared.
    private static bool SameParam(ParameterMap a, ParameterMap b, string key, int? @default)
    {
        var hasA = a.TryGetValue(key, out var va);
        var hasB = b.TryGetValue(key, out var vb);
        if (!hasA && @default is { } d1) { va = d1; hasA = true; }
        if (!hasB && @default is { } d2) { vb = d2; hasB = true; }
        if (!hasA || !hasB) return hasA == hasB;
        return va.LooselyEquals(vb);
    }
}
