namespace AkkaSfu.Signalling.Tests.Cluster;

/// <summary>The cluster tests start several node processes and browsers each: they run on their own, after
/// the parallel tests, so a 2-core machine is not asked to run three clusters and a conference at once
/// (a starved node misses heartbeats and is downed: a real failure, but not the one under test).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
