using Microsoft.Playwright;

namespace AkkaSfu.Tests.Browser;

/// <summary>Launches Debian's chromium (never a downloaded browser) headless with fake media, a fresh profile
/// and the flags our WebRTC tests need.</summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--allow-loopback-in-peer-connection",
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>A headless browser context on a new empty profile directory, deleted on dispose.</summary>
    public static async Task<BrowserSession> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: run ./scripts/test.sh, which installs Debian's chromium");
        var profile = Directory.CreateTempSubdirectory("akkasfu-chromium-");
        var pw = await Playwright.CreateAsync();
        var context = await pw.Chromium.LaunchPersistentContextAsync(profile.FullName, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
        });
        return new BrowserSession(pw, context, profile);
    }
}

public sealed class BrowserSession(IPlaywright playwright, IBrowserContext context, DirectoryInfo profile) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    /// <summary>A page on a blank document at http://localhost/ (a secure context, so getUserMedia and
    /// WebRTC are available), served by Playwright itself: no server needed.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync();
        page.Console += (_, msg) => Console.WriteLine($"[chromium] {msg.Text}");
        await page.RouteAsync("http://localhost/blank", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = "<!doctype html><html><head><title>AkkaSfu test</title></head><body></body></html>",
        }));
        await page.GotoAsync("http://localhost/blank");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        playwright.Dispose();
        try { profile.Delete(recursive: true); } catch (IOException) { }
    }
}
