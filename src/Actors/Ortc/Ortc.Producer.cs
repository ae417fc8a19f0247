// signalling.md §6.2 (produce): mediasoup 3.27.1 Transport.produce() plus the checks its worker makes in
// RtpParameters.cpp (ValidateCodecs/ValidateEncodings, GetType) and Producer.cpp (rtpMapping entries,
// codec allowed for the type), run here so produce fails before any engine object exists.
namespace AkkaSfu.Actors.Ortc;

/// <summary>Everything a new producer needs from the ORTC rules.</summary>
/// <param name="RtpParameters">The producer's parameters, validated, CNAME replaced, H264 level negotiated.</param>
/// <param name="RtpMapping">Producer PT/SSRC/RID → router PT/SSRC.</param>
/// <param name="ConsumableRtpParameters">The parameters consumers are derived from.</param>
/// <param name="Type">simple, simulcast or svc.</param>
/// <param name="Cname">The transport's producer CNAME after this call (keep it for the next produce).</param>
public sealed record ProducerRtp(RtpParameters RtpParameters, RtpMapping RtpMapping, RtpParameters ConsumableRtpParameters, RtpType Type, string Cname);

public static partial class Ortc
{
    /// <summary>
    /// Runs the produce pipeline: validate, default encodings to <c>[{}]</c>, set the transport CNAME
    /// (<paramref name="transportCname"/>, else the producer's, else 8 random chars; pipe transports keep
    /// each producer's), map to the router, check as mediasoup's worker does, and build consumable
    /// parameters. Throws <see cref="OrtcException"/> subclasses with mediasoup's messages.
    /// </summary>
    public static ProducerRtp PrepareProducer(
        MediaKind kind, RtpParameters rtpParameters, RtpCapabilities routerRtpCapabilities, string? transportCname,
        bool pipeTransport = false, Random? random = null)
    {
        var p = ValidateRtpParameters(rtpParameters);
        if (p.Encodings!.Count == 0)
            p = p with { Encodings = [ValidateRtpEncodingParameters(new RtpEncodingParameters())] };

        foreach (var codec in p.Codecs!)
        {
            var codecKind = KindOfMimeType(codec.MimeType);
            if (codecKind != kind)
                throw new OrtcTypeError($"codec kind does not match producer kind [mimeType:{codec.MimeType}, kind:{kind.ToWire()}]");
        }

        var cname = transportCname;
        if (!pipeTransport)
        {
            if (string.IsNullOrEmpty(cname))
                cname = !string.IsNullOrEmpty(p.Rtcp!.Cname) ? p.Rtcp.Cname : Guid.NewGuid().ToString()[..8];
            p = p with { Rtcp = p.Rtcp! with { Cname = cname } };
        }

        var mapping = GetProducerRtpParametersMapping(p, routerRtpCapabilities, out p, random);
        var consumable = GetConsumableRtpParameters(kind, p, routerRtpCapabilities, mapping);
        var type = GetProducerType(p, mapping);
        return new ProducerRtp(p, mapping, consumable, type, cname ?? p.Rtcp!.Cname ?? "");
    }

    /// <summary>
    /// The worker-side checks of a producer's validated parameters and its mapping, returning its type
    /// (signalling.md §6.2.3–5): non-empty mid, no duplicate PT, RTX apt names a media codec, at least one
    /// media codec, encodings identified by ssrc/rid (or mid), no simulcast of SVC spatial layers, type
    /// allowed for the codec, extension ids ≠ 0.
    /// </summary>
    public static RtpType GetProducerType(RtpParameters parameters, RtpMapping mapping)
    {
        if (parameters.Mid is { Length: 0 }) throw new OrtcTypeError("empty mid");
        var codecs = parameters.Codecs!;
        var encodings = parameters.Encodings!;
        if (codecs.Count == 0) throw new OrtcTypeError("empty codecs");
        if (encodings.Count == 0) throw new OrtcTypeError("empty encodings");

        var seen = new HashSet<int>();
        foreach (var codec in codecs)
        {
            if (!seen.Add(codec.PayloadType!.Value)) throw new OrtcTypeError("duplicated payloadType");
            if (!IsRtx(codec.MimeType)) continue;
            var apt = codec.Parameters!["apt"];
            var target = codecs.FirstOrDefault(c => apt is { } a && c.PayloadType == a.AsNumber)
                ?? throw new OrtcTypeError("apt in RTX codec points to a non existing codec");
            if (IsRtx(target.MimeType)) throw new OrtcTypeError("apt in RTX codec points to a RTX codec");
        }

        var firstMedia = codecs.FirstOrDefault(c => IsMediaCodec(c.MimeType))
            ?? throw new OrtcTypeError("no media codecs found");

        foreach (var encoding in encodings)
        {
            if (ScalabilityMode.Parse(encoding.ScalabilityMode).SpatialLayers > 1 && encodings.Count > 1)
                throw new OrtcTypeError("cannot use both simulcast and encodings with multiple SVC spatial layers");
            if (encoding.CodecPayloadType is { } cpt)
            {
                var c = codecs.FirstOrDefault(x => x.PayloadType == cpt) ?? throw new OrtcTypeError("unknown codecPayloadType");
                if (!IsMediaCodec(c.MimeType)) throw new OrtcTypeError("invalid codecPayloadType");
            }
        }

        if (mapping.Encodings.Count != encodings.Count)
            throw new OrtcTypeError("rtpParameters.encodings size does not match rtpMapping.encodings size");
        foreach (var m in mapping.Encodings)
        {
            var identified = m.Ssrc is not null || !string.IsNullOrEmpty(m.Rid);
            if (encodings.Count > 1 && !identified)
                throw new OrtcTypeError("wrong entry in rtpMapping.encodings (missing ssrc or rid)");
            if (encodings.Count == 1 && !identified && string.IsNullOrEmpty(parameters.Mid))
                throw new OrtcTypeError("wrong entry in rtpMapping.encodings (missing ssrc or rid, or rtpParameters.mid)");
        }

        foreach (var ext in parameters.HeaderExtensions ?? [])
        {
            if (ext.Id == 0) throw new OrtcTypeError("RTP extension id cannot be 0");
        }

        RtpType type;
        if (encodings.Count > 1)
        {
            type = RtpType.Simulcast;
        }
        else
        {
            var encoding = encodings[0];
            var codec = encoding.CodecPayloadType is { } cpt ? codecs.First(c => c.PayloadType == cpt) : firstMedia;
            var layers = ScalabilityMode.Parse(encoding.ScalabilityMode);
            if (layers.SpatialLayers > 1 || layers.TemporalLayers > 1)
            {
                if (IsValidTypeForCodec(RtpType.Svc, codec.MimeType)) type = RtpType.Svc;
                else if (IsValidTypeForCodec(RtpType.Simulcast, codec.MimeType)) type = RtpType.Simulcast;
                else throw new OrtcTypeError("invalid RTP parameters");
            }
            else
            {
                type = RtpType.Simple;
            }
        }

        var media = encodings[0].CodecPayloadType is { } p0 ? codecs.First(c => c.PayloadType == p0) : firstMedia;
        if (!IsValidTypeForCodec(type, media.MimeType))
            throw new OrtcTypeError($"{media.MimeType} codec not supported for {(type == RtpType.Simulcast ? "simulcast" : "svc")}");
        return type;
    }

    /// <summary>Whether a producer of <paramref name="type"/> may use <paramref name="mimeType"/> (signalling.md §5.5).</summary>
    public static bool IsValidTypeForCodec(RtpType type, string? mimeType)
    {
        var mime = mimeType?.ToLowerInvariant();
        return type switch
        {
            RtpType.Simple or RtpType.Pipe => true,
            RtpType.Simulcast => mime is "video/vp8" or "video/h264",
            _ => mime is "video/vp8" or "video/vp9" or "video/h264" or "video/av1",
        };
    }

    // Media codec = not RTX, ULPFEC, FlexFEC or RED (as the worker's RtpCodecMimeType::IsMediaCodec).
    private static bool IsMediaCodec(string? mimeType)
    {
        if (IsRtx(mimeType)) return false;
        var sub = mimeType?[(mimeType.IndexOf('/') + 1)..].ToLowerInvariant();
        return sub is not ("ulpfec" or "flexfec" or "flexfec-03" or "red");
    }
}
