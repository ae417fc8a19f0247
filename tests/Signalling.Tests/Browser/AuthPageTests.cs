using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Tests.Auth;
using AkkaSfu.Tests.Browser;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>The conference page with room tokens on: a <c>token</c> page parameter goes into the protoo URL (its
/// peer id is the token's sub), and with none the page gets one from /dev/token when the server hands them out.</summary>
public class AuthPageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Pages_join_with_a_token_parameter_or_a_dev_token_and_a_bad_token_never_joins()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["AKKASFU_WORKERS"] = "1",
            ["AKKASFU_AUTH_SECRET"] = AuthServerFixture.Secret,
            ["AKKASFU_DEV_TOKENS"] = "1",
        }, "auth-page");
        await using var browser = await Chromium.LaunchAsync();
        var room = "r" + Guid.NewGuid().ToString("N")[..6];

        var token = AuthProbe.Token(room, "tokenholder", Grant.Publish | Grant.Subscribe);
        var a = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "alice", "&simulcast=0&token=" + Uri.EscapeDataString(token));
        Assert.Equal("tokenholder", await ConferencePage.PeerIdAsync(a));
        var b = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "bob", "&simulcast=0"); // dev token
        var idB = await ConferencePage.PeerIdAsync(b);
        await ConferencePage.WaitForMediaAsync(a, "alice", [idB], output);
        await ConferencePage.WaitForMediaAsync(b, "bob", ["tokenholder"], output);

        var bad = await browser.Context.NewPageAsync();
        var other = AuthProbe.Token(room, "someone", Grant.All, secret: "a-different-secret-a-different-secret");
        await bad.GotoAsync(new Uri(server.BaseAddress, $"/?roomId={room}&displayName=eve&autojoin=1&token={Uri.EscapeDataString(other)}").ToString());
        await bad.WaitForFunctionAsync("() => window.akkasfu && (window.akkasfu.lastError ?? '').includes('Cannot reach the signalling server')", null, new() { Timeout = 20_000 });
        Assert.NotEqual("joined", await bad.EvaluateAsync<string>("() => window.akkasfu.state"));
        Assert.DoesNotContain(await a.EvaluateAsync<string[]>("() => window.akkasfu.peers.map(p => p.id)"), id => id == "someone");
    }
}
