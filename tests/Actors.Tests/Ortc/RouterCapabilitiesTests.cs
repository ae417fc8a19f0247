using AkkaSfu.Actors.Ortc;
using Xunit;
using static AkkaSfu.Actors.Tests.Ortc.OrtcTestData;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Tests.Ortc;

public class RouterCapabilitiesTests
{
    [Fact]
    public void Demo_codecs_give_the_spec_5_1_router_codecs()
    {
        var caps = DemoRouterCaps();
        AssertJsonEqual(RouterCodecs, caps.Codecs!);
    }

    [Fact]
    public void Demo_h264_parameters_keep_supported_keys_first_and_json_types()
    {
        var h264 = DemoRouterCaps().Codecs!.First(c => c.PreferredPayloadType == 105);
        Assert.Equal(["level-asymmetry-allowed", "packetization-mode", "profile-level-id", "x-google-start-bitrate"], h264.Parameters!.Select(p => p.Key));
        Assert.True(h264.Parameters!["profile-level-id"]!.Value.IsString);
        Assert.True(h264.Parameters!["packetization-mode"]!.Value.IsNumber);
        Assert.Contains("\"profile-level-id\":\"4d0032\"", OrtcJson.Serialize(h264));
        Assert.Contains("\"packetization-mode\":1", OrtcJson.Serialize(h264));
    }

    [Fact]
    public void Header_extensions_follow_the_spec_5_1_table_in_order()
    {
        var exts = DemoRouterCaps().HeaderExtensions!;
        Assert.Equal(RouterExtensions.Length, exts.Count);
        for (var i = 0; i < exts.Count; i++)
        {
            var (id, uri, kind, direction) = RouterExtensions[i];
            Assert.Equal(id, exts[i].PreferredId);
            Assert.Equal(uri, exts[i].Uri);
            Assert.Equal(kind, exts[i].Kind);
            Assert.False(exts[i].PreferredEncrypt);
            Assert.Contains($"\"direction\":\"{direction}\"", OrtcJson.Serialize(exts[i]));
        }
        Assert.Equal(
            """{"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"}""",
            OrtcJson.Serialize(exts[0]));
    }

    [Fact]
    public void Configured_preferred_payload_type_is_kept_and_removed_from_the_pool()
    {
        var caps = OrtcRules.GenerateRouterRtpCapabilities(
        [
            new RouterRtpCodecCapability { MimeType = "video/VP8", ClockRate = 90000 },
            new RouterRtpCodecCapability { MimeType = "audio/opus", ClockRate = 48000, Channels = 2, PreferredPayloadType = 102 },
            new RouterRtpCodecCapability { MimeType = "audio/PCMU", ClockRate = 8000 },
        ]);
        Assert.Equal([100, 101, 102, 0], caps.Codecs!.Select(c => c.PreferredPayloadType!.Value));
        Assert.Equal("video/rtx", caps.Codecs![1].MimeType);
        Assert.Equal(100, caps.Codecs![1].Parameters!["apt"]!.Value.AsNumber);
        Assert.Null(caps.Codecs![0].Channels);
        Assert.Equal(1, caps.Codecs![3].Channels);
    }

    [Fact]
    public void Rtx_skips_a_payload_type_taken_later_by_configuration()
    {
        // 101 is removed from the pool only when opus is processed, after VP8's RTX took 101.
        var e = Assert.Throws<OrtcTypeError>(() => OrtcRules.GenerateRouterRtpCapabilities(
        [
            new RouterRtpCodecCapability { MimeType = "video/VP8", ClockRate = 90000 },
            new RouterRtpCodecCapability { MimeType = "audio/opus", ClockRate = 48000, Channels = 2, PreferredPayloadType = 101 },
        ]));
        Assert.Equal("duplicated codec.preferredPayloadType", e.Message);
    }

    [Fact]
    public void Mime_type_match_ignores_case_and_uses_the_supported_spelling()
    {
        var caps = OrtcRules.GenerateRouterRtpCapabilities([new RouterRtpCodecCapability { MimeType = "VIDEO/vp9", ClockRate = 90000 }]);
        Assert.Equal("video/VP9", caps.Codecs![0].MimeType);
        Assert.Equal(MediaKind.Video, caps.Codecs![0].Kind);
    }

    [Fact]
    public void Multiopus_matches_on_stream_counts()
    {
        var ok = OrtcRules.GenerateRouterRtpCapabilities([new RouterRtpCodecCapability
        {
            MimeType = "audio/multiopus", ClockRate = 48000, Channels = 6,
            Parameters = ParameterMap.Of(("num_streams", 4), ("coupled_streams", 2)),
        }]);
        Assert.Equal("0,4,1,2,3,5", ok.Codecs![0].Parameters!["channel_mapping"]!.Value.AsString);

        var e = Assert.Throws<OrtcUnsupportedError>(() => OrtcRules.GenerateRouterRtpCapabilities([new RouterRtpCodecCapability
        {
            MimeType = "audio/multiopus", ClockRate = 48000, Channels = 6,
            Parameters = ParameterMap.Of(("num_streams", 3), ("coupled_streams", 2)),
        }]));
        Assert.Equal("media codec not supported [mimeType:audio/multiopus]", e.Message);
    }

    public static TheoryData<string, string> BadMediaCodecs => new()
    {
        { """{"mimeType":"audio/foo","clockRate":48000}""", "media codec not supported [mimeType:audio/foo]" },
        { """{"mimeType":"audio/opus","clockRate":48000}""", "media codec not supported [mimeType:audio/opus]" },
        { """{"mimeType":"audio/opus","clockRate":44100,"channels":2}""", "media codec not supported [mimeType:audio/opus]" },
        { """{"mimeType":"video/H265","clockRate":90000}""", "media codec not supported [mimeType:video/H265]" },
        { """{"clockRate":90000}""", "missing codec.mimeType" },
        { """{"mimeType":"","clockRate":90000}""", "missing codec.mimeType" },
        { """{"mimeType":"text/plain","clockRate":90000}""", "invalid codec.mimeType" },
        { """{"mimeType":"audio/","clockRate":48000}""", "invalid codec.mimeType" },
        { """{"mimeType":"audio-opus","clockRate":48000}""", "invalid codec.mimeType" },
        { """{"mimeType":"videos/VP8","clockRate":90000}""", "invalid codec.mimeType" },
        { """{"mimeType":"VIDEO/H265","clockRate":90000}""", "media codec not supported [mimeType:VIDEO/H265]" },
        { """{"mimeType":"video/VP8"}""", "missing codec.clockRate" },
        { """{"mimeType":"video/rtx","clockRate":90000,"parameters":{"apt":"96"}}""", "invalid codec apt parameter" },
    };

    [Theory]
    [MemberData(nameof(BadMediaCodecs))]
    public void Bad_media_codec_throws_mediasoups_message(string codecJson, string message)
    {
        var codec = Parse<RouterRtpCodecCapability>(codecJson);
        var e = Assert.ThrowsAny<OrtcException>(() => OrtcRules.GenerateRouterRtpCapabilities([codec]));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Dynamic_payload_types_run_out()
    {
        // 16 video codecs need 32 dynamic PTs; the 17th has none left.
        var codecs = Enumerable.Range(0, 17).Select(_ => new RouterRtpCodecCapability { MimeType = "video/VP8", ClockRate = 90000 }).ToArray();
        var e = Assert.Throws<OrtcException>(() => OrtcRules.GenerateRouterRtpCapabilities(codecs));
        Assert.Equal("cannot allocate more dynamic codec payload types", e.Message);
        var caps = OrtcRules.GenerateRouterRtpCapabilities(codecs[..16]);
        Assert.Equal(OrtcRules.DynamicPayloadTypes, caps.Codecs!.Select(c => c.PreferredPayloadType!.Value));
    }

    [Fact]
    public void No_media_codecs_give_no_codecs_but_all_extensions()
    {
        var caps = OrtcRules.GenerateRouterRtpCapabilities(null);
        Assert.Empty(caps.Codecs!);
        Assert.Equal(RouterExtensions.Length, caps.HeaderExtensions!.Count);
    }
}
