using AkkaSfu.Signalling.Tests.Browser;
using AkkaSfu.Tests.Browser;
using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Cluster;

/// <summary>Three node processes in one cluster: membership, rooms spread by sharding, and one room used
/// through two nodes while it lives on the third.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ClusterTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public ClusterNodes Cluster { get; private set; } = null!;
        public async Task InitializeAsync() => Cluster = await ClusterNodes.StartAsync(3);
        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private IReadOnlyList<ServerProcess> Nodes => fixture.Cluster.Nodes;

    [Fact]
    public async Task Every_node_lists_three_members_up_with_their_urls_and_metrics_count_them()
    {
        foreach (var node in Nodes)
        {
            var view = await ClusterNodes.ViewAsync(node);
            Assert.Equal(node.BaseAddress.ToString().TrimEnd('/'), view.Self.Url);
            Assert.StartsWith("akka.tcp://akkasfu@127.0.0.1:", view.Self.Address);
            Assert.Equal(3, view.Members.Length);
            Assert.All(view.Members, m => Assert.Equal("Up", m.Status));
            Assert.Equal(Nodes.Select(n => n.BaseAddress.ToString().TrimEnd('/')).Order(), view.Members.Select(m => m.Url!).Order());
            var metrics = await ClusterNodes.Http.GetStringAsync(new Uri(node.BaseAddress, "/metrics"));
            Assert.Contains("akkasfu_cluster_members{status=\"Up\"} 3", metrics);
            Assert.Contains("akkasfu_rooms ", metrics);
        }
    }

    [Fact]
    public async Task Thirty_rooms_created_through_one_node_spread_over_all_three()
    {
        var prefix = "spread-" + Guid.NewGuid().ToString("N")[..6];
        var rooms = Enumerable.Range(0, 30).Select(i => $"{prefix}-{i}").ToArray();
        foreach (var room in rooms)
        {
            using var r = await ClusterNodes.Http.GetAsync(new Uri(Nodes[0].BaseAddress, $"/rooms/{room}"));
            Assert.True(r.IsSuccessStatusCode, $"GET /rooms/{room}: {(int)r.StatusCode}");
        }
        var view = await ClusterNodes.ViewAsync(Nodes[1]);
        var hosted = view.Members.Select(m => m.Rooms.Count(rooms.Contains)).ToArray();
        output.WriteLine($"rooms per node: {string.Join(", ", hosted)}");
        Assert.Equal(30, hosted.Sum()); // each room lives on exactly one node
        Assert.All(hosted, n => Assert.True(n > 0, $"every node hosts some of the rooms: {string.Join(", ", hosted)}"));
    }

    [Fact]
    public async Task Peers_connected_to_two_nodes_see_and_hear_each_other_in_a_room_on_the_third()
    {
        var (a, b, c) = (Nodes[0], Nodes[1], Nodes[2]);
        var room = await fixture.Cluster.RoomOnAsync(c, a, "x");
        await using var browser = await Chromium.LaunchAsync();
        var alice = await ConferencePage.JoinAsync(browser, a.BaseAddress, room, "alice", "&simulcast=0");
        var bob = await ConferencePage.JoinAsync(browser, b.BaseAddress, room, "bob", "&simulcast=0");
        var (idA, idB) = (await ConferencePage.PeerIdAsync(alice), await ConferencePage.PeerIdAsync(bob));
        await ConferencePage.WaitForMediaAsync(alice, "alice", [idB], output);
        await ConferencePage.WaitForMediaAsync(bob, "bob", [idA], output);
        Assert.Equal(c, await fixture.Cluster.HostOfAsync(room, b)); // still there: nothing moved
    }
}
