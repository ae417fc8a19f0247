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
    private readonly PortAllocator? _allocator;
    private long _sent, _sendDropped, _sendErrors, _truncated;
    private int _disposed;

    private UdpSocket(Socket socket, PortAllocator? allocator = null)
    {
        _socket = socket;
        _allocator = allocator;
        Fd = (int)socket.Handle;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Wraps an fd <paramref name="allocator"/> bound; disposing gives its port back.</summary>
    internal static UdpSocket FromBound(int fd, int bufferBytes, PortAllocator allocator)
    {
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        socket.ReceiveBufferSize = bufferBytes; // SO_RCVBUF/SO_SNDBUF: the kernel caps them, they do not fail
        socket.SendBufferSize = bufferBytes;
        return new UdpSocket(socket, allocator);
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

    /// <summary>Binds a free port of [minPort, maxPort] through the process's <see cref="PortAllocator"/>
    /// (from a random one, as mediasoup's port range does); no exception when the range is full or busy.</summary>
    public static BindError TryBindInRange(IPAddress ip, int minPort, int maxPort, out UdpSocket? socket, int bufferBytes = 4 << 20) =>
        PortAllocator.Shared.TryBind(ip, minPort, maxPort, bufferBytes, out socket);

    /// <summary>The error text of a failed <see cref="TryBindInRange"/>.</summary>
    public static string Describe(BindError error, IPAddress ip, int minPort, int maxPort) => error switch
    {
        BindError.NoFreePort => $"no free UDP port in {minPort}-{maxPort} on {ip}",
        BindError.BadRange => $"bad port range {minPort}-{maxPort}",
        _ => $"cannot bind a UDP port on {ip}",
    };

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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _socket.Dispose();
        _allocator?.Release(LocalEndPoint.Port);
    }
}
