using Akka.Actor;

namespace AkkaSfu.Signalling.Limits;

/// <summary>A limit of akkasfu.limits (<see cref="Actors.Settings.LimitsSettings"/>).</summary>
public enum Limit : byte
{
    Connections,
    ConnectionsPerAddress,
    SendQueue,
    RequestRate,
    RequestFlood,
    PeersPerRoom,
    BroadcastersPerRoom,
    TransportsPerPeer,
    TransportsPerBroadcaster,
    ProducersPerTransport,
    ConsumersPerTransport,
}

/// <summary>How often each limit was hit on this node, for <c>akkasfu_limit_hits_total{limit}</c> (an Akka
/// extension, so rooms — local actors or shard entities — and the WebSocket endpoint count into one place).
/// Thread-safe, lock-free.</summary>
public sealed class LimitHits : Metrics.EnumCounts<Limit>, IExtension
{
    public static LimitHits Get(ActorSystem system) => system.WithExtension<LimitHits, Provider>();

    private sealed class Provider : ExtensionIdProvider<LimitHits>
    {
        public override LimitHits CreateExtension(ExtendedActorSystem system) => new();
    }
}

public static class LimitLabels
{
    /// <summary>The metric label: <c>transports_per_peer</c>.</summary>
    public static string Label(this Limit limit) => limit switch
    {
        Limit.Connections => "connections",
        Limit.ConnectionsPerAddress => "connections_per_address",
        Limit.SendQueue => "send_queue",
        Limit.RequestRate => "request_rate",
        Limit.RequestFlood => "request_flood",
        Limit.PeersPerRoom => "peers_per_room",
        Limit.BroadcastersPerRoom => "broadcasters_per_room",
        Limit.TransportsPerPeer => "transports_per_peer",
        Limit.TransportsPerBroadcaster => "transports_per_broadcaster",
        Limit.ProducersPerTransport => "producers_per_transport",
        Limit.ConsumersPerTransport => "consumers_per_transport",
        _ => limit.ToString(),
    };
}
