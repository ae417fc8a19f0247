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
    /// <param name="netns">Run Chromium inside this network namespace (<c>ip netns exec</c>, so root only): its
    /// only routes are the namespace's own, e.g. a shaped veth link (see Signalling.Tests' NetNamespace).</param>
    /// <param name="secureOrigins">Origins (<c>http://host:port</c>) to treat as secure contexts, for pages
    /// not served from localhost that need getUserMedia.</param>
    /// <param name="ignoreCertificateErrors">Accept any TLS certificate (tests of a server with its own self-signed
    /// one): <c>--ignore-certificate-errors</c> and Playwright's IgnoreHTTPSErrors. Tests only.</param>
    public static async Task<BrowserSession> LaunchAsync(string? netns = null, IEnumerable<Uri>? secureOrigins = null, bool ignoreCertificateErrors = false)
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: run ./scripts/test.sh, which installs Debian's chromium");
        var profile = Directory.CreateTempSubdirectory("akkasfu-chromium-");
        var executable = ExecutablePath;
        DirectoryInfo? wrapperDir = null;
        if (netns is not null)
        {
            if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("network namespaces need Linux");
            if (!System.Text.RegularExpressions.Regex.IsMatch(netns, "^[A-Za-z0-9_.-]+$"))
                throw new ArgumentException($"not a network namespace name: \"{netns}\"", nameof(netns));
            // Playwright talks to Chromium over fds 3 and 4 (--remote-debugging-pipe): exec keeps them.
            wrapperDir = Directory.CreateTempSubdirectory("akkasfu-chromium-netns-");
            executable = Path.Combine(wrapperDir.FullName, "chromium");
            await File.WriteAllTextAsync(executable, $"#!/bin/sh\nexec ip netns exec '{netns}' {ExecutablePath} \"$@\"\n");
            File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var origins = secureOrigins?.Select(o => o.GetLeftPart(UriPartial.Authority)).ToArray() ?? [];
        string[] args = origins.Length == 0 ? Args : [.. Args, "--unsafely-treat-insecure-origin-as-secure=" + string.Join(',', origins)];
        if (ignoreCertificateErrors) args = [.. args, "--ignore-certificate-errors"];
        var pw = await Playwright.CreateAsync();
        try
        {
            var context = await pw.Chromium.LaunchPersistentContextAsync(profile.FullName, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = args,
                IgnoreHTTPSErrors = ignoreCertificateErrors,
            });
            return new BrowserSession(pw, context, profile, wrapperDir);
        }
        catch
        {
            pw.Dispose();
            try { profile.Delete(recursive: true); wrapperDir?.Delete(recursive: true); } catch (IOException) { }
            throw;
        }
    }
}

public sealed class BrowserSession(IPlaywright playwright, IBrowserContext context, DirectoryInfo profile, DirectoryInfo? wrapperDir = null) : IAsyncDisposable
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
        try { profile.Delete(recursive: true); wrapperDir?.Delete(recursive: true); } catch (IOException) { }
    }
}
