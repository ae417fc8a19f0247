using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>The akkasfu.cluster section (hocon/akkasfu.conf documents each key), read once. A node with no
/// cluster port is a single node: a local actor system, rooms as children of one actor. With a port it joins
/// an Akka.Cluster (Akka.Remote on <see cref="Hostname"/>:<see cref="Port"/>) and rooms are sharded.</summary>
public sealed record ClusterSettings(
    int Port,
    string Hostname,
    string? PublicHostname,
    IReadOnlyList<string> Seeds,
    int Shards,
    TimeSpan LeaveTimeout,
    bool TestFaults = false)
{
    /// <summary>The actor system's name: every node of one cluster must use it.</summary>
    public const string SystemName = "akkasfu";

    public bool Enabled => Port > 0;

    /// <summary>Seed addresses as Akka.Remote wants them (<c>akka.tcp://akkasfu@host:port</c>; with test faults
    /// on, remoting runs through the throttler adapter and addresses read <c>akka.trttl.tcp://</c>).</summary>
    public IReadOnlyList<string> SeedAddresses => Seeds.Select(s => $"{(TestFaults ? "akka.trttl.tcp" : "akka.tcp")}://{SystemName}@{s}").ToArray();

    /// <summary>Reads <paramref name="config"/> with the environment on top: AKKASFU_CLUSTER_PORT,
    /// AKKASFU_CLUSTER_SEEDS (host:port,host:port), and the node's AKKASFU_LISTEN_IP / AKKASFU_ANNOUNCED_IP
    /// (remoting binds the first and announces the second).</summary>
    public static ClusterSettings Create(Config config, SfuSettings sfu)
    {
        var c = config.GetConfig("akkasfu.cluster") ?? throw new ConfigurationException("missing akkasfu.cluster section");
        var port = c.GetInt("port", 0);
        if (Environment.GetEnvironmentVariable("AKKASFU_CLUSTER_PORT") is { Length: > 0 } p)
            port = int.TryParse(p, out var n) ? n : throw new ConfigurationException($"AKKASFU_CLUSTER_PORT must be a port number, was \"{p}\"");
        if (port is < 0 or > 65535) throw new ConfigurationException($"cluster port must be 0 (no cluster) or 1-65535, was {port}");

        IReadOnlyList<string> seeds = c.GetStringList("seeds", []).ToArray();
        if (Environment.GetEnvironmentVariable("AKKASFU_CLUSTER_SEEDS") is { Length: > 0 } s)
            seeds = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var seed in seeds) CheckSeed(seed);

        var shards = c.GetInt("shards", 100);
        if (shards < 1) throw new ConfigurationException($"akkasfu.cluster.shards must be ≥ 1, was {shards}");
        var leave = c.GetTimeSpan("leave-timeout", TimeSpan.FromSeconds(10));
        var faults = c.GetBoolean("test-faults", false) || Environment.GetEnvironmentVariable("AKKASFU_TEST_FAULTS") is "1" or "true";
        return new ClusterSettings(port, sfu.ListenIp.ToString(), sfu.AnnouncedIp?.ToString(), seeds, shards, leave, faults);
    }

    private static void CheckSeed(string seed)
    {
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            throw new ConfigurationException($"a cluster seed must be host:port, was \"{seed}\"");
        var host = seed[..colon];
        if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
            throw new ConfigurationException($"a cluster seed must be host:port, was \"{seed}\"");
    }
}
