using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AkkaSfu.Media.Net;

/// <summary>A bound UDP socket for media: received through a <see cref="UdpReceiver"/> (recvmmsg, batched),
/// sent with one non-blocking sendto(2) per datagram from the owning worker's thread. Sends never block:
/// a full socket buffer drops the datagram and counts it.</summary>
public sealed unsafe class UdpSocket : IDisposable
{
    private readonly Socket _socket;
    private long _sent, _sendDropped, _sendErrors, _truncated;

    private UdpSocket(Socket socket)
    {
        _socket = socket;
        Fd = (int)socket.Handle;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public int Fd { get; }
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Whoever handles this socket's datagrams (a transport, or a worker's shared WebRTC port).</summary>
    public object? Owner { get; set; }

    public long Sent => Interlocked.Read(ref _sent);
    /// <summary>Datagrams not sent because the socket buffer was full (EAGAIN).</summary>
    public long SendDropped => Interlocked.Read(ref _sendDropped);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    /// <summary>Received datagrams longer than <see cref="DatagramBatch.SlotSize"/>, dropped.</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    internal void CountTruncated() => Interlocked.Increment(ref _truncated);

    /// <summary>Binds <paramref name="ip"/>:<paramref name="port"/> (0 = any free port).</summary>
    public static UdpSocket Bind(IPAddress ip, int port, int bufferBytes = 4 << 20)
    {
        var socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = bufferBytes;
            socket.SendBufferSize = bufferBytes;
            socket.Bind(new IPEndPoint(ip, port));
            return new UdpSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Binds the first free port of [minPort, maxPort], starting at a random one (as mediasoup's
    /// port range does).</summary>
    public static UdpSocket BindInRange(IPAddress ip, int minPort, int maxPort, int bufferBytes = 4 << 20)
    {
        if (minPort < 1 || maxPort > 65535 || minPort > maxPort)
            throw new ArgumentOutOfRangeException(nameof(minPort), $"bad port range {minPort}-{maxPort}");
        var span = maxPort - minPort + 1;
        var start = Random.Shared.Next(span);
        for (var i = 0; i < span; i++)
        {
            try { return Bind(ip, minPort + (start + i) % span, bufferBytes); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse) { }
        }
        throw new InvalidOperationException($"no free UDP port in {minPort}-{maxPort} on {ip}");
    }

    /// <summary>Asks the kernel to stamp every received datagram with its arrival time (SO_TIMESTAMPNS), which
    /// <see cref="DatagramBatch.ArrivalUnixNs"/> then reports: the start of a packet's time in this process,
    /// including the wait in the socket's queue before a receive thread took it.</summary>
    public void EnableArrivalTimestamps()
    {
        const int SolSocket = 1, SoTimestampNs = 35;
        _socket.SetRawSocketOption(SolSocket, SoTimestampNs, BitConverter.GetBytes(1));
    }

    /// <summary>Sends one datagram without blocking. False when it was dropped (buffer full) or failed.</summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        nint n;
        fixed (byte* buf = datagram)
        fixed (byte* addr = to.Buffer.Span)
            n = LibC.sendto(Fd, buf, (nuint)datagram.Length, LibC.MSG_DONTWAIT, addr, (uint)to.Size);
        if (n >= 0) { Interlocked.Increment(ref _sent); return true; }
        if (Marshal.GetLastPInvokeError() == LibC.EAGAIN) Interlocked.Increment(ref _sendDropped);
        else Interlocked.Increment(ref _sendErrors);
        return false;
    }

    public void Dispose() => _socket.Dispose();
}
