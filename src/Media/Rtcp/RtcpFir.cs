// Full Intra Request: RFC 5104 §4.3.1, PSFB FMT 4. Media SSRC is 0; FCI entries are SSRC + 8-bit
// command sequence number + 24 reserved bits.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtcp;

/// <summary>One FIR FCI entry.</summary>
public readonly record struct RtcpFirEntry(uint Ssrc, byte SequenceNumber);

/// <summary>View and builder of a FIR.</summary>
public readonly ref struct RtcpFir
{
    /// <summary>Feedback message type within PSFB.</summary>
    public const int Fmt = 4;
    private readonly ReadOnlySpan<byte> _fci;

    private RtcpFir(uint sender, ReadOnlySpan<byte> fci) { SenderSsrc = sender; _fci = fci; }

    /// <summary>Parses a FIR packet (header included). At least one entry is required.</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpFir fir)
    {
        fir = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.PayloadFeedback, Fmt, out var h);
        if (err != RtcpError.None) return err;
        var body = h.Body;
        if (body.Length < 8) return RtcpError.TruncatedBody;
        var fci = body.Slice(8);
        fci = fci.Slice(0, fci.Length & ~7);
        if (fci.IsEmpty) return body.Length > 8 ? RtcpError.TruncatedBody : RtcpError.Empty;
        fir = new RtcpFir(BinaryPrimitives.ReadUInt32BigEndian(body), fci);
        return RtcpError.None;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }
    /// <summary>Number of entries.</summary>
    public int EntryCount => _fci.Length / 8;
    /// <summary>The i-th entry.</summary>
    public RtcpFirEntry GetEntry(int index)
    {
        var s = _fci.Slice(8 * index, 8);
        return new RtcpFirEntry(BinaryPrimitives.ReadUInt32BigEndian(s), s[4]);
    }

    /// <summary>Size of a FIR with <paramref name="entryCount"/> entries.</summary>
    public static int GetSize(int entryCount) => RtcpHeader.Size + 8 + 8 * entryCount;

    /// <summary>Writes a FIR; returns its length, or 0 when it does not fit or there are no entries.</summary>
    public static int Write(Span<byte> dst, uint senderSsrc, ReadOnlySpan<RtcpFirEntry> entries)
    {
        if (entries.IsEmpty) return 0;
        int size = GetSize(entries.Length);
        if (size > dst.Length) return 0;
        dst.Slice(0, size).Clear();
        RtcpHeader.Write(dst, Fmt, RtcpPacketType.PayloadFeedback, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), senderSsrc);
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(12 + 8 * i), entries[i].Ssrc);
            dst[16 + 8 * i] = entries[i].SequenceNumber;
        }
        return size;
    }
}
