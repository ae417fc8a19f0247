// Serialises an RTP packet (RFC 3550 §5.1) with RFC 8285 header extensions and RFC 3550 padding
// into a caller-supplied buffer.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtp;

/// <summary>Fixed-header fields for <see cref="RtpPacketWriter"/>.</summary>
public struct RtpHeaderFields
{
    public bool Marker;
    public byte PayloadType;
    public ushort SequenceNumber;
    public uint Timestamp;
    public uint Ssrc;
}

/// <summary>One header extension to write: local id and value bytes.</summary>
public readonly record struct RtpExtension(byte Id, ReadOnlyMemory<byte> Value);

/// <summary>Builds complete RTP packets into caller buffers.</summary>
public static class RtpPacketWriter
{
    /// <summary>True when the extensions need the two-byte form (an id above 14, or a value that is
    /// empty or longer than 16 bytes).</summary>
    public static bool NeedsTwoByteForm(ReadOnlySpan<RtpExtension> extensions)
    {
        foreach (var e in extensions)
            if (e.Id > 14 || e.Value.Length == 0 || e.Value.Length > 16) return true;
        return false;
    }

    /// <summary>Size in bytes of the packet <see cref="Write"/> would produce.</summary>
    public static int GetSize(int csrcCount, ReadOnlySpan<RtpExtension> extensions, int payloadLength, int paddingLength)
        => RtpPacket.FixedHeaderLength + 4 * csrcCount + ExtensionBlockSize(extensions) + payloadLength + paddingLength;

    /// <summary>Writes a packet into <paramref name="dst"/> and returns its length, or 0 when it does not
    /// fit. Uses the one-byte extension form when possible, else the two-byte form. Padding (0..255
    /// bytes, count byte included) sets the P bit. Throws on arguments no valid packet can carry.</summary>
    public static int Write(Span<byte> dst, in RtpHeaderFields header, ReadOnlySpan<uint> csrcs,
        ReadOnlySpan<RtpExtension> extensions, ReadOnlySpan<byte> payload, int paddingLength = 0)
    {
        if (csrcs.Length > 15) throw new ArgumentOutOfRangeException(nameof(csrcs), "at most 15 CSRCs");
        if (header.PayloadType > 127) throw new ArgumentOutOfRangeException(nameof(header), "payload type > 127");
        if ((uint)paddingLength > 255) throw new ArgumentOutOfRangeException(nameof(paddingLength));
        foreach (var e in extensions)
            if (e.Id == 0 || e.Value.Length > 255) throw new ArgumentException("extension id 0 or value > 255 bytes", nameof(extensions));

        int size = GetSize(csrcs.Length, extensions, payload.Length, paddingLength);
        if (size > dst.Length) return 0;
        var d = dst.Slice(0, size);

        d[0] = (byte)(0x80 | (paddingLength > 0 ? 0x20 : 0) | (extensions.Length > 0 ? 0x10 : 0) | csrcs.Length);
        d[1] = (byte)((header.Marker ? 0x80 : 0) | header.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(2), header.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(d.Slice(4), header.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(d.Slice(8), header.Ssrc);
        int pos = RtpPacket.FixedHeaderLength;
        foreach (uint c in csrcs) { BinaryPrimitives.WriteUInt32BigEndian(d.Slice(pos), c); pos += 4; }

        if (extensions.Length > 0)
        {
            int block = ExtensionBlockSize(extensions);
            WriteBlock(d.Slice(pos, block), extensions);
            pos += block;
        }

        payload.CopyTo(d.Slice(pos));
        pos += payload.Length;
        if (paddingLength > 0)
        {
            d.Slice(pos, paddingLength - 1).Clear();
            d[pos + paddingLength - 1] = (byte)paddingLength;
        }
        return size;
    }

    /// <summary>Replaces the header extension block of the packet in <paramref name="buffer"/>[0..length)
    /// with <paramref name="extensions"/> (none removes the block), moving payload and padding within the
    /// buffer, so a consumer can carry extensions the producer's packet lacked. Extension values must not
    /// point into <paramref name="buffer"/>. Returns the new length, or 0 when the packet does not parse
    /// or the buffer is too small (the buffer is then unchanged).</summary>
    public static int ReplaceExtensions(Span<byte> buffer, int length, ReadOnlySpan<RtpExtension> extensions)
    {
        if ((uint)length > (uint)buffer.Length) throw new ArgumentOutOfRangeException(nameof(length));
        foreach (var e in extensions)
            if (e.Id == 0 || e.Value.Length > 255) throw new ArgumentException("extension id 0 or value > 255 bytes", nameof(extensions));
        if (RtpPacket.TryParse(buffer.Slice(0, length), out var p) != RtpParseError.None) return 0;
        int blockStart = RtpPacket.FixedHeaderLength + 4 * p.CsrcCount;
        int oldHeaderEnd = p.HeaderLength;
        int newBlock = ExtensionBlockSize(extensions);
        int newHeaderEnd = blockStart + newBlock;
        int newLength = length - oldHeaderEnd + newHeaderEnd;
        if (newLength > buffer.Length) return 0;

        buffer.Slice(oldHeaderEnd, length - oldHeaderEnd).CopyTo(buffer.Slice(newHeaderEnd)); // memmove
        if (extensions.Length == 0)
        {
            buffer[0] &= unchecked((byte)~0x10);
            return newLength;
        }
        buffer[0] |= 0x10;
        WriteBlock(buffer.Slice(blockStart, newBlock), extensions);
        return newLength;
    }

    // Writes the 4-byte block header, the elements and zero padding into exactly d.
    private static void WriteBlock(Span<byte> d, ReadOnlySpan<RtpExtension> extensions)
    {
        bool two = NeedsTwoByteForm(extensions);
        BinaryPrimitives.WriteUInt16BigEndian(d, two ? RtpPacket.TwoByteProfile : RtpPacket.OneByteProfile);
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(2), (ushort)((d.Length - 4) / 4));
        int pos = 4;
        foreach (var e in extensions)
        {
            if (two) { d[pos++] = e.Id; d[pos++] = (byte)e.Value.Length; }
            else d[pos++] = (byte)((e.Id << 4) | (e.Value.Length - 1));
            e.Value.Span.CopyTo(d.Slice(pos));
            pos += e.Value.Length;
        }
        d.Slice(pos).Clear();
    }

    private static int ExtensionBlockSize(ReadOnlySpan<RtpExtension> extensions)
    {
        if (extensions.Length == 0) return 0;
        int per = NeedsTwoByteForm(extensions) ? 2 : 1;
        int n = 0;
        foreach (var e in extensions) n += per + e.Value.Length;
        return 4 + ((n + 3) & ~3);
    }
}
