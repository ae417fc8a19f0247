using System.Net;
using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>akkasfu.webrtc-server (hocon/akkasfu.conf documents each key), read once: each worker's WebRTC
/// transports share one UDP port, the node's rtc-min-port + the worker's index (mediasoup's WebRtcServer).
/// Plain and pipe transports, and WebRTC ones when this is off, bind ports of the rest of the range.</summary>
/// <param name="Enabled">On by default; env AKKASFU_WEBRTC_SERVER=0/1.</param>
/// <param name="ListenIp">Where the shared ports bind (null = akkasfu.listen-ip).</param>
/// <param name="AnnouncedIp">The address in the ICE candidates (null = akkasfu.announced-ip, else the listen address).</param>
/// <param name="StrictPort">On: a worker whose port is taken (by another process) fails to start. Off: it takes
/// a free port of the transport range instead and logs a warning (the candidates carry whatever was bound).</param>
public sealed record WebRtcServerSettings(bool Enabled, IPAddress? ListenIp, IPAddress? AnnouncedIp, bool StrictPort)
{
    public static readonly WebRtcServerSettings Default = new(true, null, null, false);

    /// <summary>Reads akkasfu.webrtc-server of <paramref name="akkasfu"/> (the akkasfu section), with
    /// AKKASFU_WEBRTC_SERVER from <paramref name="environment"/> (default: the process's) on top.</summary>
    public static WebRtcServerSettings Create(Config akkasfu, Func<string, string?>? environment = null)
    {
        var c = akkasfu.GetConfig("webrtc-server");
        var enabled = c?.GetBoolean("enabled", true) ?? true;
        if ((environment ?? Environment.GetEnvironmentVariable)("AKKASFU_WEBRTC_SERVER") is { Length: > 0 } env)
            enabled = env is "1" or "on" or "true" ? true : env is "0" or "off" or "false" ? false
                : throw new ConfigurationException($"AKKASFU_WEBRTC_SERVER must be 0 or 1, was \"{env}\"");
        if (c is null) return Default with { Enabled = enabled };
        return new WebRtcServerSettings(enabled, Ip(c, "listen-ip"), Ip(c, "announced-ip"), c.GetBoolean("strict-port", false));
    }

    private static IPAddress? Ip(Config c, string key)
    {
        var s = c.GetString(key, "").Trim();
        if (s.Length == 0) return null;
        return IPAddress.TryParse(s, out var ip) ? ip : throw new ConfigurationException($"webrtc-server.{key} must be an IP address or \"\", was \"{s}\"");
    }

    /// <summary>The shared port of worker <paramref name="worker"/>: the first ports of the node's range.</summary>
    public static int PortOf(int worker, int rtcMinPort) => rtcMinPort + worker;
}
