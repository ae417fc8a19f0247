using System.Text;

namespace AkkaSfu.Interop.Tests;

/// <summary>What the interop test needs from Chromium's offer: per m-section its kind, mid, the payload
/// type of a codec and the SSRCs it sends. The SFU itself never sees SDP (mediasoup-client turns it into
/// ORTC parameters); this exists only for the browser test.</summary>
public sealed record OfferedMedia(string Kind, string Mid, IReadOnlyDictionary<string, int> PayloadTypes, IReadOnlyList<uint> Ssrcs)
{
    public int PayloadType(string codec) =>
        PayloadTypes.TryGetValue(codec.ToUpperInvariant(), out var pt) ? pt : throw new InvalidOperationException($"{codec} not offered for {Kind}");
}

public static class TestSdp
{
    public static IReadOnlyList<OfferedMedia> ParseOffer(string sdp)
    {
        var result = new List<OfferedMedia>();
        string? kind = null, mid = null;
        Dictionary<string, int> pts = new();
        List<uint> ssrcs = new();

        void Flush()
        {
            if (kind is not null) result.Add(new OfferedMedia(kind, mid ?? "", pts, ssrcs));
            pts = new(); ssrcs = new(); mid = null;
        }

        foreach (var raw in sdp.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal)) { Flush(); kind = line[2..line.IndexOf(' ')]; }
            else if (line.StartsWith("a=mid:", StringComparison.Ordinal)) mid = line[6..];
            else if (line.StartsWith("a=rtpmap:", StringComparison.Ordinal))
            {
                // a=rtpmap:96 VP8/90000 — keep the first payload type per codec name.
                var sp = line.IndexOf(' ');
                var pt = int.Parse(line[9..sp]);
                var name = line[(sp + 1)..].Split('/')[0].ToUpperInvariant();
                pts.TryAdd(name, pt);
            }
            else if (line.StartsWith("a=ssrc:", StringComparison.Ordinal))
            {
                var ssrc = uint.Parse(line[7..line.IndexOf(' ')]);
                if (!ssrcs.Contains(ssrc)) ssrcs.Add(ssrc);
            }
        }
        Flush();
        return result;
    }

    /// <summary>An ice-lite answer: one BUNDLE transport on 127.0.0.1:<paramref name="port"/>, DTLS passive
    /// (the browser is DTLS client), opus received, VP8 received and sent back on <paramref name="sendSsrc"/>.
    /// No transport-cc or REMB is offered, so Chromium uses loss-based bandwidth estimation.</summary>
    public static string Answer(IReadOnlyList<OfferedMedia> offer, int port, string ufrag, string pwd, string fingerprint, uint sendSsrc)
    {
        var audio = offer.Single(m => m.Kind == "audio");
        var video = offer.Single(m => m.Kind == "video");
        var sb = new StringBuilder();
        void L(string s) => sb.Append(s).Append("\r\n");
        L("v=0");
        L("o=- 1 1 IN IP4 127.0.0.1");
        L("s=-");
        L("t=0 0");
        L("a=ice-lite");
        L($"a=group:BUNDLE {audio.Mid} {video.Mid}");
        L("a=msid-semantic: WMS *");
        foreach (var m in new[] { audio, video })
        {
            var pt = m == audio ? m.PayloadType("opus") : m.PayloadType("VP8");
            L($"m={m.Kind} 9 UDP/TLS/RTP/SAVPF {pt}");
            L("c=IN IP4 127.0.0.1");
            L($"a=mid:{m.Mid}");
            L($"a=ice-ufrag:{ufrag}");
            L($"a=ice-pwd:{pwd}");
            L($"a=fingerprint:{fingerprint}");
            L("a=setup:passive");
            L("a=rtcp-mux");
            L("a=rtcp-rsize");
            if (m == audio)
            {
                L($"a=rtpmap:{pt} opus/48000/2");
                L($"a=fmtp:{pt} minptime=10;useinbandfec=1");
                L("a=recvonly");
            }
            else
            {
                L($"a=rtpmap:{pt} VP8/90000");
                L($"a=rtcp-fb:{pt} nack");
                L($"a=rtcp-fb:{pt} nack pli");
                L($"a=rtcp-fb:{pt} ccm fir");
                L("a=sendrecv");
                L("a=msid:akkasfu-echo akkasfu-video");
                L($"a=ssrc:{sendSsrc} cname:akkasfu");
            }
            L($"a=candidate:1 1 udp 2130706431 127.0.0.1 {port} typ host");
            L("a=end-of-candidates");
        }
        return sb.ToString();
    }
}
