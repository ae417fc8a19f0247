using AkkaSfu.Actors.Ortc;
using Xunit;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Tests.Ortc;

public class CodecRulesTests
{
    public static TheoryData<string, H264Profile, int> ProfileLevelIds => new()
    {
        // RFC 6184 §8.1 examples and WebRTC's usual set.
        { "42e01f", H264Profile.ConstrainedBaseline, 31 },
        { "42c02a", H264Profile.ConstrainedBaseline, 42 },
        { "4d801f", H264Profile.ConstrainedBaseline, 31 },
        { "58c01f", H264Profile.ConstrainedBaseline, 31 },
        { "42001f", H264Profile.Baseline, 31 },
        { "58801f", H264Profile.Baseline, 31 },
        { "4d0032", H264Profile.Main, 50 },
        { "4d001f", H264Profile.Main, 31 },
        { "640032", H264Profile.High, 50 },
        { "640c1f", H264Profile.ConstrainedHigh, 31 },
        { "f4001f", H264Profile.PredictiveHigh444, 31 },
        { "42f00b", H264Profile.ConstrainedBaseline, H264ProfileLevelId.Level1b },
        { "42100b", H264Profile.Baseline, H264ProfileLevelId.Level1b },
        { "42e00b", H264Profile.ConstrainedBaseline, 11 },
        { "42E01F", H264Profile.ConstrainedBaseline, 31 },
        { "42e015", H264Profile.ConstrainedBaseline, 21 },
    };

    [Theory]
    [MemberData(nameof(ProfileLevelIds))]
    public void Profile_level_id_parses(string text, H264Profile profile, int level)
    {
        Assert.True(H264ProfileLevelId.TryParse(text, out var v));
        Assert.Equal(new H264ProfileLevelId(profile, level), v);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("42e01")]
    [InlineData("42e01f0")]
    [InlineData("zze01f")]
    [InlineData("000000")]
    [InlineData("42e0ff")] // level 25.5
    [InlineData("6e001f")] // unknown profile_idc
    [InlineData("64101f")] // High with unexpected constraint flags
    public void Malformed_profile_level_ids_are_rejected(string? text)
    {
        Assert.False(H264ProfileLevelId.TryParse(text, out _));
    }

    [Theory]
    [InlineData(H264Profile.ConstrainedBaseline, 31, "42e01f")]
    [InlineData(H264Profile.Main, 50, "4d0032")]
    [InlineData(H264Profile.High, 52, "640034")]
    [InlineData(H264Profile.ConstrainedHigh, 40, "640c28")]
    [InlineData(H264Profile.Baseline, 10, "42000a")]
    [InlineData(H264Profile.Main, H264ProfileLevelId.Level1b, "4d100b")]
    [InlineData(H264Profile.High, H264ProfileLevelId.Level1b, null)]
    public void Profile_level_id_prints(H264Profile profile, int level, string? expected)
    {
        Assert.Equal(expected, new H264ProfileLevelId(profile, level).ToProfileLevelIdString());
    }

    [Theory]
    // local, remote, answer (null = none); "-" = no match
    [InlineData("42e01f;1", "42e034;1", "42e01f")]
    [InlineData("42e034;1", "42e01f;1", "42e034")]
    [InlineData("42e034;1", "42e01f;0", "42e01f")]
    [InlineData("42e00b;0", "42f00b;0", "42f00b")]
    [InlineData("42f00b;0", "42e00a;0", "42e00a")]
    [InlineData(";0", "42e034;0", "42e01f")]
    [InlineData(";0", ";0", null)]
    [InlineData("42e01f;0", "4d001f;0", "-")]
    [InlineData("42e01f;0", "bogus;0", "-")]
    public void Answer_level_follows_level_asymmetry(string local, string remote, string? expected)
    {
        static ParameterMap P(string s)
        {
            var parts = s.Split(';');
            var map = ParameterMap.Of(("level-asymmetry-allowed", parts[1] == "1" ? 1 : 0));
            return parts[0].Length > 0 ? map.With("profile-level-id", parts[0]) : map;
        }

        var ok = H264ProfileLevelId.TryGenerateAnswer(P(local), P(remote), out var answer);
        if (expected == "-")
        {
            Assert.False(ok);
            return;
        }
        Assert.True(ok);
        Assert.Equal(expected, answer);
    }

    [Theory]
    [InlineData("L1T3", 1, 3, false)]
    [InlineData("L3T3_KEY", 3, 3, true)]
    [InlineData("S2T1", 2, 1, false)]
    [InlineData("L12T10", 12, 10, false)]
    [InlineData("L0T1", 1, 1, false)]
    [InlineData("foo", 1, 1, false)]
    [InlineData("", 1, 1, false)]
    [InlineData(null, 1, 1, false)]
    public void Scalability_modes_parse_like_mediasoup(string? mode, int spatial, int temporal, bool ksvc)
    {
        Assert.Equal(new ScalabilityMode(spatial, temporal, ksvc), ScalabilityMode.Parse(mode));
    }

    [Fact]
    public void Parameter_map_merge_overlays_in_javascript_order()
    {
        var a = ParameterMap.Of(("a", 1), ("b", "x"));
        var merged = a.Merge(ParameterMap.Of(("c", 3), ("a", "one")));
        Assert.Equal("""{"a":"one","b":"x","c":3}""", merged.ToString());
        Assert.Equal("""{"b":"x"}""", a.Without("a").ToString());
        Assert.Equal(ParameterMap.Of(("b", "x"), ("a", 1)), a);
        Assert.NotEqual(ParameterMap.Of(("a", "1"), ("b", "x")), a);
    }

    [Fact]
    public void Validate_capabilities_fills_mediasoup_defaults()
    {
        var caps = OrtcRules.ValidateRtpCapabilities(new RtpCapabilities
        {
            Codecs = [new RtpCodecCapability { MimeType = "audio/PCMU", ClockRate = 8000, Kind = MediaKind.Video, RtcpFeedback = [new RtcpFeedback("nack", null)] },
                      new RtpCodecCapability { MimeType = "video/VP8", ClockRate = 90000, Channels = 2 }],
            HeaderExtensions = [new RtpHeaderExtension { Kind = MediaKind.Audio, Uri = "urn:x", PreferredId = 3 }],
        });
        Assert.Equal(MediaKind.Audio, caps.Codecs![0].Kind);
        Assert.Equal(1, caps.Codecs![0].Channels);
        Assert.Equal("", caps.Codecs![0].RtcpFeedback![0].Parameter);
        Assert.Same(ParameterMap.Empty, caps.Codecs![0].Parameters);
        Assert.Null(caps.Codecs![1].Channels);
        Assert.Equal(RtpHeaderExtensionDirection.SendRecv, caps.HeaderExtensions![0].Direction);
        Assert.False(caps.HeaderExtensions![0].PreferredEncrypt);
        Assert.Empty(OrtcRules.ValidateRtpCapabilities(new RtpCapabilities()).Codecs!);
    }

    public static TheoryData<RtpHeaderExtension, string> BadCapabilityExtensions => new()
    {
        { new RtpHeaderExtension { Uri = "u", PreferredId = 1 }, "invalid ext.kind" },
        { new RtpHeaderExtension { Kind = MediaKind.Video, PreferredId = 1 }, "missing ext.uri" },
        { new RtpHeaderExtension { Kind = MediaKind.Video, Uri = "u" }, "missing ext.preferredId" },
    };

    [Theory]
    [MemberData(nameof(BadCapabilityExtensions))]
    public void Bad_capability_extensions_throw(RtpHeaderExtension ext, string message)
    {
        var e = Assert.Throws<OrtcTypeError>(() => OrtcRules.ValidateRtpCapabilities(new RtpCapabilities { HeaderExtensions = [ext] }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Validate_rtcp_defaults_reduced_size_and_encoding_dtx()
    {
        Assert.True(OrtcRules.ValidateRtcpParameters(new RtcpParameters()).ReducedSize);
        Assert.False(OrtcRules.ValidateRtcpParameters(new RtcpParameters { ReducedSize = false }).ReducedSize);
        Assert.False(OrtcRules.ValidateRtpEncodingParameters(new RtpEncodingParameters()).Dtx);
        Assert.True(OrtcRules.ValidateRtpEncodingParameters(new RtpEncodingParameters { Dtx = true }).Dtx);
    }
}
