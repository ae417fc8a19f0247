using Akka.Actor;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using AkkaSfu.Signalling.Cluster;

namespace AkkaSfu.Signalling.Hosting;

/// <summary>Ties the node's actor system to the web host's life. Once Kestrel listens, the node learns its
/// HTTP base (for <c>GET /cluster</c>). When the host is asked to stop (SIGTERM, Ctrl-C), the node runs
/// Akka's coordinated shutdown before Kestrel stops: a clustered node leaves the cluster, its shards hand
/// their rooms off (each room tells its peers "room moved", close 1012, so they reconnect and join again on
/// a node that stays), then the peers connected here are closed the same way. All of that is bounded by
/// akkasfu.cluster.leave-timeout.</summary>
public sealed class NodeLifecycle(SfuNode node, IServer server, IHostApplicationLifetime lifetime, ILogger<NodeLifecycle> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (url is not null) node.Node.Tell(new SetNodeUrl(url.TrimEnd('/')));
        });
        lifetime.ApplicationStopping.Register(Leave);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Leave()
    {
        var started = DateTime.UtcNow;
        var shutdown = CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        if (!shutdown.Wait(node.Cluster.LeaveTimeout))
            log.LogWarning("node shutdown did not finish within {Timeout}; stopping anyway", node.Cluster.LeaveTimeout);
        else
            log.LogInformation("node left and stopped its actor system in {Ms} ms", (int)(DateTime.UtcNow - started).TotalMilliseconds);
    }
}
