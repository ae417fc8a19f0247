using AkkaSfu.Actors.Ortc;
using Xunit;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Tests.Ortc;

/// <summary>AV1 in the default router codecs and its ORTC matching (AV1 RTP spec §7.2: "profile", default 0).</summary>
public class Av1CodecTests
{
    private static RtpCodecCapability Av1(ParameterMap? parameters = null) => new()
    {
        Kind = MediaKind.Video, MimeType = "video/AV1", ClockRate = 90000, Parameters = parameters ?? ParameterMap.Empty,
    };

    [Fact]
    public void Default_router_codecs_offer_AV1_after_H264_so_VP8_stays_the_first_video_codec()
    {
        var caps = OrtcRules.GenerateRouterRtpCapabilities(DefaultMediaCodecs.Value);
        var video = caps.Codecs!.Where(c => c.Kind == MediaKind.Video && !OrtcRules.IsRtx(c.MimeType)).Select(c => c.MimeType!.ToLowerInvariant()).ToList();
        Assert.Equal(["video/vp8", "video/vp9", "video/h264", "video/h264", "video/av1"], video);
        var av1 = caps.Codecs!.Single(c => c.MimeType == "video/AV1");
        Assert.Equal(90000, av1.ClockRate);
        Assert.NotNull(av1.PreferredPayloadType);
        // With its RTX, and the video feedback of the others (NACK, PLI, FIR, REMB, transport-cc).
        Assert.Contains(caps.Codecs!, c => OrtcRules.IsRtx(c.MimeType) && c.Parameters!["apt"]!.Value.AsNumber == av1.PreferredPayloadType);
        Assert.Contains(av1.RtcpFeedback!, f => f.Type == "nack" && f.Parameter == "pli");
        Assert.Contains(av1.RtcpFeedback!, f => f.Type == "transport-cc");
        // The dependency descriptor is offered for video (the browser sends it with AV1; see docs/architecture.md).
        Assert.Contains(caps.HeaderExtensions!, e => e.Kind == MediaKind.Video && e.Uri == SupportedRtpCapabilities.Uris.DependencyDescriptor);
    }

    [Theory]
    // a's profile, b's profile (null: absent), strict match
    [InlineData(null, null, true)]
    [InlineData(null, 0, true)]   // absent is profile 0
    [InlineData(0, 0, true)]
    [InlineData(1, 1, true)]
    [InlineData(0, 1, false)]
    [InlineData(null, 2, false)]
    public void Strict_matching_compares_the_AV1_profile(int? a, int? b, bool matches)
    {
        static ParameterMap P(int? profile) => profile is { } p ? ParameterMap.Of(("profile", p), ("level-idx", 5), ("tier", 0)) : ParameterMap.Empty;
        Assert.Equal(matches, OrtcRules.MatchCodecs(OrtcRules.Key(Av1(P(a))), OrtcRules.Key(Av1(P(b))), strict: true, out _));
        // Loose matching (router capabilities against media codecs) ignores it, as for VP9's profile-id.
        Assert.True(OrtcRules.MatchCodecs(OrtcRules.Key(Av1(P(a))), OrtcRules.Key(Av1(P(b))), strict: false, out _));
    }

    [Fact]
    public void Level_and_tier_do_not_decide_a_match()
    {
        var a = Av1(ParameterMap.Of(("level-idx", 5), ("tier", 0)));
        var b = Av1(ParameterMap.Of(("level-idx", 8), ("tier", 1)));
        Assert.True(OrtcRules.MatchCodecs(OrtcRules.Key(a), OrtcRules.Key(b), strict: true, out var parameters));
        Assert.Equal(a.Parameters, parameters);
    }
}
