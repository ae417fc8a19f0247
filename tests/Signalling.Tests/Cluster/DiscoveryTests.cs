using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Cluster;

/// <summary>Seedless bootstrap with real server processes on 127.0.0.1: three nodes started together with
/// AKKASFU_CLUSTER_DISCOVERY=config (Akka.Management's Cluster Bootstrap over Akka.Discovery's config method,
/// every node listing the three management endpoints) and no seeds form one cluster, and every node's
/// <c>GET /cluster</c> lists all three Up with their HTTP bases.</summary>
public sealed class DiscoveryTests(ITestOutputHelper output)
{
    private const int Nodes = 3;

    /// <summary>Bootstrap takes the stable margin (5 s) plus probing after the processes are up; this bound
    /// is for a busy 2-core machine starting three servers at once.</summary>
    private static readonly TimeSpan BootstrapTimeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Nodes_with_config_discovery_and_no_seeds_form_one_cluster()
    {
        var ports = FreeTcpPorts(2 * Nodes);
        var remoting = ports[..Nodes];
        var management = ports[Nodes..];
        var endpoints = string.Join(",", management.Select(p => $"127.0.0.1:{p}"));
        var expected = remoting.Select(p => $"akka.tcp://akkasfu@127.0.0.1:{p}").Order(StringComparer.Ordinal).ToArray();

        var clock = Stopwatch.StartNew();
        var starting = Enumerable.Range(0, Nodes).Select(i => ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["AKKASFU_WORKERS"] = "1",
            ["AKKASFU_LISTEN_IP"] = "127.0.0.1",
            ["AKKASFU_ANNOUNCED_IP"] = "",
            ["AKKASFU_RTC_PORTS"] = $"{44000 + i * 1000}-{44999 + i * 1000}",
            ["AKKASFU_CLUSTER_PORT"] = remoting[i].ToString(),
            ["AKKASFU_CLUSTER_SEEDS"] = "",
            ["AKKASFU_CLUSTER_DISCOVERY"] = "config",
            ["AKKASFU_CLUSTER_DISCOVERY_ENDPOINTS"] = endpoints,
            ["AKKASFU_CLUSTER_REQUIRED_CONTACT_POINTS"] = Nodes.ToString(),
            ["AKKASFU_MANAGEMENT_PORT"] = management[i].ToString(),
        })).ToArray();
        var servers = new List<ServerProcess>();
        try
        {
            await Task.WhenAll(starting.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
            servers.AddRange(starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
            if (servers.Count < Nodes) throw starting.First(s => s.IsFaulted).Exception!.GetBaseException();
            var listening = clock.Elapsed;
            var urls = servers.Select(s => s.BaseAddress.ToString().TrimEnd('/')).Order(StringComparer.Ordinal).ToArray();

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var views = new string[Nodes];
            while (true)
            {
                for (var i = 0; i < Nodes; i++) views[i] = await ClusterViewAsync(http, servers[i].BaseAddress);
                if (views.All(v => ListsAllUp(v, expected, urls))) break;
                Assert.True(clock.Elapsed < BootstrapTimeout,
                    $"no single cluster of {Nodes} Up members within {BootstrapTimeout.TotalSeconds} s; expected {string.Join(", ", expected)}; last views:\n{string.Join("\n", views)}");
                await Task.Delay(PollInterval);
            }
            output.WriteLine($"{Nodes} processes listening after {listening.TotalSeconds:F1} s; one cluster of {Nodes} Up after {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }
    }

    /// <summary>This node's <c>GET /cluster</c>, or the failure as text (a node still starting may not answer).</summary>
    private static async Task<string> ClusterViewAsync(HttpClient http, Uri node)
    {
        try { return await http.GetStringAsync(new Uri(node, "/cluster")); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return $"{node}: {e.Message}"; }
    }

    /// <summary>Whether a /cluster view lists exactly <paramref name="addresses"/>, each Up with its node's url.</summary>
    private static bool ListsAllUp(string view, string[] addresses, string[] urls)
    {
        if (!view.StartsWith('{')) return false;
        using var doc = JsonDocument.Parse(view);
        var members = doc.RootElement.GetProperty("members").EnumerateArray().ToArray();
        return members.All(m => m.GetProperty("status").GetString() == "Up")
            && members.Select(m => m.GetProperty("address").GetString()).Order(StringComparer.Ordinal).SequenceEqual(addresses)
            && members.Select(m => m.GetProperty("url").GetString()).Order(StringComparer.Ordinal).SequenceEqual(urls);
    }

    /// <summary>Distinct free loopback TCP ports: each listener is held until all are chosen.</summary>
    private static int[] FreeTcpPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var l in listeners) l.Start();
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var l in listeners) l.Stop();
        }
    }
}
