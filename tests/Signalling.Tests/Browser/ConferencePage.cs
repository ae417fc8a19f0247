using System.Text.Json;
using AkkaSfu.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>The conference page (real mediasoup-client) driven through its window.akkasfu test surface.</summary>
public static class ConferencePage
{
    public sealed record ConsumerStat(string ConsumerId, string PeerId, string Kind, long PacketsReceived, long FramesDecoded, bool RemotelyPaused);

    public static async Task<IPage> JoinAsync(BrowserSession browser, Uri server, string room, string name, string extra = "")
    {
        var page = await browser.Context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") Console.WriteLine($"[{name}] {m.Text}"); };
        await page.GotoAsync(new Uri(server, $"/?roomId={room}&displayName={name}&autojoin=1{extra}").ToString());
        await page.WaitForFunctionAsync("() => window.akkasfu && window.akkasfu.state === 'joined'", null, new() { Timeout = 20_000 });
        return page;
    }

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

    public static async Task<string> PeerIdAsync(IPage page) => await page.EvaluateAsync<string>("() => window.akkasfu.peerId");
}
