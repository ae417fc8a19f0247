// STUN message view: RFC 8489 §5 (header), §14 (attributes, padding), §14.5 (MESSAGE-INTEGRITY),
// §14.7 (FINGERPRINT), §14.2 (XOR-MAPPED-ADDRESS), §14.8 (ERROR-CODE); RFC 8445 §7.1.1-7.1.3
// (PRIORITY, USE-CANDIDATE, ICE-CONTROLLED/ICE-CONTROLLING).
using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace AkkaSfu.Media.Stun;

/// <summary>Why <see cref="StunMessage.TryParse"/> rejected a datagram.</summary>
public enum StunParseError : byte
{
    None = 0,
    /// <summary>Shorter than the 20-byte header.</summary>
    TooShort,
    /// <summary>The two most significant bits of the first byte are not zero.</summary>
    NotStun,
    /// <summary>Header length field is not a multiple of 4.</summary>
    LengthNotMultipleOf4,
    /// <summary>Bytes 4..7 are not 0x2112A442.</summary>
    BadMagicCookie,
    /// <summary>Header length field disagrees with the datagram length.</summary>
    LengthMismatch,
    /// <summary>An attribute header or its padded value runs past the end.</summary>
    AttributeTruncated,
    /// <summary>A known attribute has a length its definition forbids.</summary>
    BadAttributeLength,
    /// <summary>XOR-MAPPED-ADDRESS family is neither 1 (IPv4) nor 2 (IPv6).</summary>
    BadAddressFamily,
    /// <summary>An attribute follows FINGERPRINT, which must be last.</summary>
    FingerprintNotLast,
}

/// <summary>
/// A parsed STUN message: a view over the caller's bytes. Attribute accessors read the first occurrence;
/// attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 8489 §14.5).
/// </summary>
public readonly ref struct StunMessage
{
    private readonly ReadOnlySpan<byte> _msg;
    private readonly Index _ix;

    private struct Index
    {
        public int UsernameOff, UsernameLen, IntegrityOff, FingerprintOff, XorMappedOff, XorMappedLen, ErrorOff, ErrorLen;
        public uint Priority;
        public ulong IceControlling, IceControlled;
        public bool HasPriority, UseCandidate, HasIceControlling, HasIceControlled;
        public int UnknownRequiredCount;
        public ushort FirstUnknownRequired;
    }

    private StunMessage(ReadOnlySpan<byte> msg, Index ix)
    {
        _msg = msg;
        _ix = ix;
    }

    /// <summary>The whole message (header and attributes).</summary>
    public ReadOnlySpan<byte> Bytes => _msg;
    /// <summary>Message class.</summary>
    public StunClass Class => (StunClass)(((_msg[0] & 0x1) << 1) | ((_msg[1] >> 4) & 0x1));
    /// <summary>12-bit method number (1 = Binding).</summary>
    public ushort Method
    {
        get
        {
            int t = BinaryPrimitives.ReadUInt16BigEndian(_msg);
            return (ushort)((t & 0x000F) | ((t >> 1) & 0x0070) | ((t >> 2) & 0x0F80));
        }
    }
    /// <summary>True for a Binding request.</summary>
    public bool IsBindingRequest => Class == StunClass.Request && Method == (ushort)StunMethod.Binding;
    /// <summary>The 96-bit transaction id.</summary>
    public ReadOnlySpan<byte> TransactionId => _msg.Slice(8, StunConst.TransactionIdLength);

    /// <summary>USERNAME, empty if absent (check <see cref="HasUsername"/>).</summary>
    public ReadOnlySpan<byte> Username => _ix.UsernameOff < 0 ? default : _msg.Slice(_ix.UsernameOff, _ix.UsernameLen);
    public bool HasUsername => _ix.UsernameOff >= 0;
    public bool HasMessageIntegrity => _ix.IntegrityOff >= 0;
    public bool HasFingerprint => _ix.FingerprintOff >= 0;
    public bool HasPriority => _ix.HasPriority;
    /// <summary>PRIORITY (0 if absent).</summary>
    public uint Priority => _ix.Priority;
    /// <summary>USE-CANDIDATE present.</summary>
    public bool UseCandidate => _ix.UseCandidate;
    public bool HasIceControlling => _ix.HasIceControlling;
    /// <summary>ICE-CONTROLLING tie-breaker (0 if absent).</summary>
    public ulong IceControlling => _ix.IceControlling;
    public bool HasIceControlled => _ix.HasIceControlled;
    /// <summary>ICE-CONTROLLED tie-breaker (0 if absent).</summary>
    public ulong IceControlled => _ix.IceControlled;
    public bool HasXorMappedAddress => _ix.XorMappedOff >= 0;
    public bool HasErrorCode => _ix.ErrorOff >= 0;
    /// <summary>ERROR-CODE as class*100+number (0 if absent).</summary>
    public int ErrorCode => _ix.ErrorOff < 0 ? 0 : (_msg[_ix.ErrorOff + 2] & 0x7) * 100 + _msg[_ix.ErrorOff + 3];
    /// <summary>ERROR-CODE reason phrase (UTF-8), empty if absent.</summary>
    public ReadOnlySpan<byte> ErrorReason => _ix.ErrorOff < 0 ? default : _msg.Slice(_ix.ErrorOff + 4, _ix.ErrorLen - 4);
    /// <summary>Number of comprehension-required attributes this parser does not know (RFC 8489 §6.3.1: a
    /// request carrying any deserves a 420; we report them, the caller decides).</summary>
    public int UnknownComprehensionRequiredCount => _ix.UnknownRequiredCount;
    /// <summary>The first such unknown attribute type, 0 if none.</summary>
    public ushort FirstUnknownComprehensionRequired => _ix.FirstUnknownRequired;

    /// <summary>Parses and bounds-checks a STUN message that fills the whole datagram. Never throws and
    /// never allocates.</summary>
    public static StunParseError TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (datagram.Length < StunConst.HeaderLength) return StunParseError.TooShort;
        if ((datagram[0] & 0xC0) != 0) return StunParseError.NotStun;
        int bodyLen = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((bodyLen & 3) != 0) return StunParseError.LengthNotMultipleOf4;
        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunConst.MagicCookie) return StunParseError.BadMagicCookie;
        if (StunConst.HeaderLength + bodyLen != datagram.Length) return StunParseError.LengthMismatch;

        var ix = new Index { UsernameOff = -1, IntegrityOff = -1, FingerprintOff = -1, XorMappedOff = -1, ErrorOff = -1 };
        int off = StunConst.HeaderLength, end = datagram.Length;
        while (off < end)
        {
            if (ix.FingerprintOff >= 0) return StunParseError.FingerprintNotLast;
            if (end - off < 4) return StunParseError.AttributeTruncated;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(datagram[off..]);
            int len = BinaryPrimitives.ReadUInt16BigEndian(datagram[(off + 2)..]);
            int padded = (len + 3) & ~3;
            if (padded > end - off - 4) return StunParseError.AttributeTruncated;
            int v = off + 4;
            ReadOnlySpan<byte> value = datagram.Slice(v, len);

            if (type == StunAttr.Fingerprint)
            {
                if (len != 4) return StunParseError.BadAttributeLength;
                ix.FingerprintOff = off;
            }
            else if (ix.IntegrityOff >= 0)
            {
                // RFC 8489 §14.5: everything after MESSAGE-INTEGRITY but FINGERPRINT is ignored.
            }
            else
            {
                var err = Record(type, value, v, ref ix);
                if (err != StunParseError.None) return err;
            }
            off = v + padded;
        }
        message = new StunMessage(datagram, ix);
        return StunParseError.None;
    }

    private static StunParseError Record(ushort type, ReadOnlySpan<byte> value, int v, ref Index ix)
    {
        int len = value.Length;
        switch (type)
        {
            case StunAttr.Username:
                if (len > 513) return StunParseError.BadAttributeLength;
                if (ix.UsernameOff < 0) { ix.UsernameOff = v; ix.UsernameLen = len; }
                break;
            case StunAttr.MessageIntegrity:
                if (len != StunConst.IntegrityLength) return StunParseError.BadAttributeLength;
                ix.IntegrityOff = v - 4;
                break;
            case StunAttr.Priority:
                if (len != 4) return StunParseError.BadAttributeLength;
                if (!ix.HasPriority) { ix.HasPriority = true; ix.Priority = BinaryPrimitives.ReadUInt32BigEndian(value); }
                break;
            case StunAttr.UseCandidate:
                if (len != 0) return StunParseError.BadAttributeLength;
                ix.UseCandidate = true;
                break;
            case StunAttr.IceControlling:
                if (len != 8) return StunParseError.BadAttributeLength;
                if (!ix.HasIceControlling) { ix.HasIceControlling = true; ix.IceControlling = BinaryPrimitives.ReadUInt64BigEndian(value); }
                break;
            case StunAttr.IceControlled:
                if (len != 8) return StunParseError.BadAttributeLength;
                if (!ix.HasIceControlled) { ix.HasIceControlled = true; ix.IceControlled = BinaryPrimitives.ReadUInt64BigEndian(value); }
                break;
            case StunAttr.XorMappedAddress:
                if (len < 4) return StunParseError.BadAttributeLength;
                int family = value[1];
                if (family == 1 ? len != 8 : family == 2 ? len != 20 : true)
                    return family is 1 or 2 ? StunParseError.BadAttributeLength : StunParseError.BadAddressFamily;
                if (ix.XorMappedOff < 0) { ix.XorMappedOff = v; ix.XorMappedLen = len; }
                break;
            case StunAttr.ErrorCode:
                if (len < 4 || len > 4 + 763) return StunParseError.BadAttributeLength;
                if (ix.ErrorOff < 0) { ix.ErrorOff = v; ix.ErrorLen = len; }
                break;
            default:
                if (StunAttr.IsComprehensionRequired(type) && !StunAttr.IsKnownComprehensionRequired(type))
                {
                    if (ix.UnknownRequiredCount++ == 0) ix.FirstUnknownRequired = type;
                }
                break;
        }
        return StunParseError.None;
    }

    /// <summary>Copies the unknown comprehension-required attribute types (for UNKNOWN-ATTRIBUTES) into
    /// <paramref name="types"/>; returns how many were written.</summary>
    public int GetUnknownComprehensionRequired(Span<ushort> types)
    {
        int n = 0;
        int off = StunConst.HeaderLength;
        int stop = _ix.IntegrityOff >= 0 ? _ix.IntegrityOff : _msg.Length;
        while (off < stop && n < types.Length)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(_msg[off..]);
            int len = BinaryPrimitives.ReadUInt16BigEndian(_msg[(off + 2)..]);
            if (StunAttr.IsComprehensionRequired(type) && !StunAttr.IsKnownComprehensionRequired(type)) types[n++] = type;
            off += 4 + ((len + 3) & ~3);
        }
        return n;
    }

    /// <summary>True if USERNAME is exactly <c>prefix ":" anything</c> (ICE: <c>ourUfrag:theirUfrag</c>),
    /// with a non-empty remainder. <paramref name="prefix"/> is the ASCII ufrag.</summary>
    public bool UsernameStartsWith(ReadOnlySpan<byte> prefix)
    {
        var u = Username;
        return HasUsername && u.Length > prefix.Length + 1 && u.StartsWith(prefix) && u[prefix.Length] == (byte)':';
    }

    /// <summary>Verifies MESSAGE-INTEGRITY (HMAC-SHA1) with the short-term key (the ICE password bytes)
    /// over the message up to the attribute, header length adjusted to end at it (RFC 8489 §14.5).
    /// False if the attribute is absent. Allocation-free (large messages use a pooled buffer).</summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int prefix = _ix.IntegrityOff;
        if (prefix < 0) return false;
        Span<byte> mac = stackalloc byte[StunConst.IntegrityLength];
        ComputeIntegrity(_msg[..prefix], key, mac);
        return CryptographicOperations.FixedTimeEquals(mac, _msg.Slice(prefix + 4, StunConst.IntegrityLength));
    }

    /// <summary>As <see cref="VerifyMessageIntegrity(ReadOnlySpan{byte})"/> with a reusable key (faster, no copy).</summary>
    public bool VerifyMessageIntegrity(StunIntegrityKey key)
    {
        int prefix = _ix.IntegrityOff;
        if (prefix < 0) return false;
        Span<byte> mac = stackalloc byte[StunConst.IntegrityLength];
        key.Compute(_msg[..prefix], mac);
        return CryptographicOperations.FixedTimeEquals(mac, _msg.Slice(prefix + 4, StunConst.IntegrityLength));
    }

    /// <summary>HMAC-SHA1 over <paramref name="prefix"/> (header plus attributes before MESSAGE-INTEGRITY)
    /// as if its length field covered a following MESSAGE-INTEGRITY attribute.</summary>
    internal static void ComputeIntegrity(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> key, Span<byte> mac)
    {
        const int StackMax = 512;
        byte[]? rented = null;
        Span<byte> buf = prefix.Length <= StackMax
            ? stackalloc byte[StackMax]
            : (rented = ArrayPool<byte>.Shared.Rent(prefix.Length));
        buf = buf[..prefix.Length];
        prefix.CopyTo(buf);
        BinaryPrimitives.WriteUInt16BigEndian(buf[2..], (ushort)(prefix.Length - StunConst.HeaderLength + 4 + StunConst.IntegrityLength));
        HMACSHA1.HashData(key, buf, mac);
        if (rented != null) ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>Verifies FINGERPRINT (CRC-32 XOR 0x5354554e over everything before it). False if absent.</summary>
    public bool VerifyFingerprint()
    {
        int fp = _ix.FingerprintOff;
        if (fp < 0) return false;
        return StunCrc32.Fingerprint(_msg[..fp]) == BinaryPrimitives.ReadUInt32BigEndian(_msg[(fp + 4)..]);
    }

    /// <summary>Decodes XOR-MAPPED-ADDRESS into <paramref name="address"/> (4 or 16 bytes written,
    /// needs room for 16). False if absent or the destination is too small.</summary>
    public bool TryGetXorMappedAddress(Span<byte> address, out int addressLength, out ushort port)
    {
        addressLength = 0;
        port = 0;
        if (_ix.XorMappedOff < 0) return false;
        var value = _msg.Slice(_ix.XorMappedOff, _ix.XorMappedLen);
        int n = value[1] == 1 ? 4 : 16;
        if (address.Length < n) return false;
        port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (StunConst.MagicCookie >> 16));
        // XOR key: magic cookie followed by the transaction id = header bytes 4..19.
        var xorKey = _msg.Slice(4, 16);
        for (int i = 0; i < n; i++) address[i] = (byte)(value[4 + i] ^ xorKey[i]);
        addressLength = n;
        return true;
    }

    /// <summary>XOR-MAPPED-ADDRESS as an endpoint (allocates; for clients and tests), null if absent.</summary>
    public IPEndPoint? GetXorMappedEndPoint()
    {
        Span<byte> a = stackalloc byte[16];
        if (!TryGetXorMappedAddress(a, out int n, out ushort port)) return null;
        return new IPEndPoint(new IPAddress(a[..n]), port);
    }
}
