using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Signalling.Tests.Broadcasters;

/// <summary>The plain-transport hijack of issue 13: a comedia transport created through the broadcaster API learns
/// its remote only from the HTTP caller's address; a stray packet from elsewhere is dropped and counted on /metrics.</summary>
public class ComediaSourceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = fixture.Http;
    private readonly string _room = "c" + Guid.NewGuid().ToString("N")[..8];

    private async Task<JsonObject> PostOkAsync(string path, string body = "{}")
    {
        using var response = await _http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static byte[] Opus(ushort seq)
    {
        var buf = new byte[200];
        var header = new RtpHeaderFields { PayloadType = 100, SequenceNumber = seq, Timestamp = seq * 960u, Ssrc = 1111 };
        return buf[..RtpPacketWriter.Write(buf, header, [], [], new byte[100])];
    }

    private async Task<(double Rejected, double RtpIn)> CountersAsync()
    {
        var lines = (await _http.GetStringAsync("/metrics")).Split('\n');
        double Sum(string prefix) => lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return (Sum("akkasfu_worker_drops_total{worker=\"0\",reason=\"ComediaSourceRejected\"}"), Sum("akkasfu_worker_rtp_received_total{"));
    }

    private async Task<(double Rejected, double RtpIn)> PollAsync(Func<(double Rejected, double RtpIn), bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var c = await CountersAsync();
            if (done(c) || DateTime.UtcNow > deadline) return c;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_stray_sender_cannot_capture_a_broadcasters_comedia_transport_the_caller_still_locks()
    {
        await PostOkAsync($"/rooms/{_room}/broadcasters", """{"id":"bc","displayName":"B","device":{"name":"FFmpeg"}}""");
        var t = await PostOkAsync($"/rooms/{_room}/broadcasters/bc/transports", """{"type":"plain","comedia":true,"rtcpMux":true}""");
        await PostOkAsync($"/rooms/{_room}/broadcasters/bc/transports/{t["id"]}/producers", """
            {"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2}],"encodings":[{"ssrc":1111}]}}
            """);
        var to = new IPEndPoint(IPAddress.Parse(t["ip"]!.GetValue<string>()), t["port"]!.GetValue<int>());
        var before = await CountersAsync();

        // The HTTP caller is 127.0.0.1; the attacker sends from another address first.
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        for (ushort i = 0; i < 20; i++) attacker.SendTo(Opus(i), to);
        var afterAttack = await PollAsync(c => c.Rejected >= before.Rejected + 20);
        Assert.Equal(before.Rejected + 20, afterAttack.Rejected);
        Assert.Equal(before.RtpIn, afterAttack.RtpIn);

        // ffmpeg on the caller's host still locks, and its packets are received.
        using var legit = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        legit.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        for (ushort i = 100; i < 110; i++) legit.SendTo(Opus(i), to);
        var afterLegit = await PollAsync(c => c.RtpIn >= before.RtpIn + 10);
        Assert.Equal(before.RtpIn + 10, afterLegit.RtpIn);
    }
}
