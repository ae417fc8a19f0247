// RTP retransmission payload format, RFC 4588 §4: the RTX payload is the original sequence number
// (OSN, 2 bytes) followed by the original payload; SSRC, payload type and sequence number are the RTX
// stream's own.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtp;

/// <summary>Why an RTX operation failed.</summary>
public enum RtxError : byte
{
    None = 0,
    /// <summary>The destination buffer is too small.</summary>
    BufferTooSmall,
    /// <summary>The input is not a valid RTP packet (see <see cref="RtpParseError"/>).</summary>
    Malformed,
    /// <summary>The RTX payload is shorter than the 2-byte OSN (e.g. a padding-only RTX probe).</summary>
    NoOsn,
}

/// <summary>RFC 4588 encapsulation and decapsulation.</summary>
public static class Rtx
{
    /// <summary>Writes <paramref name="original"/> as an RTX packet into <paramref name="dst"/>: header
    /// (CSRCs, extensions) copied with the RTX payload type, SSRC and sequence number; payload prefixed
    /// with the original sequence number; original padding dropped. <paramref name="dst"/> must not overlap the original.</summary>
    public static RtxError Encapsulate(RtpPacket original, Span<byte> dst, byte rtxPayloadType, uint rtxSsrc,
        ushort rtxSequenceNumber, out int written)
    {
        written = 0;
        int header = original.HeaderLength;
        int size = header + 2 + original.PayloadLength;
        if (size > dst.Length) return RtxError.BufferTooSmall;
        original.Buffer.Slice(0, header).CopyTo(dst);
        original.Payload.CopyTo(dst.Slice(header + 2));
        BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(header), original.SequenceNumber);
        dst[0] &= unchecked((byte)~0x20); // no padding
        if (RtpPacket.TryParse(dst.Slice(0, size), out var rtx) != RtpParseError.None) return RtxError.Malformed;
        rtx.SetPayloadType(rtxPayloadType);
        rtx.SetSsrc(rtxSsrc);
        rtx.SetSequenceNumber(rtxSequenceNumber);
        written = size;
        return RtxError.None;
    }

    /// <summary>Turns the RTX packet in <paramref name="datagram"/> back into the original in place: the
    /// payload (and any padding) moves 2 bytes down over the OSN, and the OSN, original payload type and
    /// SSRC go into the header. <paramref name="original"/> views the shortened packet.</summary>
    public static RtxError DecapsulateInPlace(Span<byte> datagram, byte originalPayloadType, uint originalSsrc,
        out RtpPacket original)
    {
        original = default;
        if (RtpPacket.TryParse(datagram, out var rtx) != RtpParseError.None) return RtxError.Malformed;
        if (rtx.PayloadLength < 2) return RtxError.NoOsn;
        int header = rtx.HeaderLength;
        ushort osn = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(header));
        int rest = datagram.Length - header - 2; // payload + padding
        datagram.Slice(header + 2, rest).CopyTo(datagram.Slice(header));
        var shortened = datagram.Slice(0, datagram.Length - 2);
        if (RtpPacket.TryParse(shortened, out original) != RtpParseError.None) return RtxError.Malformed;
        original.SetSequenceNumber(osn);
        original.SetPayloadType(originalPayloadType);
        original.SetSsrc(originalSsrc);
        return RtxError.None;
    }

    /// <summary>Writes the original packet recovered from <paramref name="rtx"/> into <paramref name="dst"/>
    /// (which must not overlap it), leaving the RTX packet untouched. Padding is dropped.</summary>
    public static RtxError Decapsulate(RtpPacket rtx, Span<byte> dst, byte originalPayloadType, uint originalSsrc,
        out int written)
    {
        written = 0;
        if (rtx.PayloadLength < 2) return RtxError.NoOsn;
        int header = rtx.HeaderLength;
        int size = header + rtx.PayloadLength - 2;
        if (size > dst.Length) return RtxError.BufferTooSmall;
        ushort osn = BinaryPrimitives.ReadUInt16BigEndian(rtx.Payload);
        rtx.Buffer.Slice(0, header).CopyTo(dst);
        rtx.Payload.Slice(2).CopyTo(dst.Slice(header));
        dst[0] &= unchecked((byte)~0x20);
        if (RtpPacket.TryParse(dst.Slice(0, size), out var original) != RtpParseError.None) return RtxError.Malformed;
        original.SetSequenceNumber(osn);
        original.SetPayloadType(originalPayloadType);
        original.SetSsrc(originalSsrc);
        written = size;
        return RtxError.None;
    }

    /// <summary>Reads the original sequence number of an RTX packet without changing it.</summary>
    public static bool TryReadOsn(RtpPacket rtx, out ushort osn)
    {
        osn = 0;
        if (rtx.PayloadLength < 2) return false;
        osn = BinaryPrimitives.ReadUInt16BigEndian(rtx.Payload);
        return true;
    }
}
