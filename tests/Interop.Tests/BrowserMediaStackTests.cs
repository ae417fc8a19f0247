using System.Text.Json;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Srtp;
using Xunit.Abstractions;

namespace AkkaSfu.Interop.Tests;

using AkkaSfu.Tests.Browser;

/// <summary>Headless Chromium with a fake camera and microphone against a peer built only from src/Media:
/// ICE-lite, DTLS (we are the server), SRTP both ways. Our side must decrypt the browser's audio and video,
/// and the browser must decode its own video sent back by us under a new SSRC.</summary>
public class BrowserMediaStackTests(ITestOutputHelper output)
{
    private const uint EchoSsrc = 0x0A55F00D;

    private const string OfferScript = @"async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
        const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
        window.pc = pc;
        pc.ontrack = e => {
            if (e.track.kind !== 'video') return;
            const v = document.createElement('video');
            v.autoplay = true; v.muted = true; v.playsInline = true;
            v.srcObject = new MediaStream([e.track]);
            document.body.appendChild(v);
        };
        stream.getTracks().forEach(t => pc.addTrack(t, stream));
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        return offer.sdp;
    }";

    private const string StatsScript = @"async () => {
        const out = { framesDecoded: 0, srtpCipher: null, dtlsState: null, iceState: window.pc.iceConnectionState };
        (await window.pc.getStats()).forEach(r => {
            if (r.type === 'inbound-rtp' && r.kind === 'video') out.framesDecoded = r.framesDecoded || 0;
            if (r.type === 'transport') { out.srtpCipher = r.srtpCipher || null; out.dtlsState = r.dtlsState || null; }
        });
        return JSON.stringify(out);
    }";

    /// <summary>getStats' transport.srtpCipher uses the IANA DTLS-SRTP profile names (RFC 5764, RFC 7714).</summary>
    private static string IanaName(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
        SrtpProfile.AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        SrtpProfile.AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    private sealed record BrowserStats(int FramesDecoded, string? SrtpCipher, string? DtlsState, string IceState);

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    [InlineData(SrtpProfile.AeadAes256Gcm)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    public async Task Chromium_and_our_stack_exchange_SRTP_both_ways(SrtpProfile profile)
    {
        await using var browser = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync();

        var offerSdp = await page.EvaluateAsync<string>(OfferScript);
        var offer = TestSdp.ParseOffer(offerSdp);
        var audio = offer.Single(m => m.Kind == "audio");
        var video = offer.Single(m => m.Kind == "video");
        var fingerprintLine = offerSdp.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("a=fingerprint:", StringComparison.Ordinal));
        Assert.Equal(DtlsFingerprintError.None, DtlsFingerprint.TryParse(fingerprintLine.AsSpan("a=fingerprint:".Length), out var browserFingerprint));

        using var endpoint = new EchoEndpoint([profile], EchoSsrc, video.PayloadType("VP8"));
        endpoint.Start(browserFingerprint!);
        var answer = TestSdp.Answer(offer, endpoint.Port, endpoint.Ufrag, endpoint.Password, endpoint.Certificate.Sha256.ToString(), EchoSsrc);
        await page.EvaluateAsync("sdp => window.pc.setRemoteDescription({ type: 'answer', sdp })", answer);

        Assert.Equal(profile, await endpoint.Connected.WaitAsync(TimeSpan.FromSeconds(20)));

        BrowserStats stats;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(250);
            stats = JsonSerializer.Deserialize<BrowserStats>(await page.EvaluateAsync<string>(StatsScript), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        } while (stats.FramesDecoded < 30 && DateTime.UtcNow < deadline);

        output.WriteLine($"browser: {stats}; ours: ice={endpoint.IceState} stun={endpoint.StunAnswered} echoed={endpoint.Echoed} " +
                         $"rtcp={endpoint.RtcpDecrypted} keyframeRequests={endpoint.KeyFrameRequestsForwarded} " +
                         $"received={string.Join(", ", endpoint.Received.Select(kv => $"{kv.Key.Ssrc}/{kv.Key.PayloadType}:{kv.Value}"))}");

        // The browser decoded our re-encrypted copy of its own video, over the cipher we chose.
        Assert.True(stats.FramesDecoded >= 30, $"browser decoded {stats.FramesDecoded} frames of the echoed video");
        Assert.Equal(IanaName(profile), stats.SrtpCipher);
        Assert.Equal("connected", stats.DtlsState);

        // We decrypted its audio and video, with the SSRCs and payload types its offer announced.
        Assert.Equal(IceState.Completed, endpoint.IceState);
        Assert.True(endpoint.Received.GetValueOrDefault((audio.Ssrcs[0], audio.PayloadType("opus"))) > 20, "opus packets from the browser");
        Assert.True(endpoint.Received.GetValueOrDefault((video.Ssrcs[0], video.PayloadType("VP8"))) > 30, "VP8 packets from the browser");
        Assert.Equal(0, endpoint.RtpDecryptFailures);
        Assert.Equal(0, endpoint.RtcpDecryptFailures);
        Assert.True(endpoint.RtcpDecrypted > 0, "SRTCP from the browser");
        Assert.True(endpoint.Echoed > 30);
    }
}
