using Akka.Actor;

namespace AkkaSfu.Signalling.WebSockets;

/// <summary>Why a protoo WebSocket message was ignored (neither run nor answered).</summary>
public enum IgnoredMessage : byte
{
    /// <summary>Over <see cref="Protocol.Protoo.MaxMessageBytes"/>.</summary>
    TooBig,
    /// <summary>A binary frame (protoo is text).</summary>
    Binary,
    /// <summary>Not JSON, or not a protoo request/response/notification (signalling.md §1).</summary>
    Malformed,
}

/// <summary>How many client messages this node's protoo WebSockets ignored, by reason, for
/// <c>akkasfu_protoo_ignored_messages_total{reason}</c>. An Akka extension (one per node); thread-safe, lock-free.</summary>
public sealed class IgnoredMessages : Metrics.EnumCounts<IgnoredMessage>, IExtension
{
    public static IgnoredMessages Get(ActorSystem system) => system.WithExtension<IgnoredMessages, Provider>();

    /// <summary>The metric label: <c>too_big</c>, <c>binary</c>, <c>malformed</c>.</summary>
    public static string Label(IgnoredMessage reason) => reason switch
    {
        IgnoredMessage.TooBig => "too_big",
        IgnoredMessage.Binary => "binary",
        _ => "malformed",
    };

    private sealed class Provider : ExtensionIdProvider<IgnoredMessages>
    {
        public override IgnoredMessages CreateExtension(ExtendedActorSystem system) => new();
    }
}
