using System.Net;
using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>The akkasfu section of hocon, read once (hocon/akkasfu.conf documents each key).</summary>
public sealed record SfuSettings(
    int Workers,
    IPAddress ListenIp,
    IPAddress? AnnouncedIp,
    int RtcMinPort,
    int RtcMaxPort,
    TimeSpan TickInterval,
    TimeSpan ConsentTimeout)
{
    public static SfuSettings Create(Config config)
    {
        var c = config.GetConfig("akkasfu") ?? throw new ConfigurationException("missing akkasfu section");
        var workers = c.GetInt("workers", 0);
        if (Environment.GetEnvironmentVariable("AKKASFU_WORKERS") is { Length: > 0 } env)
            workers = int.TryParse(env, out var n) && n >= 0 ? n : throw new ConfigurationException($"AKKASFU_WORKERS must be a number ≥ 0, was \"{env}\"");
        if (workers == 0) workers = Environment.ProcessorCount;
        var listen = Environment.GetEnvironmentVariable("AKKASFU_LISTEN_IP") is { Length: > 0 } l ? l : c.GetString("listen-ip", "127.0.0.1");
        var announced = Environment.GetEnvironmentVariable("AKKASFU_ANNOUNCED_IP") is { Length: > 0 } a ? a : c.GetString("announced-ip", "");
        if (!IPAddress.TryParse(listen, out var listenIp)) throw new ConfigurationException($"listen-ip must be an IP address, was \"{listen}\"");
        if (announced.Length > 0 && !IPAddress.TryParse(announced, out _)) throw new ConfigurationException($"announced-ip must be an IP address, was \"{announced}\"");
        var (minPort, maxPort) = (c.GetInt("rtc-min-port", 40000), c.GetInt("rtc-max-port", 49999));
        if (Environment.GetEnvironmentVariable("AKKASFU_RTC_PORTS") is { Length: > 0 } ports)
        {
            var parts = ports.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], out minPort) || !int.TryParse(parts[1], out maxPort))
                throw new ConfigurationException($"AKKASFU_RTC_PORTS must be min-max, was \"{ports}\"");
        }
        var settings = new SfuSettings(
            workers,
            listenIp,
            string.IsNullOrWhiteSpace(announced) ? null : IPAddress.Parse(announced),
            minPort,
            maxPort,
            c.GetTimeSpan("tick-interval", TimeSpan.FromMilliseconds(20)),
            c.GetTimeSpan("consent-timeout", TimeSpan.FromSeconds(30)));
        var bwe = c.GetBoolean("bandwidth-estimation", true);
        if (Environment.GetEnvironmentVariable("AKKASFU_BWE") is { Length: > 0 } bweEnv)
            bwe = bweEnv is "1" or "on" or "true" ? true : bweEnv is "0" or "off" or "false" ? false
                : throw new ConfigurationException($"AKKASFU_BWE must be 0 or 1, was \"{bweEnv}\"");
        var handshakes = c.GetInt("dtls.max-concurrent-handshakes", 32);
        var queued = c.GetInt("dtls.max-queued-handshakes", 1000);
        if (handshakes < 1 || queued < 0)
            throw new ConfigurationException($"dtls.max-concurrent-handshakes must be ≥ 1 and max-queued-handshakes ≥ 0, were {handshakes} and {queued}");
        settings = settings with
        {
            Rooms = RoomSettings.Create(config), Limits = LimitsSettings.Create(config), BandwidthEstimation = bwe,
            DtlsMaxConcurrentHandshakes = handshakes, DtlsMaxQueuedHandshakes = queued,
            WebRtcServer = WebRtcServerSettings.Create(c),
        };
        if (settings.RtcMinPort < 1 || settings.RtcMaxPort > 65535 || settings.RtcMinPort > settings.RtcMaxPort)
            throw new ConfigurationException($"bad rtc port range {settings.RtcMinPort}-{settings.RtcMaxPort}");
        if (settings.WebRtcServer.Enabled && settings.TransportMinPort > settings.RtcMaxPort)
            throw new ConfigurationException($"rtc port range {settings.RtcMinPort}-{settings.RtcMaxPort} has no port left for plain and pipe " +
                $"transports after the {settings.Workers} workers' WebRTC ports (webrtc-server.enabled)");
        return settings;
    }

    /// <summary>akkasfu.webrtc-server: one shared WebRTC port per worker (the default), or a port per transport.</summary>
    public WebRtcServerSettings WebRtcServer { get; init; } = WebRtcServerSettings.Default;

    /// <summary>The shared WebRTC port of worker <paramref name="worker"/> (with <see cref="WebRtcServer"/> on).</summary>
    public int WebRtcServerPort(int worker) => WebRtcServerSettings.PortOf(worker, RtcMinPort);

    /// <summary>The first port per-transport sockets (plain, pipe, WebRTC with their own port) may bind: after
    /// the workers' shared ports when those are on, else the start of the range.</summary>
    public int TransportMinPort => WebRtcServer.Enabled ? RtcMinPort + Workers : RtcMinPort;

    /// <summary>Where the shared WebRTC ports bind, and the address their candidates carry.</summary>
    public IPAddress WebRtcServerListenIp => WebRtcServer.ListenIp ?? ListenIp;
    public IPAddress? WebRtcServerAnnouncedIp => WebRtcServer.AnnouncedIp ?? (WebRtcServer.ListenIp is null ? AnnouncedIp : null);

    public IPAddress AnnouncedAddress => AnnouncedIp ?? ListenIp;

    /// <summary>akkasfu.bandwidth-estimation (env AKKASFU_BWE=0|1): send-side estimation and layer allocation
    /// per transport from the endpoint's transport-cc feedback or REMB.</summary>
    public bool BandwidthEstimation { get; init; } = true;

    /// <summary>akkasfu.dtls.max-concurrent-handshakes: DTLS handshakes running at once per worker (one thread each).</summary>
    public int DtlsMaxConcurrentHandshakes { get; init; } = 32;

    /// <summary>akkasfu.dtls.max-queued-handshakes: handshakes waiting for a slot per worker; past it, refused.</summary>
    public int DtlsMaxQueuedHandshakes { get; init; } = 1000;

    /// <summary>How rooms spread over routers, and the pipes between them.</summary>
    public RoomSettings Rooms { get; init; } = RoomSettings.Default;

    /// <summary>What a node, a client, a socket, a room and a peer may hold at most (akkasfu.limits).</summary>
    public LimitsSettings Limits { get; init; } = LimitsSettings.Default;

    /// <summary>Address pipe transports bind (akkasfu.pipe.listen-ip, else listen-ip).</summary>
    public IPAddress PipeListenIp => Rooms.PipeListenIp ?? ListenIp;

    /// <summary>Address other nodes send pipe media to (akkasfu.pipe.announced-ip, else announced-ip, else the
    /// pipe listen address).</summary>
    public IPAddress? PipeAnnouncedIp => Rooms.PipeAnnouncedIp ?? (Rooms.PipeListenIp is null ? AnnouncedIp : null);
}
