using AkkaSfu.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>A remote tile's quality control (auto / low / high) and bitrate badge on the real page. Only the page's
/// side: the requests are accepted and the choice sticks; which layers the server then forwards is not asserted.</summary>
public class QualityControlTests(ITestOutputHelper output)
{
    private const string QualityOf = "id => window.akkasfu.peers.flatMap(p => p.consumers).find(c => c.id === id).quality";

    [Fact]
    public async Task A_viewer_sets_a_simulcast_tile_to_low_and_then_high_and_sees_its_bitrate()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        await using var browser = await Chromium.LaunchAsync();
        var room = "r" + Guid.NewGuid().ToString("N")[..6];
        var a = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "alice"); // 3-layer simulcast webcam
        var b = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "bob", "&produce=0");
        var idA = await ConferencePage.PeerIdAsync(a);
        var stats = await ConferencePage.WaitForMediaAsync(b, "bob", [idA], output);
        var video = stats.Single(s => s.PeerId == idA && s.Kind == "video").ConsumerId;
        var tile = b.Locator($".tile[data-key=\"peer:{idA}\"]");
        var select = tile.Locator("select.quality");

        Assert.Equal("auto", await b.EvaluateAsync<string>(QualityOf, video));
        Assert.Equal("auto", await select.InputValueAsync());
        Assert.Equal("Video quality for alice", await select.GetAttributeAsync("aria-label"));

        // Through the test surface: setConsumerPreferredLayers {0, 2} and setConsumerPriority 1, both accepted.
        Assert.True(await b.EvaluateAsync<bool>("id => window.akkasfu.setQuality(id, 'low')", video));
        Assert.Null(await b.EvaluateAsync<string?>("() => window.akkasfu.lastError"));
        Assert.Equal("low", await b.EvaluateAsync<string>(QualityOf, video));
        Assert.Equal("low", await select.InputValueAsync());

        // Through the control: a failed request would report an error and put the previous choice back.
        await select.SelectOptionAsync("high");
        await Task.Delay(1000);
        Assert.Null(await b.EvaluateAsync<string?>("() => window.akkasfu.lastError"));
        Assert.Equal("high", await b.EvaluateAsync<string>(QualityOf, video));

        // A quality the page does not know is refused before any request.
        var refused = await Assert.ThrowsAsync<PlaywrightException>(() => b.EvaluateAsync("id => window.akkasfu.setQuality(id, 'ultra')", video));
        Assert.Contains("quality must be one of", refused.Message);
        Assert.Equal("high", await b.EvaluateAsync<string>(QualityOf, video));

        // The bitrate badge comes from two getStats samples of bytesReceived (1.5 s apart).
        await b.WaitForFunctionAsync(
            "key => /^\\d+(\\.\\d)? (bps|kbps|Mbps)$/.test(document.querySelector(`.tile[data-key=\"${key}\"] .badge.bitrate`)?.textContent ?? '')",
            $"peer:{idA}", new() { Timeout = 10_000, PollingInterval = 250 });
        Assert.True(await b.EvaluateAsync<double>("id => window.akkasfu.peers.flatMap(p => p.consumers).find(c => c.id === id).bitrate", video) > 0);

        var shot = Path.Combine(AppContext.BaseDirectory, "quality-tile-bob.png");
        await tile.HoverAsync();
        await tile.ScreenshotAsync(new() { Path = shot });
        output.WriteLine($"screenshot: {shot}; tile badges: {await tile.Locator(".badges").InnerTextAsync()}");
    }
}
