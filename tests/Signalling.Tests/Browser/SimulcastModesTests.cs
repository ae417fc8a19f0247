using System.Text.Json;
using AkkaSfu.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>Simulcast webcams with and without a scalabilityMode in their encodings, each seen by two viewers.</summary>
public class SimulcastModesTests(ITestOutputHelper output)
{
    /// <summary>Encodings with only scaleResolutionDownBy and maxBitrate (&amp;encodings=plain), as many apps send.</summary>
    [Fact]
    public Task Simulcast_without_scalabilityMode_decodes_on_every_viewer() => EveryViewerDecodesAsync(output, "&encodings=plain");

    /// <summary>The page's default encodings (L1T3 each).</summary>
    [Fact]
    public Task Simulcast_with_the_default_encodings_decodes_on_every_viewer() => EveryViewerDecodesAsync(output, "");

    /// <summary>alice produces with the page options <paramref name="encodings"/>; bob and carol must decode at
    /// least 60 % of the frames she sends and, with <paramref name="atTopWidth"/>, at the width she sends (for
    /// SVC, the top spatial layer's: one outbound stream carries all of them).</summary>
    internal static async Task EveryViewerDecodesAsync(ITestOutputHelper output, string encodings, bool atTopWidth = false)
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        await using var browser = await Chromium.LaunchAsync();
        var room = "r" + Guid.NewGuid().ToString("N")[..6];

        var alice = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "alice", encodings + "&consume=0");
        await alice.WaitForFunctionAsync("() => window.akkasfu.producers.some(p => p.kind === 'video')", null, new() { Timeout = 20_000 });
        var aliceId = await ConferencePage.PeerIdAsync(alice);
        var viewers = new List<IPage>();
        foreach (var name in new[] { "bob", "carol" })
            viewers.Add(await ConferencePage.JoinAsync(browser, server.BaseAddress, room, name, "&produce=0"));

        // What mediasoup-client sent in produce, and what the browser is really sending per encoding.
        output.WriteLine("alice produces: " + await alice.EvaluateAsync<string>(
            "() => { const p = window.akkasfu.producers.find(p => p.kind === 'video').signalledRtpParameters; return JSON.stringify({ codec: p.codecs[0], encodings: p.encodings }); }"));
        var failures = new List<string>();
        try
        {
            for (var i = 0; i < viewers.Count; i++)
            {
                try { await ConferencePage.WaitForMediaAsync(viewers[i], $"viewer {i}", [aliceId], output, frames: 40, timeoutSec: 25); }
                catch (Xunit.Sdk.XunitException e) { failures.Add(e.Message); }
            }
            // Every frame alice sends on the forwarded (top) layer is decoded: all its temporal layers get through,
            // once each viewer's downlink estimate has grown to the stream (it starts at 1 Mbps; a 5 Mbps VP9 SVC
            // stream takes a few probes). Measured over 4 s windows, up to 5 of them.
            long Decoded(ConferencePage.ConsumerStat[] stats) => stats.SingleOrDefault(x => x.PeerId == aliceId && x.Kind == "video")?.FramesDecoded ?? 0;
            var windowFailures = new List<string>();
            for (var window = 0; window < 5; window++)
            {
                windowFailures.Clear();
                var before = await Task.WhenAll(viewers.Select(ConferencePage.StatsAsync));
                var t0 = DateTime.UtcNow;
                await Task.Delay(TimeSpan.FromSeconds(4));
                var after = await Task.WhenAll(viewers.Select(ConferencePage.StatsAsync));
                var seconds = (DateTime.UtcNow - t0).TotalSeconds;
                var aliceVideo = (await ConferencePage.ProducerStatsAsync(alice)).Where(p => p.Kind == "video").ToList();
                var sent = aliceVideo.Max(p => p.FramesPerSecond ?? 0);
                var topWidth = aliceVideo.Max(p => p.FrameWidth ?? 0);
                for (var i = 0; i < viewers.Count; i++)
                {
                    var fps = (Decoded(after[i]) - Decoded(before[i])) / seconds;
                    var width = after[i].SingleOrDefault(x => x.PeerId == aliceId && x.Kind == "video")?.FrameWidth;
                    output.WriteLine($"window {window}: viewer {i} decodes {fps:F1} fps of alice's {sent:F0}, {width} px wide (alice's top: {topWidth})");
                    if (fps < 0.6 * sent) windowFailures.Add($"viewer {i} decodes {fps:F1} fps, alice sends {sent:F0}");
                    if (atTopWidth && width != topWidth) windowFailures.Add($"viewer {i} decodes {width} px wide, alice's top layer is {topWidth}");
                }
                if (windowFailures.Count == 0) break;
            }
            failures.AddRange(windowFailures);
        }
        finally
        {
            output.WriteLine("alice sends: " + JsonSerializer.Serialize(await ConferencePage.ProducerStatsAsync(alice)));
            output.WriteLine("bob consumes: " + await viewers[0].EvaluateAsync<string>(
                "() => JSON.stringify(window.akkasfu.peers.flatMap(p => p.consumers).find(c => c.kind === 'video')?.rtpParameters)"));
            foreach (var (v, i) in viewers.Select((v, i) => (v, i)))
                output.WriteLine($"viewer {i}: " + JsonSerializer.Serialize(await ConferencePage.StatsAsync(v)));
            output.WriteLine(await ConferencePage.ServerDropsAsync(server.BaseAddress));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
