// Picture Loss Indication: RFC 4585 §6.3.1, PSFB FMT 1 with no FCI.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtcp;

/// <summary>View and builder of a PLI.</summary>
public readonly ref struct RtcpPli
{
    /// <summary>Feedback message type within PSFB.</summary>
    public const int Fmt = 1;
    /// <summary>Encoded size.</summary>
    public const int Size = 12;

    private RtcpPli(uint sender, uint media) { SenderSsrc = sender; MediaSsrc = media; }

    /// <summary>Parses a PLI packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpPli pli)
    {
        pli = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.PayloadFeedback, Fmt, out var h);
        if (err != RtcpError.None) return err;
        if (h.Body.Length < 8) return RtcpError.TruncatedBody;
        pli = new RtcpPli(BinaryPrimitives.ReadUInt32BigEndian(h.Body), BinaryPrimitives.ReadUInt32BigEndian(h.Body.Slice(4)));
        return RtcpError.None;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }
    /// <summary>SSRC of the media source that should send a key frame.</summary>
    public uint MediaSsrc { get; }

    /// <summary>Writes a PLI; returns 12, or 0 when it does not fit.</summary>
    public static int Write(Span<byte> dst, uint senderSsrc, uint mediaSsrc)
    {
        if (dst.Length < Size) return 0;
        RtcpHeader.Write(dst, Fmt, RtcpPacketType.PayloadFeedback, Size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), mediaSsrc);
        return Size;
    }
}
