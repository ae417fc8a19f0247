// mediasoup 3.27.1 node/src/errors.ts: ORTC failures carry mediasoup's own messages, because the
// signalling layer sends them verbatim as protoo errorReason / broadcaster HTTP bodies.
namespace AkkaSfu.Actors.Ortc;

/// <summary>Base of every ORTC failure (mediasoup's plain <c>Error</c>).</summary>
public class OrtcException : Exception
{
    /// <summary>Creates the exception with mediasoup's message.</summary>
    public OrtcException(string message) : base(message) { }
}

/// <summary>Invalid input (mediasoup's <c>TypeError</c>); HTTP 400 in the broadcaster API.</summary>
public sealed class OrtcTypeError : OrtcException
{
    /// <summary>Creates the exception with mediasoup's message.</summary>
    public OrtcTypeError(string message) : base(message) { }
}

/// <summary>Valid but unsupported input (mediasoup's <c>UnsupportedError</c>), e.g. an unknown codec.</summary>
public sealed class OrtcUnsupportedError : OrtcException
{
    /// <summary>Creates the exception with mediasoup's message.</summary>
    public OrtcUnsupportedError(string message) : base(message) { }
}
