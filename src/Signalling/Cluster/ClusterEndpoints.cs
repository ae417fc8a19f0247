using Akka.Actor;
using Akka.Cluster;
using AkkaSfu.Signalling.Hosting;

namespace AkkaSfu.Signalling.Cluster;

/// <summary><c>GET /cluster</c> on any node: this node and every member, each with its HTTP base, status
/// and hosted rooms (asked of each member's <see cref="NodeActor"/>; a member that does not answer in time
/// is listed with no url and no rooms; an unreachable one is not asked).</summary>
public static class ClusterEndpoints
{
    private static readonly TimeSpan MemberTimeout = TimeSpan.FromSeconds(2);

    public sealed record MemberView(string Address, string? Url, string Status, IReadOnlyList<string> Rooms);

    public sealed record SelfView(string Address, string? Url);

    public sealed record ClusterView(SelfView Self, IReadOnlyList<MemberView> Members);

    public static IEndpointRouteBuilder MapCluster(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster", async (SfuNode node) => Results.Json(await ViewAsync(node)));
        return app;
    }

    public static async Task<ClusterView> ViewAsync(SfuNode node)
    {
        var self = await AskAsync(node.Node, node.Node.Path.Address.ToString());
        if (!node.Cluster.Enabled)
            return new ClusterView(new SelfView(self.Address, self.Url), [new MemberView(self.Address, self.Url, "Up", self.Rooms)]);

        var cluster = Akka.Cluster.Cluster.Get(node.System);
        var members = cluster.State.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToArray();
        var unreachable = cluster.State.Unreachable;
        var infos = await Task.WhenAll(members.Select(m => m.Address == cluster.SelfAddress ? Task.FromResult(self)
            : unreachable.Contains(m) ? Task.FromResult(new NodeInfo(m.Address.ToString(), null, []))
            : AskAsync(node.System.ActorSelection(new RootActorPath(m.Address) / "user" / NodeActor.Name), m.Address.ToString())));
        return new ClusterView(new SelfView(self.Address, self.Url), members.Zip(infos, (m, i) =>
            new MemberView(m.Address.ToString(), i.Url, unreachable.Contains(m) ? "Unreachable" : m.Status.ToString(), i.Rooms)).ToArray());
    }

    /// <summary>For /metrics: members by status as this node sees them (no member is asked), and its rooms.</summary>
    public static async Task<Metrics.SfuMetrics.NodeStats> StatsAsync(SfuNode node, CancellationToken ct)
    {
        var rooms = (await node.Rooms.HostedRoomsAsync(MemberTimeout).WaitAsync(ct)).Count;
        if (!node.Cluster.Enabled) return new(new Dictionary<string, int> { ["Up"] = 1 }, rooms);
        var state = Akka.Cluster.Cluster.Get(node.System).State;
        var byStatus = state.Members.Where(m => !state.Unreachable.Contains(m)).GroupBy(m => m.Status.ToString()).ToDictionary(g => g.Key, g => g.Count());
        if (state.Unreachable.Count > 0) byStatus["Unreachable"] = state.Unreachable.Count;
        return new(byStatus, rooms);
    }

    /// <summary>A node actor's answer, or a node with no url and no rooms if it does not answer in time.</summary>
    private static async Task<NodeInfo> AskAsync(ICanTell node, string address)
    {
        try { return await node.Ask<NodeInfo>(GetNodeInfo.Instance, MemberTimeout); }
        catch (AskTimeoutException) { return new NodeInfo(address, null, []); }
    }
}
