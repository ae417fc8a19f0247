using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using AkkaSfu.Signalling.Hosting;

namespace AkkaSfu.Signalling.Cluster;

/// <summary>Test-only switch (akkasfu.cluster.test-faults, env AKKASFU_TEST_FAULTS=1): Akka.Remote runs
/// through its throttler adapter, and <c>POST /test/partition</c> blackholes this node's remoting traffic to
/// and from every other member (as Akka's multi-node TestConductor does), so the cluster sees a network
/// partition while the process and its HTTP port stay up. Never on in production: it is off unless set.</summary>
public static class FaultInjection
{
    /// <summary>HOCON that puts the throttler adapter under Akka.Remote's TCP transport.</summary>
    public const string Hocon = "akka.remote.dot-netty.tcp.applied-adapters = [trttl]";

    public static IEndpointRouteBuilder MapFaultInjection(this IEndpointRouteBuilder app)
    {
        app.MapPost("/test/partition", async (SfuNode node) =>
        {
            var system = (ExtendedActorSystem)node.System;
            var transport = ((RemoteActorRefProvider)system.Provider).Transport;
            var cluster = Akka.Cluster.Cluster.Get(system);
            var others = cluster.State.Members.Select(m => m.Address).Where(a => a != cluster.SelfAddress).ToArray();
            foreach (var address in others)
                await transport.ManagementCommand(new SetThrottle(address, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance));
            return Results.Json(new { blackholed = others.Select(a => a.ToString()) });
        });
        return app;
    }
}
