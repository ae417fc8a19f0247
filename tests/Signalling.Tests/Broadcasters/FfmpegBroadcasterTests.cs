using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkkaSfu.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Broadcasters;

/// <summary>mediasoup-demo's broadcasters/ffmpeg.sh against the real server (signalling.md §7 last paragraph),
/// with a generated source, and the real conference page in Chromium as the viewer.</summary>
public class FfmpegBroadcasterTests(ITestOutputHelper output)
{
    private sealed record ConsumerStat(string ConsumerId, string PeerId, string Kind, long PacketsReceived, long FramesDecoded);

    private sealed record PlainTransport(string Id, string Ip, int Port, int RtcpPort);

    [Fact]
    public async Task A_browser_peer_decodes_the_video_and_receives_the_audio_of_an_ffmpeg_broadcaster()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" });
        await using var browser = await Chromium.LaunchAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var room = "ff" + Guid.NewGuid().ToString("N")[..6];
        var bid = Guid.NewGuid().ToString("N"); // ffmpeg.sh: 32 random characters

        // The viewer joins first, so it learns of the broadcaster by newPeer and gets its consumers from produce.
        var page = await browser.Context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") output.WriteLine($"[page] {m.Text}"); };
        await page.GotoAsync(new Uri(server.BaseAddress, $"/?roomId={room}&displayName=viewer&autojoin=1&simulcast=0").ToString());
        await page.WaitForFunctionAsync("() => window.akkasfu && window.akkasfu.state === 'joined'", null, new() { Timeout = 15_000 });

        // ffmpeg.sh's calls.
        (await http.GetAsync($"/rooms/{room}")).EnsureSuccessStatusCode();
        await PostAsync(http, $"/rooms/{room}/broadcasters", new { id = bid, displayName = "Broadcaster", device = new { name = "FFmpeg" } });
        await page.WaitForFunctionAsync($"() => window.akkasfu.peers.some(p => p.id === '{bid}' && p.displayName === 'Broadcaster' && p.device.flag === 'broadcaster')",
            null, new() { Timeout = 5_000 });
        var audio = JsonSerializer.Deserialize<PlainTransport>(await PostAsync(http, $"/rooms/{room}/broadcasters/{bid}/transports",
            new { type = "plain", comedia = true, rtcpMux = false }), JsonOptions)!;
        var video = JsonSerializer.Deserialize<PlainTransport>(await PostAsync(http, $"/rooms/{room}/broadcasters/{bid}/transports",
            new { type = "plain", comedia = true, rtcpMux = false }), JsonOptions)!;
        await PostAsync(http, $"/rooms/{room}/broadcasters/{bid}/transports/{audio.Id}/producers", JsonNode.Parse("""
            {"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"sprop-stereo":1}}],"encodings":[{"ssrc":1111}]}}
            """)!);
        await PostAsync(http, $"/rooms/{room}/broadcasters/{bid}/transports/{video.Id}/producers", JsonNode.Parse("""
            {"kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/vp8","payloadType":101,"clockRate":90000}],"encodings":[{"ssrc":2222}]}}
            """)!);

        using var ffmpeg = StartFfmpeg(audio, video);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            ConsumerStat[] stats;
            while (true)
            {
                await Task.Delay(500);
                stats = await StatsAsync(page);
                if (stats.Any(s => s.PeerId == bid && s.Kind == "video" && s.FramesDecoded >= 30)
                    && stats.Any(s => s.PeerId == bid && s.Kind == "audio" && s.PacketsReceived >= 50))
                {
                    output.WriteLine(JsonSerializer.Serialize(stats));
                    break;
                }
                if (ffmpeg.HasExited || DateTime.UtcNow > deadline)
                {
                    output.WriteLine(JsonSerializer.Serialize(stats));
                    Assert.Fail(ffmpeg.HasExited ? $"ffmpeg exited with {ffmpeg.ExitCode}" : "the viewer did not decode the broadcaster's media within 15 s");
                }
            }
        }
        finally
        {
            if (!ffmpeg.HasExited) ffmpeg.Kill(entireProcessTree: true);
            await ffmpeg.WaitForExitAsync();
        }

        // ffmpeg.sh's exit: DELETE; the viewer hears peerClosed.
        var deleted = await http.DeleteAsync($"/rooms/{room}/broadcasters/{bid}");
        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal("broadcaster deleted", await deleted.Content.ReadAsStringAsync());
        await page.WaitForFunctionAsync($"() => !window.akkasfu.peers.some(p => p.id === '{bid}')", null, new() { Timeout = 5_000 });
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static async Task<string> PostAsync(HttpClient http, string path, object body)
    {
        var response = await http.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static async Task<ConsumerStat[]> StatsAsync(IPage page) =>
        JsonSerializer.Deserialize<ConsumerStat[]>(await page.EvaluateAsync<string>("async () => JSON.stringify(await window.akkasfu.stats())"), JsonOptions)!;

    /// <summary>ffmpeg.sh's command with a generated source: testsrc2 + sine, libopus stereo 48 kHz, libvpx VP8
    /// ~500 kb/s realtime with a key frame every second, two RTP outputs through the tee muxer.</summary>
    private Process StartFfmpeg(PlainTransport audio, PlainTransport video)
    {
        var tee = $"[select=a:f=rtp:ssrc=1111:payload_type=100]rtp://{audio.Ip}:{audio.Port}?rtcpport={audio.RtcpPort}"
                + $"|[select=v:f=rtp:ssrc=2222:payload_type=101]rtp://{video.Ip}:{video.Port}?rtcpport={video.RtcpPort}";
        var psi = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        foreach (var a in new[]
                 {
                     "-hide_banner", "-loglevel", "warning", "-nostdin", "-re",
                     "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                     "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                     "-t", "30",
                     "-map", "1:a:0", "-c:a", "libopus", "-b:a", "128k", "-ac", "2", "-ar", "48000",
                     "-map", "0:v:0", "-pix_fmt", "yuv420p", "-c:v", "libvpx", "-b:v", "500k", "-deadline", "realtime", "-cpu-used", "8",
                     "-g", "30", "-keyint_min", "30",
                     "-f", "tee", tee,
                 })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffmpeg");
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine($"[ffmpeg] {e.Data}"); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }
}
