using Akka.Configuration;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Actors.Tests.Settings;

/// <summary>akkasfu.cluster read from HOCON. The environment (AKKASFU_CLUSTER_*, AKKASFU_MANAGEMENT_PORT,
/// AKKASFU_KUBERNETES_*) overrides these paths; the tests assume it is not set for them.</summary>
public class ClusterSettingsTests
{
    private static ClusterSettings Read(string hocon)
    {
        var config = AkkaSfuConfig.With(hocon);
        return ClusterSettings.Create(config, SfuSettings.Create(config));
    }

    [Fact]
    public void Defaults_come_from_the_commented_hocon()
    {
        var s = Read("");
        Assert.False(s.Enabled);
        var seeds = Assert.IsType<SeedNodesJoin>(s.Join);
        Assert.Empty(seeds.Seeds);
        Assert.Empty(s.SeedAddresses);
        Assert.Equal(100, s.Shards);
        Assert.Equal(TimeSpan.FromSeconds(10), s.LeaveTimeout);
    }

    [Fact]
    public void Seeds_are_the_default_way_to_join()
    {
        var s = Read("akkasfu.cluster { port = 4701, seeds = [\"127.0.0.1:4701\", \"10.0.0.2:4701\"] }");
        Assert.True(s.Enabled);
        Assert.IsType<SeedNodesJoin>(s.Join);
        Assert.Equal(["akka.tcp://akkasfu@127.0.0.1:4701", "akka.tcp://akkasfu@10.0.0.2:4701"], s.SeedAddresses);
        Assert.IsType<SeedNodesJoin>(Read("akkasfu.cluster { port = 4701, discovery = seeds }").Join);
    }

    [Fact]
    public void Config_discovery_reads_the_endpoints_and_the_bootstrap_defaults()
    {
        var s = Read("akkasfu.cluster { port = 4701, discovery = config, discovery-endpoints = [\"127.0.0.1:8558\", \"127.0.0.1:8559\"] }");
        var join = Assert.IsType<ConfigDiscoveryJoin>(s.Join);
        Assert.Equal(["127.0.0.1:8558", "127.0.0.1:8559"], join.Endpoints);
        Assert.Equal(new BootstrapSettings(8558, "akkasfu", 2, TimeSpan.FromSeconds(5), true, true), join.Bootstrap);
        Assert.Empty(s.SeedAddresses);
        Assert.Equal("127.0.0.1", s.ManagementHostname);
    }

    [Fact]
    public void Bootstrap_keys_are_read()
    {
        var s = Read("""
            akkasfu.cluster {
              port = 4701
              discovery = "CONFIG"
              management-port = 9000
              discovery-endpoints = ["a.example:9000", "b.example:9000", "c.example:9000"]
              bootstrap { service-name = sfu, required-contact-points = 3, stable-margin = 2s,
                          contact-with-all-contact-points = off, new-cluster-enabled = off }
            }
            """);
        var join = Assert.IsType<ConfigDiscoveryJoin>(s.Join);
        Assert.Equal(new BootstrapSettings(9000, "sfu", 3, TimeSpan.FromSeconds(2), false, false), join.Bootstrap);
    }

    [Fact]
    public void Kubernetes_discovery_reads_the_selector_namespace_and_port_name()
    {
        var k = Assert.IsType<KubernetesDiscoveryJoin>(Read("akkasfu.cluster { port = 4701, discovery = kubernetes }").Join);
        Assert.Equal(("app={0}", null, "management"), (k.PodLabelSelector, k.PodNamespace, k.PortName));
        Assert.Equal(2, k.Bootstrap.RequiredContactPoints);

        k = Assert.IsType<KubernetesDiscoveryJoin>(Read("""
            akkasfu.cluster { port = 4701, discovery = kubernetes
              kubernetes { pod-label-selector = "app.kubernetes.io/name=sfu", pod-namespace = media, port-name = mgmt } }
            """).Join);
        Assert.Equal(("app.kubernetes.io/name=sfu", "media", "mgmt"), (k.PodLabelSelector, k.PodNamespace, k.PortName));
    }

    [Fact]
    public void Management_is_known_by_the_announced_ip_only_when_listening_on_a_wildcard()
    {
        var s = Read("akkasfu { listen-ip = \"0.0.0.0\", announced-ip = \"192.0.2.7\", cluster { port = 4701, discovery = kubernetes } }");
        Assert.Equal(("0.0.0.0", "192.0.2.7"), (s.Hostname, s.ManagementHostname));
        s = Read("akkasfu { listen-ip = \"10.1.2.3\", announced-ip = \"192.0.2.7\", cluster { port = 4701, discovery = kubernetes } }");
        Assert.Equal("10.1.2.3", s.ManagementHostname);
    }

    [Theory]
    [InlineData("port = 70000", "cluster port must be 0 (no cluster) or 1-65535")]
    [InlineData("shards = 0", "shards must be ≥ 1")]
    [InlineData("port = 4701, seeds = [\"no-port\"]", "a cluster seed must be host:port, was \"no-port\"")]
    [InlineData("port = 4701, discovery = dns", "discovery must be \"\", \"seeds\", \"config\" or \"kubernetes\", was \"dns\"")]
    [InlineData("discovery = kubernetes", "needs a cluster port")]
    [InlineData("port = 4701, discovery = config", "needs the nodes' management endpoints")]
    [InlineData("port = 4701, discovery = config, discovery-endpoints = [\"127.0.0.1\"]", "a discovery endpoint must be host:port, was \"127.0.0.1\"")]
    [InlineData("port = 4701, discovery = config, discovery-endpoints = [\"127.0.0.1:0\"]", "a discovery endpoint must be host:port")]
    [InlineData("port = 4701, discovery = config, discovery-endpoints = [\"127.0.0.1:8558\"]", "required-contact-points (2) is more than the 1 discovery-endpoints listed")]
    [InlineData("port = 4701, discovery = kubernetes, seeds = [\"127.0.0.1:4701\"]", "remove the seeds (127.0.0.1:4701)")]
    [InlineData("port = 8558, discovery = kubernetes", "management-port must differ from the cluster port")]
    [InlineData("management-port = 0", "management-port must be 1-65535, was 0")]
    [InlineData("port = 4701, discovery = kubernetes, bootstrap.required-contact-points = 0", "required-contact-points must be ≥ 1")]
    [InlineData("port = 4701, discovery = kubernetes, bootstrap.stable-margin = 0s", "stable-margin must be > 0")]
    [InlineData("port = 4701, discovery = kubernetes, bootstrap.service-name = \"\"", "service-name must not be empty")]
    [InlineData("port = 4701, discovery = kubernetes, kubernetes.pod-label-selector = \"\"", "pod-label-selector must not be empty")]
    [InlineData("port = 4701, discovery = kubernetes, kubernetes.port-name = \"\"", "port-name must name the pod's management container port")]
    public void Bad_settings_are_refused_with_a_clear_message(string cluster, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => Read($"akkasfu.cluster {{ {cluster} }}"));
        Assert.Contains(message, e.Message);
    }
}
