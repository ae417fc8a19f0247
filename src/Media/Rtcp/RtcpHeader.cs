// RTCP common header and compound packets: RFC 3550 §6.1 and §6.4.1 (header layout), with
// reduced-size RTCP per RFC 5506 §3 (a compound need not start with SR/RR; one feedback packet is fine).
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).</summary>
public static class RtcpPacketType
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Bye = 203;
    public const byte App = 204;
    /// <summary>Transport-layer feedback (RFC 4585): NACK FMT 1, transport-cc FMT 15.</summary>
    public const byte RtpFeedback = 205;
    /// <summary>Payload-specific feedback (RFC 4585): PLI FMT 1, FIR FMT 4, REMB FMT 15.</summary>
    public const byte PayloadFeedback = 206;
    public const byte ExtendedReport = 207;
}

/// <summary>Why an RTCP parse failed.</summary>
public enum RtcpError : byte
{
    None = 0,
    /// <summary>Fewer than 4 bytes for a header.</summary>
    TooShort,
    /// <summary>Version is not 2.</summary>
    BadVersion,
    /// <summary>The length field points past the end of the input.</summary>
    LengthExceedsBuffer,
    /// <summary>P bit set with a padding count of 0 or larger than the packet body.</summary>
    BadPadding,
    /// <summary>Packet type or FMT is not the one this view parses.</summary>
    WrongType,
    /// <summary>The body is too short for the fixed fields or the count it declares.</summary>
    TruncatedBody,
    /// <summary>A field carries a value the format does not allow (reserved symbol, bad identifier, overflow).</summary>
    InvalidField,
    /// <summary>A feedback message carries no entries where at least one is required.</summary>
    Empty,
}

/// <summary>View of one RTCP packet's common header; <see cref="Packet"/> spans exactly the bytes the
/// length field covers.</summary>
public readonly ref struct RtcpHeader
{
    /// <summary>Size of the common header.</summary>
    public const int Size = 4;

    private RtcpHeader(ReadOnlySpan<byte> packet, int paddingLength)
    {
        Packet = packet;
        PaddingLength = paddingLength;
    }

    /// <summary>Parses the header at the start of <paramref name="data"/>; trailing bytes after the
    /// length the header declares are not part of the packet.</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> data, out RtcpHeader header)
    {
        header = default;
        if (data.Length < Size) return RtcpError.TooShort;
        if (data[0] >> 6 != 2) return RtcpError.BadVersion;
        int length = 4 * (BinaryPrimitives.ReadUInt16BigEndian(data.Slice(2)) + 1);
        if (length > data.Length) return RtcpError.LengthExceedsBuffer;
        int padding = 0;
        if ((data[0] & 0x20) != 0)
        {
            padding = data[length - 1];
            if (padding == 0 || padding > length - Size) return RtcpError.BadPadding;
        }
        header = new RtcpHeader(data.Slice(0, length), padding);
        return RtcpError.None;
    }

    /// <summary>The whole packet, header and padding included.</summary>
    public ReadOnlySpan<byte> Packet { get; }
    /// <summary>Bytes after the 4-byte header, without padding.</summary>
    public ReadOnlySpan<byte> Body => Packet.Slice(Size, Packet.Length - Size - PaddingLength);
    /// <summary>Padding bytes at the end (count byte included).</summary>
    public int PaddingLength { get; }
    /// <summary>Packet length in bytes (a multiple of 4).</summary>
    public int Length => Packet.Length;
    /// <summary>P bit.</summary>
    public bool HasPadding => (Packet[0] & 0x20) != 0;
    /// <summary>The 5-bit count field: report count, source count, or FMT for feedback.</summary>
    public int Count => Packet[0] & 0x1F;
    /// <summary>Alias of <see cref="Count"/> for feedback messages.</summary>
    public int Fmt => Packet[0] & 0x1F;
    /// <summary>Packet type (see <see cref="RtcpPacketType"/>).</summary>
    public byte PacketType => Packet[1];
    /// <summary>True when the view is default.</summary>
    public bool IsEmpty => Packet.IsEmpty;

    /// <summary>Parses the header and checks its type (and FMT, unless <paramref name="fmt"/> is -1).</summary>
    internal static RtcpError TryParse(ReadOnlySpan<byte> data, byte packetType, int fmt, out RtcpHeader header)
    {
        var err = TryParse(data, out header);
        if (err != RtcpError.None) return err;
        if (header.PacketType != packetType || (fmt >= 0 && header.Fmt != fmt))
        {
            header = default;
            return RtcpError.WrongType;
        }
        return RtcpError.None;
    }

    /// <summary>Writes a header without padding; <paramref name="length"/> is the whole packet in bytes
    /// (a multiple of 4).</summary>
    internal static void Write(Span<byte> dst, int count, byte packetType, int length, bool padding = false)
    {
        dst[0] = (byte)(0x80 | (padding ? 0x20 : 0) | count);
        dst[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(2), (ushort)(length / 4 - 1));
    }
}

/// <summary>Allocation-free iteration over the packets of a (possibly reduced-size) compound RTCP
/// datagram. Stops at the first malformed header and records it in <see cref="Error"/>.</summary>
public ref struct RtcpCompoundReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private RtcpHeader _current;

    /// <summary>Iterates <paramref name="compound"/>.</summary>
    public RtcpCompoundReader(ReadOnlySpan<byte> compound)
    {
        _data = compound;
        _pos = 0;
        _current = default;
        Error = compound.IsEmpty ? RtcpError.TooShort : RtcpError.None;
    }

    /// <summary>Set when iteration stopped at a malformed packet (or the input was empty).</summary>
    public RtcpError Error { get; private set; }

    /// <summary>The current packet's header.</summary>
    public readonly RtcpHeader Current => _current;

    /// <summary>Byte offset of the current packet in the compound.</summary>
    public readonly int CurrentOffset => _pos - _current.Length;

    /// <summary>For foreach.</summary>
    public readonly RtcpCompoundReader GetEnumerator() => this;

    /// <summary>Advances to the next packet.</summary>
    public bool MoveNext()
    {
        if (_pos >= _data.Length) { _current = default; return false; }
        var err = RtcpHeader.TryParse(_data.Slice(_pos), out var h);
        if (err != RtcpError.None)
        {
            Error = err;
            _pos = _data.Length;
            _current = default;
            return false;
        }
        _current = h;
        _pos += h.Length;
        return true;
    }

    /// <summary>Walks the whole compound and returns the first error (TooShort for empty input).</summary>
    public static RtcpError Validate(ReadOnlySpan<byte> compound)
    {
        var r = new RtcpCompoundReader(compound);
        while (r.MoveNext()) { }
        return r.Error;
    }
}
