// Reading IP and port out of a System.Net.SocketAddress without allocating (for XOR-MAPPED-ADDRESS, RFC 8489 §14.2).
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace AkkaSfu.Media.Stun;

/// <summary>SocketAddress helpers. The sockaddr layout puts the port (big-endian) at bytes 2..3 and the
/// IPv4 address at 4..7 / IPv6 address at 8..23 on Windows, Linux and macOS alike.</summary>
public static class StunAddress
{
    /// <summary>Copies the IP (4 or 16 bytes; IPv4-mapped IPv6 becomes 4) and port out of a socket address.
    /// False for other families or a short buffer.</summary>
    public static bool TryRead(SocketAddress address, Span<byte> ip, out int ipLength, out ushort port)
    {
        ipLength = 0;
        port = 0;
        var b = address.Buffer.Span[..address.Size];
        if (address.Family == AddressFamily.InterNetwork && b.Length >= 8 && ip.Length >= 4)
        {
            port = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
            b.Slice(4, 4).CopyTo(ip);
            ipLength = 4;
            return true;
        }
        if (address.Family == AddressFamily.InterNetworkV6 && b.Length >= 24 && ip.Length >= 16)
        {
            port = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
            var a = b.Slice(8, 16);
            bool mapped = a[..10].IndexOfAnyExcept((byte)0) < 0 && a[10] == 0xFF && a[11] == 0xFF;
            if (mapped) { a[12..].CopyTo(ip); ipLength = 4; }
            else { a.CopyTo(ip); ipLength = 16; }
            return true;
        }
        return false;
    }

}
