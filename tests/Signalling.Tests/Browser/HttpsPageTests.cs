using System.Collections.Concurrent;
using AkkaSfu.Tests.Browser;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>The conference page served over HTTPS with the server's generated self-signed certificate: the
/// page's protoo socket is wss:// on the same port, and media flows as over http. Chromium ignores the
/// certificate error in this test only.</summary>
public class HttpsPageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_pages_over_https_signal_over_wss_and_decode_each_others_video()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" }, https: true);
        Assert.Equal("https", server.BaseAddress.Scheme);
        await using var browser = await Chromium.LaunchAsync(ignoreCertificateErrors: true);
        var sockets = new ConcurrentQueue<string>();
        browser.Context.Page += (_, p) => p.WebSocket += (_, ws) => sockets.Enqueue(ws.Url);
        var room = "r" + Guid.NewGuid().ToString("N")[..6];

        var a = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "alice", "&simulcast=0");
        var b = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "bob", "&simulcast=0");
        Assert.Equal("https:", await a.EvaluateAsync<string>("() => location.protocol"));
        Assert.True(await a.EvaluateAsync<bool>("() => window.isSecureContext"));
        var (idA, idB) = (await ConferencePage.PeerIdAsync(a), await ConferencePage.PeerIdAsync(b));

        await ConferencePage.WaitForMediaAsync(a, "alice", [idB], output);
        await ConferencePage.WaitForMediaAsync(b, "bob", [idA], output);

        var wsOrigin = $"wss://{server.BaseAddress.Authority}/";
        Assert.Equal(2, sockets.Count(u => u.StartsWith(wsOrigin, StringComparison.Ordinal)));
        Assert.DoesNotContain(sockets, u => u.StartsWith("ws://", StringComparison.Ordinal));
    }
}
