using AkkaSfu.Actors.Ortc;
using Xunit;
using static AkkaSfu.Actors.Tests.Ortc.OrtcTestData;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Tests.Ortc;

public class ProduceValidationTests
{
    private static readonly RtpCapabilities Router = DemoRouterCaps();

    private const string Vp8 = """{"mimeType":"video/VP8","payloadType":96,"clockRate":90000}""";
    private const string Rtx97 = """{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":96}}""";

    private static ProducerRtp Produce(MediaKind kind, string json, string? cname = "transport-cname") =>
        OrtcRules.PrepareProducer(kind, Parse<RtpParameters>(json), Router, cname);

    public static TheoryData<string, string, string> Failures => new()
    {
        // (kind, rtpParameters, exact message)
        { "video", """{"mid":"1"}""", "missing params.codecs" },
        { "video", """{"mid":"1","codecs":[{"payloadType":96,"clockRate":90000}]}""", "missing codec.mimeType" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"VP8","payloadType":96,"clockRate":90000}]}""", "invalid codec.mimeType" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/VP8","clockRate":90000}]}""", "missing codec.payloadType" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/VP8","payloadType":96}]}""", "missing codec.clockRate" },
        // Found probing the fuzz targets with large inputs: 12,000 opus codecs with PTs 0..11999 all passed.
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/VP8","payloadType":128,"clockRate":90000}]}""", "invalid codec.payloadType" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/VP8","payloadType":-1,"clockRate":90000}]}""", "invalid codec.payloadType" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}},{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":"96"}}]}""", "invalid codec apt parameter" },
        { "video", $$$"""{"mid":"1","codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"rtcpFeedback":[{"parameter":"pli"}]}]}""", "missing fb.type" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"headerExtensions":[{"id":1}]}""", "missing ext.uri" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid"}]}""", "missing ext.id" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"encodings":[{"ssrc":1,"rtx":{}}]}""", "missing encoding.rtx.ssrc" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/H265","payloadType":96,"clockRate":90000}]}""", "unsupported codec [mimeType:video/H265, payloadType:96]" },
        { "audio", """{"mid":"1","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000}]}""", "unsupported codec [mimeType:audio/opus, payloadType:111]" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000,"parameters":{"profile-id":0}}]}""", "unsupported codec [mimeType:video/VP9, payloadType:98]" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/H264","payloadType":98,"clockRate":90000,"parameters":{"packetization-mode":0,"profile-level-id":"42e01f"}}]}""", "unsupported codec [mimeType:video/H264, payloadType:98]" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/H264","payloadType":98,"clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"640032"}}]}""", "unsupported codec [mimeType:video/H264, payloadType:98]" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}},{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":95}}]}""", "missing media codec found for RTX PT 97" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}},{{{Rtx97}}},{"mimeType":"video/rtx","payloadType":98,"clockRate":90000,"parameters":{"apt":97}}]}""", "no RTX codec for capability codec PT 102" }, // as mediasoup: 97 is already mapped to router RTX 102
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}},{{{Vp8}}}]}""", "duplicated payloadType" },
        { "video", """{"mid":"1","codecs":[]}""", "empty codecs" },
        { "video", $$$"""{"mid":"","codecs":[{{{Vp8}}}]}""", "empty mid" },
        { "video", $$$"""{"codecs":[{{{Vp8}}}]}""", "wrong entry in rtpMapping.encodings (missing ssrc or rid, or rtpParameters.mid)" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"encodings":[{"rid":"a"},{"dtx":false}]}""", "wrong entry in rtpMapping.encodings (missing ssrc or rid)" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"encodings":[{"rid":"a","scalabilityMode":"L2T3"},{"rid":"b"}]}""", "cannot use both simulcast and encodings with multiple SVC spatial layers" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"encodings":[{"ssrc":5,"codecPayloadType":97}]}""", "unknown codecPayloadType" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}},{{{Rtx97}}}],"encodings":[{"ssrc":5,"codecPayloadType":97}]}""", "invalid codecPayloadType" },
        { "video", $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":0}]}""", "RTP extension id cannot be 0" },
        { "video", """{"mid":"1","codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000,"parameters":{"profile-id":2}}],"encodings":[{"rid":"a"},{"rid":"b"}]}""", "video/VP9 codec not supported for simulcast" },
        { "audio", """{"mid":"1","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2}],"encodings":[{"rid":"a"},{"rid":"b"}]}""", "audio/opus codec not supported for simulcast" },
        { "audio", """{"mid":"1","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2}],"encodings":[{"ssrc":1,"scalabilityMode":"L1T2"}]}""", "invalid RTP parameters" },
        { "audio", $$$"""{"mid":"1","codecs":[{{{Vp8}}}]}""", "codec kind does not match producer kind [mimeType:video/VP8, kind:audio]" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Invalid_producer_parameters_throw_mediasoups_message(string kind, string json, string message)
    {
        var e = Assert.ThrowsAny<OrtcException>(() => Produce(MediasKind(kind), json));
        Assert.Equal(message, e.Message);
    }

    private static MediaKind MediasKind(string kind) => MediaKinds.Parse(kind);

    [Fact]
    public void Unknown_kind_is_rejected()
    {
        var e = Assert.Throws<OrtcTypeError>(() => MediaKinds.Parse("data"));
        Assert.Equal("invalid kind \"data\"", e.Message);
    }

    [Fact]
    public void Unsupported_codec_is_an_unsupported_error_and_bad_shape_a_type_error()
    {
        Assert.Throws<OrtcUnsupportedError>(() => Produce(MediaKind.Video, """{"mid":"1","codecs":[{"mimeType":"video/H265","payloadType":96,"clockRate":90000}]}"""));
        Assert.Throws<OrtcTypeError>(() => Produce(MediaKind.Video, """{"mid":"1"}"""));
    }

    [Fact]
    public void Missing_encodings_become_one_empty_encoding_identified_by_mid()
    {
        var p = Produce(MediaKind.Video, $$$"""{"mid":"1","codecs":[{{{Vp8}}}]}""");
        var e = Assert.Single(p.RtpParameters.Encodings!);
        Assert.Null(e.Ssrc);
        Assert.False(e.Dtx);
        Assert.Single(p.RtpMapping.Encodings);
        Assert.Equal(RtpType.Simple, p.Type);
        Assert.Equal(e with { Ssrc = p.RtpMapping.Encodings[0].MappedSsrc }, p.ConsumableRtpParameters.Encodings![0]);
    }

    [Fact]
    public void Transport_cname_wins_then_producer_cname_then_random()
    {
        const string json = $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"rtcp":{"cname":"mine"}}""";
        Assert.Equal("transport-cname", Produce(MediaKind.Video, json).RtpParameters.Rtcp!.Cname);
        Assert.Equal("mine", Produce(MediaKind.Video, json, cname: null).Cname);
        var random = Produce(MediaKind.Video, $$$"""{"mid":"1","codecs":[{{{Vp8}}}]}""", cname: null);
        Assert.Equal(8, random.Cname.Length);
        Assert.Equal(random.Cname, random.ConsumableRtpParameters.Rtcp!.Cname);
        Assert.True(random.RtpParameters.Rtcp!.ReducedSize);
        var pipe = OrtcRules.PrepareProducer(MediaKind.Video, Parse<RtpParameters>(json), Router, "transport-cname", pipeTransport: true);
        Assert.Equal("mine", pipe.RtpParameters.Rtcp!.Cname);
    }

    public static TheoryData<string, string, int, string> H264Producers => new()
    {
        // Chrome's offer level, expected mapped router PT, and the level-answer written into the producer.
        { "42e01f", "\"level-asymmetry-allowed\":1,", 107, "42e01f" },
        { "42e034", "\"level-asymmetry-allowed\":1,", 107, "42e034" },
        { "42e034", "", 107, "42e01f" },
        { "4d001f", "\"level-asymmetry-allowed\":1,", 105, "4d001f" },
        { "4d0034", "", 105, "4d0032" },
    };

    [Theory]
    [MemberData(nameof(H264Producers))]
    public void H264_maps_by_profile_and_takes_the_answer_level(string profileLevelId, string asymmetry, int routerPt, string answer)
    {
        var p = Produce(MediaKind.Video, $$$"""
            {"mid":"1","codecs":[{"mimeType":"video/H264","payloadType":109,"clockRate":90000,
              "parameters":{{{{asymmetry}}}"packetization-mode":1,"profile-level-id":"{{{profileLevelId}}}"}}]}
            """);
        Assert.Equal(routerPt, p.RtpMapping.Codecs[0].MappedPayloadType);
        Assert.Equal(ParamValue.Of(answer), p.RtpParameters.Codecs![0].Parameters!["profile-level-id"]);
        Assert.Equal(ParamValue.Of(answer), p.ConsumableRtpParameters.Codecs![0].Parameters!["profile-level-id"]);
    }

    [Fact]
    public void Numeric_looking_strings_compare_numerically()
    {
        var p = Produce(MediaKind.Video, """{"mid":"1","codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000,"parameters":{"profile-id":"2"}}]}""");
        Assert.Equal(103, p.RtpMapping.Codecs[0].MappedPayloadType);
        Assert.Equal(ParamValue.Of("2"), p.ConsumableRtpParameters.Codecs![0].Parameters!["profile-id"]);
    }

    [Fact]
    public void Vp8_single_encoding_with_temporal_layers_is_svc_and_vp9_l3t3_key_is_svc()
    {
        Assert.Equal(RtpType.Svc, Produce(MediaKind.Video, $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"encodings":[{"ssrc":5,"scalabilityMode":"L1T3"}]}""").Type);
        var vp9 = Produce(MediaKind.Video, """
            {"mid":"2","codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000,"parameters":{"profile-id":2}},
              {"mimeType":"video/rtx","payloadType":99,"clockRate":90000,"parameters":{"apt":98}}],
             "encodings":[{"ssrc":5,"rtx":{"ssrc":6},"scalabilityMode":"L3T3_KEY"}]}
            """);
        Assert.Equal(RtpType.Svc, vp9.Type);
        Assert.Equal([new RtpCodecMapping(98, 103), new RtpCodecMapping(99, 104)], vp9.RtpMapping.Codecs);
        Assert.Null(vp9.ConsumableRtpParameters.Encodings![0].Rtx);
        var c = OrtcRules.GetConsumerRtpParameters(vp9.ConsumableRtpParameters, Router, false, true);
        Assert.Equal("L3T3_KEY", c.Encodings![0].ScalabilityMode);
    }

    [Fact]
    public void Abs_capture_time_reaches_consumers_only_if_the_producer_sends_it()
    {
        var without = Produce(MediaKind.Video, $$$"""{"mid":"1","codecs":[{{{Vp8}}}]}""");
        Assert.DoesNotContain(without.ConsumableRtpParameters.HeaderExtensions!, e => e.Uri == SupportedRtpCapabilities.Uris.AbsCaptureTime);
        var with = Produce(MediaKind.Video, $$$"""{"mid":"1","codecs":[{{{Vp8}}}],"headerExtensions":[{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time","id":9}]}""");
        var ext = Assert.Single(with.ConsumableRtpParameters.HeaderExtensions!, e => e.Uri == SupportedRtpCapabilities.Uris.AbsCaptureTime);
        Assert.Equal(10, ext.Id);
    }

    [Fact]
    public void Ffmpeg_broadcaster_producers_map()
    {
        // signalling.md §7 ffmpeg recipe: lower-case mime, no mid, ssrc only.
        var audio = Produce(MediaKind.Audio, """{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"sprop-stereo":1}}],"encodings":[{"ssrc":1111}]}""", null);
        var video = Produce(MediaKind.Video, """{"codecs":[{"mimeType":"video/vp8","payloadType":101,"clockRate":90000}],"encodings":[{"ssrc":2222}]}""", null);
        Assert.Equal([new RtpCodecMapping(100, 100)], audio.RtpMapping.Codecs);
        Assert.Equal([new RtpCodecMapping(101, 101)], video.RtpMapping.Codecs);
        Assert.Equal(2222u, video.RtpMapping.Encodings[0].Ssrc);
        Assert.Equal("video/VP8", video.ConsumableRtpParameters.Codecs![0].MimeType);
    }
}
