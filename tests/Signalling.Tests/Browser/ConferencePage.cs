using System.Text.Json;
using AkkaSfu.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>The conference page (real mediasoup-client) driven through its window.akkasfu test surface.</summary>
public static class ConferencePage
{
    /// <summary>One entry of <c>window.akkasfu.stats()</c>: the consumer's inbound-rtp counters. The video-only
    /// fields (frame size and rate, freezes) are null for audio.</summary>
    public sealed record ConsumerStat(string ConsumerId, string PeerId, string Kind, long PacketsReceived, long FramesDecoded, bool RemotelyPaused,
        long BytesReceived = 0, int? FrameWidth = null, int? FrameHeight = null, double? FramesPerSecond = null,
        int? FreezeCount = null, double? TotalFreezesDuration = null, string? Codec = null, string? DecoderImplementation = null);

    public static async Task<IPage> JoinAsync(BrowserSession browser, Uri server, string room, string name, string extra = "")
    {
        var page = await browser.Context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") Console.WriteLine($"[{name}] {m.Text}"); };
        await page.GotoAsync(new Uri(server, $"/?roomId={room}&displayName={name}&autojoin=1{extra}").ToString());
        await page.WaitForFunctionAsync("() => window.akkasfu && window.akkasfu.state === 'joined'", null, new() { Timeout = 20_000 });
        return page;
    }

    /// <summary>One entry of <c>window.akkasfu.producerStats()</c>: an outbound stream of the page's own
    /// producers (one per simulcast encoding, named by its rid).</summary>
    public sealed record OutboundStat(string ProducerId, string Kind, string? Rid, long Ssrc, bool? Active, long BytesSent,
        int? FrameWidth, int? FrameHeight, double? FramesPerSecond, string? ScalabilityMode, string? QualityLimitationReason,
        long RetransmittedBytesSent = 0, string? Codec = null, string? EncoderImplementation = null)
    {
        /// <summary>Bytes of first transmissions only (what a consumer of this encoding is sent, before NACKs).</summary>
        public long MediaBytesSent => BytesSent - RetransmittedBytesSent;
    }

    public static async Task<OutboundStat[]> ProducerStatsAsync(IPage page) =>
        JsonSerializer.Deserialize<OutboundStat[]>(await page.EvaluateAsync<string>("async () => JSON.stringify(await window.akkasfu.producerStats())"),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    public static async Task<ConsumerStat[]> StatsAsync(IPage page) =>
        JsonSerializer.Deserialize<ConsumerStat[]>(await page.EvaluateAsync<string>("async () => JSON.stringify(await window.akkasfu.stats())"),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    /// <summary>Waits until every peer in <paramref name="others"/> gives this page decoded video and audio packets.</summary>
    public static async Task<ConsumerStat[]> WaitForMediaAsync(IPage page, string name, IEnumerable<string> others, ITestOutputHelper output, int frames = 20, int timeoutSec = 40)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSec);
        ConsumerStat[] stats;
        do
        {
            await Task.Delay(500);
            stats = await StatsAsync(page);
            var ok = others.All(o => stats.Any(s => s.PeerId == o && s.Kind == "video" && s.FramesDecoded >= frames)
                                  && stats.Any(s => s.PeerId == o && s.Kind == "audio" && s.PacketsReceived >= 20));
            if (ok) return stats;
        } while (DateTime.UtcNow < deadline);
        output.WriteLine($"{name}: {JsonSerializer.Serialize(stats)}");
        throw new Xunit.Sdk.XunitException($"{name} did not get media from all of [{string.Join(", ", others)}]");
    }

    /// <summary>The server's drop counters (akkasfu_worker_drops_total from /metrics), one line for a test log.</summary>
    public static async Task<string> ServerDropsAsync(Uri server)
    {
        using var http = new HttpClient { BaseAddress = server };
        var text = await http.GetStringAsync("/metrics");
        return "server drops: " + string.Join(", ", text.Split('\n').Where(l => l.StartsWith("akkasfu_worker_drops_total", StringComparison.Ordinal)));
    }

    /// <summary>The id of this page's consumer of <paramref name="peerId"/>'s <paramref name="kind"/>, or null.</summary>
    public static async Task<string?> ConsumerIdAsync(IPage page, string peerId, string kind = "video") =>
        await page.EvaluateAsync<string?>("([peer, kind]) => window.akkasfu.peers.find(p => p.id === peer)?.consumers.find(c => c.kind === kind)?.id ?? null",
            new[] { peerId, kind });

    public static async Task<string> PeerIdAsync(IPage page) => await page.EvaluateAsync<string>("() => window.akkasfu.peerId");
}
