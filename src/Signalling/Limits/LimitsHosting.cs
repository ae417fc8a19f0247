using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AkkaSfu.Signalling.Limits;

/// <summary>Wires akkasfu.limits into the host: Kestrel's connection limits fitted under half the process's fd
/// soft limit, the node's <see cref="SocketLimits"/>, and a log line at start saying what was chosen.</summary>
public static class LimitsHosting
{
    public static IServiceCollection AddSocketLimits(this IServiceCollection services)
    {
        var fdSoft = FdLimits.ProcessSoftLimit();
        var fdBound = FdLimits.ConnectionBound(fdSoft);
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<SfuSettings>().Limits;
            var max = Math.Min(settings.MaxConnections, fdBound ?? int.MaxValue);
            return new SocketLimits(settings, max, LimitHits.Get(sp.GetRequiredService<SfuNode>().System));
        });
        services.Configure<KestrelServerOptions>(o =>
        {
            // Every TCP connection (HTTP, WebSocket, half-open upgrades) is an fd: Kestrel accepts no more than
            // the bound, so a flood of them can never take the process's last fds (issue 13: 19,800 sockets, then
            // "Out of memory." and exit). WebSockets are refused earlier, with a status, by SocketLimits.
            if (fdBound is { } bound)
            {
                o.Limits.MaxConcurrentConnections = bound;
                o.Limits.MaxConcurrentUpgradedConnections = bound;
            }
        });
        services.AddSingleton(new FdBound(fdSoft, fdBound));
        return services;
    }

    public static WebApplication LogSocketLimits(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<SocketLimits>();
        var fd = app.Services.GetRequiredService<FdBound>();
        var s = limits.Settings;
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("limits").LogInformation(
            "limits: at most {Connections} WebSocket connections (max-connections {Configured}; fd soft limit {FdSoft}, so Kestrel takes at most {KestrelMax} connections), " +
            "{PerAddress} per address; send queue {Messages} messages / {Bytes} bytes; {Rate} requests/s (burst {Burst}, closed after {Flood} refused); " +
            "per room {Peers} peers, {Broadcasters} broadcasters; {Transports} transports per peer, {BTransports} per broadcaster; " +
            "{Producers} producers and {Consumers} consumers per transport",
            limits.MaxConnections, s.MaxConnections, fd.SoftLimit?.ToString() ?? "unknown", fd.ConnectionBound?.ToString() ?? "unbounded",
            s.MaxConnectionsPerAddress, s.SendQueueMessages, s.SendQueueBytes, s.RequestsPerSecond, s.RequestBurst, s.FloodCloseAfter,
            s.MaxPeersPerRoom, s.MaxBroadcastersPerRoom, s.MaxTransportsPerPeer, s.MaxTransportsPerBroadcaster,
            s.MaxProducersPerTransport, s.MaxConsumersPerTransport);
        return app;
    }

    private sealed record FdBound(long? SoftLimit, int? ConnectionBound);
}
