// Callbacks, failure reasons and counters of DtlsTransport (mediasoup DtlsTransport::Listener).
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Dtls;

/// <summary>Why a DTLS handshake (or connection) failed.</summary>
public enum DtlsFailure : byte
{
    /// <summary>Handshake did not finish within the configured timeout.</summary>
    Timeout = 0,
    /// <summary>The peer's certificate does not match the signalled fingerprint (or it sent none).</summary>
    FingerprintMismatch,
    /// <summary>No SRTP profile in common (or the peer did not negotiate use_srtp).</summary>
    NoCommonSrtpProfile,
    /// <summary>The peer sent a fatal alert (or closed during the handshake).</summary>
    AlertReceived,
    /// <summary>Any other TLS/DTLS protocol error raised locally.</summary>
    ProtocolError,
    /// <summary>Unexpected exception (a bug).</summary>
    InternalError,
    /// <summary>The worker's handshake queue was full (<see cref="DtlsHandshakePool.MaxQueued"/>): refused.</summary>
    Overloaded,
}

/// <summary>Receives a DtlsTransport's output. Every method may be called on the transport's handshake thread
/// or on whichever thread called <see cref="DtlsTransport.Feed"/>, <see cref="DtlsTransport.ProcessPending"/>
/// or <see cref="DtlsTransport.Close"/>: the owner marshals events to its own thread. Implementations must not
/// throw and must not block.</summary>
public interface IDtlsListener
{
    /// <summary>Send one DTLS datagram to the peer (the owner's socket send; must be thread-safe).
    /// The span is only valid during the call.</summary>
    void SendDtls(ReadOnlySpan<byte> datagram);

    /// <summary>Handshake done; <paramref name="local"/> is the key we protect (encrypt) with,
    /// <paramref name="remote"/> the key we unprotect (decrypt) with.</summary>
    void OnDtlsConnected(SrtpProfile profile, SrtpMasterKey local, SrtpMasterKey remote, DtlsRole localRole);

    /// <summary>Handshake or connection failed; the transport is finished.</summary>
    void OnDtlsFailed(DtlsFailure reason, string detail);

    /// <summary>The peer sent close_notify after the handshake; the transport is finished.</summary>
    void OnDtlsClosed();
}

/// <summary>Counters for one or many DtlsTransports (pass one instance to all transports of a worker to
/// aggregate). Written with Interlocked from any thread; read with <see cref="Volatile"/> or the accessors.</summary>
public sealed class DtlsCounters
{
    internal long handshakesStarted, handshakesCompleted, handshakesCancelled;
    internal long datagramsQueueFull, datagramsTooLarge, datagramsAfterClose, applicationDataDropped, datagramsMalformed;
    internal readonly long[] failed = new long[Enum.GetValues<DtlsFailure>().Length];

    /// <summary>Handshakes started by Run.</summary>
    public long HandshakesStarted => Volatile.Read(ref handshakesStarted);
    /// <summary>Handshakes that reached OnDtlsConnected.</summary>
    public long HandshakesCompleted => Volatile.Read(ref handshakesCompleted);
    /// <summary>Handshakes ended by our own Close().</summary>
    public long HandshakesCancelled => Volatile.Read(ref handshakesCancelled);
    /// <summary>Handshakes (or connections) failed with the given reason.</summary>
    public long Failed(DtlsFailure reason) => Volatile.Read(ref failed[(int)reason]);
    /// <summary>Datagrams dropped because the receive queue was full.</summary>
    public long DatagramsQueueFull => Volatile.Read(ref datagramsQueueFull);
    /// <summary>Datagrams dropped for exceeding the receive limit.</summary>
    public long DatagramsTooLarge => Volatile.Read(ref datagramsTooLarge);
    /// <summary>Datagrams dropped because the transport was not running (before Run, or closed/failed).</summary>
    public long DatagramsAfterClose => Volatile.Read(ref datagramsAfterClose);
    /// <summary>Datagrams dropped after the handshake for malformed record framing.</summary>
    public long DatagramsMalformed => Volatile.Read(ref datagramsMalformed);
    /// <summary>DTLS application data records (SCTP; out of scope) dropped.</summary>
    public long ApplicationDataDropped => Volatile.Read(ref applicationDataDropped);
}
