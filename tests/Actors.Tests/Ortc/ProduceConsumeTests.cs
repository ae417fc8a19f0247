using AkkaSfu.Actors.Ortc;
using Xunit;
using static AkkaSfu.Actors.Tests.Ortc.OrtcTestData;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Tests.Ortc;

public class ProduceConsumeTests
{
    private static readonly RtpCapabilities Router = DemoRouterCaps();

    private static ProducerRtp Produce(MediaKind kind, string json, string? cname = null, int seed = 1) =>
        OrtcRules.PrepareProducer(kind, Parse<RtpParameters>(json), Router, cname, random: new Random(seed));

    [Fact]
    public void Chrome_simulcast_webcam_maps_to_router_pts_and_consecutive_ssrcs()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var baseSsrc = p.RtpMapping.Encodings[0].MappedSsrc;
        Assert.InRange(baseSsrc, 100_000_000u, 999_999_999u);
        AssertJsonEqual($$$"""
            {"codecs":[{"payloadType":96,"mappedPayloadType":101},{"payloadType":97,"mappedPayloadType":102}],
             "encodings":[{"rid":"r0","scalabilityMode":"L1T3","mappedSsrc":{{{baseSsrc}}}},
                          {"rid":"r1","scalabilityMode":"L1T3","mappedSsrc":{{{baseSsrc + 1}}}},
                          {"rid":"r2","scalabilityMode":"L1T3","mappedSsrc":{{{baseSsrc + 2}}}}]}
            """, p.RtpMapping);
        Assert.Equal(RtpType.Simulcast, p.Type);
        Assert.Equal("k3Fd9sPq1Zx0AbCd", p.Cname);
    }

    [Fact]
    public void Chrome_webcam_consumable_parameters_use_router_identities()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var b = p.RtpMapping.Encodings[0].MappedSsrc;
        AssertJsonEqual($$$"""
            {"codecs":[
               {"mimeType":"video/VP8","payloadType":101,"clockRate":90000,"parameters":{},
                "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""}]},
               {"mimeType":"video/rtx","payloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]}],
             "headerExtensions":[
               {"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},
               {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},
               {"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},
               {"uri":"urn:3gpp:video-orientation","id":8,"encrypt":false,"parameters":{}},
               {"uri":"urn:ietf:params:rtp-hdrext:toffset","id":9,"encrypt":false,"parameters":{}},
               {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}}],
             "encodings":[
               {"ssrc":{{{b}}},"dtx":false,"scalabilityMode":"L1T3","scaleResolutionDownBy":4,"maxBitrate":500000,"active":true},
               {"ssrc":{{{b + 1}}},"dtx":false,"scalabilityMode":"L1T3","scaleResolutionDownBy":2,"maxBitrate":1000000,"active":true},
               {"ssrc":{{{b + 2}}},"dtx":false,"scalabilityMode":"L1T3","scaleResolutionDownBy":1,"maxBitrate":5000000,"active":true}],
             "rtcp":{"cname":"k3Fd9sPq1Zx0AbCd","reducedSize":true},"msid":"s1 t1"}
            """, p.ConsumableRtpParameters);
    }

    [Fact]
    public void Spec_5_5_consumer_for_the_chrome_webcam()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var device = Parse<RtpCapabilities>(ChromeDeviceCaps);
        Assert.True(OrtcRules.CanConsume(p.ConsumableRtpParameters, device));

        var c = OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, device, pipe: false, enableRtx: true, random: new Random(7));
        var ssrc = c.Encodings![0].Ssrc!.Value;
        Assert.InRange(ssrc, 100_000_000u, 999_999_999u);
        AssertJsonEqual($$$"""
            {"codecs":[{"mimeType":"video/VP8","payloadType":101,"clockRate":90000,"parameters":{},"rtcpFeedback":[{"type":"transport-cc","parameter":""},{"type":"ccm","parameter":"fir"},{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"}]},
              {"mimeType":"video/rtx","payloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]}],
             "headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},
               {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},
               {"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},
               {"uri":"urn:3gpp:video-orientation","id":8,"encrypt":false,"parameters":{}},
               {"uri":"urn:ietf:params:rtp-hdrext:toffset","id":9,"encrypt":false,"parameters":{}},
               {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}}],
             "encodings":[{"ssrc":{{{ssrc}}},"rtx":{"ssrc":{{{ssrc + 1}}}},"scalabilityMode":"L3T3","maxBitrate":5000000}],
             "rtcp":{"cname":"k3Fd9sPq1Zx0AbCd","reducedSize":true},"msid":"s1 t1"}
            """, c);
        Assert.Null(c.Mid);
    }

    [Fact]
    public void Spec_5_5_mic_consumer_keeps_producer_parameters_nack_only_and_playout_delay_quirk()
    {
        var p = Produce(MediaKind.Audio, ChromeMic);
        Assert.Equal(RtpType.Simple, p.Type);
        Assert.Equal([new RtpCodecMapping(111, 100)], p.RtpMapping.Codecs);
        Assert.Equal(2345678901u, p.RtpMapping.Encodings[0].Ssrc);

        var c = OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, Parse<RtpCapabilities>(ChromeDeviceCaps), false, true, new Random(3));
        var ssrc = c.Encodings![0].Ssrc!.Value;
        AssertJsonEqual($$$"""
            {"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"minptime":10,"useinbandfec":1,"sprop-stereo":1,"usedtx":1},"rtcpFeedback":[{"type":"nack","parameter":""}]}],
             "headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},
               {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},
               {"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":6,"encrypt":false,"parameters":{}},
               {"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}}],
             "encodings":[{"ssrc":{{{ssrc}}}}],
             "rtcp":{"cname":"k3Fd9sPq1Zx0AbCd","reducedSize":true},"msid":"s1 t0"}
            """, c);
    }

    [Fact]
    public void Disabling_rtx_drops_rtx_codec_rtx_ssrc_and_plain_nack()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var c = OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, Parse<RtpCapabilities>(ChromeDeviceCaps), false, enableRtx: false);
        Assert.Single(c.Codecs!);
        Assert.Null(c.Encodings![0].Rtx);
        Assert.Equal(["transport-cc", "ccm fir", "nack pli"], c.Codecs![0].RtcpFeedback!.Select(f => (f.Type + " " + f.Parameter).Trim()));
    }

    public static TheoryData<string[], string[]> BweChoices => new()
    {
        { ["http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"], ["transport-cc", "ccm fir", "nack", "nack pli"] },
        { ["http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"], ["goog-remb", "ccm fir", "nack", "nack pli"] },
        { ["urn:ietf:params:rtp-hdrext:sdes:mid"], ["ccm fir", "nack", "nack pli"] },
    };

    [Theory]
    [MemberData(nameof(BweChoices))]
    public void Transport_cc_or_remb_follows_the_negotiated_extensions(string[] deviceUris, string[] expectedFeedback)
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var device = Parse<RtpCapabilities>(ChromeDeviceCaps);
        var routerIds = Router.HeaderExtensions!.Where(e => e.Kind == MediaKind.Video).ToDictionary(e => e.Uri!, e => e.PreferredId);
        device = device with
        {
            HeaderExtensions = deviceUris.Select(u => new RtpHeaderExtension { Kind = MediaKind.Video, Uri = u, PreferredId = routerIds[u] }).ToArray(),
        };
        var c = OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, device, false, true);
        Assert.Equal(expectedFeedback, c.Codecs![0].RtcpFeedback!.Select(f => (f.Type + " " + f.Parameter).Trim()));
        Assert.Equal(deviceUris.Length, c.HeaderExtensions!.Count);
    }

    [Fact]
    public void Extension_with_other_id_than_the_router_is_not_negotiated()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var device = Parse<RtpCapabilities>(ChromeDeviceCaps);
        device = device with { HeaderExtensions = device.HeaderExtensions!.Select(e => e.Uri == SupportedRtpCapabilities.Uris.VideoOrientation ? e with { PreferredId = 13 } : e).ToArray() };
        var c = OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, device, false, true);
        Assert.DoesNotContain(c.HeaderExtensions!, e => e.Uri == SupportedRtpCapabilities.Uris.VideoOrientation);
    }

    public static TheoryData<string, string?> ScalabilityModes => new()
    {
        { """[{"ssrc":11,"scalabilityMode":"L1T3"}]""", "L1T3" },
        { """[{"ssrc":11,"scalabilityMode":"L3T3_KEY"}]""", "L3T3_KEY" },
        { """[{"ssrc":11}]""", null },
        { """[{"rid":"a"},{"rid":"b"}]""", "L2T1" },
        { """[{"rid":"a"},{"rid":"b","scalabilityMode":"L1T2"},{"rid":"c","scalabilityMode":"L1T3"}]""", "L3T2" },
    };

    [Theory]
    [MemberData(nameof(ScalabilityModes))]
    public void Consumer_scalability_mode_follows_mediasoup(string encodingsJson, string? expected)
    {
        var json = ChromeWebcam.Replace(ChromeWebcamEncodings, encodingsJson);
        var p = Produce(MediaKind.Video, json);
        var c = OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, Parse<RtpCapabilities>(ChromeDeviceCaps), false, true);
        Assert.Equal(expected, c.Encodings![0].ScalabilityMode);
        Assert.Null(c.Encodings![0].MaxBitrate);
    }

    public static TheoryData<string, int[]> EngineTemporalLayers => new()
    {
        // Simulcast with no scalabilityMode: forwarded as L1T3 (Chrome's default), not mediasoup's literal L1T1.
        { """[{"rid":"r0"},{"rid":"r1"},{"rid":"r2"}]""", [3, 3, 3] },
        { """[{"rid":"r0","scalabilityMode":"L1T2"},{"rid":"r1"}]""", [2, 3] },
        { """[{"rid":"r0","scalabilityMode":"L1T1"},{"rid":"r1","scalabilityMode":"L1T1"}]""", [1, 1] },
        { """[{"rid":"r0","scalabilityMode":"L1T3"},{"rid":"r1","scalabilityMode":"L1T3"}]""", [3, 3] },
        // One encoding without a mode is a simple producer: nothing to filter.
        { """[{"ssrc":11}]""", [1] },
    };

    [Theory]
    [MemberData(nameof(EngineTemporalLayers))]
    public void Engine_temporal_layers_of_each_encoding(string encodingsJson, int[] expected)
    {
        var p = Produce(MediaKind.Video, ChromeWebcam.Replace(ChromeWebcamEncodings, encodingsJson));
        var settings = EngineParameters.ForProducer("p1", MediaKind.Video, p, paused: false);
        Assert.Equal(expected, settings.Encodings.Select(e => e.TemporalLayers));
    }

    private static string ChromeWebcamEncodings =>
        ChromeWebcam[ChromeWebcam.IndexOf("[{\"active\"", StringComparison.Ordinal)..(ChromeWebcam.IndexOf("],\n", ChromeWebcam.IndexOf("\"rid\":\"r2\"", StringComparison.Ordinal), StringComparison.Ordinal) + 1)];

    [Fact]
    public void Can_consume_false_without_matching_media_codec_or_with_invalid_caps()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var audioOnly = new RtpCapabilities { Codecs = Parse<RtpCapabilities>(ChromeDeviceCaps).Codecs!.Where(c => c.MimeType!.StartsWith("audio")).ToArray() };
        Assert.False(OrtcRules.CanConsume(p.ConsumableRtpParameters, audioOnly));
        var rtxOnly = new RtpCapabilities { Codecs = Parse<RtpCapabilities>(ChromeDeviceCaps).Codecs!.Where(c => c.MimeType == "video/rtx").ToArray() };
        Assert.False(OrtcRules.CanConsume(p.ConsumableRtpParameters, rtxOnly));
        Assert.False(OrtcRules.CanConsume(p.ConsumableRtpParameters, new RtpCapabilities { Codecs = [new RtpCodecCapability { MimeType = "video/VP8" }] }));
        Assert.False(OrtcRules.CanConsume(p.ConsumableRtpParameters, null));
        // PTs are not compared.
        var otherPt = new RtpCapabilities { Codecs = [new RtpCodecCapability { MimeType = "video/vp8", ClockRate = 90000, PreferredPayloadType = 120 }] };
        Assert.True(OrtcRules.CanConsume(p.ConsumableRtpParameters, otherPt));
    }

    [Fact]
    public void Consumer_without_compatible_codec_throws()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var rtxOnly = new RtpCapabilities { Codecs = Parse<RtpCapabilities>(ChromeDeviceCaps).Codecs!.Where(c => c.MimeType == "video/rtx").ToArray() };
        var e = Assert.Throws<OrtcUnsupportedError>(() => OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, rtxOnly, false, true));
        Assert.Equal("no compatible media codecs", e.Message);
    }

    [Fact]
    public void Pipe_consumer_keeps_all_encodings_and_drops_bwe_and_mid()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var c = OrtcRules.GetPipeConsumerRtpParameters(p.ConsumableRtpParameters, enableRtx: false, new Random(5));
        Assert.Single(c.Codecs!);
        Assert.Equal(["nack pli", "ccm fir"], c.Codecs![0].RtcpFeedback!.Select(f => (f.Type + " " + f.Parameter).Trim()));
        Assert.Equal([SupportedRtpCapabilities.Uris.VideoOrientation, SupportedRtpCapabilities.Uris.TimeOffset, SupportedRtpCapabilities.Uris.PlayoutDelay],
            c.HeaderExtensions!.Select(e => e.Uri));
        Assert.Equal(3, c.Encodings!.Count);
        Assert.Equal(c.Encodings[0].Ssrc + 2, c.Encodings[2].Ssrc);
        Assert.All(c.Encodings, e => Assert.Null(e.Rtx));

        var withRtx = OrtcRules.GetPipeConsumerRtpParameters(p.ConsumableRtpParameters, enableRtx: true);
        Assert.Equal(2, withRtx.Codecs!.Count);
        Assert.Equal(["nack", "nack pli", "ccm fir"], withRtx.Codecs![0].RtcpFeedback!.Select(f => (f.Type + " " + f.Parameter).Trim()));
        Assert.All(withRtx.Encodings!, e => Assert.NotNull(e.Rtx));
    }

    [Fact]
    public void Pipe_flag_on_consumer_parameters_keeps_all_encodings()
    {
        var p = Produce(MediaKind.Video, ChromeWebcam);
        var c = OrtcRules.GetConsumerRtpParameters(p.ConsumableRtpParameters, Parse<RtpCapabilities>(ChromeDeviceCaps), pipe: true, enableRtx: true);
        Assert.Equal(3, c.Encodings!.Count);
        Assert.Equal(c.Encodings[0].Ssrc + 1, c.Encodings[1].Ssrc);
        Assert.Equal(c.Encodings[0].Rtx!.Ssrc + 1, c.Encodings[1].Rtx!.Ssrc);
        Assert.Equal("L1T3", c.Encodings[0].ScalabilityMode);
    }
}
