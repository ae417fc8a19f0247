using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Interop.Tests;

/// <summary>A WebRTC peer built only from src/Media, for the browser interop test: ICE-lite, DTLS server,
/// SRTP. It counts the browser's audio and video by SSRC and payload type, and sends the browser's own video
/// back under <see cref="EchoSsrc"/>, re-encrypted, forwarding the browser's PLI/FIR for it upstream.
/// Everything packet-related runs on the receive thread; DTLS reports from its handshake thread.</summary>
public sealed class EchoEndpoint : IDtlsListener, IDisposable
{
    private readonly UdpSocket _socket;
    private readonly UdpReceiver _receiver;
    private readonly IceServer _ice;
    private readonly DtlsTransport _dtls;
    private readonly byte[] _out = new byte[DatagramBatch.SlotSize + SrtpSession.MaxTrailer];
    private readonly byte[] _stunOut = new byte[512];
    private readonly SocketAddress _from = new(AddressFamily.InterNetwork);
    private readonly TaskCompletionSource<SrtpProfile> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SocketAddress? _dtlsPeer;
    private volatile SrtpSession? _rx, _tx;
    private uint _browserVideoSsrc;

    public EchoEndpoint(IEnumerable<SrtpProfile> profiles, uint echoSsrc, int videoPayloadType)
    {
        EchoSsrc = echoSsrc;
        VideoPayloadType = videoPayloadType;
        Certificate = DtlsCertificate.Generate();
        var ufrag = IceCredentials.NewUfrag();
        var pwd = IceCredentials.NewPassword();
        _ice = new IceServer(ufrag, pwd);
        _dtls = new DtlsTransport(Certificate, this, profiles);
        _socket = UdpSocket.Bind(IPAddress.Loopback, 0);
        Port = _socket.LocalEndPoint.Port;
        _receiver = new UdpReceiver("echo-rx", new DatagramBatchPool(), OnBatch);
        _receiver.Add(_socket);
    }

    public DtlsCertificate Certificate { get; }
    public int Port { get; }
    public string Ufrag => _ice.LocalUfrag;
    public string Password => _ice.LocalPassword;
    public uint EchoSsrc { get; }
    public int VideoPayloadType { get; }

    /// <summary>Packets decrypted, by (SSRC, payload type).</summary>
    public ConcurrentDictionary<(uint Ssrc, int PayloadType), int> Received { get; } = new();
    public int StunAnswered, RtpDecryptFailures, RtcpDecrypted, RtcpDecryptFailures, Echoed, KeyFrameRequestsForwarded;
    public IceState IceState => _ice.State;
    public Task<SrtpProfile> Connected => _connected.Task;

    /// <summary>Starts the DTLS server side, expecting the browser's certificate fingerprint.</summary>
    public void Start(DtlsFingerprint browserFingerprint) => _dtls.Run(DtlsRole.Server, browserFingerprint);

    private void OnBatch(DatagramBatch batch)
    {
        var now = Environment.TickCount64;
        for (var i = 0; i < batch.Count; i++)
        {
            if (!batch.TryGetSource(i, _from)) continue;
            var datagram = batch.Datagram(i);
            switch (Rfc7983.Classify(datagram))
            {
                case PacketKind.Stun: OnStun(datagram, now); break;
                case PacketKind.Dtls:
                    if (!_ice.IsValidTuple(_from)) break;
                    _dtlsPeer ??= Copy(_from);
                    _dtls.Feed(datagram);
                    break;
                case PacketKind.Rtp: OnRtp(datagram); break;
                case PacketKind.Rtcp: OnRtcp(datagram); break;
            }
        }
        batch.Release();
    }

    private void OnStun(Span<byte> datagram, long now)
    {
        var result = _ice.ProcessStun(datagram, _from, now, _stunOut, out var length);
        if (length > 0) _socket.SendTo(_stunOut.AsSpan(0, length), _from);
        if (result == IceServerResult.Answered) Interlocked.Increment(ref StunAnswered);
    }

    private void OnRtp(Span<byte> datagram)
    {
        if (_rx is not { } rx || !_ice.IsValidTuple(_from)) return;
        if (rx.UnprotectRtp(datagram, out var length) != SrtpError.None) { Interlocked.Increment(ref RtpDecryptFailures); return; }
        var plain = datagram[..length];
        if (RtpPacket.TryParse(plain, out var packet) != RtpParseError.None) return;
        Received.AddOrUpdate((packet.Ssrc, packet.PayloadType), 1, (_, n) => n + 1);
        if (packet.PayloadType != VideoPayloadType || _tx is not { } tx || _ice.SelectedTuple is not { } peer) return;

        _browserVideoSsrc = packet.Ssrc;
        plain.CopyTo(_out);
        if (RtpPacket.TryParse(_out.AsSpan(0, length), out var echo) != RtpParseError.None) return;
        echo.SetSsrc(EchoSsrc);
        if (tx.ProtectRtp(_out, length, out var protectedLength) != SrtpError.None) return;
        if (_socket.SendTo(_out.AsSpan(0, protectedLength), peer)) Interlocked.Increment(ref Echoed);
    }

    private void OnRtcp(Span<byte> datagram)
    {
        if (_rx is not { } rx || !_ice.IsValidTuple(_from)) return;
        if (rx.UnprotectRtcp(datagram, out var length) != SrtpError.None) { Interlocked.Increment(ref RtcpDecryptFailures); return; }
        Interlocked.Increment(ref RtcpDecrypted);
        var wantsKeyFrame = false;
        foreach (var p in new RtcpCompoundReader(datagram[..length]))
        {
            // PLI (FMT 1) or FIR (FMT 4) for the stream we send: ask the browser for a key frame of its own.
            if (p.PacketType == RtcpPacketType.PayloadFeedback && p.Fmt is RtcpPli.Fmt && RtcpPli.TryParse(p.Packet, out var pli) == RtcpError.None)
                wantsKeyFrame |= pli.MediaSsrc == EchoSsrc;
            else if (p.PacketType == RtcpPacketType.PayloadFeedback && p.Fmt is RtcpFir.Fmt)
                wantsKeyFrame = true;
        }
        if (!wantsKeyFrame || _browserVideoSsrc == 0 || _tx is not { } tx || _ice.SelectedTuple is not { } peer) return;
        var n = RtcpPli.Write(_out, senderSsrc: EchoSsrc, mediaSsrc: _browserVideoSsrc);
        if (tx.ProtectRtcp(_out, n, out var protectedLength) != SrtpError.None) return;
        if (_socket.SendTo(_out.AsSpan(0, protectedLength), peer)) Interlocked.Increment(ref KeyFrameRequestsForwarded);
    }

    void IDtlsListener.SendDtls(ReadOnlySpan<byte> datagram)
    {
        if ((_ice.SelectedTuple ?? _dtlsPeer) is { } peer) _socket.SendTo(datagram, peer);
    }

    void IDtlsListener.OnDtlsConnected(SrtpProfile profile, SrtpMasterKey local, SrtpMasterKey remote, DtlsRole localRole)
    {
        _tx = new SrtpSession(local);
        _rx = new SrtpSession(remote);
        _connected.TrySetResult(profile);
    }

    void IDtlsListener.OnDtlsFailed(DtlsFailure reason, string detail) =>
        _connected.TrySetException(new InvalidOperationException($"DTLS failed: {reason}: {detail}"));

    void IDtlsListener.OnDtlsClosed() { }

    private static SocketAddress Copy(SocketAddress a)
    {
        var copy = new SocketAddress(a.Family, a.Size);
        a.Buffer.Span[..a.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    public void Dispose()
    {
        _dtls.Close();
        _receiver.Dispose();
        _rx?.Dispose();
        _tx?.Dispose();
    }
}
