namespace AkkaSfu.Interop.Tests;

using AkkaSfu.Tests.Browser;

public class ChromiumSmokeTests
{
    [Fact]
    public async Task Fake_camera_and_microphone_give_an_offer_with_audio_and_video()
    {
        await using var browser = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync();
        var sdp = await page.EvaluateAsync<string>(@"async () => {
            const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
            const pc = new RTCPeerConnection();
            stream.getTracks().forEach(t => pc.addTrack(t, stream));
            const offer = await pc.createOffer();
            pc.close();
            return offer.sdp;
        }");
        Assert.Contains("m=audio", sdp);
        Assert.Contains("m=video", sdp);
        Assert.Contains("a=fingerprint:sha-256", sdp);
    }
}
