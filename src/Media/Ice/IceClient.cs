// ICE controlling agent for one candidate pair (the load generator's side): RFC 8445 §7.2 (sending checks),
// §7.2.5 (processing responses), §8.1.1 (regular nomination with USE-CANDIDATE), §14.3 (RTO);
// RFC 7675 (consent freshness: checks every 4-6 s, consent lost after 30 s without a success).
using System.Security.Cryptography;
using AkkaSfu.Media.Stun;

namespace AkkaSfu.Media.Ice;

/// <summary>State of an <see cref="IceClient"/>.</summary>
public enum IceClientState : byte
{
    New = 0,
    /// <summary>First check in flight.</summary>
    Checking,
    /// <summary>A check succeeded; nomination pending (if enabled).</summary>
    Connected,
    /// <summary>The nominating check (USE-CANDIDATE) succeeded; consent checks continue.</summary>
    Completed,
    /// <summary>A check timed out or got an error response.</summary>
    Failed,
    /// <summary>Consent expired: no success for the consent timeout.</summary>
    Disconnected,
}

/// <summary>What <see cref="IceClient.ProcessResponse"/> did with a datagram.</summary>
public enum IceClientResult : byte
{
    /// <summary>Success response to the pending check.</summary>
    Success = 0,
    /// <summary>Error response to the pending check; the client failed (see <see cref="IceClient.LastErrorCode"/>).</summary>
    ErrorResponse,
    DroppedMalformed,
    /// <summary>Not a Binding response.</summary>
    DroppedNotResponse,
    /// <summary>No check in flight with that transaction id.</summary>
    DroppedUnknownTransaction,
    DroppedBadFingerprint,
    /// <summary>Success response without a MESSAGE-INTEGRITY that verifies with the remote password.</summary>
    DroppedBadIntegrity,
}

/// <summary>
/// Controlling ICE agent for a single candidate pair. Drive it with <see cref="Tick"/> (send what it writes)
/// and feed STUN responses to <see cref="ProcessResponse"/>. Time is passed in; one owner thread.
/// </summary>
public sealed class IceClient : IDisposable
{
    private readonly byte[] _txId = new byte[StunConst.TransactionIdLength];
    private readonly Random _random;
    private string _localUfrag, _remoteUfrag;
    private StunIntegrityKey _remotePassword;
    private bool _pending, _pendingNominates, _pendingRetransmits;
    private int _attempts, _rtoMs;
    private long _nextSendMs, _lastSuccessMs;

    /// <summary>Creates the agent. <paramref name="localPassword"/> is ours (the peer checks its own
    /// requests with it); we key our requests with <paramref name="remotePassword"/>.</summary>
    public IceClient(string localUfrag, string localPassword, string remoteUfrag, string remotePassword,
        ulong tieBreaker, Random? random = null)
    {
        _localUfrag = localUfrag;
        LocalPassword = localPassword;
        _remoteUfrag = remoteUfrag;
        _remotePassword = new StunIntegrityKey(remotePassword);
        TieBreaker = tieBreaker;
        _random = random ?? Random.Shared;
    }

    public IceClientState State { get; private set; }
    public ulong TieBreaker { get; }
    public string LocalPassword { get; private set; }
    /// <summary>PRIORITY sent in checks (RFC 8445 §5.1.2 for a host candidate: type pref 126, local pref 65535, component 1).</summary>
    public uint Priority { get; init; } = (126u << 24) | (65535u << 8) | (256 - 1);
    /// <summary>Nominate (USE-CANDIDATE) after the first success (regular nomination). Default true.</summary>
    public bool Nominate { get; init; } = true;
    public int InitialRtoMs { get; init; } = 50;
    public int MaxRtoMs { get; init; } = 500;
    /// <summary>Sends of one check before it fails.</summary>
    public int MaxAttempts { get; init; } = 7;
    public int ConsentIntervalMinMs { get; init; } = 4_000;
    public int ConsentIntervalMaxMs { get; init; } = 6_000;
    public long ConsentTimeoutMs { get; init; } = 30_000;
    /// <summary>ERROR-CODE of the last error response (0 if none).</summary>
    public int LastErrorCode { get; private set; }
    /// <summary>When <see cref="Tick"/> next has something to do.</summary>
    public long NextTickMs => _nextSendMs;

    /// <summary>
    /// Advances time. Returns true when <paramref name="request"/>[..<paramref name="length"/>] holds a Binding
    /// request to send now (a new check, a retransmission, a nomination or a consent check).
    /// </summary>
    public bool Tick(long nowMs, Span<byte> request, out int length)
    {
        length = 0;
        switch (State)
        {
            case IceClientState.Failed:
            case IceClientState.Disconnected:
                return false;
            case IceClientState.New:
                State = IceClientState.Checking;
                return Start(nowMs, nominate: false, retransmit: true, request, out length);
        }

        if (State is IceClientState.Connected or IceClientState.Completed && nowMs - _lastSuccessMs >= ConsentTimeoutMs)
        {
            State = IceClientState.Disconnected;
            _pending = false;
            return false;
        }
        if (nowMs < _nextSendMs) return false;

        if (_pending && _pendingRetransmits)
        {
            if (_attempts >= MaxAttempts)
            {
                State = IceClientState.Failed;
                _pending = false;
                return false;
            }
            _attempts++;
            _rtoMs = Math.Min(_rtoMs * 2, MaxRtoMs);
            _nextSendMs = nowMs + _rtoMs;
            length = Write(request, _pendingNominates);
            return length > 0;
        }

        // Connected or Completed, nothing (retransmittable) in flight: nominate or check consent.
        if (State == IceClientState.Connected && Nominate)
            return Start(nowMs, nominate: true, retransmit: true, request, out length);
        bool sent = Start(nowMs, nominate: false, retransmit: false, request, out length);
        _nextSendMs = nowMs + _random.Next(ConsentIntervalMinMs, ConsentIntervalMaxMs + 1);
        return sent;
    }

    private bool Start(long nowMs, bool nominate, bool retransmit, Span<byte> request, out int length)
    {
        RandomNumberGenerator.Fill(_txId);
        _pending = true;
        _pendingNominates = nominate;
        _pendingRetransmits = retransmit;
        _attempts = 1;
        _rtoMs = InitialRtoMs;
        _nextSendMs = nowMs + _rtoMs;
        length = Write(request, nominate);
        return length > 0;
    }

    private int Write(Span<byte> buf, bool nominate)
    {
        var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, _txId);
        w.AddUsername(_remoteUfrag, _localUfrag);
        w.AddPriority(Priority);
        w.AddIceControlling(TieBreaker);
        if (nominate) w.AddUseCandidate();
        w.AddMessageIntegrity(_remotePassword);
        w.AddFingerprint();
        return w.Length;
    }

    /// <summary>Handles a STUN datagram that may answer our pending check.</summary>
    public IceClientResult ProcessResponse(ReadOnlySpan<byte> datagram, long nowMs)
    {
        if (StunMessage.TryParse(datagram, out var msg) != StunParseError.None) return IceClientResult.DroppedMalformed;
        if (msg.Class is not (StunClass.SuccessResponse or StunClass.ErrorResponse) || msg.Method != (ushort)StunMethod.Binding)
            return IceClientResult.DroppedNotResponse;
        if (!_pending || !msg.TransactionId.SequenceEqual(_txId)) return IceClientResult.DroppedUnknownTransaction;
        if (msg.HasFingerprint && !msg.VerifyFingerprint()) return IceClientResult.DroppedBadFingerprint;

        if (msg.Class == StunClass.ErrorResponse)
        {
            // 400/401 carry no MESSAGE-INTEGRITY; if one is present it must verify.
            if (msg.HasMessageIntegrity && !msg.VerifyMessageIntegrity(_remotePassword)) return IceClientResult.DroppedBadIntegrity;
            _pending = false;
            LastErrorCode = msg.ErrorCode;
            State = IceClientState.Failed;
            return IceClientResult.ErrorResponse;
        }
        if (!msg.VerifyMessageIntegrity(_remotePassword)) return IceClientResult.DroppedBadIntegrity;

        _pending = false;
        _lastSuccessMs = nowMs;
        if (_pendingNominates) State = IceClientState.Completed;
        else if (State == IceClientState.Checking) State = IceClientState.Connected;
        _nextSendMs = State == IceClientState.Connected && Nominate
            ? nowMs
            : nowMs + _random.Next(ConsentIntervalMinMs, ConsentIntervalMaxMs + 1);
        return IceClientResult.Success;
    }

    /// <summary>ICE restart with new credentials on both sides: back to New, the next Tick sends a fresh check.</summary>
    public void Restart(string localUfrag, string localPassword, string remoteUfrag, string remotePassword)
    {
        _localUfrag = localUfrag;
        LocalPassword = localPassword;
        _remoteUfrag = remoteUfrag;
        _remotePassword.Dispose();
        _remotePassword = new StunIntegrityKey(remotePassword);
        _pending = false;
        LastErrorCode = 0;
        State = IceClientState.New;
        _nextSendMs = 0;
    }

    /// <summary>Releases the HMAC state of the remote password.</summary>
    public void Dispose() => _remotePassword.Dispose();
}
