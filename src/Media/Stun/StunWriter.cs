// STUN message builder: RFC 8489 §5 header, §14 attribute layout and padding, §14.5 MESSAGE-INTEGRITY and
// §14.7 FINGERPRINT computed in place, §14.2 XOR-MAPPED-ADDRESS, §14.8 ERROR-CODE.
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace AkkaSfu.Media.Stun;

/// <summary>
/// Writes one STUN message into a caller buffer. Add attributes in wire order, then
/// <see cref="AddMessageIntegrity"/> and <see cref="AddFingerprint"/> last. If the buffer is too small the
/// writer stops writing and <see cref="Overflowed"/> turns true (nothing throws). Allocation-free.
/// </summary>
public ref struct StunWriter
{
    private readonly Span<byte> _buf;
    private readonly byte _pad;
    private int _len;
    private bool _overflow;

    /// <summary>Starts a message. <paramref name="paddingByte"/> fills attribute padding (0 normally;
    /// RFC 5769's vectors use 0x20).</summary>
    public StunWriter(Span<byte> buffer, StunClass cls, ushort method, ReadOnlySpan<byte> transactionId, byte paddingByte = 0)
    {
        _buf = buffer;
        _pad = paddingByte;
        if (buffer.Length < StunConst.HeaderLength || transactionId.Length != StunConst.TransactionIdLength)
        {
            _overflow = true;
            return;
        }
        BinaryPrimitives.WriteUInt16BigEndian(buffer, StunConst.MessageType(cls, method));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunConst.MagicCookie);
        transactionId.CopyTo(buffer[8..]);
        _len = StunConst.HeaderLength;
    }

    /// <summary>Starts a message of a known method.</summary>
    public StunWriter(Span<byte> buffer, StunClass cls, StunMethod method, ReadOnlySpan<byte> transactionId, byte paddingByte = 0)
        : this(buffer, cls, (ushort)method, transactionId, paddingByte) { }

    /// <summary>Bytes written so far (0 after an overflow).</summary>
    public readonly int Length => _overflow ? 0 : _len;
    /// <summary>True once an attribute did not fit; the message is then unusable.</summary>
    public readonly bool Overflowed => _overflow;
    /// <summary>The message written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _overflow ? default : _buf[.._len];

    /// <summary>Reserves an attribute and returns its value span (padding already written); empty on overflow.</summary>
    private Span<byte> Begin(ushort type, int valueLength)
    {
        int padded = (valueLength + 3) & ~3;
        if (_overflow || _buf.Length - _len < 4 + padded || _len - StunConst.HeaderLength + 4 + padded > ushort.MaxValue)
        {
            _overflow = true;
            return default;
        }
        BinaryPrimitives.WriteUInt16BigEndian(_buf[_len..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_buf[(_len + 2)..], (ushort)valueLength);
        var value = _buf.Slice(_len + 4, valueLength);
        _buf.Slice(_len + 4 + valueLength, padded - valueLength).Fill(_pad);
        _len += 4 + padded;
        BinaryPrimitives.WriteUInt16BigEndian(_buf[2..], (ushort)(_len - StunConst.HeaderLength));
        return value;
    }

    /// <summary>Adds any attribute verbatim.</summary>
    public void AddAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var v = Begin(type, value.Length);
        if (!_overflow) value.CopyTo(v);
    }

    /// <summary>USERNAME from bytes.</summary>
    public void AddUsername(scoped ReadOnlySpan<byte> username) => AddAttribute(StunAttr.Username, username);

    /// <summary>USERNAME <c>first:second</c> (ICE: the receiver's ufrag first), ASCII/UTF-8, no allocation.</summary>
    public void AddUsername(string first, string second)
    {
        int a = Encoding.UTF8.GetByteCount(first), b = Encoding.UTF8.GetByteCount(second);
        var v = Begin(StunAttr.Username, a + 1 + b);
        if (_overflow) return;
        Encoding.UTF8.GetBytes(first, v);
        v[a] = (byte)':';
        Encoding.UTF8.GetBytes(second, v[(a + 1)..]);
    }

    /// <summary>SOFTWARE (UTF-8).</summary>
    public void AddSoftware(string software)
    {
        var v = Begin(StunAttr.Software, Encoding.UTF8.GetByteCount(software));
        if (!_overflow) Encoding.UTF8.GetBytes(software, v);
    }

    /// <summary>PRIORITY (RFC 8445 §7.1.1).</summary>
    public void AddPriority(uint priority)
    {
        var v = Begin(StunAttr.Priority, 4);
        if (!_overflow) BinaryPrimitives.WriteUInt32BigEndian(v, priority);
    }

    /// <summary>USE-CANDIDATE (RFC 8445 §7.1.2).</summary>
    public void AddUseCandidate() => Begin(StunAttr.UseCandidate, 0);

    /// <summary>ICE-CONTROLLING with the agent's tie-breaker (RFC 8445 §7.1.3).</summary>
    public void AddIceControlling(ulong tieBreaker) => AddU64(StunAttr.IceControlling, tieBreaker);

    /// <summary>ICE-CONTROLLED with the agent's tie-breaker (RFC 8445 §7.1.3).</summary>
    public void AddIceControlled(ulong tieBreaker) => AddU64(StunAttr.IceControlled, tieBreaker);

    private void AddU64(ushort type, ulong value)
    {
        var v = Begin(type, 8);
        if (!_overflow) BinaryPrimitives.WriteUInt64BigEndian(v, value);
    }

    /// <summary>XOR-MAPPED-ADDRESS from raw address bytes (4 = IPv4, 16 = IPv6) and port. Uses the
    /// transaction id already in the header.</summary>
    public void AddXorMappedAddress(scoped ReadOnlySpan<byte> address, ushort port)
    {
        if (address.Length is not (4 or 16)) { _overflow = true; return; }
        var v = Begin(StunAttr.XorMappedAddress, 4 + address.Length);
        if (_overflow) return;
        v[0] = 0;
        v[1] = (byte)(address.Length == 4 ? 1 : 2);
        BinaryPrimitives.WriteUInt16BigEndian(v[2..], (ushort)(port ^ (StunConst.MagicCookie >> 16)));
        var xorKey = _buf.Slice(4, 16);
        for (int i = 0; i < address.Length; i++) v[4 + i] = (byte)(address[i] ^ xorKey[i]);
    }

    /// <summary>XOR-MAPPED-ADDRESS of a socket address (IPv4-mapped IPv6 is written as IPv4), no allocation.</summary>
    public void AddXorMappedAddress(SocketAddress remote)
    {
        Span<byte> ip = stackalloc byte[16];
        if (!StunAddress.TryRead(remote, ip, out int n, out ushort port)) { _overflow = true; return; }
        AddXorMappedAddress(ip[..n], port);
    }

    /// <summary>ERROR-CODE: <paramref name="code"/> 300..699 and an ASCII/UTF-8 reason phrase.</summary>
    public void AddErrorCode(int code, string reason)
    {
        int r = Encoding.UTF8.GetByteCount(reason);
        var v = Begin(StunAttr.ErrorCode, 4 + r);
        if (_overflow) return;
        v[0] = 0;
        v[1] = 0;
        v[2] = (byte)(code / 100 & 0x7);
        v[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, v[4..]);
    }

    /// <summary>MESSAGE-INTEGRITY: HMAC-SHA1 keyed with <paramref name="key"/> (the ICE password bytes)
    /// over everything written so far, header length counting this attribute.</summary>
    public void AddMessageIntegrity(scoped ReadOnlySpan<byte> key)
    {
        int prefix = _len;
        var v = Begin(StunAttr.MessageIntegrity, StunConst.IntegrityLength);
        if (_overflow) return;
        StunMessage.ComputeIntegrity(_buf[..prefix], key, v);
    }

    /// <summary>MESSAGE-INTEGRITY with a reusable key (faster, no copy).</summary>
    public void AddMessageIntegrity(StunIntegrityKey key)
    {
        int prefix = _len;
        var v = Begin(StunAttr.MessageIntegrity, StunConst.IntegrityLength);
        if (_overflow) return;
        key.Compute(_buf[..prefix], v);
    }

    /// <summary>FINGERPRINT over everything written so far; must be the last attribute.</summary>
    public void AddFingerprint()
    {
        int prefix = _len;
        var v = Begin(StunAttr.Fingerprint, 4);
        if (_overflow) return;
        BinaryPrimitives.WriteUInt32BigEndian(v, StunCrc32.Fingerprint(_buf[..prefix]));
    }
}
