using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AkkaSfu.Interop.Tests.Ffmpeg;

/// <summary>UDP port helpers for ffmpeg's receiver, which binds an RTP port P and its RTCP port P+1 itself.</summary>
public static class UdpPorts
{
    /// <summary>A port P such that P and P+1 are both free on loopback right now (the OS picks P; we hold
    /// both briefly to check, then let go so ffmpeg can take them).</summary>
    public static int FreePair()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)rtp.LocalEndPoint!).Port;
            if (port >= 65535) continue;
            using var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try { rtcp.Bind(new IPEndPoint(IPAddress.Loopback, port + 1)); }
            catch (SocketException) { continue; }
            return port;
        }
        throw new InvalidOperationException("no free UDP port pair on loopback");
    }

    /// <summary>True when some socket on this host is bound to UDP <paramref name="port"/> (IPv4, any
    /// address), read from /proc/net/udp so that checking never races the real owner for the port.</summary>
    public static bool IsBound(int port)
    {
        const string table = "/proc/net/udp";
        if (!File.Exists(table)) return false;
        foreach (var line in File.ReadLines(table).Skip(1))
        {
            // "  sl  local_address rem_address ..." with local_address as HEXIP:HEXPORT
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2) continue;
            var colon = fields[1].IndexOf(':');
            if (colon < 0) continue;
            if (int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) && p == port)
                return true;
        }
        return false;
    }

    /// <summary>Waits until <paramref name="port"/> is bound (true) or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> WaitUntilBoundAsync(int port, TimeSpan timeout, Func<bool>? giveUp = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (IsBound(port)) return true;
            if (giveUp?.Invoke() == true) return false;
            await Task.Delay(25);
        }
        return false;
    }
}
