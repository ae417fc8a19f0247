// mediasoup 3.27.1 node/src/sctpParametersTypes.ts SctpStreamParameters and ortc.ts
// validateSctpStreamParameters() (signalling.md §3 produceData, §4 newDataConsumer).
namespace AkkaSfu.Actors.Ortc;

/// <summary>A DataChannel's SCTP stream: id and reliability.</summary>
public sealed record SctpStreamParameters
{
    /// <summary>SCTP stream id (mandatory).</summary>
    public int? StreamId { get; init; }

    /// <summary>Ordered delivery (default true; false when a partial-reliability limit is given).</summary>
    public bool? Ordered { get; init; }

    /// <summary>Partial reliability: lifetime in ms.</summary>
    public int? MaxPacketLifeTime { get; init; }

    /// <summary>Partial reliability: retransmissions.</summary>
    public int? MaxRetransmits { get; init; }
}

public static partial class Ortc
{
    /// <summary>
    /// Validates SCTP stream parameters: streamId mandatory, not both limits, not ordered with a limit;
    /// ordered defaults to true, or false when a limit is given.
    /// </summary>
    public static SctpStreamParameters ValidateSctpStreamParameters(SctpStreamParameters? parameters)
    {
        if (parameters is null) throw new OrtcTypeError("params is not an object");
        if (parameters.StreamId is null) throw new OrtcTypeError("missing params.streamId");
        // mediasoup tests truthiness, so a 0 limit counts as absent.
        var lifetime = parameters.MaxPacketLifeTime is > 0 or < 0;
        var retransmits = parameters.MaxRetransmits is > 0 or < 0;
        if (lifetime && retransmits)
            throw new OrtcTypeError("cannot provide both maxPacketLifeTime and maxRetransmits");
        if (parameters.Ordered is true && (lifetime || retransmits))
            throw new OrtcTypeError("cannot be ordered with maxPacketLifeTime or maxRetransmits");
        return parameters with { Ordered = parameters.Ordered ?? !(lifetime || retransmits) };
    }
}
