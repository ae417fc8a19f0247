using System.Net;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Http.Dsl;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Dsl;
using AkkaSfu.Actors.Settings;
using Ceen.Httpd;

namespace AkkaSfu.Signalling.Hosting;

/// <summary>Akka.Management's HTTP endpoint for Cluster Bootstrap (its own <c>/bootstrap/seed-nodes</c> route,
/// Akka.Http.Shim's router, Ceen.Httpd's server), bound here instead of by <c>AkkaManagement.Start()</c>:
/// Akka.Http.Shim 1.5.73 was built against Ceen.Httpd 0.9.9, whose <c>HttpServer.ListenAsync(IPEndPoint, …)</c>
/// became <c>ListenAsync(EndPoint, …)</c> in 0.9.10, the only Ceen.Httpd the package source serves, so
/// <c>AkkaManagement.Start()</c> fails with MissingMethodException and autostart terminates the actor system.
/// Only the bootstrap routes are served (no other management route). Drop this for <c>autoStart: true</c>
/// once Akka.Http.Shim and the Ceen.Httpd served agree.</summary>
public static class BootstrapEndpoint
{
    private static readonly TimeSpan UnbindTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Binds listen-ip:management-port, then starts Cluster Bootstrap (which needs the route's self
    /// contact point, <c>http://{management hostname}:{port}/</c>, set as its routes are taken). Throws when the
    /// port cannot be bound. The server stops in coordinated shutdown's service-unbind phase.</summary>
    public static async Task StartAsync(ActorSystem system, ClusterSettings cluster, BootstrapSettings bootstrap)
    {
        var log = Logging.GetLogger(system, typeof(BootstrapEndpoint));
        var host = IPAddress.TryParse(cluster.ManagementHostname, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{cluster.ManagementHostname}]"
            : cluster.ManagementHostname;
        var selfBaseUri = new Uri($"http://{host}:{bootstrap.ManagementPort}/");
        var routes = ClusterBootstrap.Get(system).Routes(ManagementRouteProviderSettings.Create(selfBaseUri, readOnly: true));

        var bind = new IPEndPoint(IPAddress.Parse(cluster.Hostname), bootstrap.ManagementPort);
        var stop = new CancellationTokenSource();
        var server = HttpServer.ListenAsync(bind, false, new ServerConfig { Router = new AkkaRouter(system, routes) }, stop.Token);
        if (server.IsFaulted)
            throw new InvalidOperationException($"Akka.Management (cluster bootstrap) could not listen on {bind}", server.Exception?.GetBaseException());
        _ = server.ContinueWith(t => log.Error(t.Exception?.GetBaseException(), "Akka.Management endpoint {0} failed; this node can no longer be discovered", bind),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        log.Info("Akka.Management (cluster bootstrap) listening on {0}, contact point {1}", bind, selfBaseUri);

        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "akkasfu-management-unbind", async () =>
        {
            await stop.CancelAsync();
            await Task.WhenAny(server, Task.Delay(UnbindTimeout));
            return Done.Instance;
        });

        await ClusterBootstrap.Get(system).Start();
    }
}
