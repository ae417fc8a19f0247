using System.Diagnostics;
using AkkaSfu.LoadGen;
using AkkaSfu.Signalling.Tests.Browser;
using AkkaSfu.Tests.Browser;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Cluster;

/// <summary>One room over several workers and nodes, with real node processes: its routers stitched by pipe
/// transports (UDP between the processes, with and without SRTP), and a node lost under it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SpreadRoomTests(ITestOutputHelper output)
{
    private LoadGenOptions Load(Uri[] servers, string roomId, int peers, double seconds) => new()
    {
        Servers = servers, RoomId = roomId, Rooms = 1, Peers = peers, DurationSec = seconds, WarmupSec = 1,
        VideoKbps = 200, Quiet = true, SetupConcurrency = 2,
    };

    /// <summary>Room-node placement: a room on node A whose peers' projected consumers pass a router's limit
    /// (12) fills A's first worker, then its second, then node B's. Peer-node placement (with SRTP on the pipes):
    /// each peer's transports are on the node its socket landed on. Either way every consumer gets every stream,
    /// whole.</summary>
    [Theory]
    [InlineData("room-node", false)]
    [InlineData("peer-node", true)]
    public async Task A_room_spreads_over_workers_and_nodes_and_every_consumer_gets_every_stream(string placement, bool srtp)
    {
        await using var cluster = await ClusterNodes.StartAsync(2, env: new Dictionary<string, string>
        {
            ["AKKASFU_WORKERS"] = "2",
            ["AKKASFU_MAX_CONSUMERS_PER_ROUTER"] = "12",
            ["AKKASFU_PLACEMENT"] = placement,
            ["AKKASFU_PIPE_SRTP"] = srtp ? "1" : "0",
        });
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var room = await cluster.RoomOnAsync(a, a, "spread");
        var servers = placement == "peer-node" ? new[] { a.BaseAddress, b.BaseAddress } : [a.BaseAddress];

        var load = Runner.RunAsync(Load(servers, room, peers: 6, seconds: 6));
        ClusterNodes.RouterInfo[] routers = [];
        // Every peer placed, on routers that exist (a router still being made has no worker yet).
        await WaitForAsync(async () => (routers = await ClusterNodes.RoutersAsync(a, room)) is var rs && rs.Sum(x => x.Peers) == 6 && rs.All(x => x.Worker >= 0),
            "every peer to be placed on a router that exists");
        var r = await load;
        output.WriteLine(r.ToJson());
        foreach (var x in routers) output.WriteLine($"router {x.RouterId} on {x.Node} worker {x.Worker}: {x.Peers} peers, {x.Consumers} consumers{(x.Main ? " (main)" : "")}");

        Assert.Null(r.Error);
        Assert.Equal(r.ConsumersExpected, r.ConsumersWithMedia);
        Assert.Equal(0, r.Lost);
        Assert.Equal(2, routers.Select(x => x.Node).Distinct().Count());
        var aNode = (await ClusterNodes.ViewAsync(a)).Self.Address;
        if (placement == "room-node")
            Assert.Equal(2, routers.Where(x => x.Node == aNode).Select(x => x.Worker).Distinct().Count()); // A's workers first
        Assert.Equal(routers.Length, routers.Select(x => (x.Node, x.Worker)).Distinct().Count()); // one router per (node, worker)
        Assert.All(r.LossByServerPair!, p => Assert.Equal(0, p.Lost));
    }

    /// <summary>kill -9 of a node that carries some of a room's peers (the room lives on another): the peers whose
    /// routers stayed keep receiving each other without a packet lost, and the lost node's peers (their sockets on
    /// the room's node) are told to reconnect, join again and get media on a router of a survivor.</summary>
    [Fact]
    public async Task Killing_a_node_of_a_spread_room_costs_only_its_own_peers_their_media_and_they_come_back()
    {
        await using var cluster = await ClusterNodes.StartAsync(3, env: new Dictionary<string, string>
        {
            ["AKKASFU_MAX_CONSUMERS_PER_ROUTER"] = "20",
        });
        var a = cluster.Nodes[0];
        var room = await cluster.RoomOnAsync(a, a, "spreadkill");
        await using var browser = await Chromium.LaunchAsync();

        // Three load generator peers fill the room's router on A (projected 3·2·2 = 12 consumers of 20);
        // the two pages that join next would pass it, so they go to a router on another node.
        var load = Runner.RunAsync(Load([a.BaseAddress], room, peers: 3, seconds: 22));
        await WaitForAsync(async () => (await ClusterNodes.RoutersAsync(a, room)).Sum(x => x.Peers) >= 3, "the load peers to be placed");
        var p1 = await ConferencePage.JoinAsync(browser, a.BaseAddress, room, "p1", "&simulcast=0");
        var p2 = await ConferencePage.JoinAsync(browser, a.BaseAddress, room, "p2", "&simulcast=0");
        var (id1, id2) = (await ConferencePage.PeerIdAsync(p1), await ConferencePage.PeerIdAsync(p2));
        await ConferencePage.WaitForMediaAsync(p1, "p1", [id2], output);
        await ConferencePage.WaitForMediaAsync(p2, "p2", [id1], output);

        var routers = await ClusterNodes.RoutersAsync(a, room);
        foreach (var x in routers) output.WriteLine($"router {x.RouterId} on {x.Node} worker {x.Worker}: {x.Peers} peers, {x.Consumers} consumers{(x.Main ? " (main)" : "")}");
        var remote = Assert.Single(routers, x => !x.Main);
        Assert.Equal(2, remote.Peers);
        var victim = (await cluster.NodeAtAsync(remote.Node))!;
        Assert.NotEqual(a, victim);

        var clock = Stopwatch.StartNew();
        victim.KillHard();
        foreach (var p in new[] { p1, p2 })
            await p.WaitForFunctionAsync("() => window.akkasfu.joins >= 2 && window.akkasfu.state === 'joined'", null, new() { Timeout = 30_000, PollingInterval = 100 });
        await Task.WhenAll(
            ConferencePage.WaitForMediaAsync(p1, "p1", [id2], output, frames: 5, timeoutSec: 30),
            ConferencePage.WaitForMediaAsync(p2, "p2", [id1], output, frames: 5, timeoutSec: 30));
        output.WriteLine($"kill -9 → the lost node's peers have media again after {clock.Elapsed.TotalSeconds:F1} s");

        var r = await load;
        output.WriteLine(r.ToJson());
        Assert.Null(r.Error);
        Assert.Equal(r.ConsumersExpected, r.ConsumersWithMedia);
        Assert.Equal(0, r.Lost); // the peers on the room's node lost nothing between them while the other node died
        var after = await ClusterNodes.RoutersAsync(a, room);
        Assert.DoesNotContain(after, x => x.Node == remote.Node);
        await p1.CloseAsync();
        await p2.CloseAsync();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, int timeoutSec = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSec);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("timed out waiting for " + what);
            await Task.Delay(200);
        }
    }
}
