using System.Text.Json;
using AkkaSfu.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>The real conference page (mediasoup-client in Debian chromium) against the real server process.</summary>
public class ConferenceTests(ITestOutputHelper output)
{
    private Task<ConferencePage.ConsumerStat[]> WaitForMediaAsync(IPage page, string name, IEnumerable<string> others, int frames = 20) =>
        ConferencePage.WaitForMediaAsync(page, name, others, output, frames);

    [Fact]
    public async Task Three_peers_see_and_hear_each_other_and_a_late_fourth_gets_everyone()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        await using var browser = await Chromium.LaunchAsync();
        var room = "r" + Guid.NewGuid().ToString("N")[..6];

        var a = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "alice", "&simulcast=0");
        var b = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "bob", "&simulcast=0");
        var c = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "carol", "&simulcast=0");
        var ids = new Dictionary<IPage, string> { [a] = await ConferencePage.PeerIdAsync(a), [b] = await ConferencePage.PeerIdAsync(b), [c] = await ConferencePage.PeerIdAsync(c) };

        foreach (var (page, id) in ids)
            await WaitForMediaAsync(page, id, ids.Values.Where(v => v != id));

        // The fake microphones beep: the room names a loudest speaker (activeSpeaker, 800 ms).
        await a.WaitForFunctionAsync("ids => ids.includes(window.akkasfu.activeSpeakerId)", ids.Values.ToArray(), new() { Timeout = 10_000 });

        var d = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "dave", "&simulcast=0");
        await WaitForMediaAsync(d, "dave", ids.Values);

        // Carol leaves: the others hear peerClosed, lose her consumers, keep the rest flowing.
        await c.EvaluateAsync("() => window.akkasfu.leave()");
        await a.WaitForFunctionAsync($"() => !window.akkasfu.peers.some(p => p.id === '{ids[c]}')", null, new() { Timeout = 10_000 });
        var before = await ConferencePage.StatsAsync(a);
        Assert.DoesNotContain(before, s => s.PeerId == ids[c]);
        var bobVideo = before.Single(s => s.PeerId == ids[b] && s.Kind == "video").FramesDecoded;
        await Task.Delay(2000);
        var after = await ConferencePage.StatsAsync(a);
        Assert.True(after.Single(s => s.PeerId == ids[b] && s.Kind == "video").FramesDecoded > bobVideo, "bob's video keeps flowing to alice");
    }

    [Fact]
    public async Task Simulcast_video_flows_and_a_paused_camera_is_paused_for_the_others()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        await using var browser = await Chromium.LaunchAsync();
        var room = "r" + Guid.NewGuid().ToString("N")[..6];
        var a = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "alice"); // 3-layer simulcast webcam
        var b = await ConferencePage.JoinAsync(browser, server.BaseAddress, room, "bob");
        var (idA, idB) = (await ConferencePage.PeerIdAsync(a), await ConferencePage.PeerIdAsync(b));
        await WaitForMediaAsync(b, "bob", [idA]);
        await WaitForMediaAsync(a, "alice", [idB]);

        long BobSeesAlice(ConferencePage.ConsumerStat[] stats) => stats.Single(x => x.PeerId == idA && x.Kind == "video").FramesDecoded;

        Assert.False(await a.EvaluateAsync<bool>("() => window.akkasfu.toggleCam()"));
        await b.WaitForFunctionAsync("async id => (await window.akkasfu.stats()).some(s => s.peerId === id && s.kind === 'video' && s.remotelyPaused)",
            idA, new() { Timeout = 10_000, PollingInterval = 200 });
        await Task.Delay(500);
        var paused = BobSeesAlice(await ConferencePage.StatsAsync(b));
        await Task.Delay(1500);
        Assert.InRange(BobSeesAlice(await ConferencePage.StatsAsync(b)) - paused, 0, 2);

        Assert.True(await a.EvaluateAsync<bool>("() => window.akkasfu.toggleCam()"));
        await b.WaitForFunctionAsync("async id => (await window.akkasfu.stats()).some(s => s.peerId === id && s.kind === 'video' && !s.remotelyPaused)",
            idA, new() { Timeout = 10_000, PollingInterval = 200 });
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (BobSeesAlice(await ConferencePage.StatsAsync(b)) < paused + 20)
        {
            Assert.True(DateTime.UtcNow < deadline, "alice's video did not come back after resume");
            await Task.Delay(300);
        }

        // What a person sees: bob's page with alice's tile.
        var shot = Path.Combine(AppContext.BaseDirectory, "conference-bob.png");
        await b.ScreenshotAsync(new() { Path = shot });
        output.WriteLine($"screenshot: {shot}");
        Assert.True(new FileInfo(shot).Length > 10_000);
    }
}
