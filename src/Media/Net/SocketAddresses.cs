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

    /// <summary>The address as an <see cref="IPEndPoint"/> (allocates: for events and logs).</summary>
    public static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)new IPEndPoint(address.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(address);
}
