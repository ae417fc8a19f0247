// Goodbye (BYE, PT 203): RFC 3550 §6.6. SC SSRCs, then an optional length-prefixed reason.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtcp;

/// <summary>View of a BYE packet.</summary>
public readonly ref struct RtcpBye
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpBye(ReadOnlySpan<byte> body, int count, ReadOnlySpan<byte> reason)
    {
        _body = body; SsrcCount = count; Reason = reason;
    }

    /// <summary>Parses a BYE packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpBye bye)
    {
        bye = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.Bye, -1, out var h);
        if (err != RtcpError.None) return err;
        var body = h.Body;
        int pos = 4 * h.Count;
        if (pos > body.Length) return RtcpError.TruncatedBody;
        ReadOnlySpan<byte> reason = default;
        if (pos < body.Length)
        {
            int len = body[pos];
            if (pos + 1 + len > body.Length) return RtcpError.TruncatedBody;
            reason = body.Slice(pos + 1, len);
        }
        bye = new RtcpBye(body, h.Count, reason);
        return RtcpError.None;
    }

    /// <summary>Number of SSRCs (SC).</summary>
    public int SsrcCount { get; }
    /// <summary>The i-th SSRC/CSRC.</summary>
    public uint GetSsrc(int index)
    {
        if ((uint)index >= (uint)SsrcCount) throw new ArgumentOutOfRangeException(nameof(index));
        return BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(4 * index));
    }
    /// <summary>Reason text (UTF-8), empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    /// <summary>Size of a BYE packet.</summary>
    public static int GetSize(int ssrcCount, int reasonLength)
        => RtcpHeader.Size + 4 * ssrcCount + (reasonLength == 0 ? 0 : (1 + reasonLength + 3) & ~3);

    /// <summary>Writes a BYE; returns the length or 0 when it does not fit.</summary>
    public static int Write(Span<byte> dst, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<byte> reason = default)
    {
        if (ssrcs.Length > 31) throw new ArgumentOutOfRangeException(nameof(ssrcs));
        if (reason.Length > 255) throw new ArgumentOutOfRangeException(nameof(reason));
        int size = GetSize(ssrcs.Length, reason.Length);
        if (size > dst.Length) return 0;
        dst.Slice(0, size).Clear();
        RtcpHeader.Write(dst, ssrcs.Length, RtcpPacketType.Bye, size);
        int pos = RtcpHeader.Size;
        foreach (uint s in ssrcs) { BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(pos), s); pos += 4; }
        if (!reason.IsEmpty)
        {
            dst[pos] = (byte)reason.Length;
            reason.CopyTo(dst.Slice(pos + 1));
        }
        return size;
    }
}

/// <summary>View of an APP packet (PT 204, RFC 3550 §6.7): recognised so it can be skipped or logged.</summary>
public readonly ref struct RtcpApp
{
    private RtcpApp(byte subtype, uint ssrc, ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        Subtype = subtype; Ssrc = ssrc; Name = name; Data = data;
    }

    /// <summary>Parses an APP packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpApp app)
    {
        app = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.App, -1, out var h);
        if (err != RtcpError.None) return err;
        var body = h.Body;
        if (body.Length < 8) return RtcpError.TruncatedBody;
        app = new RtcpApp((byte)h.Count, BinaryPrimitives.ReadUInt32BigEndian(body), body.Slice(4, 4), body.Slice(8));
        return RtcpError.None;
    }

    /// <summary>Subtype (the count field).</summary>
    public byte Subtype { get; }
    /// <summary>Sender SSRC.</summary>
    public uint Ssrc { get; }
    /// <summary>4 ASCII characters.</summary>
    public ReadOnlySpan<byte> Name { get; }
    /// <summary>Application-dependent data.</summary>
    public ReadOnlySpan<byte> Data { get; }
}
