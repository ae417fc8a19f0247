using System.Net;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Engine;

/// <param name="OwnPort">Bind a port of [MinPort, MaxPort] for this transport even when the worker has a
/// shared port (<see cref="WebRtcServer"/>); without one the transport always binds its own (mediasoup's
/// createWebRtcTransport with listenInfos rather than webRtcServer).</param>
public sealed record WebRtcTransportSettings(IPAddress ListenIp, IPAddress? AnnouncedIp, int MinPort, int MaxPort,
    IReadOnlyList<SrtpProfile>? SrtpProfiles = null, long ConsentTimeoutMs = 30_000, bool OwnPort = false);

/// <summary>mediasoup's WebRtcTransport: ICE-lite on the worker's shared UDP port (<see cref="WebRtcServer"/>)
/// or on its own, DTLS (its handshake on its own thread, results posted back to the worker), SRTP both ways.
/// Guard clauses on every datagram, each failure counted: is it STUN? from a valid tuple? DTLS up? decrypts?
/// parses?</summary>
public sealed class WebRtcTransport : Transport, IIceServerListener, IDtlsListener
{
    private readonly UdpSocket _socket;
    private readonly WebRtcServer? _server;
    // The local ufrags mapped in the server: the current one, and the old one during an ICE restart.
    private string? _mappedUfrag, _mappedOldUfrag;
    private readonly IceServer _ice;
    private readonly DtlsTransport _dtls;
    private readonly byte[] _stunResponse = new byte[512];
    private SrtpSession? _rx, _tx;
    private DtlsRole _role = DtlsRole.Auto;
    private DtlsFingerprint? _remoteFingerprint;
    private bool _dtlsRunning;
    private volatile SocketAddress? _dtlsPeer;

    /// <param name="socket">Its own port, bound by the caller (the engine, through the port allocator), or null
    /// to use <paramref name="server"/>'s shared one.</param>
    internal WebRtcTransport(Router router, string id, WebRtcTransportSettings settings, UdpSocket? socket, WebRtcServer? server = null)
        : base(router, id)
    {
        _ice = new IceServer(NewUfrag(server), IceCredentials.NewPassword(), settings.ConsentTimeoutMs, this);
        _dtls = new DtlsTransport(router.Worker.Certificate, this, settings.SrtpProfiles, pool: router.Worker.DtlsHandshakes);
        if (socket is not null)
        {
            _socket = socket;
            _socket.Owner = this;
            AnnouncedAddress = settings.AnnouncedIp ?? settings.ListenIp;
            Worker.Listen(_socket);
        }
        else
        {
            _server = server ?? throw new ArgumentNullException(nameof(server), "a transport needs its own socket or a shared port");
            _socket = server.Socket;
            AnnouncedAddress = server.AnnouncedAddress;
            SyncUfrags();
        }
    }

    private static string NewUfrag(WebRtcServer? server)
    {
        var ufrag = IceCredentials.NewUfrag();
        while (server is not null && !server.IsUfragFree(ufrag)) ufrag = IceCredentials.NewUfrag(); // 96 random bits: never, in practice
        return ufrag;
    }

    public IPAddress AnnouncedAddress { get; }
    public int Port => _socket.LocalEndPoint.Port;
    /// <summary>True on the worker's shared port (<see cref="WebRtcServer"/>), false on a port of its own.</summary>
    public bool IsOnSharedPort => _server is not null;
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
        var ufrag = NewUfrag(_server);
        var pwd = IceCredentials.NewPassword();
        _ice.RestartIce(ufrag, pwd);
        SyncUfrags();
        return (ufrag, pwd);
    }

    /// <summary>Keeps the shared port's ufrag map equal to the ufrags our ICE answers: the current one, and the
    /// old one until the first valid check with the new (ICE restart).</summary>
    private void SyncUfrags()
    {
        if (_server is not { } server) return;
        var current = _ice.LocalUfrag;
        var old = _ice.OldUfrag;
        if (_mappedOldUfrag is { } mo && mo != old && mo != current) server.RemoveUfrag(mo, this);
        if (_mappedUfrag is { } mu && mu != current && mu != old) server.RemoveUfrag(mu, this);
        if (_mappedUfrag != current && _mappedOldUfrag != current) server.AddUfrag(current, this);
        _mappedUfrag = current;
        _mappedOldUfrag = old;
    }

    /// <summary>The shared port gave <paramref name="tuple"/> to another transport (it passed that one's check).</summary>
    internal void ForgetTuple(SocketAddress tuple) => _ice.RemoveTuple(tuple);

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
                var result = _ice.ProcessStun(datagram, from, nowMs, _stunResponse, out var length);
                if (length > 0) _socket.SendTo(_stunResponse.AsSpan(0, length), from);
                if (result == IceServerResult.Answered && _server is not null && _mappedOldUfrag is not null) SyncUfrags();
                break;
            case PacketKind.Dtls:
                if (!_ice.IsValidTuple(from)) { Count(Drop.UnknownTuple); return; }
                if (!_dtlsRunning) { Count(Drop.DtlsNotReady); return; }
                if (_dtlsPeer is null || !_dtlsPeer.Equals(from)) _dtlsPeer = SocketAddresses.Copy(from);
                _dtls.Feed(datagram);
                break;
            case PacketKind.Rtp:
                if (!_ice.IsValidTuple(from)) { Count(Drop.UnknownTuple); return; }
                if (_rx is null) { Count(Drop.SrtpNotReady); return; }
                if (_rx.UnprotectRtp(datagram, out var rtpLength) != SrtpError.None) { Count(Drop.SrtpFailed); return; }
                ReceiveRtp(datagram[..rtpLength], nowMs);
                break;
            case PacketKind.Rtcp:
                if (!_ice.IsValidTuple(from)) { Count(Drop.UnknownTuple); return; }
                if (_rx is null) { Count(Drop.SrtpNotReady); return; }
                if (_rx.UnprotectRtcp(datagram, out var rtcpLength) != SrtpError.None) { Count(Drop.SrtpFailed); return; }
                ReceiveRtcp(datagram[..rtcpLength], nowMs);
                break;
            default:
                Count(Drop.UnknownDatagram);
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

    void IIceServerListener.OnTupleAdded(SocketAddress tuple) => _server?.MapTuple(tuple, this);
    void IIceServerListener.OnTupleRemoved(SocketAddress tuple) => _server?.UnmapTuple(tuple, this);

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
        if (_server is { } server)
        {
            foreach (var tuple in _ice.Tuples) server.UnmapTuple(tuple, this);
            if (_mappedUfrag is { } u) server.RemoveUfrag(u, this);
            if (_mappedOldUfrag is { } o) server.RemoveUfrag(o, this);
            _mappedUfrag = _mappedOldUfrag = null;
        }
        else Worker.Receiver.Remove(_socket);
        _ice.Dispose();
        _rx?.Dispose();
        _tx?.Dispose();
    }
}
