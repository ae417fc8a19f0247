// DTLS 1.2 + DTLS-SRTP for one WebRTC transport (RFC 6347, RFC 5764, RFC 5763; mediasoup DtlsTransport).
// Threading and BC driving as verified in docs/dtls.md §6.
using AkkaSfu.Media.Srtp;
using Org.BouncyCastle.Tls;
using BcDtlsTransport = Org.BouncyCastle.Tls.DtlsTransport;

namespace AkkaSfu.Media.Dtls;

/// <summary>One WebRTC transport's DTLS engine. <see cref="Run"/> starts the handshake on one dedicated
/// background thread that ends with the handshake (BC has no non-blocking DTLS API), or, given a
/// <see cref="DtlsHandshakePool"/>, queues it for one of the pool's threads (a server waits for the peer's first
/// datagram before it takes a slot, so a silent peer holds none); the owner hands datagrams in
/// with <see cref="Feed"/>. After the handshake no thread remains: later datagrams (retransmitted Finished,
/// close_notify) are processed on the caller's thread inside <see cref="Feed"/>.
/// <para>Threads: listener methods are called on the handshake thread or on the thread calling Feed /
/// ProcessPending / Close. Feed, ProcessPending and Close may be called from the owner's thread at any time.</para></summary>
public sealed class DtlsTransport
{
    /// <summary>mediasoup's default SRTP profile preference.</summary>
    public static readonly IReadOnlyList<SrtpProfile> DefaultProfiles =
    [
        SrtpProfile.AeadAes256Gcm, SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.Aes128CmHmacSha1_32,
    ];

    /// <summary>Default handshake timeout.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(30);

    private enum State { New, Handshaking, Connected, Closed, Failed }

    private readonly DtlsCertificate _certificate;
    private readonly IDtlsListener _listener;
    private readonly SrtpProfile[] _profiles;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TimeProvider _time;
    private readonly DtlsCounters _counters;
    private readonly DatagramQueue _queue;
    private readonly DtlsHandshakeState _hs = new();
    private readonly object _gate = new();

    private State _state;
    private DtlsRole _role;
    private AbstractTlsPeer? _peer;
    private BcDtlsTransport? _dtls;
    private ITimer? _timer;
    private Thread? _thread;
    private bool _timedOut, _cancelled;
    private readonly DtlsHandshakePool? _pool;
    private LinkedListNode<DtlsTransport>? _node;
    private bool _deferred;
    private int _draining;
    private byte[]? _appBuffer;

    /// <param name="certificate">Our certificate (may be shared by many transports).</param>
    /// <param name="listener">Receives outgoing datagrams and events.</param>
    /// <param name="profiles">SRTP profiles in preference order; default <see cref="DefaultProfiles"/>.</param>
    /// <param name="handshakeTimeout">Fail with <see cref="DtlsFailure.Timeout"/> if not connected by then; default 30 s.</param>
    /// <param name="timeProvider">Clock for the handshake timeout; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="counters">Counters to bump (share one across a worker to aggregate); default a private instance.</param>
    /// <param name="pool">The worker's handshake threads; null = a dedicated thread for this handshake.</param>
    public DtlsTransport(DtlsCertificate certificate, IDtlsListener listener, IEnumerable<SrtpProfile>? profiles = null,
        TimeSpan? handshakeTimeout = null, TimeProvider? timeProvider = null, DtlsCounters? counters = null,
        DtlsHandshakePool? pool = null)
    {
        _pool = pool;
        _certificate = certificate ?? throw new ArgumentNullException(nameof(certificate));
        _listener = listener ?? throw new ArgumentNullException(nameof(listener));
        _profiles = (profiles ?? DefaultProfiles).Distinct().ToArray();
        if (_profiles.Length == 0 || _profiles.Any(p => !DtlsSrtpCommon.IsKnown((int)p)))
            throw new ArgumentException("need at least one known SRTP profile", nameof(profiles));
        _handshakeTimeout = handshakeTimeout ?? DefaultHandshakeTimeout;
        if (_handshakeTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(handshakeTimeout));
        _time = timeProvider ?? TimeProvider.System;
        _counters = counters ?? new DtlsCounters();
        _queue = new DatagramQueue(listener, _counters);
    }

    /// <summary>Counters this transport bumps.</summary>
    public DtlsCounters Counters => _counters;

    /// <summary>True between a successful handshake and close/failure.</summary>
    public bool IsConnected { get { lock (_gate) return _state == State.Connected; } }

    /// <summary>Our resolved role once <see cref="Run"/> was called.</summary>
    public DtlsRole Role => _role;

    /// <summary>The handshake thread while it runs (tests use it to check it ends).</summary>
    internal Thread? HandshakeThread => _thread;

    /// <summary>Starts the handshake as <paramref name="role"/> (Client or Server; resolve Auto with
    /// <see cref="DtlsRoles.ResolveLocal"/> first) against a peer whose certificate must match
    /// <paramref name="remoteFingerprint"/>. Returns at once; the handshake runs on its own thread.</summary>
    /// <exception cref="ArgumentException">role is Auto.</exception>
    /// <exception cref="InvalidOperationException">called twice or after Close.</exception>
    public void Run(DtlsRole role, DtlsFingerprint remoteFingerprint)
    {
        ArgumentNullException.ThrowIfNull(remoteFingerprint);
        if (role is not (DtlsRole.Client or DtlsRole.Server))
            throw new ArgumentException("role must be Client or Server (resolve Auto first)", nameof(role));
        lock (_gate)
        {
            if (_state != State.New) throw new InvalidOperationException($"DTLS transport is {_state}");
            _state = State.Handshaking;
            _role = role;
            _peer = role == DtlsRole.Server
                ? new DtlsSrtpServer(_certificate, remoteFingerprint, _profiles, _hs)
                : new DtlsSrtpClient(_certificate, remoteFingerprint, _profiles, _hs);
            _timer = _time.CreateTimer(static s => ((DtlsTransport)s!).OnHandshakeTimeout(), this,
                _handshakeTimeout, Timeout.InfiniteTimeSpan);
            Interlocked.Increment(ref _counters.handshakesStarted);
            if (_pool is not null)
            {
                // A server speaks second: it takes a thread when the peer's first datagram arrives (Feed).
                if (role == DtlsRole.Server) _deferred = true;
                else SubmitLocked();
                return;
            }
            _thread = new Thread(HandshakeMain, maxStackSize: 512 * 1024)
            {
                IsBackground = true,
                Name = role == DtlsRole.Server ? "dtls-handshake-server" : "dtls-handshake-client",
            };
        }
        _thread.Start();
    }

    /// <summary>Queues the handshake on the pool; a full queue fails it (Overloaded). Under _gate.</summary>
    private void SubmitLocked()
    {
        if (_pool!.TryEnqueue(this, out _node)) return;
        _state = State.Failed;
        _timer?.Dispose();
        _queue.Close();
        Interlocked.Increment(ref _counters.failed[(int)DtlsFailure.Overloaded]);
        _listener.OnDtlsFailed(DtlsFailure.Overloaded, $"too many DTLS handshakes waiting ({_pool.MaxQueued})");
    }

    /// <summary>Called by the pool on one of its threads.</summary>
    internal void RunHandshake() => HandshakeMain();

    /// <summary>Takes a handshake that has not started off the pool (or its deferred start). Under _gate.</summary>
    private bool UnqueueLocked()
    {
        if (_deferred) { _deferred = false; return true; }
        return _node is not null && _pool!.TryRemove(_node);
    }

    /// <summary>Hands one received DTLS datagram in (copied; the span may be reused on return). During the
    /// handshake it is queued for the handshake thread; once connected it is processed on this thread.
    /// Drops (counted) when the queue is full, the datagram exceeds 1500 B, the transport is finished, or (once
    /// connected) its records are malformed.</summary>
    public void Feed(ReadOnlySpan<byte> datagram)
    {
        State state;
        lock (_gate) state = _state;
        if (state is State.Closed or State.Failed or State.New)
        {
            Interlocked.Increment(ref _counters.datagramsAfterClose);
            return;
        }
        if (state == State.Connected)
        {
            // BC fails the connection on some malformed records (e.g. a too-short ciphertext: decode_error);
            // RFC 6347 §4.1.2.7 says drop them. Filter what we can see from the headers.
            var err = DtlsRecordView.CheckDatagram(datagram);
            if (err != DtlsRecordError.None)
            {
                Interlocked.Increment(ref _counters.datagramsMalformed);
                return;
            }
            if (_queue.TryEnqueue(datagram)) ProcessPending();
            return;
        }
        _queue.TryEnqueue(datagram);
        if (_deferred)
        {
            lock (_gate)
            {
                if (!_deferred || _state != State.Handshaking) return;
                _deferred = false;
                SubmitLocked();
            }
        }
    }

    /// <summary>Processes queued datagrams on the caller's thread when connected (Feed already does this; call
    /// it once after OnDtlsConnected if you want nothing to wait for the next Feed). Never blocks beyond ~1 ms per
    /// call (BC's minimum receive wait), never runs concurrently with itself.</summary>
    public void ProcessPending()
    {
        while (true)
        {
            if (Interlocked.CompareExchange(ref _draining, 1, 0) != 0) return; // someone is draining; they will see our datagram
            try { DrainConnected(); }
            finally { Volatile.Write(ref _draining, 0); }
            // Re-check: a datagram enqueued while we were finishing saw _draining = 1 and left it to us.
            if (!_queue.HasPending || !IsConnected) return;
        }
    }

    private void DrainConnected()
    {
        BcDtlsTransport? dtls;
        lock (_gate) dtls = _state == State.Connected ? _dtls : null;
        if (dtls is null) return;
        _appBuffer ??= new byte[DatagramQueue.ReceiveLimit];
        try
        {
            while (_queue.HasPending)
            {
                // waitMillis 1: BC handles handshake retransmits and alerts internally and returns -1;
                // application data (SCTP) comes back as a length: out of scope, drop and count.
                int n = dtls.Receive(_appBuffer, 0, _appBuffer.Length, 1);
                if (n >= 0) Interlocked.Increment(ref _counters.applicationDataDropped);
                if (_hs.PeerClosed) break;
            }
        }
        catch (TlsFatalAlertReceived e)
        {
            FinishConnected(DtlsFailure.AlertReceived, "peer sent fatal alert " + AlertDescription.GetText(e.AlertDescription));
            return;
        }
        catch (Exception e) when (!_hs.PeerClosed)
        {
            FinishConnected(e is TlsFatalAlert ? DtlsFailure.ProtocolError : DtlsFailure.InternalError, e.Message);
            return;
        }
        catch (Exception)
        {
            // IOException from our closed queue after BC answered close_notify: handled below.
        }
        if (_hs.PeerClosed) FinishConnected(null, "close_notify");
    }

    /// <summary>Ends a connected transport: failure (reason) or peer close (null).</summary>
    private void FinishConnected(DtlsFailure? reason, string detail)
    {
        lock (_gate)
        {
            if (_state != State.Connected) return;
            _state = reason is null ? State.Closed : State.Failed;
        }
        _queue.Close();
        if (reason is { } r)
        {
            Interlocked.Increment(ref _counters.failed[(int)r]);
            _listener.OnDtlsFailed(r, detail);
        }
        else
        {
            _listener.OnDtlsClosed();
        }
    }

    /// <summary>Sends close_notify if connected; stops a running handshake (its thread ends within a few ms,
    /// no OnDtlsFailed); idempotent. Does not call OnDtlsClosed (that reports the peer's close).</summary>
    public void Close()
    {
        BcDtlsTransport? dtls = null;
        lock (_gate)
        {
            switch (_state)
            {
                case State.New:
                    _state = State.Closed;
                    return;
                case State.Handshaking:
                    _state = State.Closed;
                    _cancelled = true;
                    if (_pool is not null && UnqueueLocked())
                    {
                        // Never started: nothing runs that would count or end it.
                        Interlocked.Increment(ref _counters.handshakesCancelled);
                        _queue.Close();
                        _timer?.Dispose();
                        return;
                    }
                    break;
                case State.Connected:
                    _state = State.Closed;
                    dtls = _dtls;
                    break;
                default:
                    return;
            }
        }
        if (dtls is not null)
        {
            // BC's DtlsTransport is not thread-safe: wait out a drain in progress (the handshake thread's last
            // ProcessPending, a few ms at most) and keep the flag so none starts after us.
            var spin = new SpinWait();
            while (Interlocked.CompareExchange(ref _draining, 1, 0) != 0) spin.SpinOnce();
            try { dtls.Close(); } catch (Exception) { /* best effort close_notify */ }
        }
        else
        {
            try { _peer?.Cancel(); } catch (Exception) { /* BC may not have its handle yet */ }
        }
        _queue.Close();
        _timer?.Dispose();
    }

    private void OnHandshakeTimeout()
    {
        bool neverStarted;
        lock (_gate)
        {
            if (_state != State.Handshaking) return;
            _timedOut = true;
            neverStarted = _pool is not null && UnqueueLocked();
            if (neverStarted) _state = State.Failed;
        }
        _queue.Close(); // Receive throws; Accept/Connect ends and its thread (or pool slot) is free
        if (!neverStarted) return;
        Interlocked.Increment(ref _counters.failed[(int)DtlsFailure.Timeout]);
        _listener.OnDtlsFailed(DtlsFailure.Timeout, $"handshake not started within {_handshakeTimeout.TotalMilliseconds:0} ms (waiting for the peer or a handshake slot)");
    }

    private void HandshakeMain()
    {
        BcDtlsTransport? dtls = null;
        Exception? error = null;
        try
        {
            dtls = _peer is DtlsSrtpServer server
                ? new DtlsServerProtocol().Accept(server, _queue)
                : new DtlsClientProtocol().Connect((DtlsSrtpClient)_peer!, _queue);
        }
        catch (Exception e)
        {
            error = e;
        }
        _timer?.Dispose();

        if (dtls is not null && error is null && _hs.KeyingMaterial is { } material)
        {
            lock (_gate)
            {
                if (_state != State.Handshaking)
                {
                    try { dtls.Close(); } catch (Exception) { /* cancelled as it completed */ }
                    Interlocked.Increment(ref _counters.handshakesCancelled);
                    return;
                }
                _dtls = dtls;
                _state = State.Connected;
                _queue.SetNonBlocking();
            }
            var (local, remote) = SrtpMasterKey.FromDtlsExport(_hs.Profile, material, _role == DtlsRole.Client);
            Array.Clear(material);
            Interlocked.Increment(ref _counters.handshakesCompleted);
            _listener.OnDtlsConnected(_hs.Profile, local, remote, _role);
            ProcessPending(); // datagrams that arrived while we were finishing
            return;
        }

        if (dtls is not null)
        {
            try { dtls.Close(); } catch (Exception) { /* no keys: unusable */ }
        }
        DtlsFailure reason;
        string detail;
        lock (_gate)
        {
            if (_cancelled)
            {
                Interlocked.Increment(ref _counters.handshakesCancelled);
                return;
            }
            (reason, detail) = Classify(error);
            _state = State.Failed;
        }
        _queue.Close();
        Interlocked.Increment(ref _counters.failed[(int)reason]);
        _listener.OnDtlsFailed(reason, detail);
    }

    private (DtlsFailure, string) Classify(Exception? error)
    {
        if (_hs.Failure is { } f) return (f, _hs.FailureDetail ?? "");
        if (_timedOut || error is TlsTimeoutException)
            return (DtlsFailure.Timeout, $"handshake not done within {_handshakeTimeout.TotalMilliseconds:0} ms");
        return error switch
        {
            TlsFatalAlertReceived r => (DtlsFailure.AlertReceived, "peer sent fatal alert " + AlertDescription.GetText(r.AlertDescription)),
            TlsFatalAlert a => (DtlsFailure.ProtocolError, "raised alert " + AlertDescription.GetText(a.AlertDescription) + ": " + a.Message),
            IOException when _hs.PeerClosed => (DtlsFailure.AlertReceived, "peer sent close_notify during the handshake"),
            null => (DtlsFailure.InternalError, "handshake ended without keying material"),
            _ => (DtlsFailure.InternalError, error.GetType().Name + ": " + error.Message),
        };
    }
}
