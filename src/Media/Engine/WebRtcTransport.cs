using System.Net;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Engine;

public sealed record WebRtcTransportSettings(IPAddress ListenIp, IPAddress? AnnouncedIp, int MinPort, int MaxPort,
    IReadOnlyList<SrtpProfile>? SrtpProfiles = null, long ConsentTimeoutMs = 30_000);

/// <summary>mediasoup's WebRtcTransport: ICE-lite on its own UDP port, DTLS (its handshake on its own
/// thread, results posted back to the worker), SRTP both ways. Guard clauses on every datagram, each
/// failure counted: is it STUN? from a valid tuple? DTLS up? decrypts? parses?</summary>
public sealed class WebRtcTransport : Transport, IIceServerListener, IDtlsListener
{
    private readonly UdpSocket _socket;
    private readonly IceServer _ice;
    private readonly DtlsTransport _dtls;
    private readonly byte[] _stunResponse = new byte[512];
    private SrtpSession? _rx, _tx;
    private DtlsRole _role = DtlsRole.Auto;
    private DtlsFingerprint? _remoteFingerprint;
    private bool _dtlsRunning;
    private volatile SocketAddress? _dtlsPeer;

    /// <param name="socket">Its port, bound by the caller (the engine, through the port allocator).</param>
    internal WebRtcTransport(Router router, string id, WebRtcTransportSettings settings, UdpSocket socket) : base(router, id)
    {
        _socket = socket;
        _socket.Owner = this;
        _ice = new IceServer(IceCredentials.NewUfrag(), IceCredentials.NewPassword(), settings.ConsentTimeoutMs, this);
        _dtls = new DtlsTransport(router.Worker.Certificate, this, settings.SrtpProfiles, pool: router.Worker.DtlsHandshakes);
        AnnouncedAddress = settings.AnnouncedIp ?? settings.ListenIp;
        Worker.Listen(_socket);
    }

    public IPAddress AnnouncedAddress { get; }
    public int Port => _socket.LocalEndPoint.Port;
    public string UsernameFragment => _ice.LocalUfrag;
    public string Password => _ice.LocalPassword;
    public IceState IceState => _ice.State;
    public DtlsState DtlsState { get; private set; } = DtlsState.New;
    public DtlsRole DtlsRole => _role;
    public SrtpProfile SrtpProfile => _tx?.Profile ?? SrtpProfile.None;
    public IReadOnlyList<DtlsFingerprint> Fingerprints => Worker.Certificate.Fingerprints;
    public override bool IsConnected => _tx is not null && _ice.SelectedTuple is not null;

    /// <summary>mediasoup's webRtcTransport.connect({dtlsParameters}): the remote role decides ours.</summary>
    public void Connect(DtlsRole remoteRole, DtlsFingerprint remoteFingerprint)
    {
        if (_remoteFingerprint is not null) throw new InvalidOperationException("connect() already called");
        _role = DtlsRoles.ResolveLocal(remoteRole);
        _remoteFingerprint = remoteFingerprint;
        MayRunDtls();
    }

    /// <summary>New ICE credentials (restartIce); the old ones keep working until the peer uses the new.</summary>
    public (string Ufrag, string Password) RestartIce()
    {
        var ufrag = IceCredentials.NewUfrag();
        var pwd = IceCredentials.NewPassword();
        _ice.RestartIce(ufrag, pwd);
        return (ufrag, pwd);
    }

    private void MayRunDtls()
    {
        if (_dtlsRunning || _remoteFingerprint is null) return;
        // As DTLS client we speak first, so wait for a tuple; as server we can listen at once.
        if (_role == DtlsRole.Client && _ice.State is not (IceState.Connected or IceState.Completed)) return;
        _dtlsRunning = true;
        SetDtlsState(DtlsState.Connecting, null);
        _dtls.Run(_role, _remoteFingerprint);
    }

    internal override void OnDatagram(Span<byte> datagram, SocketAddress from, UdpSocket socket, long nowMs)
    {
        switch (Rfc7983.Classify(datagram))
        {
            case PacketKind.Stun:
                _ice.ProcessStun(datagram, from, nowMs, _stunResponse, out var length);
                if (length > 0) _socket.SendTo(_stunResponse.AsSpan(0, length), from);
                break;
            case PacketKind.Dtls:
                if (!_ice.IsValidTuple(from)) { Worker.Counters.Count(Drop.UnknownTuple); return; }
                if (!_dtlsRunning) { Worker.Counters.Count(Drop.DtlsNotReady); return; }
                if (_dtlsPeer is null || !_dtlsPeer.Equals(from)) _dtlsPeer = SocketAddresses.Copy(from);
                _dtls.Feed(datagram);
                break;
            case PacketKind.Rtp:
                if (!_ice.IsValidTuple(from)) { Worker.Counters.Count(Drop.UnknownTuple); return; }
                if (_rx is null) { Worker.Counters.Count(Drop.SrtpNotReady); return; }
                if (_rx.UnprotectRtp(datagram, out var rtpLength) != SrtpError.None) { Worker.Counters.Count(Drop.SrtpFailed); return; }
                ReceiveRtp(datagram[..rtpLength], nowMs);
                break;
            case PacketKind.Rtcp:
                if (!_ice.IsValidTuple(from)) { Worker.Counters.Count(Drop.UnknownTuple); return; }
                if (_rx is null) { Worker.Counters.Count(Drop.SrtpNotReady); return; }
                if (_rx.UnprotectRtcp(datagram, out var rtcpLength) != SrtpError.None) { Worker.Counters.Count(Drop.SrtpFailed); return; }
                ReceiveRtcp(datagram[..rtcpLength], nowMs);
                break;
            default:
                Worker.Counters.Count(Drop.UnknownDatagram);
                break;
        }
    }

    internal override void Tick(long nowMs)
    {
        _ice.Tick(nowMs);
        base.Tick(nowMs);
    }

    protected override bool SendRtpPacket(byte[] buffer, int length)
    {
        if (_tx is not { } tx || _ice.SelectedTuple is not { } to) return false;
        if (tx.ProtectRtp(buffer, length, out var n) != SrtpError.None) return false;
        return _socket.SendTo(buffer.AsSpan(0, n), to);
    }

    protected override bool SendRtcpPacket(byte[] buffer, int length)
    {
        if (_tx is not { } tx || _ice.SelectedTuple is not { } to) return false;
        if (tx.ProtectRtcp(buffer, length, out var n) != SrtpError.None) return false;
        return _socket.SendTo(buffer.AsSpan(0, n), to);
    }

    // ---- ICE (worker thread) -------------------------------------------------------------------------

    void IIceServerListener.OnTupleAdded(SocketAddress tuple) { }
    void IIceServerListener.OnTupleRemoved(SocketAddress tuple) { }

    void IIceServerListener.OnSelectedTupleChanged(SocketAddress? tuple) =>
        Worker.Observer.OnIceSelectedTupleChanged(Id, tuple is null ? null : SocketAddresses.ToEndPoint(tuple).ToString());

    void IIceServerListener.OnStateChanged(IceState state)
    {
        Worker.Observer.OnIceStateChanged(Id, state);
        if (state is IceState.Connected or IceState.Completed) MayRunDtls();
    }

    // ---- DTLS (handshake thread or worker thread) ----------------------------------------------------

    void IDtlsListener.SendDtls(ReadOnlySpan<byte> datagram)
    {
        if ((_ice.SelectedTuple ?? _dtlsPeer) is { } to) _socket.SendTo(datagram, to);
    }

    void IDtlsListener.OnDtlsConnected(SrtpProfile profile, SrtpMasterKey local, SrtpMasterKey remote, DtlsRole localRole) =>
        Worker.Post(() =>
        {
            if (IsClosed) return;
            _tx = new SrtpSession(local);
            _rx = new SrtpSession(remote);
            SetDtlsState(DtlsState.Connected, null);
        });

    void IDtlsListener.OnDtlsFailed(DtlsFailure reason, string detail) =>
        Worker.Post(() => { if (!IsClosed) SetDtlsState(DtlsState.Failed, reason); });

    void IDtlsListener.OnDtlsClosed() =>
        Worker.Post(() => { if (!IsClosed) SetDtlsState(DtlsState.Closed, null); });

    private void SetDtlsState(DtlsState state, DtlsFailure? failure)
    {
        DtlsState = state;
        Worker.Observer.OnDtlsStateChanged(Id, state, failure);
    }


    internal override void Close()
    {
        if (IsClosed) return;
        base.Close();
        _dtls.Close();
        Worker.Receiver.Remove(_socket);
        _ice.Dispose();
        _rx?.Dispose();
        _tx?.Dispose();
    }
}
