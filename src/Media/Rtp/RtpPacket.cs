// RTP fixed header, CSRCs, header extension block and padding: RFC 3550 §5.1 and §5.3.1.
// Header extension elements (one-byte 0xBEDE and two-byte 0x100X forms): RFC 8285 §4.2, §4.3.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtp;

/// <summary>Why <see cref="RtpPacket.TryParse"/> rejected a datagram.</summary>
public enum RtpParseError : byte
{
    None = 0,
    /// <summary>Shorter than the 12-byte fixed header.</summary>
    TooShort,
    /// <summary>Version field is not 2.</summary>
    BadVersion,
    /// <summary>CSRC list runs past the end.</summary>
    TruncatedCsrcs,
    /// <summary>X bit set but the 4-byte extension header is missing.</summary>
    TruncatedExtensionHeader,
    /// <summary>Extension block length runs past the end.</summary>
    TruncatedExtension,
    /// <summary>P bit set but the padding count byte is 0.</summary>
    ZeroPadding,
    /// <summary>Padding count exceeds the bytes after the header.</summary>
    PaddingTooLong,
}

/// <summary>
/// Zero-copy, mutable view of one RTP packet. Parse with <see cref="TryParse"/>; setters write into the
/// underlying buffer in place. All spans it hands out lie inside the parsed datagram.
/// </summary>
public readonly ref struct RtpPacket
{
    /// <summary>RFC 8285 one-byte header extension profile.</summary>
    public const ushort OneByteProfile = 0xBEDE;
    /// <summary>RFC 8285 two-byte header extension profile (low 4 bits are "appbits").</summary>
    public const ushort TwoByteProfile = 0x1000;
    /// <summary>Fixed header length.</summary>
    public const int FixedHeaderLength = 12;

    private readonly Span<byte> _data;
    private readonly int _extOffset; // offset of the extension data (after the 4-byte block header), or -1
    private readonly int _extLength; // length of the extension data in bytes

    private RtpPacket(Span<byte> data, int headerLength, int paddingLength, int extOffset, int extLength)
    {
        _data = data;
        HeaderLength = headerLength;
        PaddingLength = paddingLength;
        _extOffset = extOffset;
        _extLength = extLength;
    }

    /// <summary>Parses <paramref name="datagram"/> (the whole RTP packet, nothing after it) into a view.
    /// Never throws and never reads outside the input.</summary>
    public static RtpParseError TryParse(Span<byte> datagram, out RtpPacket packet)
    {
        packet = default;
        if (datagram.Length < FixedHeaderLength) return RtpParseError.TooShort;
        byte b0 = datagram[0];
        if (b0 >> 6 != 2) return RtpParseError.BadVersion;
        int pos = FixedHeaderLength + 4 * (b0 & 0x0F);
        if (pos > datagram.Length) return RtpParseError.TruncatedCsrcs;
        int extOffset = -1, extLength = 0;
        if ((b0 & 0x10) != 0)
        {
            if (pos + 4 > datagram.Length) return RtpParseError.TruncatedExtensionHeader;
            extLength = 4 * BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(pos + 2));
            extOffset = pos + 4;
            if (extOffset + extLength > datagram.Length) return RtpParseError.TruncatedExtension;
            pos = extOffset + extLength;
        }
        int padding = 0;
        if ((b0 & 0x20) != 0)
        {
            // The count byte is itself part of the padding, so padding >= 1 and it cannot overlap the header.
            if (pos == datagram.Length) return RtpParseError.PaddingTooLong;
            padding = datagram[^1];
            if (padding == 0) return RtpParseError.ZeroPadding;
            if (padding > datagram.Length - pos) return RtpParseError.PaddingTooLong;
        }
        packet = new RtpPacket(datagram, pos, padding, extOffset, extLength);
        return RtpParseError.None;
    }

    /// <summary>The whole datagram this view covers (header, payload, padding).</summary>
    public Span<byte> Buffer => _data;
    /// <summary>Total length in bytes.</summary>
    public int Length => _data.Length;
    /// <summary>Bytes before the payload: fixed header, CSRCs and extension block.</summary>
    public int HeaderLength { get; }
    /// <summary>Padding bytes at the end, including the count byte; 0 without the P bit.</summary>
    public int PaddingLength { get; }
    /// <summary>Payload length (excluding padding).</summary>
    public int PayloadLength => _data.Length - HeaderLength - PaddingLength;
    /// <summary>The payload, without padding.</summary>
    public Span<byte> Payload => _data.Slice(HeaderLength, PayloadLength);
    /// <summary>True when the view is default (not parsed).</summary>
    public bool IsEmpty => _data.IsEmpty;

    /// <summary>Always 2 for a parsed packet.</summary>
    public int Version => _data[0] >> 6;
    /// <summary>P bit.</summary>
    public bool HasPadding => (_data[0] & 0x20) != 0;
    /// <summary>X bit.</summary>
    public bool HasExtension => (_data[0] & 0x10) != 0;
    /// <summary>CSRC count (CC).</summary>
    public int CsrcCount => _data[0] & 0x0F;
    /// <summary>True for a packet carrying only padding (as used for bandwidth probing).</summary>
    public bool IsPaddingOnly => PayloadLength == 0 && PaddingLength > 0;

    /// <summary>M bit.</summary>
    public bool Marker => (_data[1] & 0x80) != 0;
    /// <summary>Payload type (7 bits).</summary>
    public byte PayloadType => (byte)(_data[1] & 0x7F);
    /// <summary>Sequence number.</summary>
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2));
    /// <summary>RTP timestamp.</summary>
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(4));
    /// <summary>Synchronisation source.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(8));

    /// <summary>The i-th CSRC (0 ≤ i &lt; <see cref="CsrcCount"/>).</summary>
    public uint GetCsrc(int index)
    {
        if ((uint)index >= (uint)CsrcCount) throw new ArgumentOutOfRangeException(nameof(index));
        return BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(FixedHeaderLength + 4 * index));
    }

    /// <summary>Sets the M bit in place.</summary>
    public void SetMarker(bool marker) => _data[1] = (byte)((_data[1] & 0x7F) | (marker ? 0x80 : 0));
    /// <summary>Sets the payload type in place (must be ≤ 127).</summary>
    public void SetPayloadType(byte payloadType)
    {
        if (payloadType > 127) throw new ArgumentOutOfRangeException(nameof(payloadType));
        _data[1] = (byte)((_data[1] & 0x80) | payloadType);
    }
    /// <summary>Sets the sequence number in place.</summary>
    public void SetSequenceNumber(ushort seq) => BinaryPrimitives.WriteUInt16BigEndian(_data.Slice(2), seq);
    /// <summary>Sets the timestamp in place.</summary>
    public void SetTimestamp(uint timestamp) => BinaryPrimitives.WriteUInt32BigEndian(_data.Slice(4), timestamp);
    /// <summary>Sets the SSRC in place.</summary>
    public void SetSsrc(uint ssrc) => BinaryPrimitives.WriteUInt32BigEndian(_data.Slice(8), ssrc);

    // ---- header extension block (RFC 8285) ----

    /// <summary>The extension block's profile ("defined by profile" field), or 0 without an extension.</summary>
    public ushort ExtensionProfile =>
        _extOffset < 0 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_extOffset - 4));
    /// <summary>The raw extension data after the 4-byte block header (empty without an extension).</summary>
    public Span<byte> ExtensionData => _extOffset < 0 ? Span<byte>.Empty : _data.Slice(_extOffset, _extLength);
    /// <summary>True when the block uses the RFC 8285 one-byte form.</summary>
    public bool HasOneByteExtensions => _extOffset >= 0 && ExtensionProfile == OneByteProfile;
    /// <summary>True when the block uses the RFC 8285 two-byte form.</summary>
    public bool HasTwoByteExtensions => _extOffset >= 0 && (ExtensionProfile & 0xFFF0) == TwoByteProfile;

    /// <summary>Enumerates RFC 8285 extension elements (nothing for opaque profiles). Stops quietly at a
    /// malformed element; check <see cref="RtpExtensionEnumerator.Malformed"/> afterwards if it matters.</summary>
    public RtpExtensionEnumerator Extensions =>
        HasOneByteExtensions ? new RtpExtensionEnumerator(ExtensionData, twoByte: false)
        : HasTwoByteExtensions ? new RtpExtensionEnumerator(ExtensionData, twoByte: true)
        : default;

    /// <summary>Finds the extension element with local id <paramref name="id"/> (1..14 one-byte, 1..255
    /// two-byte). The value is writable in place.</summary>
    public bool TryGetExtension(byte id, out Span<byte> value)
    {
        if (id != 0)
        {
            var e = Extensions;
            while (e.MoveNext())
            {
                if (e.Current.Id == id) { value = e.Current.Value; return true; }
            }
        }
        value = default;
        return false;
    }

    /// <summary>Rewrites the local id of extension <paramref name="oldId"/> to <paramref name="newId"/> in
    /// place. False when absent or when <paramref name="newId"/> does not fit the block's form (one-byte
    /// ids are 1..14). To remap several ids at once without collisions use <see cref="RemapExtensions"/>.</summary>
    public bool SetExtensionId(byte oldId, byte newId)
    {
        if (oldId == 0 || newId == 0) return false;
        bool two = HasTwoByteExtensions;
        if (!two && newId > 14) return false;
        var e = Extensions;
        while (e.MoveNext())
        {
            if (e.Current.Id != oldId) continue;
            WriteElementId(e.CurrentOffset, newId, two);
            return true;
        }
        return false;
    }

    /// <summary>Turns extension <paramref name="id"/> into padding bytes (zeros), so receivers skip it.</summary>
    public bool RemoveExtension(byte id)
    {
        if (id == 0) return false;
        var e = Extensions;
        while (e.MoveNext())
        {
            if (e.Current.Id != id) continue;
            BlankElement(e.CurrentOffset, e.Current.Value.Length, HasTwoByteExtensions);
            return true;
        }
        return false;
    }

    /// <summary>Rewrites every element's id through <paramref name="map"/> (indexed by the current id; a
    /// mapped value of 0, a missing entry, or an id that does not fit the form blanks the element into
    /// padding). One pass, so swapped ids do not collide. Returns the number of elements kept.</summary>
    public int RemapExtensions(ReadOnlySpan<byte> map)
    {
        bool two = HasTwoByteExtensions;
        int kept = 0;
        var e = Extensions;
        while (e.MoveNext())
        {
            int id = e.Current.Id;
            byte to = id < map.Length ? map[id] : (byte)0;
            if (to == 0 || (!two && to > 14))
            {
                BlankElement(e.CurrentOffset, e.Current.Value.Length, two);
            }
            else
            {
                WriteElementId(e.CurrentOffset, to, two);
                kept++;
            }
        }
        return kept;
    }

    private void WriteElementId(int offsetInExt, byte newId, bool two)
    {
        ref byte b = ref _data[_extOffset + offsetInExt];
        b = two ? newId : (byte)((newId << 4) | (b & 0x0F));
    }

    private void BlankElement(int offsetInExt, int valueLength, bool two)
        => _data.Slice(_extOffset + offsetInExt, (two ? 2 : 1) + valueLength).Clear();
}

/// <summary>One RFC 8285 header extension element: local id and a writable value span.</summary>
public readonly ref struct RtpExtensionElement
{
    /// <summary>Local id (1..14 in one-byte form, 1..255 in two-byte form).</summary>
    public byte Id { get; }
    /// <summary>The element's data, inside the packet.</summary>
    public Span<byte> Value { get; }

    internal RtpExtensionElement(byte id, Span<byte> value) { Id = id; Value = value; }
}

/// <summary>Allocation-free enumerator over RFC 8285 extension elements; skips padding bytes,
/// stops at id 15 in one-byte form, and stops (setting <see cref="Malformed"/>) at a truncated element.</summary>
public ref struct RtpExtensionEnumerator
{
    private readonly Span<byte> _ext;
    private readonly bool _twoByte;
    private int _pos;
    private int _curOffset;
    private RtpExtensionElement _current;

    internal RtpExtensionEnumerator(Span<byte> ext, bool twoByte)
    {
        _ext = ext;
        _twoByte = twoByte;
        _pos = 0;
        _curOffset = -1;
        _current = default;
        Malformed = false;
    }

    /// <summary>True when enumeration stopped at a malformed element.</summary>
    public bool Malformed { get; private set; }

    /// <summary>The current element.</summary>
    public readonly RtpExtensionElement Current => _current;

    /// <summary>Offset of the current element's id byte within the extension data.</summary>
    internal readonly int CurrentOffset => _curOffset;

    /// <summary>For foreach.</summary>
    public readonly RtpExtensionEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next element.</summary>
    public bool MoveNext()
    {
        var ext = _ext;
        while (_pos < ext.Length)
        {
            int b = ext[_pos];
            if (b == 0) { _pos++; continue; } // padding
            int start = _pos;
            int id, len, hdr;
            if (!_twoByte)
            {
                id = b >> 4;
                if (id == 15) break; // "stop parsing" marker
                if (id == 0) { Malformed = true; break; } // id 0 with a non-zero length is not padding
                len = (b & 0x0F) + 1;
                hdr = 1;
            }
            else
            {
                if (_pos + 2 > ext.Length) { Malformed = true; break; }
                id = b;
                len = ext[_pos + 1];
                hdr = 2;
            }
            if (len > ext.Length - start - hdr) { Malformed = true; break; }
            _current = new RtpExtensionElement((byte)id, ext.Slice(start + hdr, len));
            _curOffset = start;
            _pos = start + hdr + len;
            return true;
        }
        _pos = ext.Length;
        _current = default;
        return false;
    }
}
