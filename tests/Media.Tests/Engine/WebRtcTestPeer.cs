using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>A browser's end of one WebRTC transport, over real loopback UDP: our ICE controlling agent, our DTLS
/// client and SRTP (the parts the load generator's MediaTransport uses). A receive thread handles STUN
/// responses, DTLS and SRTP; decrypted RTP is queued in <see cref="Received"/>.</summary>
public sealed class WebRtcTestPeer : IDtlsListener, IDisposable
{
    private static readonly DtlsCertificate Certificate = DtlsCertificate.Generate();
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
    private readonly object _iceGate = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _dtlsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private IceClient? _ice;
    private DtlsTransport? _dtls;
    private volatile SrtpSession? _send, _recv;
    private readonly byte[] _sendBuffer = new byte[2048];

    public WebRtcTestPeer(IPEndPoint server)
    {
        Server = server;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 200;
        _thread = new Thread(Receive) { IsBackground = true, Name = "test-peer" };
        _thread.Start();
    }

    public IPEndPoint Server { get; set; }
    public IPEndPoint Local => (IPEndPoint)_socket.LocalEndPoint!;
    public SocketAddress LocalAddress => Local.Serialize();
    public readonly ConcurrentQueue<byte[]> Received = new();
    public int StunResponses;
    public int SrtpErrors;
    public IceClientState IceState { get { lock (_iceGate) return _ice?.State ?? IceClientState.New; } }

    /// <summary>ICE against the server's <paramref name="ufrag"/>/<paramref name="password"/> until Completed.</summary>
    public void ConnectIce(string ufrag, string password)
    {
        lock (_iceGate)
        {
            _ice?.Dispose();
            _ice = new IceClient("peer" + Random.Shared.Next(100000, 999999), "peerPassword0123456789ab", ufrag, password, (ulong)Random.Shared.NextInt64());
        }
        var buf = new byte[512];
        var deadline = Environment.TickCount64 + 15_000;
        while (IceState != IceClientState.Completed)
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"ICE to {Server} is {IceState}");
            int n;
            lock (_iceGate) { if (!_ice!.Tick(Environment.TickCount64, buf, out n)) n = 0; }
            if (IceState == IceClientState.Failed) throw new InvalidOperationException($"ICE to {Server} failed");
            if (n > 0) _socket.SendTo(buf.AsSpan(0, n), Server);
            Thread.Sleep(2);
        }
    }

    /// <summary>The DTLS client handshake against the server's fingerprint, until SRTP keys are known.</summary>
    public async Task ConnectDtlsAsync(DtlsFingerprint serverFingerprint)
    {
        _dtls = new DtlsTransport(Certificate, this, handshakeTimeout: TimeSpan.FromSeconds(30));
        _dtls.Run(DtlsRole.Client, serverFingerprint);
        await _dtlsDone.Task.WaitAsync(TimeSpan.FromSeconds(40));
    }

    public static DtlsFingerprint Fingerprint => Certificate.Fingerprints[0];

    public void SendRtp(ReadOnlySpan<byte> rtp)
    {
        rtp.CopyTo(_sendBuffer);
        if (_send!.ProtectRtp(_sendBuffer, rtp.Length, out var n) != SrtpError.None) throw new InvalidOperationException("protect failed");
        _socket.SendTo(_sendBuffer.AsSpan(0, n), Server);
    }

    /// <summary>Any bytes to the server, from this peer's tuple.</summary>
    public void SendRaw(ReadOnlySpan<byte> datagram) => _socket.SendTo(datagram, Server);

    private void Receive()
    {
        var buf = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping)
        {
            int n;
            try { n = _socket.ReceiveFrom(buf, ref any); }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            var d = buf.AsSpan(0, n);
            switch (Rfc7983.Classify(d))
            {
                case PacketKind.Stun:
                    Interlocked.Increment(ref StunResponses);
                    lock (_iceGate) _ice?.ProcessResponse(d, Environment.TickCount64);
                    break;
                case PacketKind.Dtls:
                    _dtls?.Feed(d);
                    break;
                case PacketKind.Rtp:
                    if (_recv is { } r && r.UnprotectRtp(d, out var len) == SrtpError.None) Received.Enqueue(d[..len].ToArray());
                    else Interlocked.Increment(ref SrtpErrors);
                    break;
            }
        }
    }

    void IDtlsListener.SendDtls(ReadOnlySpan<byte> datagram) => _socket.SendTo(datagram, Server);

    void IDtlsListener.OnDtlsConnected(SrtpProfile profile, SrtpMasterKey local, SrtpMasterKey remote, DtlsRole localRole)
    {
        _send = new SrtpSession(local);
        _recv = new SrtpSession(remote);
        _dtlsDone.TrySetResult();
    }

    void IDtlsListener.OnDtlsFailed(DtlsFailure reason, string detail) => _dtlsDone.TrySetException(new InvalidOperationException($"DTLS {reason}: {detail}"));

    void IDtlsListener.OnDtlsClosed() { }

    public void Dispose()
    {
        _stopping = true;
        _dtls?.Close();
        _thread.Join();
        _socket.Dispose();
        lock (_iceGate) _ice?.Dispose();
    }
}
