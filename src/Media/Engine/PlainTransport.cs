using System.Net;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Engine;

public sealed record PlainTransportSettings(IPAddress ListenIp, IPAddress? AnnouncedIp, int MinPort, int MaxPort,
    bool RtcpMux = true, bool Comedia = false, SrtpProfile SrtpProfile = SrtpProfile.None, IPAddress? ComediaSource = null);

/// <summary>mediasoup's PlainTransport: plain RTP/RTCP over UDP for ffmpeg and GStreamer, on one port
/// (rtcpMux) or two. With comedia the remote addresses are learnt from the first RTP and RTCP packets;
/// otherwise <see cref="Connect"/> gives them. Optional SRTP with keys exchanged by signalling.
/// <para>Comedia learns only from a source allowed to be learnt (docs/security.md, "Plain transports"): with an
/// address given to <see cref="Connect"/> (ip, and port unless 0), only from it; else with SRTP, only from a
/// packet that authenticates; else only from <see cref="PlainTransportSettings.ComediaSource"/>'s IP (the API
/// caller's address; null = any source, for callers that trust their senders, e.g. tests). Any other packet is
/// dropped as <see cref="Drop.ComediaSourceRejected"/> and learns nothing.</para></summary>
public sealed class PlainTransport : Transport
{
    private readonly UdpSocket _rtpSocket;
    private readonly UdpSocket? _rtcpSocket;
    private readonly bool _comedia;
    private readonly IPAddress? _comediaSource;
    private IPEndPoint? _comediaGiven;
    private SocketAddress? _remoteRtp, _remoteRtcp;
    private SrtpSession? _rx, _tx;

    /// <param name="rtpSocket">Its port, and <paramref name="rtcpSocket"/> its RTCP port without rtcpMux (else
    /// null), bound by the caller (the engine, through the port allocator).</param>
    internal PlainTransport(Router router, string id, PlainTransportSettings settings, UdpSocket rtpSocket, UdpSocket? rtcpSocket) : base(router, id)
    {
        _comedia = settings.Comedia;
        _comediaSource = settings.ComediaSource;
        RtcpMux = settings.RtcpMux;
        AnnouncedAddress = settings.AnnouncedIp ?? settings.ListenIp;
        _rtpSocket = rtpSocket;
        _rtpSocket.Owner = this;
        Worker.Listen(_rtpSocket);
        if (!RtcpMux)
        {
            _rtcpSocket = rtcpSocket ?? throw new ArgumentNullException(nameof(rtcpSocket), "rtcpMux is off: an RTCP socket is needed");
            _rtcpSocket.Owner = this;
            Worker.Listen(_rtcpSocket);
        }
        if (settings.SrtpProfile != SrtpProfile.None)
        {
            var key = new byte[settings.SrtpProfile.KeyLength()];
            var salt = new byte[settings.SrtpProfile.SaltLength()];
            System.Security.Cryptography.RandomNumberGenerator.Fill(key);
            System.Security.Cryptography.RandomNumberGenerator.Fill(salt);
            LocalSrtpKey = new SrtpMasterKey(settings.SrtpProfile, key, salt);
        }
    }

    public IPAddress AnnouncedAddress { get; }
    public bool RtcpMux { get; }
    public int Port => _rtpSocket.LocalEndPoint.Port;
    public int? RtcpPort => _rtcpSocket?.LocalEndPoint.Port;
    /// <summary>Our sending key when SRTP is enabled (srtpParameters in mediasoup's reply).</summary>
    public SrtpMasterKey? LocalSrtpKey { get; }
    public IPEndPoint? RemoteRtp => _remoteRtp is null ? null : SocketAddresses.ToEndPoint(_remoteRtp);
    public IPEndPoint? RemoteRtcp => _remoteRtcp is null ? null : SocketAddresses.ToEndPoint(_remoteRtcp);
    public bool IsConnectCalled { get; private set; }

    public override bool IsConnected => _remoteRtp is not null && (LocalSrtpKey is null || _rx is not null);

    /// <summary>mediasoup's plainTransport.connect({ip, port, rtcpPort, srtpParameters}). With comedia,
    /// <paramref name="rtp"/> (port 0 = any) is the only source comedia may learn from.</summary>
    public void Connect(IPEndPoint? rtp, IPEndPoint? rtcp, SrtpMasterKey? remoteSrtpKey)
    {
        if (IsConnectCalled) throw new InvalidOperationException("connect() already called");
        if (LocalSrtpKey is not null && remoteSrtpKey is null) throw new ArgumentException("missing srtpParameters (SRTP enabled)");
        if (LocalSrtpKey is null && remoteSrtpKey is not null) throw new ArgumentException("invalid srtpParameters (SRTP disabled)");
        if (!_comedia)
        {
            if (rtp is null) throw new ArgumentException("missing ip/port");
            if (!RtcpMux && rtcp is null) throw new ArgumentException("missing rtcpPort (RTCP-mux disabled)");
            _remoteRtp = rtp.Serialize();
            _remoteRtcp = RtcpMux ? _remoteRtp : rtcp!.Serialize();
        }
        else _comediaGiven = rtp;
        if (remoteSrtpKey is not null)
        {
            _rx = new SrtpSession(remoteSrtpKey);
            _tx = new SrtpSession(LocalSrtpKey!);
        }
        IsConnectCalled = true;
    }

    internal override void OnDatagram(Span<byte> datagram, SocketAddress from, UdpSocket socket, long nowMs)
    {
        var kind = Rfc7983.Classify(datagram);
        var rtcpOnly = socket == _rtcpSocket;
        if (kind is not (PacketKind.Rtp or PacketKind.Rtcp)) { Count(Drop.UnknownDatagram); return; }
        var isRtcp = rtcpOnly || kind == PacketKind.Rtcp;
        if (rtcpOnly && kind != PacketKind.Rtcp) { Count(Drop.MalformedRtcp); return; }

        // Tuple check; comedia learns the tuple from the first allowed packet of each kind, after it
        // authenticated when SRTP is on.
        ref var expected = ref (isRtcp && !RtcpMux ? ref _remoteRtcp : ref _remoteRtp);
        var learning = expected is null;
        if (learning)
        {
            if (!_comedia) { Count(Drop.UnknownTuple); return; }
            if (!MayLearnFrom(from)) { Count(Drop.ComediaSourceRejected); return; }
        }
        else if (!expected!.Equals(from)) { Count(Drop.UnknownTuple); return; }

        if (LocalSrtpKey is not null && _rx is null) { Count(Drop.SrtpNotReady); return; }
        int length = datagram.Length;
        if (_rx is not null)
        {
            var err = isRtcp ? _rx.UnprotectRtcp(datagram, out length) : _rx.UnprotectRtp(datagram, out length);
            if (err != SrtpError.None) { Worker.Counters.Count(learning ? Drop.ComediaSourceRejected : Drop.SrtpFailed); return; }
        }
        if (learning)
        {
            expected = SocketAddresses.Copy(from);
            if (RtcpMux) _remoteRtcp = expected;
            Worker.Observer.OnPlainTupleLearnt(Id, RemoteOf(expected), isRtcp && !RtcpMux);
        }
        if (isRtcp) ReceiveRtcp(datagram[..length], nowMs);
        else ReceiveRtp(datagram[..length], nowMs);
    }

    protected override bool SendRtpPacket(byte[] buffer, int length)
    {
        if (_remoteRtp is not { } to) return false;
        if (_tx is not null && _tx.ProtectRtp(buffer, length, out length) != SrtpError.None) return false;
        return _rtpSocket.SendTo(buffer.AsSpan(0, length), to);
    }

    protected override bool SendRtcpPacket(byte[] buffer, int length)
    {
        var to = _remoteRtcp;
        if (to is null) return false;
        if (_tx is not null && _tx.ProtectRtcp(buffer, length, out length) != SrtpError.None) return false;
        return (_rtcpSocket ?? _rtpSocket).SendTo(buffer.AsSpan(0, length), to);
    }

    /// <summary>Whether comedia may learn <paramref name="from"/> (before any SRTP check).</summary>
    private bool MayLearnFrom(SocketAddress from)
    {
        if (_comediaGiven is { } given) return SocketAddresses.Matches(from, given.Address, given.Port);
        if (LocalSrtpKey is not null) return true; // only an authenticating packet is learnt
        return _comediaSource is null || SocketAddresses.Matches(from, _comediaSource);
    }

    private static string RemoteOf(SocketAddress a) => SocketAddresses.ToEndPoint(a).ToString();


    internal override void Close()
    {
        if (IsClosed) return;
        base.Close();
        Worker.Receiver.Remove(_rtpSocket);
        if (_rtcpSocket is not null) Worker.Receiver.Remove(_rtcpSocket);
        _rx?.Dispose();
        _tx?.Dispose();
    }
}
