// The media port range (mediasoup's rtcMinPort..rtcMaxPort): which ports this process holds, and a bind that
// answers "busy" with a result, not an exception (socket(2) + bind(2) by P/Invoke, then wrapped in a Socket).
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AkkaSfu.Media.Net;

/// <summary>Why <see cref="PortAllocator.TryBind"/> bound nothing.</summary>
public enum BindError : byte
{
    None,
    /// <summary>Every port of the range is held (by this process, or by others: each was tried).</summary>
    NoFreePort,
    /// <summary>The range is not within 1..65535, or min &gt; max.</summary>
    BadRange,
    /// <summary>socket(2) or bind(2) failed for another reason than a busy port (e.g. the IP is not local).</summary>
    Failed,
}

/// <summary>The ports this process's media sockets hold (one set per process, shared by every worker), and the
/// bind of a free one. Ports held here are skipped without a syscall, so a range full of our own transports is
/// answered <see cref="BindError.NoFreePort"/> at once; a port another process holds costs one failed bind(2)
/// (EADDRINUSE, a return code). Nothing on this path throws. Thread-safe (a lock; binds are rare).</summary>
public sealed class PortAllocator
{
    /// <summary>The process's allocator (ports are a per-host resource; one process, one view of them).</summary>
    public static PortAllocator Shared { get; } = new();

    private readonly ulong[] _held = new ulong[65536 / 64];
    private readonly object _gate = new();
    private long _exhausted, _busyTried, _bound;

    /// <summary>Binds that found no free port.</summary>
    public long Exhausted => Interlocked.Read(ref _exhausted);

    /// <summary>Ports tried and found held by another process (or socket outside this allocator).</summary>
    public long BusyTried => Interlocked.Read(ref _busyTried);

    /// <summary>Ports bound through this allocator and still held.</summary>
    public long Held => Interlocked.Read(ref _bound);

    /// <summary>Whether this allocator holds <paramref name="port"/>.</summary>
    public bool IsHeld(int port)
    {
        lock (_gate) return (_held[port >> 6] & 1UL << (port & 63)) != 0;
    }

    /// <summary>Binds a UDP socket on <paramref name="ip"/> at a free port of [<paramref name="minPort"/>,
    /// <paramref name="maxPort"/>], trying from a random one (as mediasoup does). The socket gives its port back
    /// when disposed.</summary>
    public BindError TryBind(IPAddress ip, int minPort, int maxPort, int bufferBytes, out UdpSocket? socket)
    {
        socket = null;
        if (minPort < 1 || maxPort > 65535 || minPort > maxPort) return BindError.BadRange;
        var span = maxPort - minPort + 1;
        lock (_gate)
        {
            if (HeldIn(minPort, maxPort) == span)
            {
                Interlocked.Increment(ref _exhausted);
                return BindError.NoFreePort;
            }
            var start = Random.Shared.Next(span);
            for (var i = 0; i < span; i++)
            {
                var port = minPort + (start + i) % span;
                if ((_held[port >> 6] & 1UL << (port & 63)) != 0) continue;
                var fd = TryBindNative(ip, port, out var errno);
                if (fd < 0)
                {
                    if (errno is LibC.EADDRINUSE or LibC.EACCES) { Interlocked.Increment(ref _busyTried); continue; }
                    return BindError.Failed;
                }
                _held[port >> 6] |= 1UL << (port & 63);
                Interlocked.Increment(ref _bound);
                socket = UdpSocket.FromBound(fd, bufferBytes, this);
                return BindError.None;
            }
        }
        Interlocked.Increment(ref _exhausted);
        return BindError.NoFreePort;
    }

    /// <summary>Gives <paramref name="port"/> back (the socket holding it was closed).</summary>
    internal void Release(int port)
    {
        lock (_gate)
        {
            var bit = 1UL << (port & 63);
            if ((_held[port >> 6] & bit) == 0) return;
            _held[port >> 6] &= ~bit;
        }
        Interlocked.Decrement(ref _bound);
    }

    private int HeldIn(int min, int max)
    {
        var n = 0;
        for (var p = min; p <= max;)
        {
            if ((p & 63) == 0 && p + 63 <= max) { n += System.Numerics.BitOperations.PopCount(_held[p >> 6]); p += 64; }
            else { if ((_held[p >> 6] & 1UL << (p & 63)) != 0) n++; p++; }
        }
        return n;
    }

    /// <summary>socket(2) + bind(2): the fd, or -1 with errno.</summary>
    private static unsafe int TryBindNative(IPAddress ip, int port, out int errno)
    {
        var v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
        var fd = LibC.socket(v6 ? LibC.AF_INET6 : LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.IPPROTO_UDP);
        if (fd < 0) { errno = Marshal.GetLastPInvokeError(); return -1; }
        // sockaddr_in (16 B: family, port BE, addr) or sockaddr_in6 (28 B: family, port BE, flowinfo, addr, scope).
        Span<byte> addr = stackalloc byte[28];
        addr.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(addr, (ushort)(v6 ? LibC.AF_INET6 : LibC.AF_INET));
        BinaryPrimitives.WriteUInt16BigEndian(addr[2..], (ushort)port);
        int len;
        if (v6)
        {
            ip.TryWriteBytes(addr.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(addr[24..], (uint)ip.ScopeId);
            len = 28;
        }
        else
        {
            ip.TryWriteBytes(addr.Slice(4, 4), out _);
            len = 16;
        }
        int rc;
        fixed (byte* a = addr) rc = LibC.bind(fd, a, (uint)len);
        if (rc == 0) { errno = 0; return fd; }
        errno = Marshal.GetLastPInvokeError();
        LibC.close(fd);
        return -1;
    }
}
