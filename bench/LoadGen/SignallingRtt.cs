using System.Diagnostics;
using System.Text.Json;

namespace AkkaSfu.LoadGen;

/// <summary><c>--rtt N</c>: one protoo peer sends N getRouterRtpCapabilities requests one after another to its
/// room (<c>--room-id</c>) through <c>--server</c>, and reports the round trip's p50/p99/max. In a cluster,
/// compare a room hosted on the node the socket is on with one hosted on another node: the difference is
/// the cost of the hop through Akka.Remote (peer actor ↔ room entity).</summary>
public static class SignallingRtt
{
    public static async Task<int> RunAsync(LoadGenOptions o, int requests, CancellationToken ct)
    {
        var roomId = o.RoomId ?? throw new ArgumentException("--rtt needs --room-id");
        await using var peer = await ProtooPeer.ConnectAsync(o.Server, roomId, "rtt-" + Guid.NewGuid().ToString("N")[..6], ct);
        for (var i = 0; i < 20; i++) await peer.RequestAsync("getRouterRtpCapabilities"); // warm-up
        var us = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await peer.RequestAsync("getRouterRtpCapabilities");
            us[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(us);
        double P(double q) => us[Math.Min(us.Length - 1, (int)(q * us.Length))];
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            server = o.Server.ToString(), roomId, requests,
            p50Ms = Math.Round(P(0.5) / 1000, 3), p99Ms = Math.Round(P(0.99) / 1000, 3), maxMs = Math.Round(us[^1] / 1000, 3),
        }));
        return 0;
    }
}
