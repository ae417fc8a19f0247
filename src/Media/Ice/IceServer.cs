// ICE-lite agent, server side: RFC 8445 §2.5 (lite), §7.3 (responding to checks), §7.3.1.1 (role conflict),
// §8.2 (nomination by USE-CANDIDATE); RFC 7675 (consent freshness). Semantics follow mediasoup's IceServer:
// new -> connected (valid check) -> completed (USE-CANDIDATE) -> disconnected (consent lost).
using System.Net;
using System.Text;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Stun;

namespace AkkaSfu.Media.Ice;

/// <summary>ICE state of a transport, in mediasoup's words.</summary>
public enum IceState : byte
{
    New = 0,
    /// <summary>A valid check arrived; a tuple is selected but not nominated yet.</summary>
    Connected,
    /// <summary>The controlling peer nominated a tuple (USE-CANDIDATE).</summary>
    Completed,
    /// <summary>Consent expired on the selected tuple; all tuples were dropped.</summary>
    Disconnected,
}

/// <summary>What <see cref="IceServer.ProcessStun"/> did with a datagram. Answered* results wrote a response.</summary>
public enum IceServerResult : byte
{
    /// <summary>Valid Binding request; success response written.</summary>
    Answered = 0,
    /// <summary>400 written: not a Binding request, no FINGERPRINT, or USERNAME/PRIORITY/MESSAGE-INTEGRITY missing.</summary>
    AnsweredBadRequest,
    /// <summary>401 written: USERNAME is not <c>localUfrag:*</c> or MESSAGE-INTEGRITY does not verify.</summary>
    AnsweredUnauthorized,
    /// <summary>487 written: the peer claims ICE-CONTROLLED, but a lite agent is always controlled
    /// (only with <see cref="IceServer.RejectIceControlled"/>).</summary>
    AnsweredRoleConflict,
    /// <summary>Not a well-formed STUN message.</summary>
    DroppedMalformed,
    /// <summary>A response or indication (a lite agent sends no requests).</summary>
    DroppedNotRequest,
    /// <summary>FINGERPRINT present but wrong.</summary>
    DroppedBadFingerprint,
    /// <summary>The response did not fit the caller's buffer.</summary>
    DroppedResponseBufferTooSmall,
}

/// <summary>Receives the state changes of an <see cref="IceServer"/>. Called synchronously from
/// <see cref="IceServer.ProcessStun"/> and <see cref="IceServer.Tick"/>. Tuples passed in are the server's
/// private copies: keep them as keys, never mutate them.</summary>
public interface IIceServerListener
{
    void OnTupleAdded(SocketAddress tuple);
    void OnTupleRemoved(SocketAddress tuple);
    /// <summary>The selected tuple changed (null when cleared on disconnect).</summary>
    void OnSelectedTupleChanged(SocketAddress? tuple);
    void OnStateChanged(IceState state);
}

/// <summary>
/// ICE-lite responder for one transport (one owner thread). Answers Binding requests, tracks valid tuples and
/// the nominated (selected) one, and enforces consent freshness. A check from a known tuple allocates nothing.
/// </summary>
public sealed class IceServer : IDisposable
{
    /// <summary>Most tuples kept; adding another evicts the least recently checked non-selected one.</summary>
    public const int MaxTuples = 8;

    private sealed class Tuple(SocketAddress address, long lastCheckMs)
    {
        public readonly SocketAddress Address = address;
        public long LastCheckMs = lastCheckMs;
    }

    private readonly List<Tuple> _tuples = new(MaxTuples);
    private readonly IIceServerListener? _listener;
    private byte[] _ufrag;
    private StunIntegrityKey _password;
    private byte[]? _oldUfrag;
    private StunIntegrityKey? _oldPassword;
    private Tuple? _selected;

    /// <summary>Creates the server with our SDP credentials.</summary>
    public IceServer(string localUfrag, string localPassword, long consentTimeoutMs = 30_000, IIceServerListener? listener = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(consentTimeoutMs);
        _ufrag = Ascii(localUfrag, nameof(localUfrag));
        _password = new StunIntegrityKey(Ascii(localPassword, nameof(localPassword)));
        LocalUfrag = localUfrag;
        LocalPassword = localPassword;
        ConsentTimeoutMs = consentTimeoutMs;
        _listener = listener;
    }

    private static byte[] Ascii(string s, string name) =>
        IceCredentials.IsIceChars(s) ? Encoding.ASCII.GetBytes(s) : throw new ArgumentException("not ice-chars", name);

    public string LocalUfrag { get; private set; }
    public string LocalPassword { get; private set; }
    /// <summary>The ufrag before the last <see cref="RestartIce"/>, while checks with it are still answered
    /// (until the first valid check with the new one); null otherwise.</summary>
    public string? OldUfrag { get; private set; }
    public long ConsentTimeoutMs { get; }
    /// <summary>Answer checks carrying ICE-CONTROLLED with 487 Role Conflict (RFC 8445 §7.3.1.1). Off by default:
    /// mediasoup answers them normally to keep Chromium working (webrtc bug 7478).</summary>
    public bool RejectIceControlled { get; init; }
    public IceState State { get; private set; }
    /// <summary>The tuple media goes to (null before the first valid check and after disconnect).</summary>
    public SocketAddress? SelectedTuple => _selected?.Address;
    /// <summary>Number of valid tuples.</summary>
    public int TupleCount => _tuples.Count;

    /// <summary>The valid tuples (the server's copies), for the owner's bookkeeping (allocates: not per packet).</summary>
    public IReadOnlyList<SocketAddress> Tuples => _tuples.Select(t => t.Address).ToArray();

    /// <summary>True if the address sent us a valid check (accept DTLS/RTP from it). Allocation-free.</summary>
    public bool IsValidTuple(SocketAddress remote) => Find(remote) != null;

    private Tuple? Find(SocketAddress remote)
    {
        if (_selected != null && _selected.Address.Equals(remote)) return _selected;
        foreach (var t in _tuples)
            if (t.Address.Equals(remote)) return t;
        return null;
    }

    /// <summary>
    /// Handles one STUN datagram from <paramref name="remote"/> (the caller may reuse that object). If the
    /// result is Answered*, <paramref name="response"/>[..<paramref name="responseLength"/>] must be sent back
    /// to <paramref name="remote"/>. Never throws on input.
    /// </summary>
    public IceServerResult ProcessStun(ReadOnlySpan<byte> datagram, SocketAddress remote, long nowMs,
        Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        if (StunMessage.TryParse(datagram, out var msg) != StunParseError.None) return IceServerResult.DroppedMalformed;
        if (msg.HasFingerprint && !msg.VerifyFingerprint()) return IceServerResult.DroppedBadFingerprint;
        if (msg.Class != StunClass.Request) return IceServerResult.DroppedNotRequest;

        // mediasoup: non-Binding requests and requests without FINGERPRINT, USERNAME, PRIORITY or
        // MESSAGE-INTEGRITY get 400.
        if (msg.Method != (ushort)StunMethod.Binding || !msg.HasFingerprint || !msg.HasMessageIntegrity
            || !msg.HasUsername || !msg.HasPriority)
            return Error(msg, 400, "Bad Request", null, response, out responseLength, IceServerResult.AnsweredBadRequest);

        StunIntegrityKey? password = null;
        if (msg.UsernameStartsWith(_ufrag) && msg.VerifyMessageIntegrity(_password))
        {
            password = _password;
            DropOldCredentials(); // new credentials in use: the old ones stop working (mediasoup)
        }
        else if (_oldUfrag != null && msg.UsernameStartsWith(_oldUfrag) && msg.VerifyMessageIntegrity(_oldPassword!))
        {
            password = _oldPassword;
        }
        if (password == null)
            return Error(msg, 401, "Unauthorized", null, response, out responseLength, IceServerResult.AnsweredUnauthorized);

        if (RejectIceControlled && msg.HasIceControlled)
            return Error(msg, 487, "Role Conflict", password, response, out responseLength, IceServerResult.AnsweredRoleConflict);

        var w = new StunWriter(response, StunClass.SuccessResponse, StunMethod.Binding, msg.TransactionId);
        w.AddXorMappedAddress(remote);
        w.AddMessageIntegrity(password);
        w.AddFingerprint();
        if (w.Overflowed) return IceServerResult.DroppedResponseBufferTooSmall;
        responseLength = w.Length;

        HandleTuple(remote, msg.UseCandidate, nowMs);
        return IceServerResult.Answered;
    }

    private static IceServerResult Error(StunMessage msg, int code, string reason, StunIntegrityKey? password,
        Span<byte> response, out int responseLength, IceServerResult result)
    {
        var w = new StunWriter(response, StunClass.ErrorResponse, msg.Method, msg.TransactionId);
        w.AddErrorCode(code, reason);
        if (password != null) w.AddMessageIntegrity(password);
        w.AddFingerprint();
        responseLength = w.Length;
        return w.Overflowed ? IceServerResult.DroppedResponseBufferTooSmall : result;
    }

    private void HandleTuple(SocketAddress remote, bool useCandidate, long nowMs)
    {
        var tuple = Find(remote);
        if (tuple != null) tuple.LastCheckMs = nowMs;
        else tuple = AddTuple(remote, nowMs);

        switch (State)
        {
            case IceState.New:
            case IceState.Disconnected:
                Select(tuple);
                SetState(useCandidate ? IceState.Completed : IceState.Connected);
                break;
            case IceState.Connected:
                if (useCandidate)
                {
                    Select(tuple);
                    SetState(IceState.Completed);
                }
                break;
            case IceState.Completed:
                if (useCandidate) Select(tuple);
                break;
        }
    }

    private Tuple AddTuple(SocketAddress remote, long nowMs)
    {
        if (_tuples.Count >= MaxTuples)
        {
            Tuple? victim = null;
            foreach (var t in _tuples)
                if (t != _selected && (victim == null || t.LastCheckMs < victim.LastCheckMs)) victim = t;
            if (victim != null) RemoveTuple(victim);
        }
        var tuple = new Tuple(SocketAddresses.Copy(remote), nowMs);
        _tuples.Add(tuple);
        _listener?.OnTupleAdded(tuple.Address);
        return tuple;
    }

    /// <summary>Forgets <paramref name="remote"/> (it passed a check of another transport on a shared port, so
    /// it is that transport's now). If it was the selected tuple, the most recently checked other one is selected;
    /// with none left the state becomes Disconnected, as on consent loss. False if it was not a tuple of ours.</summary>
    public bool RemoveTuple(SocketAddress remote)
    {
        var tuple = Find(remote);
        if (tuple is null) return false;
        if (tuple != _selected)
        {
            RemoveTuple(tuple);
            return true;
        }
        Tuple? next = null;
        foreach (var t in _tuples)
            if (t != tuple && (next is null || t.LastCheckMs > next.LastCheckMs)) next = t;
        if (next is null)
        {
            Disconnect();
            return true;
        }
        RemoveTuple(tuple);
        Select(next);
        return true;
    }

    private void RemoveTuple(Tuple t)
    {
        _tuples.Remove(t);
        _listener?.OnTupleRemoved(t.Address);
    }

    private void Select(Tuple tuple)
    {
        if (_selected == tuple) return;
        _selected = tuple;
        _listener?.OnSelectedTupleChanged(tuple.Address);
    }

    private void SetState(IceState s)
    {
        if (State == s) return;
        State = s;
        _listener?.OnStateChanged(s);
    }

    /// <summary>Consent freshness (RFC 7675): if the selected tuple has had no valid check for
    /// <see cref="ConsentTimeoutMs"/>, all tuples are dropped and the state becomes Disconnected. Other stale
    /// tuples are dropped alone. Call about once a second.</summary>
    public void Tick(long nowMs)
    {
        if (_selected != null && nowMs - _selected.LastCheckMs >= ConsentTimeoutMs)
        {
            Disconnect();
            return;
        }
        for (int i = _tuples.Count - 1; i >= 0; i--)
        {
            var t = _tuples[i];
            if (t != _selected && nowMs - t.LastCheckMs >= ConsentTimeoutMs) RemoveTuple(t);
        }
    }

    private void Disconnect()
    {
        _selected = null;
        _listener?.OnSelectedTupleChanged(null);
        for (int i = _tuples.Count - 1; i >= 0; i--) RemoveTuple(_tuples[i]);
        SetState(IceState.Disconnected);
    }

    /// <summary>ICE restart: new local credentials. Checks with the old ones are still answered until the
    /// first valid check with the new ones arrives (as mediasoup); state and tuples are kept.</summary>
    public void RestartIce(string newUfrag, string newPassword)
    {
        var u = Ascii(newUfrag, nameof(newUfrag));
        var p = new StunIntegrityKey(Ascii(newPassword, nameof(newPassword)));
        DropOldCredentials();
        _oldUfrag = _ufrag;
        _oldPassword = _password;
        _ufrag = u;
        _password = p;
        OldUfrag = LocalUfrag;
        LocalUfrag = newUfrag;
        LocalPassword = newPassword;
    }

    private void DropOldCredentials()
    {
        _oldPassword?.Dispose();
        _oldPassword = null;
        _oldUfrag = null;
        OldUfrag = null;
    }

    /// <summary>Releases the HMAC state of the credentials.</summary>
    public void Dispose()
    {
        DropOldCredentials();
        _password.Dispose();
    }
}
