using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.LoadGen;

/// <summary>Our end of one server transport: a UDP socket, and for WebRTC an ICE controlling agent, a DTLS client
/// and two SRTP sessions (send: sender thread; receive: receive thread). Plain transports have none of them.</summary>
public sealed class MediaTransport : IDtlsListener
{
    private readonly object _iceGate = new();
    private readonly TaskCompletionSource _iceDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dtlsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile SrtpSession? _sendSrtp, _recvSrtp;
    private volatile bool _ready;

    /// <summary>Binds a socket on <paramref name="localIp"/> towards <paramref name="remote"/>.</summary>
    public MediaTransport(string name, IPAddress localIp, IPEndPoint remote, bool webRtc)
    {
        Name = name;
        Socket = UdpSocket.Bind(localIp, 0, bufferBytes: 1 << 20);
        Socket.EnableArrivalTimestamps(); // latency ends at the kernel's arrival, not when our thread got to it
        Socket.Owner = this;
        Remote = remote.Serialize();
        RemoteEndPoint = remote;
        IsWebRtc = webRtc;
        _ready = !webRtc;
        RtcpSsrc = (uint)Random.Shared.Next(100_000, int.MaxValue);
    }

    public string Name { get; }
    public UdpSocket Socket { get; }
    public SocketAddress Remote { get; private set; }
    public IPEndPoint RemoteEndPoint { get; private set; }
    public bool IsWebRtc { get; }
    /// <summary>SSRC we put on our RTCP (RRs, NACKs).</summary>
    public uint RtcpSsrc { get; }
    /// <summary>Media may flow: plain, or DTLS connected with SRTP keys.</summary>
    public bool Ready => _ready;
    public IceClient? Ice { get; private set; }
    public DtlsTransport? Dtls { get; private set; }
    public SrtpSession? SendSrtp => _sendSrtp;
    public SrtpSession? RecvSrtp => _recvSrtp;
    public Task IceCompleted => _iceDone.Task;
    public Task DtlsConnected => _dtlsDone.Task;

    /// <summary>Our outgoing streams (sender thread reads the array; replaced whole on change).</summary>
    public volatile ProducerStream[] Producers = [];
    /// <summary>Incoming streams by SSRC (and RTX SSRC).</summary>
    public readonly ConcurrentDictionary<uint, ConsumerStream> Consumers = new();
    /// <summary>Sending enabled (set once setup is done).</summary>
    public volatile bool Sending;

    // Receive-thread counters.
    public long RtpIn, RtpBytesIn, RtcpIn, StunIn, DtlsIn, SrtpErrors, UnknownSsrc, Malformed;
    // Sender-thread counters.
    public long RtpOut, RtpBytesOut, RtcpOut, SendDrops;

    /// <summary>Starts ICE towards the server (ICE-lite) with its credentials.</summary>
    public void StartIce(string remoteUfrag, string remotePassword)
    {
        var ice = new IceClient(RandomToken(8), RandomToken(24), remoteUfrag, remotePassword, (ulong)Random.Shared.NextInt64());
        lock (_iceGate) Ice = ice;
    }

    /// <summary>Sender thread: lets ICE send what it must.</summary>
    public void TickIce(long nowMs, Span<byte> scratch)
    {
        var ice = Ice;
        if (ice is null) return;
        int n;
        lock (_iceGate)
        {
            var before = ice.State;
            if (!ice.Tick(nowMs, scratch, out n)) n = 0;
            if (ice.State == IceClientState.Failed && before != IceClientState.Failed)
                _iceDone.TrySetException(new StageException(Stage.Ice, $"{Name}: no ICE answer from {RemoteEndPoint} (error {ice.LastErrorCode})"));
            if (ice.State == IceClientState.Disconnected && before != IceClientState.Disconnected)
                _iceDone.TrySetException(new StageException(Stage.Ice, $"{Name}: ICE consent lost with {RemoteEndPoint}"));
        }
        if (n > 0) Socket.SendTo(scratch[..n], Remote);
    }

    /// <summary>Receive thread: a STUN datagram.</summary>
    public void OnStun(ReadOnlySpan<byte> datagram, long nowMs)
    {
        StunIn++;
        var ice = Ice;
        if (ice is null) return;
        lock (_iceGate)
        {
            var r = ice.ProcessResponse(datagram, nowMs);
            if (r == IceClientResult.ErrorResponse)
                _iceDone.TrySetException(new StageException(Stage.Ice, $"{Name}: ICE error response {ice.LastErrorCode}"));
            if (ice.State == IceClientState.Completed) _iceDone.TrySetResult();
        }
    }

    /// <summary>Starts the DTLS client handshake (after ICE completed).</summary>
    public void StartDtls(DtlsCertificate certificate, DtlsFingerprint serverFingerprint, DtlsRole role)
    {
        Dtls = new DtlsTransport(certificate, this, handshakeTimeout: TimeSpan.FromSeconds(15));
        Dtls.Run(role, serverFingerprint);
    }

    /// <summary>Learns the server's address (plain transport answered later, or a comedia tuple).</summary>
    public void SetRemote(IPEndPoint remote) { RemoteEndPoint = remote; Remote = remote.Serialize(); }

    /// <summary>Plain transport with SRTP (spec §7 extension): keys given by the signalling.</summary>
    public void SetSrtp(SrtpMasterKey send, SrtpMasterKey receive)
    {
        _sendSrtp = new SrtpSession(send);
        _recvSrtp = new SrtpSession(receive);
        _ready = true;
    }

    /// <summary>Sends a datagram (already protected).</summary>
    public bool Send(ReadOnlySpan<byte> datagram)
    {
        if (Socket.SendTo(datagram, Remote)) return true;
        SendDrops++;
        return false;
    }

    void IDtlsListener.SendDtls(ReadOnlySpan<byte> datagram) => Socket.SendTo(datagram, Remote);

    void IDtlsListener.OnDtlsConnected(SrtpProfile profile, SrtpMasterKey local, SrtpMasterKey remote, DtlsRole localRole)
    {
        _sendSrtp = new SrtpSession(local);
        _recvSrtp = new SrtpSession(remote);
        _ready = true;
        Profile = profile;
        _dtlsDone.TrySetResult();
    }

    /// <summary>Negotiated SRTP profile (WebRTC).</summary>
    public SrtpProfile? Profile { get; private set; }

    void IDtlsListener.OnDtlsFailed(DtlsFailure reason, string detail)
    {
        _ready = false;
        _dtlsDone.TrySetException(new StageException(Stage.Dtls, $"{Name}: DTLS {reason}: {detail}"));
    }

    void IDtlsListener.OnDtlsClosed() => _ready = false;

    /// <summary>Stops sending and closes DTLS (the socket is closed by the receiver).</summary>
    public void Close()
    {
        Sending = false;
        _ready = false;
        Dtls?.Close();
    }

    private static string RandomToken(int n)
    {
        const string chars = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(n, 0, (s, _) => { for (var i = 0; i < s.Length; i++) s[i] = chars[Random.Shared.Next(chars.Length)]; });
    }
}

/// <summary>The stage a run failed in (for clear errors).</summary>
public enum Stage : byte { Signalling, Ice, Dtls, Media, Setup }

/// <summary>A failure with the stage it happened in.</summary>
public sealed class StageException(Stage stage, string message, Exception? inner = null) : Exception($"{stage}: {message}", inner)
{
    public Stage Stage { get; } = stage;
}
