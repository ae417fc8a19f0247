using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Actors.Worker;
using AkkaSfu.Signalling.Cluster;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Hosting;

/// <summary>Actor registry keys of the node's top-level actors.</summary>
public sealed class WorkersKey;

/// <summary>The rooms: the shard region (cluster) or the local rooms parent (single node).</summary>
public sealed class RoomsKey;

/// <summary>This node's <see cref="NodeActor"/>.</summary>
public sealed class NodeKey;

/// <summary>Starts the node's actor system with Akka.Hosting: workers (one per core, or AKKASFU_WORKERS),
/// rooms, and, when akkasfu.cluster.port is set, Akka.Remote + Akka.Cluster (keep-majority split-brain
/// resolver; joined by seeds or Cluster Bootstrap, see <see cref="ClusterJoinHosting"/>) with rooms as
/// Akka.Cluster.Sharding entities.</summary>
public static class SfuHosting
{
    public static IServiceCollection AddAkkaSfu(this IServiceCollection services, IConfiguration configuration)
    {
        var config = AkkaSfuConfig.With(configuration["akkasfu:hocon"] ?? "");
        var settings = SfuSettings.Create(config);
        var cluster = ClusterSettings.Create(config, settings);
        services.AddSingleton(settings);
        services.AddSingleton(cluster);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = cluster.LeaveTimeout + TimeSpan.FromSeconds(5));

        services.AddAkka(ClusterSettings.SystemName, (b, _) =>
        {
            b.AddHocon(config, HoconAddMode.Append);
            if (cluster.Enabled && cluster.TestFaults) b.AddHocon(FaultInjection.Hocon, HoconAddMode.Prepend);
            b.WithActors((system, registry) => registry.Register<WorkersKey>(system.ActorOf(WorkersActor.Props(settings), "workers")));
            if (cluster.Enabled)
            {
                b.WithRemoting(new RemoteOptions
                {
                    HostName = cluster.Hostname,
                    Port = cluster.Port,
                    PublicHostName = cluster.PublicHostname,
                });
                b.WithClusterJoin(cluster);
                b.WithShardRegion<RoomsKey>("rooms",
                    (_, registry, _) => roomId => RoomActor.Props(roomId, registry.Get<WorkersKey>(), settings),
                    new RoomMessageExtractor(cluster.Shards),
                    new ShardOptions
                    {
                        HandOffStopMessage = HandOffRoom.Instance,
                        ShouldPassivateIdleEntities = false,
                        RememberEntities = false,
                        StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData,
                    });
            }
            else
            {
                b.WithActors((system, registry) =>
                {
                    var workers = registry.Get<WorkersKey>();
                    registry.Register<RoomsKey>(new LocalRoomDirectory(system, roomId => RoomActor.Props(roomId, workers, settings)).Parent);
                });
            }
            b.WithActors((system, registry) => registry.Register<NodeKey>(system.ActorOf(NodeActor.Props(registry.Get<RoomsKey>(), cluster.Enabled), NodeActor.Name)));
        });

        services.AddSingleton<SfuNode>();
        services.AddSingleton<IRoomDirectory>(sp => sp.GetRequiredService<SfuNode>().Rooms);
        services.AddHostedService<NodeLifecycle>();
        return services;
    }
}

/// <summary>What the rest of the host needs of the node: its actor system, workers and rooms.</summary>
public sealed class SfuNode(ActorSystem system, IRequiredActor<WorkersKey> workers, IRequiredActor<RoomsKey> rooms,
    IRequiredActor<NodeKey> node, SfuSettings settings, ClusterSettings cluster)
{
    private IRoomDirectory? _rooms;

    public ActorSystem System { get; } = system;
    public SfuSettings Settings { get; } = settings;
    public ClusterSettings Cluster { get; } = cluster;
    public IActorRef Workers => workers.ActorRef;
    public IActorRef Node => node.ActorRef;

    public IRoomDirectory Rooms => _rooms ??= RoomDirectories.Over(rooms.ActorRef, Cluster.Enabled);
}
