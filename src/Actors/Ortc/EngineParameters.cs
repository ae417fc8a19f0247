// Turns mediasoup-shaped ORTC parameters (already validated and mapped by Ortc) into the engine's own
// records (src/Media/Engine/EngineTypes.cs): payload types, SSRCs and extension ids resolved once.
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Actors.Ortc;

public static class EngineParameters
{
    /// <summary>Extension ids by URI; 0 for those not present.</summary>
    public static RtpExtensionIds ExtensionIds(IEnumerable<(string? Uri, int? Id)> extensions)
    {
        var ids = new RtpExtensionIds();
        foreach (var (uri, id) in extensions)
        {
            if (id is not (> 0 and < 256)) continue;
            var b = (byte)id.Value;
            switch (uri)
            {
                case SupportedRtpCapabilities.Uris.Mid: ids.Mid = b; break;
                case SupportedRtpCapabilities.Uris.RtpStreamId: ids.Rid = b; break;
                case SupportedRtpCapabilities.Uris.RepairedRtpStreamId: ids.RepairedRid = b; break;
                case SupportedRtpCapabilities.Uris.AbsSendTime: ids.AbsSendTime = b; break;
                case SupportedRtpCapabilities.Uris.TransportWideCc01: ids.TransportWideCc01 = b; break;
                case SupportedRtpCapabilities.Uris.SsrcAudioLevel: ids.AudioLevel = b; break;
                case SupportedRtpCapabilities.Uris.VideoOrientation: ids.VideoOrientation = b; break;
                case SupportedRtpCapabilities.Uris.TimeOffset: ids.Toffset = b; break;
                case SupportedRtpCapabilities.Uris.AbsCaptureTime: ids.AbsCaptureTime = b; break;
                case SupportedRtpCapabilities.Uris.PlayoutDelay: ids.PlayoutDelay = b; break;
                case SupportedRtpCapabilities.Uris.DependencyDescriptor: ids.DependencyDescriptor = b; break;
            }
        }
        return ids;
    }

    public static RtpExtensionIds ExtensionIds(RtpParameters p) =>
        ExtensionIds((p.HeaderExtensions ?? []).Select(e => (e.Uri, e.Id)));

    private static int? Apt(RtpCodecParameters rtx) =>
        rtx.Parameters?["apt"] is { } v && v.TryGetNumber(out var n) ? (int)n : null;

    public static StreamKind ToEngine(this MediaKind kind) => kind == MediaKind.Audio ? StreamKind.Audio : StreamKind.Video;

    public static RtpStreamType ToEngine(this RtpType type) => type switch
    {
        RtpType.Simple => RtpStreamType.Simple,
        RtpType.Simulcast => RtpStreamType.Simulcast,
        RtpType.Svc => RtpStreamType.Svc,
        _ => RtpStreamType.Pipe,
    };

    /// <summary>The engine view of a producer prepared by <see cref="Ortc.PrepareProducer"/>.</summary>
    public static ProducerSettings ForProducer(string id, MediaKind kind, ProducerRtp prepared, bool paused)
    {
        var p = prepared.RtpParameters;
        var codecs = p.Codecs!;
        var mapped = prepared.RtpMapping.Codecs.ToDictionary(c => c.PayloadType, c => c.MappedPayloadType);
        var mappings = new List<CodecMapping>();
        foreach (var c in codecs)
        {
            if (Ortc.IsRtx(c.MimeType)) continue;
            var pt = c.PayloadType!.Value;
            var rtx = codecs.FirstOrDefault(r => Ortc.IsRtx(r.MimeType) && Apt(r) == pt);
            mappings.Add(new CodecMapping((byte)pt, (byte)mapped[pt], c.ClockRate ?? 90000, c.MimeType!, (byte)(rtx?.PayloadType ?? 0)));
        }
        var encodings = new List<EncodingMapping>();
        for (var i = 0; i < prepared.RtpMapping.Encodings.Count; i++)
        {
            var m = prepared.RtpMapping.Encodings[i];
            var e = p.Encodings![i];
            var mode = EngineScalabilityMode(prepared.Type, e.ScalabilityMode);
            encodings.Add(new EncodingMapping(m.MappedSsrc, m.Ssrc, m.Rid, e.Rtx?.Ssrc, mode.SpatialLayers, mode.TemporalLayers, mode.Ksvc));
        }
        var nack = codecs.Any(c => c.RtcpFeedback?.Any(f => f.Type == "nack" && string.IsNullOrEmpty(f.Parameter)) == true);
        return new ProducerSettings(id, kind.ToEngine(), prepared.Type.ToEngine(), mappings, encodings, p.Mid,
            ExtensionIds(p), ExtensionIds(prepared.ConsumableRtpParameters), nack, paused);
    }

    /// <summary>Temporal layers a simulcast encoding signalled without a scalabilityMode is forwarded with: the
    /// browser then picks its default, which for VP8/H264 simulcast is L1T3 in Chrome (mediasoup-client assumes
    /// the same and fills it in; other clients may not).</summary>
    public const int UnsignalledSimulcastTemporalLayers = 3;

    /// <summary>The layers the engine forwards an encoding with. A simulcast encoding without a scalabilityMode
    /// is taken as L1T3, not as mediasoup's L1T1: a stream with fewer temporal layers simply carries no higher
    /// TIDs, while L1T1 taken literally makes the simulcast consumer forward TID 0 only (a quarter of the frames
    /// of Chrome's default L1T3). The ORTC parameters (consumer scalabilityMode L{n}T1) stay as mediasoup's.</summary>
    public static ScalabilityMode EngineScalabilityMode(RtpType type, string? scalabilityMode)
    {
        var mode = ScalabilityMode.Parse(scalabilityMode);
        return type == RtpType.Simulcast && string.IsNullOrEmpty(scalabilityMode)
            ? mode with { TemporalLayers = UnsignalledSimulcastTemporalLayers }
            : mode;
    }

    /// <summary>The engine view of a consumer with parameters from <see cref="Ortc.GetConsumerRtpParameters"/>.</summary>
    public static ConsumerSettings ForConsumer(string id, string producerId, MediaKind kind, RtpType type, RtpParameters p,
        bool paused, int preferredSpatialLayer = -1, int preferredTemporalLayer = -1)
    {
        var codec = p.Codecs![0];
        var rtx = p.Codecs.FirstOrDefault(r => Ortc.IsRtx(r.MimeType) && Apt(r) == codec.PayloadType);
        var encoding = p.Encodings![0];
        var fb = codec.RtcpFeedback ?? [];
        return new ConsumerSettings(id, producerId, kind.ToEngine(), type.ToEngine(), encoding.Ssrc ?? 0, (byte)codec.PayloadType!.Value,
            codec.ClockRate ?? 90000, ExtensionIds(p), p.Rtcp?.Cname ?? "",
            RtxSsrc: encoding.Rtx?.Ssrc ?? 0, RtxPayloadType: (byte)(rtx?.PayloadType ?? 0),
            Nack: fb.Any(f => f.Type == "nack" && string.IsNullOrEmpty(f.Parameter)),
            Pli: fb.Any(f => f.Type == "nack" && f.Parameter == "pli"),
            Fir: fb.Any(f => f.Type == "ccm" && f.Parameter == "fir"),
            Paused: paused, PreferredSpatialLayer: preferredSpatialLayer, PreferredTemporalLayer: preferredTemporalLayer);
    }
}
