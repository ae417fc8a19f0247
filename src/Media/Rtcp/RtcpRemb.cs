// Receiver Estimated Maximum Bitrate: draft-alvestrand-rmcat-remb-03 §2.2, PSFB FMT 15 (application
// layer feedback) with unique identifier "REMB", 6-bit exponent and 18-bit mantissa.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtcp;

/// <summary>View and builder of a REMB message.</summary>
public readonly ref struct RtcpRemb
{
    /// <summary>Feedback message type within PSFB (application layer feedback).</summary>
    public const int Fmt = 15;
    private static ReadOnlySpan<byte> Identifier => "REMB"u8;
    private readonly ReadOnlySpan<byte> _ssrcs;

    private RtcpRemb(uint sender, ulong bitrate, ReadOnlySpan<byte> ssrcs) { SenderSsrc = sender; Bitrate = bitrate; _ssrcs = ssrcs; }

    /// <summary>True when a PSFB FMT 15 packet carries the "REMB" identifier (other ALFB messages exist).</summary>
    public static bool IsRemb(ReadOnlySpan<byte> packet)
        => packet.Length >= 16 && packet.Slice(12, 4).SequenceEqual(Identifier);

    /// <summary>Parses a REMB packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpRemb remb)
    {
        remb = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.PayloadFeedback, Fmt, out var h);
        if (err != RtcpError.None) return err;
        var body = h.Body;
        if (body.Length < 16) return RtcpError.TruncatedBody;
        if (!body.Slice(8, 4).SequenceEqual(Identifier)) return RtcpError.InvalidField;
        int num = body[12];
        if (body.Length < 16 + 4 * num) return RtcpError.TruncatedBody;
        int exp = body[13] >> 2;
        ulong mantissa = (ulong)((body[13] & 0x03) << 16 | body[14] << 8 | body[15]);
        ulong bitrate = mantissa << exp;
        if (bitrate >> exp != mantissa) return RtcpError.InvalidField; // overflow
        remb = new RtcpRemb(BinaryPrimitives.ReadUInt32BigEndian(body), bitrate, body.Slice(16, 4 * num));
        return RtcpError.None;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }
    /// <summary>Estimated maximum bitrate in bits per second.</summary>
    public ulong Bitrate { get; }
    /// <summary>Number of SSRCs the estimate applies to.</summary>
    public int SsrcCount => _ssrcs.Length / 4;
    /// <summary>The i-th SSRC.</summary>
    public uint GetSsrc(int index)
    {
        if ((uint)index >= (uint)SsrcCount) throw new ArgumentOutOfRangeException(nameof(index));
        return BinaryPrimitives.ReadUInt32BigEndian(_ssrcs.Slice(4 * index));
    }

    /// <summary>Size of a REMB with <paramref name="ssrcCount"/> SSRCs.</summary>
    public static int GetSize(int ssrcCount) => RtcpHeader.Size + 16 + 4 * ssrcCount;

    /// <summary>Writes a REMB (bitrate rounded down to an 18-bit mantissa); returns the length or 0 when
    /// it does not fit. At most 255 SSRCs.</summary>
    public static int Write(Span<byte> dst, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs)
    {
        if (ssrcs.Length > 255) throw new ArgumentOutOfRangeException(nameof(ssrcs));
        int size = GetSize(ssrcs.Length);
        if (size > dst.Length) return 0;
        int exp = 0;
        while ((bitrate >> exp) > 0x3FFFF) exp++;
        uint mantissa = (uint)(bitrate >> exp);
        RtcpHeader.Write(dst, Fmt, RtcpPacketType.PayloadFeedback, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), 0);
        Identifier.CopyTo(dst.Slice(12));
        dst[16] = (byte)ssrcs.Length;
        dst[17] = (byte)(exp << 2 | (int)(mantissa >> 16));
        dst[18] = (byte)(mantissa >> 8);
        dst[19] = (byte)mantissa;
        for (int i = 0; i < ssrcs.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(20 + 4 * i), ssrcs[i]);
        return size;
    }
}
