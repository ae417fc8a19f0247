// Generic NACK: RFC 4585 §6.1 (feedback header) and §6.2.1 (FCI: PID + BLP pairs), RTPFB FMT 1.
using System.Buffers.Binary;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Rtcp;

/// <summary>View of a generic NACK. Enumerate it (foreach) to get the lost sequence numbers.</summary>
public readonly ref struct RtcpNack
{
    /// <summary>Feedback message type within RTPFB.</summary>
    public const int Fmt = 1;
    private readonly ReadOnlySpan<byte> _fci;

    private RtcpNack(uint sender, uint media, ReadOnlySpan<byte> fci) { SenderSsrc = sender; MediaSsrc = media; _fci = fci; }

    /// <summary>Parses a NACK packet (header included). At least one PID/BLP pair is required.</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpNack nack)
    {
        nack = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.RtpFeedback, Fmt, out var h);
        if (err != RtcpError.None) return err;
        var body = h.Body;
        if (body.Length < 8) return RtcpError.TruncatedBody;
        var fci = body.Slice(8);
        fci = fci.Slice(0, fci.Length & ~3);
        if (fci.IsEmpty) return RtcpError.Empty;
        nack = new RtcpNack(BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body.Slice(4)), fci);
        return RtcpError.None;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc { get; }
    /// <summary>SSRC of the media source the NACK is about.</summary>
    public uint MediaSsrc { get; }
    /// <summary>Number of PID/BLP pairs.</summary>
    public int ItemCount => _fci.Length / 4;
    /// <summary>The i-th pair.</summary>
    public (ushort Pid, ushort Blp) GetItem(int index)
    {
        var s = _fci.Slice(4 * index, 4);
        return (BinaryPrimitives.ReadUInt16BigEndian(s), BinaryPrimitives.ReadUInt16BigEndian(s.Slice(2)));
    }

    /// <summary>Enumerates every sequence number reported lost, in order, without allocating.</summary>
    public NackSeqEnumerator GetEnumerator() => new(_fci);

    /// <summary>Number of PID/BLP items needed for <paramref name="seqs"/> (ascending, wrap-aware).</summary>
    public static int CountItems(ReadOnlySpan<ushort> seqs)
    {
        int items = 0;
        ushort pid = 0;
        for (int i = 0; i < seqs.Length; i++)
        {
            int d = SeqNum.Diff(seqs[i], pid);
            if (items == 0 || d < 0 || d > 16) { items++; pid = seqs[i]; }
        }
        return items;
    }

    /// <summary>Size of a NACK packet carrying <paramref name="itemCount"/> items.</summary>
    public static int GetSize(int itemCount) => RtcpHeader.Size + 8 + 4 * itemCount;

    /// <summary>Writes a NACK for <paramref name="seqs"/> (ascending in wrap-aware order; a seq that goes
    /// back or jumps more than 16 starts a new item). Returns the length, or 0 when it does not fit or
    /// <paramref name="seqs"/> is empty.</summary>
    public static int Write(Span<byte> dst, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> seqs)
    {
        if (seqs.IsEmpty) return 0;
        int size = GetSize(CountItems(seqs));
        if (size > dst.Length || size > 4 * 65536) return 0;
        RtcpHeader.Write(dst, Fmt, RtcpPacketType.RtpFeedback, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), mediaSsrc);
        int pos = 12 - 4;
        ushort pid = 0;
        ushort blp = 0;
        for (int i = 0; i < seqs.Length; i++)
        {
            int d = SeqNum.Diff(seqs[i], pid);
            if (i == 0 || d < 0 || d > 16)
            {
                if (i > 0) BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(pos + 2), blp);
                pos += 4;
                pid = seqs[i];
                blp = 0;
                BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(pos), pid);
            }
            else if (d > 0)
            {
                blp |= (ushort)(1 << (d - 1));
            }
        }
        BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(pos + 2), blp);
        return size;
    }
}

/// <summary>Yields each lost sequence number of a NACK's FCI: PID, then PID+k+1 for each set BLP bit k.</summary>
public ref struct NackSeqEnumerator
{
    private readonly ReadOnlySpan<byte> _fci;
    private int _item;
    private int _bit; // -1 = the PID itself, 0..15 = BLP bits
    private ushort _current;

    internal NackSeqEnumerator(ReadOnlySpan<byte> fci) { _fci = fci; _item = 0; _bit = -2; _current = 0; }

    /// <summary>The current lost sequence number.</summary>
    public readonly ushort Current => _current;

    /// <summary>Advances.</summary>
    public bool MoveNext()
    {
        while (4 * _item + 4 <= _fci.Length)
        {
            var s = _fci.Slice(4 * _item, 4);
            ushort pid = BinaryPrimitives.ReadUInt16BigEndian(s);
            ushort blp = BinaryPrimitives.ReadUInt16BigEndian(s.Slice(2));
            _bit++;
            if (_bit == -1) { _current = pid; return true; }
            while (_bit < 16 && (blp & (1 << _bit)) == 0) _bit++;
            if (_bit < 16) { _current = (ushort)(pid + _bit + 1); return true; }
            _item++;
            _bit = -2;
        }
        return false;
    }
}
