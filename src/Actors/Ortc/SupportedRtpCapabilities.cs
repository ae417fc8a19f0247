// mediasoup 3.27.1 node/src/supportedRtpCapabilities.ts, as fixed by signalling.md §6.1 (codecs) and
// §5.1 (header extension ids / directions). packet-id (id 12, "MAY omit") is omitted.
namespace AkkaSfu.Actors.Ortc;

/// <summary>Everything the SFU can route; router capabilities are chosen from these.</summary>
public static class SupportedRtpCapabilities
{
    /// <summary>URIs of the header extensions the ORTC rules refer to.</summary>
    public static class Uris
    {
        /// <summary>RFC 8843 MID.</summary>
        public const string Mid = "urn:ietf:params:rtp-hdrext:sdes:mid";
        /// <summary>RFC 8852 RID.</summary>
        public const string RtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
        /// <summary>RFC 8852 repaired RID.</summary>
        public const string RepairedRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
        /// <summary>abs-send-time (REMB).</summary>
        public const string AbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
        /// <summary>transport-wide-cc-01.</summary>
        public const string TransportWideCc01 = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
        /// <summary>RFC 6464 audio level.</summary>
        public const string SsrcAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
        /// <summary>AV1 dependency descriptor.</summary>
        public const string DependencyDescriptor = "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
        /// <summary>3GPP CVO.</summary>
        public const string VideoOrientation = "urn:3gpp:video-orientation";
        /// <summary>RFC 5450 transmission time offset.</summary>
        public const string TimeOffset = "urn:ietf:params:rtp-hdrext:toffset";
        /// <summary>abs-capture-time.</summary>
        public const string AbsCaptureTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";
        /// <summary>playout-delay.</summary>
        public const string PlayoutDelay = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
    }

    private static readonly RtcpFeedback[] AudioNackTcc = [new("nack"), new("transport-cc")];
    private static readonly RtcpFeedback[] AudioTcc = [new("transport-cc")];
    private static readonly RtcpFeedback[] VideoFb =
        [new("nack"), new("nack", "pli"), new("ccm", "fir"), new("goog-remb"), new("transport-cc")];

    /// <summary>The supported capabilities, already normalised (parameters <c>{}</c>, feedback parameter <c>""</c>).</summary>
    public static RtpCapabilities Value { get; } = new()
    {
        Codecs =
        [
            Audio("audio/opus", 48000, 2, AudioNackTcc),
            Audio("audio/multiopus", 48000, 4, AudioNackTcc, ParameterMap.Of(("channel_mapping", "0,1,2,3"), ("num_streams", 2), ("coupled_streams", 2))),
            Audio("audio/multiopus", 48000, 6, AudioNackTcc, ParameterMap.Of(("channel_mapping", "0,4,1,2,3,5"), ("num_streams", 4), ("coupled_streams", 2))),
            Audio("audio/multiopus", 48000, 8, AudioNackTcc, ParameterMap.Of(("channel_mapping", "0,6,1,2,3,4,5,7"), ("num_streams", 5), ("coupled_streams", 3))),
            Audio("audio/PCMU", 8000, 1, AudioTcc, pt: 0),
            Audio("audio/PCMA", 8000, 1, AudioTcc, pt: 8),
            Audio("audio/ISAC", 32000, 1, AudioTcc),
            Audio("audio/ISAC", 16000, 1, AudioTcc),
            Audio("audio/G722", 8000, 1, AudioTcc, pt: 9),
            Audio("audio/iLBC", 8000, 1, AudioTcc),
            Audio("audio/SILK", 24000, 1, AudioTcc),
            Audio("audio/SILK", 16000, 1, AudioTcc),
            Audio("audio/SILK", 12000, 1, AudioTcc),
            Audio("audio/SILK", 8000, 1, AudioTcc),
            Audio("audio/CN", 32000, 1, [], pt: 13),
            Audio("audio/CN", 16000, 1, [], pt: 13),
            Audio("audio/CN", 8000, 1, [], pt: 13),
            Audio("audio/telephone-event", 48000, 1, []),
            Audio("audio/telephone-event", 32000, 1, []),
            Audio("audio/telephone-event", 16000, 1, []),
            Audio("audio/telephone-event", 8000, 1, []),
            Video("video/VP8"),
            Video("video/VP9"),
            Video("video/H264", ParameterMap.Of(("level-asymmetry-allowed", 1))),
            Video("video/AV1"),
        ],
        HeaderExtensions =
        [
            Ext(MediaKind.Audio, Uris.Mid, 1),
            Ext(MediaKind.Video, Uris.Mid, 1),
            Ext(MediaKind.Video, Uris.RtpStreamId, 2, RtpHeaderExtensionDirection.RecvOnly),
            Ext(MediaKind.Video, Uris.RepairedRtpStreamId, 3, RtpHeaderExtensionDirection.RecvOnly),
            Ext(MediaKind.Audio, Uris.AbsSendTime, 4),
            Ext(MediaKind.Video, Uris.AbsSendTime, 4),
            // For audio, transport-wide-cc is only used when receiving (mediasoup's choice).
            Ext(MediaKind.Audio, Uris.TransportWideCc01, 5, RtpHeaderExtensionDirection.RecvOnly),
            Ext(MediaKind.Video, Uris.TransportWideCc01, 5),
            Ext(MediaKind.Audio, Uris.SsrcAudioLevel, 6),
            Ext(MediaKind.Video, Uris.DependencyDescriptor, 7, RtpHeaderExtensionDirection.RecvOnly),
            Ext(MediaKind.Video, Uris.VideoOrientation, 8),
            Ext(MediaKind.Video, Uris.TimeOffset, 9),
            Ext(MediaKind.Audio, Uris.AbsCaptureTime, 10),
            Ext(MediaKind.Video, Uris.AbsCaptureTime, 10),
            Ext(MediaKind.Audio, Uris.PlayoutDelay, 11),
            Ext(MediaKind.Video, Uris.PlayoutDelay, 11),
        ],
    };

    private static RtpCodecCapability Audio(string mime, int clockRate, int channels, RtcpFeedback[] fb, ParameterMap? parameters = null, int? pt = null) => new()
    {
        Kind = MediaKind.Audio,
        MimeType = mime,
        PreferredPayloadType = pt,
        ClockRate = clockRate,
        Channels = channels,
        Parameters = parameters ?? ParameterMap.Empty,
        RtcpFeedback = fb,
    };

    private static RtpCodecCapability Video(string mime, ParameterMap? parameters = null) => new()
    {
        Kind = MediaKind.Video,
        MimeType = mime,
        ClockRate = 90000,
        Parameters = parameters ?? ParameterMap.Empty,
        RtcpFeedback = VideoFb,
    };

    private static RtpHeaderExtension Ext(MediaKind kind, string uri, int id, RtpHeaderExtensionDirection direction = RtpHeaderExtensionDirection.SendRecv) => new()
    {
        Kind = kind,
        Uri = uri,
        PreferredId = id,
        PreferredEncrypt = false,
        Direction = direction,
    };
}
