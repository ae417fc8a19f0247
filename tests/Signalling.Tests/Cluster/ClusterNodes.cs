using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace AkkaSfu.Signalling.Tests.Cluster;

/// <summary>Real AkkaSfu node processes on 127.0.0.1 forming one Akka.Cluster, started as docs/deploy.md
/// says (AKKASFU_CLUSTER_PORT, AKKASFU_CLUSTER_SEEDS, AKKASFU_RTC_PORTS), one worker each.</summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    public sealed record Member(string Address, string? Url, string Status, string[] Rooms);
    public sealed record Self(string Address, string? Url);
    public sealed record View(Self Self, Member[] Members);

    private static int _nextRtcBase = 20000 + Environment.ProcessId % 50 * 100;
    private readonly List<ServerProcess> _nodes = [];
    private readonly bool _faults;

    public static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly IReadOnlyDictionary<string, string> _env;

    private ClusterNodes(bool faults, IReadOnlyDictionary<string, string>? env)
    {
        _faults = faults;
        _env = env ?? new Dictionary<string, string>();
    }

    public IReadOnlyList<ServerProcess> Nodes => _nodes;
    public List<int> SeedPorts { get; } = [];

    /// <summary>Starts <paramref name="count"/> nodes (the first two are the seeds) and waits until every
    /// one lists all of them Up. <paramref name="env"/>: more environment for every node (it may override
    /// AKKASFU_WORKERS).</summary>
    public static async Task<ClusterNodes> StartAsync(int count, bool faults = false, IReadOnlyDictionary<string, string>? env = null)
    {
        var cluster = new ClusterNodes(faults, env);
        var ports = Enumerable.Range(0, count).Select(_ => FreeTcpPort()).ToArray();
        cluster.SeedPorts.AddRange(ports.Take(2));
        await Task.WhenAll(ports.Select((p, i) => cluster.StartNodeAsync(p, $"node{i}")));
        await cluster.WaitForUpAsync(count);
        return cluster;
    }

    /// <summary>One more node, joining through the seeds that are still there.</summary>
    public async Task<ServerProcess> StartNodeAsync(int clusterPort, string name)
    {
        var rtc = Interlocked.Add(ref _nextRtcBase, 400);
        var env = new Dictionary<string, string>
        {
            ["AKKASFU_WORKERS"] = "1",
            ["AKKASFU_CLUSTER_PORT"] = clusterPort.ToString(),
            ["AKKASFU_CLUSTER_SEEDS"] = string.Join(",", SeedPorts.Select(p => $"127.0.0.1:{p}")),
            ["AKKASFU_RTC_PORTS"] = $"{rtc}-{rtc + 399}",
        };
        if (_faults) env["AKKASFU_TEST_FAULTS"] = "1";
        foreach (var (k, v) in _env) env[k] = v;
        var node = await ServerProcess.StartAsync(env, name);
        lock (_nodes) _nodes.Add(node);
        return node;
    }

    public static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task<View> ViewAsync(ServerProcess node) =>
        (await Http.GetFromJsonAsync<View>(new Uri(node.BaseAddress, "/cluster"), new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;

    /// <summary>Until every live node lists <paramref name="count"/> members, all Up with their urls.</summary>
    public async Task WaitForUpAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var views = await Task.WhenAll(_nodes.Where(n => !n.HasExited).Select(async n => { try { return await ViewAsync(n); } catch (Exception) { return null; } }));
            if (views.All(v => v is not null && v.Members.Length == count && v.Members.All(m => m.Status == "Up" && m.Url is not null))) return;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"cluster did not reach {count} Up members: {JsonSerializer.Serialize(views)}");
            await Task.Delay(300);
        }
    }

    /// <summary>The node (of <see cref="Nodes"/>) that hosts <paramref name="roomId"/>, as <paramref name="via"/> sees it.</summary>
    public async Task<ServerProcess?> HostOfAsync(string roomId, ServerProcess via)
    {
        var view = await ViewAsync(via);
        var url = view.Members.FirstOrDefault(m => m.Rooms.Contains(roomId))?.Url;
        return url is null ? null : _nodes.FirstOrDefault(n => n.BaseAddress.ToString().TrimEnd('/') == url);
    }

    /// <summary>A new room id whose room lives on <paramref name="target"/>: rooms are created (GET
    /// /rooms/:id through <paramref name="via"/>) until one lands there. The others stay empty.</summary>
    public async Task<string> RoomOnAsync(ServerProcess target, ServerProcess via, string prefix)
    {
        for (var i = 0; i < 200; i++)
        {
            var roomId = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
            using var r = await Http.GetAsync(new Uri(via.BaseAddress, $"/rooms/{roomId}"));
            r.EnsureSuccessStatusCode();
            if (await HostOfAsync(roomId, via) == target) return roomId;
        }
        throw new Xunit.Sdk.XunitException("no room landed on " + target.BaseAddress);
    }

    public sealed record RouterInfo(string RouterId, string Node, int Worker, int Peers, int Consumers, bool Main);

    /// <summary>The routers of <paramref name="roomId"/> (GET /rooms/:id/routers through <paramref name="via"/>).</summary>
    public static async Task<RouterInfo[]> RoutersAsync(ServerProcess via, string roomId) =>
        (await Http.GetFromJsonAsync<RouterInfo[]>(new Uri(via.BaseAddress, $"/rooms/{roomId}/routers"), new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;

    /// <summary>The node of <see cref="Nodes"/> whose cluster address is <paramref name="address"/>.</summary>
    public async Task<ServerProcess?> NodeAtAsync(string address)
    {
        foreach (var n in _nodes.Where(n => !n.HasExited))
            if ((await ViewAsync(n)).Self.Address == address) return n;
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
    }
}
