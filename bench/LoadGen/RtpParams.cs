using System.Text.Json.Nodes;

namespace AkkaSfu.LoadGen;

/// <summary>Producer RtpParameters shaped like Chrome's through mediasoup-client (spec §5.4), and the streams
/// that send them.</summary>
public static class RtpParams
{
    public const byte OpusPt = 111, Vp8Pt = 96, Vp8RtxPt = 97;
    private const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
    private const string RidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    private const string RridUri = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    private const string AbsUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>A random SSRC in mediasoup-client's range.</summary>
    public static uint NewSsrc() => (uint)Random.Shared.Next(100_000_000, 999_999_999);

    /// <summary>Opus at 50 pps, ~160-byte payloads.</summary>
    public static (JsonObject Params, ProducerStream[] Streams) Audio(string mid, string cname)
    {
        var ssrc = NewSsrc();
        var p = new JsonObject
        {
            ["mid"] = mid,
            ["codecs"] = new JsonArray(new JsonObject
            {
                ["mimeType"] = "audio/opus", ["payloadType"] = OpusPt, ["clockRate"] = 48000, ["channels"] = 2,
                ["parameters"] = new JsonObject { ["minptime"] = 10, ["useinbandfec"] = 1 },
                ["rtcpFeedback"] = new JsonArray(new JsonObject { ["type"] = "transport-cc", ["parameter"] = "" }, new JsonObject { ["type"] = "nack", ["parameter"] = "" }),
            }),
            ["headerExtensions"] = new JsonArray(Ext(MidUri, SendExtIds.Mid), Ext(AbsUri, SendExtIds.AbsSendTime)),
            ["encodings"] = new JsonArray(new JsonObject { ["ssrc"] = ssrc, ["dtx"] = false }),
            ["rtcp"] = new JsonObject { ["cname"] = cname, ["reducedSize"] = true },
        };
        return (p, [new ProducerStream(MediaKind.Audio, ssrc, OpusPt, mid, null, 0, 50, 160)]);
    }

    /// <summary>VP8 at <paramref name="kbps"/> over <paramref name="pps"/> packets/s; simulcast splits both 1:2:4 over r0/r1/r2.</summary>
    public static (JsonObject Params, ProducerStream[] Streams) Video(string mid, string cname, int kbps, int pps, int fps, bool simulcast, double keyFrameIntervalSec = 0)
    {
        var encodings = new JsonArray();
        var streams = new List<ProducerStream>();
        var shares = simulcast ? new[] { 1 / 7.0, 2 / 7.0, 4 / 7.0 } : [1.0];
        for (var i = 0; i < shares.Length; i++)
        {
            var ssrc = NewSsrc();
            double encPps = Math.Max(fps / (simulcast ? 2.0 : 1.0), pps * shares[i]);
            int payload = (int)Math.Clamp(kbps * 1000.0 * shares[i] / 8 / encPps, Probe.Size + 16, 1150);
            string? rid = simulcast ? $"r{i}" : null;
            streams.Add(new ProducerStream(MediaKind.Video, ssrc, Vp8Pt, mid, rid, (byte)i, encPps, payload, fps)
            {
                RtxSsrc = simulcast ? null : ssrc + 1, RtxPayloadType = Vp8RtxPt,
                KeyFrameIntervalUs = (long)(keyFrameIntervalSec * 1_000_000),
            });
            var e = new JsonObject { ["active"] = true, ["dtx"] = false, ["maxBitrate"] = (int)(kbps * 1000 * shares[i]) };
            if (simulcast)
            {
                e["rid"] = rid;
                e["scaleResolutionDownBy"] = 1 << (2 - i);
                e["scalabilityMode"] = "L1T1";
            }
            else
            {
                e["ssrc"] = ssrc;
                e["rtx"] = new JsonObject { ["ssrc"] = ssrc + 1 };
            }
            encodings.Add(e);
        }
        var fb = new JsonArray(new JsonObject { ["type"] = "goog-remb", ["parameter"] = "" }, new JsonObject { ["type"] = "transport-cc", ["parameter"] = "" },
            new JsonObject { ["type"] = "ccm", ["parameter"] = "fir" }, new JsonObject { ["type"] = "nack", ["parameter"] = "" }, new JsonObject { ["type"] = "nack", ["parameter"] = "pli" });
        var exts = new JsonArray(Ext(MidUri, SendExtIds.Mid), Ext(AbsUri, SendExtIds.AbsSendTime));
        if (simulcast) { exts.Add(Ext(RidUri, SendExtIds.Rid)); exts.Add(Ext(RridUri, SendExtIds.RepairedRid)); }
        var p = new JsonObject
        {
            ["mid"] = mid,
            ["codecs"] = new JsonArray(
                new JsonObject { ["mimeType"] = "video/VP8", ["payloadType"] = Vp8Pt, ["clockRate"] = 90000, ["parameters"] = new JsonObject(), ["rtcpFeedback"] = fb },
                new JsonObject { ["mimeType"] = "video/rtx", ["payloadType"] = Vp8RtxPt, ["clockRate"] = 90000, ["parameters"] = new JsonObject { ["apt"] = Vp8Pt }, ["rtcpFeedback"] = new JsonArray() }),
            ["headerExtensions"] = exts,
            ["encodings"] = encodings,
            ["rtcp"] = new JsonObject { ["cname"] = cname, ["reducedSize"] = true },
        };
        return (p, streams.ToArray());
    }

    private static JsonObject Ext(string uri, byte id) => new() { ["uri"] = uri, ["id"] = id, ["encrypt"] = false, ["parameters"] = new JsonObject() };

    /// <summary>Reads a consumer's SSRCs and PTs from its rtpParameters (spec §5.5).</summary>
    public static ConsumerStream ParseConsumer(string id, string kind, JsonNode rtpParameters, string producerPeer, string producerId)
    {
        var codecs = rtpParameters["codecs"]!.AsArray();
        byte pt = (byte)codecs[0]!["payloadType"]!.GetValue<int>();
        byte? rtxPt = null;
        foreach (var c in codecs)
            if (string.Equals(c!["mimeType"]?.GetValue<string>(), kind + "/rtx", StringComparison.OrdinalIgnoreCase))
                rtxPt = (byte)c["payloadType"]!.GetValue<int>();
        var enc = rtpParameters["encodings"]![0]!;
        uint ssrc = enc["ssrc"]!.GetValue<uint>();
        uint? rtxSsrc = enc["rtx"]?["ssrc"]?.GetValue<uint>();
        return new ConsumerStream(id, kind == "audio" ? MediaKind.Audio : MediaKind.Video, ssrc, rtxSsrc, pt, rtxPt, producerPeer) { ProducerId = producerId };
    }
}
