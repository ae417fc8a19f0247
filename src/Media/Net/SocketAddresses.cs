using System.Net;

namespace AkkaSfu.Media.Net;

/// <summary>Helpers for <see cref="SocketAddress"/>, the allocation-free address the packet path uses
/// (its buffer is the native sockaddr). Tuples are kept as private copies; callers reuse theirs.</summary>
public static class SocketAddresses
{
    /// <summary>A private copy (allocates: do it when a tuple is learnt, not per packet).</summary>
    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    /// <summary>Whether <paramref name="address"/>'s IP is <paramref name="ip"/> (an IPv4-mapped IPv6 address
    /// equals its IPv4 one), and its port <paramref name="port"/> unless that is 0. No allocation.</summary>
    public static bool Matches(SocketAddress address, IPAddress ip, int port = 0)
    {
        var buf = address.Buffer.Span;
        if (address.Size < 8) return false;
        if (port != 0 && (buf[2] << 8 | buf[3]) != port) return false;
        Span<byte> want = stackalloc byte[16];
        if (!ip.TryWriteBytes(want, out var n)) return false;
        want = want[..n];
        if (address.Family == System.Net.Sockets.AddressFamily.InterNetwork)
            return n == 4 ? buf.Slice(4, 4).SequenceEqual(want) : IsMappedV4(want, out var v4) && buf.Slice(4, 4).SequenceEqual(v4);
        if (address.Family != System.Net.Sockets.AddressFamily.InterNetworkV6 || address.Size < 24) return false;
        var have = buf.Slice(8, 16);
        if (n == 16) return have.SequenceEqual(want);
        return IsMappedV4(have, out var mapped) && mapped.SequenceEqual(want);
    }

    private static bool IsMappedV4(ReadOnlySpan<byte> v6, out ReadOnlySpan<byte> v4)
    {
        v4 = v6.Length == 16 ? v6[12..] : default;
        return v6.Length == 16 && v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xff && v6[11] == 0xff;
    }

    /// <summary>The address as an <see cref="IPEndPoint"/> (allocates: for events and logs).</summary>
    public static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)new IPEndPoint(address.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(address);
}
