using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Discovery.Config.Hosting;
using Akka.Hosting;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using System.Text.Json;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Cluster;

namespace AkkaSfu.Signalling.Hosting;

/// <summary>Akka.Cluster for a clustered node, joined the way <see cref="ClusterSettings.Join"/> says: static
/// seed nodes, or Akka.Management's Cluster Bootstrap over Akka.Discovery (its config method, or the pods
/// listed through the Kubernetes API by <see cref="KubernetesPodDiscovery"/>). Bootstrap starts with the actor system: the node serves Akka.Management's
/// <c>/bootstrap/seed-nodes</c> on the management port (<see cref="BootstrapEndpoint"/>), probes the discovered
/// contact points, joins the cluster they report, or (lowest contact point, once enough have answered) forms
/// it.</summary>
public static class ClusterJoinHosting
{
    public static AkkaConfigurationBuilder WithClusterJoin(this AkkaConfigurationBuilder b, ClusterSettings cluster)
    {
        b.WithClustering(new ClusterOptions
        {
            SeedNodes = cluster.SeedAddresses.ToArray(),
            SplitBrainResolver = new KeepMajorityOption(),
        });
        if (cluster.Join is not BootstrapJoin join) return b;

        var bootstrap = join.Bootstrap;
        b.WithAkkaManagement(new AkkaManagementOptions
        {
            HostName = cluster.ManagementHostname,
            Port = bootstrap.ManagementPort,
            BindHostName = cluster.Hostname,
            BindPort = bootstrap.ManagementPort,
        });
        b.WithClusterBootstrap(new ClusterBootstrapOptions
        {
            NewClusterEnabled = bootstrap.NewClusterEnabled,
            ContactPointDiscovery =
            {
                ServiceName = bootstrap.ServiceName,
                PortName = join is KubernetesDiscoveryJoin k ? k.PortName : null,
                RequiredContactPointsNr = bootstrap.RequiredContactPoints,
                StableMargin = bootstrap.StableMargin,
                ContactWithAllContactPoints = bootstrap.ContactWithAllContactPoints,
            },
            ContactPoint =
            {
                // The config method lists management ports explicitly (several nodes may share a host), so
                // no endpoint is dropped for not being on this node's own port.
                FilterOnFallbackPort = false,
            },
        }, autoStart: false);
        // Started here rather than by autoStart (which would bind through AkkaManagement.Start(); see
        // BootstrapEndpoint for why it cannot). A management port that cannot be bound fails the node's start.
        b.AddStartup(async (system, _) => await BootstrapEndpoint.StartAsync(system, cluster, bootstrap));

        switch (join)
        {
            case ConfigDiscoveryJoin config:
                b.WithConfigDiscovery(new ConfigServiceDiscoveryOptions
                {
                    Services = [new Service { Name = bootstrap.ServiceName, Endpoints = config.Endpoints.ToArray() }],
                });
                break;
            case KubernetesDiscoveryJoin kubernetes:
                // Our own method (KubernetesPodDiscovery says why not Akka.Discovery.KubernetesApi's).
                b.AddHocon($$"""
                    akka.discovery {
                      method = {{KubernetesPodDiscovery.Method}}
                      {{KubernetesPodDiscovery.Method}} {
                        class = {{Quote($"{typeof(KubernetesPodDiscovery).FullName}, {typeof(KubernetesPodDiscovery).Assembly.GetName().Name}")}}
                        pod-label-selector = {{Quote(kubernetes.PodLabelSelector)}}
                        pod-namespace = {{Quote(kubernetes.PodNamespace ?? "")}}
                      }
                    }
                    """, HoconAddMode.Prepend);
                break;
        }
        return b;
    }

    /// <summary>A HOCON quoted string (HOCON's are JSON's).</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
