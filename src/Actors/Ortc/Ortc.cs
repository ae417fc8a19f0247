// mediasoup 3.27.1 node/src/ortc.ts (signalling.md §6): router capabilities, producer mapping,
// consumable / consumer / pipe-consumer parameters, canConsume and the codec matching rules.
// Runs at signalling time, so it allocates freely and throws OrtcException subclasses.
namespace AkkaSfu.Actors.Ortc;

/// <summary>mediasoup's ORTC rules as pure functions.</summary>
public static partial class Ortc
{
    /// <summary>Dynamic payload types in the order mediasoup hands them out.</summary>
    public static readonly IReadOnlyList<int> DynamicPayloadTypes =
    [
        100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114,
        115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 96, 97, 98, 99,
    ];

    /// <summary>
    /// Router capabilities for the configured media codecs (signalling.md §6.1): each codec matched to a
    /// supported one (mime, clock rate, channels), a payload type chosen, parameters overlaid, and an
    /// RTX codec added after each video codec; header extensions are the supported ones.
    /// </summary>
    public static RtpCapabilities GenerateRouterRtpCapabilities(IEnumerable<RouterRtpCodecCapability>? mediaCodecs)
    {
        var supported = SupportedRtpCapabilities.Value;
        var pool = new List<int>(DynamicPayloadTypes);
        var codecs = new List<RtpCodecCapability>();

        foreach (var configured in mediaCodecs ?? [])
        {
            var mediaCodec = ValidateRtpCodecCapability(configured?.ToCapability());
            var match = supported.Codecs!.FirstOrDefault(s => MatchCodecs(Key(mediaCodec), Key(s), strict: false, out _))
                ?? throw new OrtcUnsupportedError($"media codec not supported [mimeType:{mediaCodec.MimeType}]");

            int pt;
            if (mediaCodec.PreferredPayloadType is { } fixedPt)
            {
                pt = fixedPt;
                pool.Remove(pt);
            }
            else if (match.PreferredPayloadType is { } staticPt)
            {
                pt = staticPt;
            }
            else
            {
                pt = TakeDynamicPayloadType(pool);
            }

            if (codecs.Any(c => c.PreferredPayloadType == pt))
                throw new OrtcTypeError("duplicated codec.preferredPayloadType");

            var codec = match with
            {
                PreferredPayloadType = pt,
                Parameters = match.Parameters!.Merge(mediaCodec.Parameters!),
            };
            codecs.Add(codec);

            if (codec.Kind == MediaKind.Video)
            {
                codecs.Add(new RtpCodecCapability
                {
                    Kind = MediaKind.Video,
                    MimeType = "video/rtx",
                    PreferredPayloadType = TakeDynamicPayloadType(pool),
                    ClockRate = codec.ClockRate,
                    Parameters = ParameterMap.Of(("apt", pt)),
                    RtcpFeedback = [],
                });
            }
        }

        return new RtpCapabilities { Codecs = codecs, HeaderExtensions = supported.HeaderExtensions };
    }

    private static int TakeDynamicPayloadType(List<int> pool)
    {
        if (pool.Count == 0) throw new OrtcException("cannot allocate more dynamic codec payload types");
        var pt = pool[0];
        pool.RemoveAt(0);
        return pt;
    }

    /// <summary>As <see cref="GetProducerRtpParametersMapping(RtpParameters, RtpCapabilities, out RtpParameters, Random?)"/>, discarding the adjusted parameters.</summary>
    public static RtpMapping GetProducerRtpParametersMapping(RtpParameters parameters, RtpCapabilities caps, Random? random = null) =>
        GetProducerRtpParametersMapping(parameters, caps, out _, random);

    /// <summary>
    /// Maps a producer's (validated) codecs to router codecs by strict match and its encodings to router
    /// SSRCs (signalling.md §6.2.3–4). <paramref name="adjusted"/> is <paramref name="parameters"/> with
    /// H264 profile-level-id rewritten to the negotiated answer, as mediasoup does in place.
    /// </summary>
    public static RtpMapping GetProducerRtpParametersMapping(RtpParameters parameters, RtpCapabilities caps, out RtpParameters adjusted, Random? random = null)
    {
        var codecs = parameters.Codecs!.ToArray();
        var capCodecs = caps.Codecs ?? [];
        var mapped = new RtpCodecCapability?[codecs.Length];
        var mediaOrder = new List<int>();
        var rtxOrder = new List<int>();

        for (var i = 0; i < codecs.Length; i++)
        {
            if (IsRtx(codecs[i].MimeType)) continue;
            RtpCodecCapability? match = null;
            foreach (var cap in capCodecs)
            {
                if (MatchCodecs(Key(codecs[i]), Key(cap), strict: true, out var answerParams))
                {
                    match = cap;
                    codecs[i] = codecs[i] with { Parameters = answerParams };
                    break;
                }
            }
            mapped[i] = match ?? throw new OrtcUnsupportedError(
                $"unsupported codec [mimeType:{codecs[i].MimeType}, payloadType:{codecs[i].PayloadType}]");
            mediaOrder.Add(i);
        }

        for (var i = 0; i < codecs.Length; i++)
        {
            if (!IsRtx(codecs[i].MimeType)) continue;
            var apt = codecs[i].Parameters!["apt"];
            var media = Array.FindIndex(codecs, c => apt is { } a && a.IsNumber && c.PayloadType == a.AsNumber);
            if (media < 0)
                throw new OrtcTypeError($"missing media codec found for RTX PT {codecs[i].PayloadType}");
            var capMedia = mapped[media] ?? throw new OrtcTypeError("apt in RTX codec points to a RTX codec");
            mapped[i] = capCodecs.FirstOrDefault(c => IsRtx(c.MimeType) && AptIs(c.Parameters, capMedia.PreferredPayloadType))
                ?? throw new OrtcUnsupportedError($"no RTX codec for capability codec PT {capMedia.PreferredPayloadType}");
            rtxOrder.Add(i);
        }

        var codecMappings = mediaOrder.Concat(rtxOrder)
            .Select(i => new RtpCodecMapping(codecs[i].PayloadType!.Value, mapped[i]!.PreferredPayloadType!.Value))
            .ToArray();

        var mappedSsrc = (uint)NewRandomSsrc(random);
        var encodingMappings = (parameters.Encodings ?? []).Select(e => new RtpEncodingMapping
        {
            MappedSsrc = mappedSsrc++,
            Rid = string.IsNullOrEmpty(e.Rid) ? null : e.Rid,
            Ssrc = e.Ssrc is null or 0 ? null : e.Ssrc,
            ScalabilityMode = string.IsNullOrEmpty(e.ScalabilityMode) ? null : e.ScalabilityMode,
        }).ToArray();

        adjusted = parameters with { Codecs = codecs };
        return new RtpMapping { Codecs = codecMappings, Encodings = encodingMappings };
    }

    /// <summary>
    /// The parameters consumers are derived from (signalling.md §6.2.7): router codec identities with the
    /// producer's codec parameters, router RTX, router extensions of <paramref name="kind"/> usable towards
    /// consumers, producer encodings with router SSRCs, <c>rtcp {cname, reducedSize:true}</c>, msid.
    /// </summary>
    public static RtpParameters GetConsumableRtpParameters(MediaKind kind, RtpParameters parameters, RtpCapabilities caps, RtpMapping mapping)
    {
        var capCodecs = caps.Codecs ?? [];
        var codecs = new List<RtpCodecParameters>();
        foreach (var codec in parameters.Codecs!)
        {
            if (IsRtx(codec.MimeType)) continue;
            var pt = mapping.Codecs.First(m => m.PayloadType == codec.PayloadType).MappedPayloadType;
            var cap = capCodecs.First(c => c.PreferredPayloadType == pt);
            codecs.Add(new RtpCodecParameters
            {
                MimeType = cap.MimeType,
                PayloadType = pt,
                ClockRate = cap.ClockRate,
                Channels = cap.Channels,
                Parameters = codec.Parameters ?? ParameterMap.Empty,
                RtcpFeedback = cap.RtcpFeedback ?? [],
            });
            var rtx = capCodecs.FirstOrDefault(c => IsRtx(c.MimeType) && AptIs(c.Parameters, pt));
            if (rtx is not null)
            {
                codecs.Add(new RtpCodecParameters
                {
                    MimeType = rtx.MimeType,
                    PayloadType = rtx.PreferredPayloadType,
                    ClockRate = rtx.ClockRate,
                    Parameters = rtx.Parameters ?? ParameterMap.Empty,
                    RtcpFeedback = rtx.RtcpFeedback ?? [],
                });
            }
        }

        var producerUris = (parameters.HeaderExtensions ?? []).Select(e => e.Uri).ToHashSet(StringComparer.Ordinal);
        var exts = (caps.HeaderExtensions ?? [])
            .Where(e => e.Kind == kind &&
                        e.Direction is null or RtpHeaderExtensionDirection.SendRecv or RtpHeaderExtensionDirection.SendOnly &&
                        (e.Uri != SupportedRtpCapabilities.Uris.AbsCaptureTime || producerUris.Contains(e.Uri)))
            .Select(e => new RtpHeaderExtensionParameters
            {
                Uri = e.Uri,
                Id = e.PreferredId,
                Encrypt = e.PreferredEncrypt ?? false,
                Parameters = ParameterMap.Empty,
            })
            .ToArray();

        var encodings = (parameters.Encodings ?? []).Select((e, i) => e with
        {
            Rid = null,
            Rtx = null,
            CodecPayloadType = null,
            Ssrc = mapping.Encodings[i].MappedSsrc,
        }).ToArray();

        return new RtpParameters
        {
            Codecs = codecs,
            HeaderExtensions = exts,
            Encodings = encodings,
            Rtcp = new RtcpParameters { Cname = parameters.Rtcp?.Cname, ReducedSize = true },
            Msid = parameters.Msid,
        };
    }

    /// <summary>
    /// Whether a device with <paramref name="caps"/> can consume (signalling.md §6.3): some consumable codec
    /// strictly matches a capability and the first such is a media codec. Invalid caps give false.
    /// </summary>
    public static bool CanConsume(RtpParameters consumableParameters, RtpCapabilities? caps)
    {
        RtpCapabilities valid;
        try
        {
            valid = ValidateRtpCapabilities(caps);
        }
        catch (OrtcException)
        {
            return false;
        }
        var first = consumableParameters.Codecs!.FirstOrDefault(codec =>
            valid.Codecs!.Any(cap => MatchCodecs(Key(cap), Key(codec), strict: true, out _)));
        return first is not null && !IsRtx(first.MimeType);
    }

    /// <summary>
    /// A consumer's parameters for a remote device (signalling.md §6.4): codecs and feedback reduced to the
    /// device's, RTX kept if enabled and supported, extensions matched by (uri, id), transport-cc vs REMB,
    /// one encoding with a random SSRC (pipe: all encodings). <c>mid</c> is left for the transport to set.
    /// </summary>
    public static RtpParameters GetConsumerRtpParameters(
        RtpParameters consumableParameters, RtpCapabilities remoteRtpCapabilities, bool pipe, bool enableRtx, Random? random = null)
    {
        var remote = ValidateRtpCapabilities(remoteRtpCapabilities);
        var codecs = new List<RtpCodecParameters>();
        foreach (var codec in consumableParameters.Codecs!)
        {
            if (!enableRtx && IsRtx(codec.MimeType)) continue;
            var cap = remote.Codecs!.FirstOrDefault(c => MatchCodecs(Key(c), Key(codec), strict: true, out _));
            if (cap is null) continue;
            codecs.Add(codec with
            {
                RtcpFeedback = cap.RtcpFeedback!.Where(fb => enableRtx || fb.Type != "nack" || !string.IsNullOrEmpty(fb.Parameter)).ToArray(),
            });
        }

        var rtxSupported = false;
        for (var i = codecs.Count - 1; i >= 0; i--)
        {
            if (!IsRtx(codecs[i].MimeType)) continue;
            var apt = codecs[i].Parameters!["apt"];
            if (codecs.Any(c => apt is { } a && c.PayloadType == a.AsNumber)) rtxSupported = true;
            else codecs.RemoveAt(i);
        }

        if (codecs.Count == 0 || IsRtx(codecs[0].MimeType))
            throw new OrtcUnsupportedError("no compatible media codecs");

        var exts = (consumableParameters.HeaderExtensions ?? [])
            .Where(ext => remote.HeaderExtensions!.Any(cap => cap.PreferredId == ext.Id && cap.Uri == ext.Uri))
            .ToArray();

        Func<RtcpFeedback, bool> keep;
        if (exts.Any(e => e.Uri == SupportedRtpCapabilities.Uris.TransportWideCc01))
            keep = fb => fb.Type != "goog-remb";
        else if (exts.Any(e => e.Uri == SupportedRtpCapabilities.Uris.AbsSendTime))
            keep = fb => fb.Type != "transport-cc";
        else
            keep = fb => fb.Type != "transport-cc" && fb.Type != "goog-remb";
        for (var i = 0; i < codecs.Count; i++)
            codecs[i] = codecs[i] with { RtcpFeedback = codecs[i].RtcpFeedback!.Where(keep).ToArray() };

        var consumableEncodings = consumableParameters.Encodings ?? [];
        RtpEncodingParameters[] encodings;
        if (!pipe)
        {
            var ssrc = (uint)NewRandomSsrc(random);
            var scalabilityMode = consumableEncodings.FirstOrDefault(e => !string.IsNullOrEmpty(e.ScalabilityMode))?.ScalabilityMode;
            if (consumableEncodings.Count > 1)
                scalabilityMode = $"L{consumableEncodings.Count}T{ScalabilityMode.Parse(scalabilityMode).TemporalLayers}";
            var maxBitrate = consumableEncodings.Aggregate(0L, (max, e) => e.MaxBitrate is { } b && b > max ? b : max);
            encodings =
            [
                new RtpEncodingParameters
                {
                    Ssrc = ssrc,
                    Rtx = rtxSupported ? new RtxParameters(ssrc + 1) : null,
                    ScalabilityMode = scalabilityMode,
                    MaxBitrate = maxBitrate > 0 ? maxBitrate : null,
                },
            ];
        }
        else
        {
            encodings = WithFreshSsrcs(consumableEncodings, rtxSupported, random);
        }

        return new RtpParameters
        {
            Codecs = codecs,
            HeaderExtensions = exts,
            Encodings = encodings,
            Rtcp = consumableParameters.Rtcp,
            Msid = consumableParameters.Msid,
        };
    }

    /// <summary>
    /// A pipe consumer's parameters (mediasoup's getPipeConsumerRtpParameters): all codecs (RTX only if
    /// <paramref name="enableRtx"/>), feedback reduced to PLI/FIR (+NACK with RTX), no MID or BWE
    /// extensions, all encodings with fresh SSRCs.
    /// </summary>
    public static RtpParameters GetPipeConsumerRtpParameters(RtpParameters consumableParameters, bool enableRtx, Random? random = null)
    {
        var codecs = consumableParameters.Codecs!
            .Where(c => enableRtx || !IsRtx(c.MimeType))
            .Select(c => c with
            {
                RtcpFeedback = (c.RtcpFeedback ?? []).Where(fb =>
                    (fb.Type == "nack" && fb.Parameter == "pli") ||
                    (fb.Type == "ccm" && fb.Parameter == "fir") ||
                    (enableRtx && fb.Type == "nack" && string.IsNullOrEmpty(fb.Parameter))).ToArray(),
            })
            .ToArray();

        var exts = (consumableParameters.HeaderExtensions ?? [])
            .Where(e => e.Uri is not (SupportedRtpCapabilities.Uris.Mid or SupportedRtpCapabilities.Uris.AbsSendTime or SupportedRtpCapabilities.Uris.TransportWideCc01))
            .ToArray();

        var encodings = WithFreshSsrcs(consumableParameters.Encodings ?? [], enableRtx, random);

        return new RtpParameters
        {
            Codecs = codecs,
            HeaderExtensions = exts,
            Encodings = encodings,
            Rtcp = consumableParameters.Rtcp,
            Msid = consumableParameters.Msid,
        };
    }

    /// <summary>The encodings with consecutive fresh SSRCs (and RTX SSRCs when <paramref name="rtx"/>).</summary>
    private static RtpEncodingParameters[] WithFreshSsrcs(IEnumerable<RtpEncodingParameters> encodings, bool rtx, Random? random)
    {
        var baseSsrc = (uint)NewRandomSsrc(random);
        var baseRtxSsrc = (uint)NewRandomSsrc(random);
        return encodings.Select((e, i) => e with
        {
            Ssrc = baseSsrc + (uint)i,
            Rtx = rtx ? new RtxParameters(baseRtxSsrc + (uint)i) : null,
        }).ToArray();
    }

    /// <summary>A random SSRC / id in 100000000..999999999, as mediasoup's generateRandomNumber.</summary>
    public static int NewRandomSsrc(Random? random = null) => (random ?? Random.Shared).Next(100_000_000, 1_000_000_000);

    /// <summary>True for <c>audio/rtx</c> / <c>video/rtx</c> (any case).</summary>
    public static bool IsRtx(string? mimeType) =>
        mimeType is not null && mimeType.Length > 4 && mimeType.EndsWith("/rtx", StringComparison.OrdinalIgnoreCase);

    private static bool AptIs(ParameterMap? parameters, int? pt) =>
        parameters is not null && pt is not null && parameters.TryGetValue("apt", out var apt) && apt.IsNumber && apt.AsNumber == pt.Value;
}
