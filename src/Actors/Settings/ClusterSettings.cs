using System.Net;
using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>The akkasfu.cluster section (hocon/akkasfu.conf documents each key), read once. A node with no
/// cluster port is a single node: a local actor system, rooms as children of one actor. With a port it joins
/// an Akka.Cluster (Akka.Remote on <see cref="Hostname"/>:<see cref="Port"/>) and rooms are sharded; how it
/// finds the other nodes is <see cref="Join"/>.</summary>
public sealed record ClusterSettings(
    int Port,
    string Hostname,
    string? PublicHostname,
    ClusterJoin Join,
    int Shards,
    TimeSpan LeaveTimeout,
    bool TestFaults = false)
{
    /// <summary>The actor system's name: every node of one cluster must use it.</summary>
    public const string SystemName = "akkasfu";

    public bool Enabled => Port > 0;

    /// <summary>Seed addresses as Akka.Remote wants them (<c>akka.tcp://akkasfu@host:port</c>; with test faults
    /// on, remoting runs through the throttler adapter and addresses read <c>akka.trttl.tcp://</c>); none unless
    /// the node joins by static seeds.</summary>
    public IReadOnlyList<string> SeedAddresses => Join is SeedNodesJoin s
        ? s.Seeds.Select(seed => $"{(TestFaults ? "akka.trttl.tcp" : "akka.tcp")}://{SystemName}@{seed}").ToArray()
        : [];

    /// <summary>The host Akka.Management's HTTP endpoint is known by (its cluster bootstrap contact point):
    /// the listen address, which is what discovery sees (a pod's IP), unless that is a wildcard.</summary>
    public string ManagementHostname => IPAddress.TryParse(Hostname, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        ? PublicHostname ?? Hostname
        : Hostname;

    /// <summary>Reads <paramref name="config"/> with the environment on top: AKKASFU_CLUSTER_PORT,
    /// AKKASFU_CLUSTER_DISCOVERY, AKKASFU_CLUSTER_SEEDS (host:port,host:port), AKKASFU_MANAGEMENT_PORT,
    /// AKKASFU_CLUSTER_DISCOVERY_ENDPOINTS, AKKASFU_CLUSTER_REQUIRED_CONTACT_POINTS,
    /// AKKASFU_KUBERNETES_LABEL_SELECTOR, AKKASFU_KUBERNETES_NAMESPACE, and the node's AKKASFU_LISTEN_IP /
    /// AKKASFU_ANNOUNCED_IP (remoting binds the first and announces the second).</summary>
    public static ClusterSettings Create(Config config, SfuSettings sfu)
    {
        var c = config.GetConfig("akkasfu.cluster") ?? throw new ConfigurationException("missing akkasfu.cluster section");
        var port = Int(c, "port", 0, "AKKASFU_CLUSTER_PORT");
        if (port is < 0 or > 65535) throw new ConfigurationException($"cluster port must be 0 (no cluster) or 1-65535, was {port}");

        var shards = c.GetInt("shards", 100);
        if (shards < 1) throw new ConfigurationException($"akkasfu.cluster.shards must be ≥ 1, was {shards}");
        var leave = c.GetTimeSpan("leave-timeout", TimeSpan.FromSeconds(10));
        var faults = c.GetBoolean("test-faults", false) || Environment.GetEnvironmentVariable("AKKASFU_TEST_FAULTS") is "1" or "true";
        return new ClusterSettings(port, sfu.ListenIp.ToString(), sfu.AnnouncedIp?.ToString(), ReadJoin(c, port), shards, leave, faults);
    }

    private static ClusterJoin ReadJoin(Config c, int port)
    {
        var discovery = (Env("AKKASFU_CLUSTER_DISCOVERY") ?? c.GetString("discovery", "")).Trim().ToLowerInvariant();
        var seeds = List(c, "seeds", "AKKASFU_CLUSTER_SEEDS");
        foreach (var seed in seeds) CheckHostPort(seed, "a cluster seed");

        var managementPort = Int(c, "management-port", 8558, "AKKASFU_MANAGEMENT_PORT");
        if (managementPort is < 1 or > 65535)
            throw new ConfigurationException($"akkasfu.cluster.management-port must be 1-65535, was {managementPort}");

        if (discovery is "" or "seeds") return new SeedNodesJoin(seeds);
        if (discovery is not ("config" or "kubernetes"))
            throw new ConfigurationException($"akkasfu.cluster.discovery must be \"\", \"seeds\", \"config\" or \"kubernetes\", was \"{discovery}\"");

        if (port == 0)
            throw new ConfigurationException($"akkasfu.cluster.discovery = \"{discovery}\" needs a cluster port (akkasfu.cluster.port or AKKASFU_CLUSTER_PORT)");
        if (seeds.Count > 0)
            throw new ConfigurationException($"akkasfu.cluster.discovery = \"{discovery}\" finds the nodes itself: remove the seeds ({string.Join(",", seeds)})");
        if (managementPort == port)
            throw new ConfigurationException($"akkasfu.cluster.management-port must differ from the cluster port, both were {port}");

        var bootstrap = ReadBootstrap(c, managementPort);
        if (discovery == "config")
        {
            var endpoints = List(c, "discovery-endpoints", "AKKASFU_CLUSTER_DISCOVERY_ENDPOINTS");
            if (endpoints.Count == 0)
                throw new ConfigurationException("akkasfu.cluster.discovery = \"config\" needs the nodes' management endpoints in akkasfu.cluster.discovery-endpoints (or AKKASFU_CLUSTER_DISCOVERY_ENDPOINTS=host:port,host:port)");
            foreach (var endpoint in endpoints) CheckHostPort(endpoint, "a discovery endpoint");
            if (bootstrap.RequiredContactPoints > endpoints.Count)
                throw new ConfigurationException($"akkasfu.cluster.bootstrap.required-contact-points ({bootstrap.RequiredContactPoints}) is more than the {endpoints.Count} discovery-endpoints listed: the cluster would never form");
            return new ConfigDiscoveryJoin(bootstrap, endpoints);
        }

        var selector = (Env("AKKASFU_KUBERNETES_LABEL_SELECTOR") ?? c.GetString("kubernetes.pod-label-selector", "app={0}")).Trim();
        if (selector.Length == 0) throw new ConfigurationException("akkasfu.cluster.kubernetes.pod-label-selector must not be empty");
        var ns = (Env("AKKASFU_KUBERNETES_NAMESPACE") ?? c.GetString("kubernetes.pod-namespace", "")).Trim();
        var portName = c.GetString("kubernetes.port-name", "management").Trim();
        if (portName.Length == 0) throw new ConfigurationException("akkasfu.cluster.kubernetes.port-name must name the pod's management container port");
        return new KubernetesDiscoveryJoin(bootstrap, selector, ns.Length == 0 ? null : ns, portName);
    }

    private static BootstrapSettings ReadBootstrap(Config c, int managementPort)
    {
        var service = c.GetString("bootstrap.service-name", SystemName).Trim();
        if (service.Length == 0) throw new ConfigurationException("akkasfu.cluster.bootstrap.service-name must not be empty");
        var required = Int(c, "bootstrap.required-contact-points", 2, "AKKASFU_CLUSTER_REQUIRED_CONTACT_POINTS");
        if (required < 1) throw new ConfigurationException($"akkasfu.cluster.bootstrap.required-contact-points must be ≥ 1, was {required}");
        var stable = c.GetTimeSpan("bootstrap.stable-margin", TimeSpan.FromSeconds(5));
        if (stable <= TimeSpan.Zero) throw new ConfigurationException($"akkasfu.cluster.bootstrap.stable-margin must be > 0, was {stable}");
        return new BootstrapSettings(managementPort, service, required, stable,
            c.GetBoolean("bootstrap.contact-with-all-contact-points", true),
            c.GetBoolean("bootstrap.new-cluster-enabled", true));
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static int Int(Config c, string key, int fallback, string env) => Env(env) is { } v
        ? int.TryParse(v, out var n) ? n : throw new ConfigurationException($"{env} must be a number, was \"{v}\"")
        : c.GetInt(key, fallback);

    private static IReadOnlyList<string> List(Config c, string key, string env) => Env(env) is { } v
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        : c.GetStringList(key, []).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();

    private static void CheckHostPort(string value, string what)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 1 or > 65535
            || Uri.CheckHostName(value[..colon].Trim('[', ']')) == UriHostNameType.Unknown)
            throw new ConfigurationException($"{what} must be host:port, was \"{value}\"");
    }
}

/// <summary>How a clustered node finds the others (akkasfu.cluster.discovery).</summary>
public abstract record ClusterJoin;

/// <summary>"" / "seeds": Akka.Cluster's static seed nodes ("host:port", remoting ports).</summary>
public sealed record SeedNodesJoin(IReadOnlyList<string> Seeds) : ClusterJoin;

/// <summary>Akka.Management's Cluster Bootstrap: contact points from Akka.Discovery, probed over HTTP.</summary>
public abstract record BootstrapJoin(BootstrapSettings Bootstrap) : ClusterJoin;

/// <summary>"config": Akka.Discovery's config method; every node's management endpoint is listed.</summary>
public sealed record ConfigDiscoveryJoin(BootstrapSettings Bootstrap, IReadOnlyList<string> Endpoints) : BootstrapJoin(Bootstrap);

/// <summary>"kubernetes": the Kubernetes API lists the running pods matching <paramref name="PodLabelSelector"/>
/// ({0} = the service name) in <paramref name="PodNamespace"/> (null = the pod's own) and takes their container
/// port named <paramref name="PortName"/>.</summary>
public sealed record KubernetesDiscoveryJoin(BootstrapSettings Bootstrap, string PodLabelSelector, string? PodNamespace, string PortName)
    : BootstrapJoin(Bootstrap);

/// <summary>akkasfu.cluster.management-port and the akkasfu.cluster.bootstrap section.</summary>
public sealed record BootstrapSettings(
    int ManagementPort,
    string ServiceName,
    int RequiredContactPoints,
    TimeSpan StableMargin,
    bool ContactWithAllContactPoints,
    bool NewClusterEnabled);
