// A remote UDP address (IP + port) as a value: the key of a worker's shared port's tuple map. Built from the
// native sockaddr a SocketAddress holds (sockaddr_in: family, port BE, addr[4]; sockaddr_in6: family, port BE,
// flowinfo, addr[16], scope id), without allocating.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace AkkaSfu.Media.Net;

/// <summary>A remote address and port as a dictionary key: equal for equal addresses (the flow label of IPv6 is
/// ignored, its scope id is not), hashed in O(1), built and compared with no allocation.</summary>
public readonly struct TupleKey : IEquatable<TupleKey>
{
    private readonly ulong _hi, _lo;
    private readonly uint _scope;
    private readonly ushort _port;
    private readonly byte _family; // 4 or 6

    private TupleKey(ulong hi, ulong lo, uint scope, ushort port, byte family)
    {
        _hi = hi;
        _lo = lo;
        _scope = scope;
        _port = port;
        _family = family;
    }

    /// <summary>The key of <paramref name="address"/>; false (default key) if it is not a whole IPv4 or IPv6
    /// sockaddr.</summary>
    public static bool TryCreate(SocketAddress address, out TupleKey key)
    {
        var buf = address.Buffer.Span;
        if (address.Family == AddressFamily.InterNetwork && address.Size >= 8)
        {
            key = new TupleKey(0, BinaryPrimitives.ReadUInt32BigEndian(buf[4..]), 0, BinaryPrimitives.ReadUInt16BigEndian(buf[2..]), 4);
            return true;
        }
        if (address.Family == AddressFamily.InterNetworkV6 && address.Size >= 28)
        {
            key = new TupleKey(BinaryPrimitives.ReadUInt64BigEndian(buf[8..]), BinaryPrimitives.ReadUInt64BigEndian(buf[16..]),
                BinaryPrimitives.ReadUInt32LittleEndian(buf[24..]), BinaryPrimitives.ReadUInt16BigEndian(buf[2..]), 6);
            return true;
        }
        key = default;
        return false;
    }

    public int Port => _port;

    public bool Equals(TupleKey other) =>
        _lo == other._lo && _port == other._port && _hi == other._hi && _scope == other._scope && _family == other._family;

    public override bool Equals(object? obj) => obj is TupleKey k && Equals(k);

    public override int GetHashCode() => HashCode.Combine(_hi, _lo, _port, _scope, _family);

    public static bool operator ==(TupleKey a, TupleKey b) => a.Equals(b);
    public static bool operator !=(TupleKey a, TupleKey b) => !a.Equals(b);

    public override string ToString()
    {
        if (_family == 4) return $"{new IPAddress(BinaryPrimitives.ReverseEndianness((uint)_lo))}:{_port}";
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(b, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], _lo);
        return $"[{new IPAddress(b, _scope)}]:{_port}";
    }
}
