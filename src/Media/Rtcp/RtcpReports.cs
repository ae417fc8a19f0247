// Sender and receiver reports with report blocks: RFC 3550 §6.4.1 (SR) and §6.4.2 (RR).
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtcp;

/// <summary>One reception report block (24 bytes).</summary>
public readonly record struct RtcpReportBlock(
    uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter,
    uint LastSr, uint DelaySinceLastSr)
{
    /// <summary>Encoded size.</summary>
    public const int Size = 24;

    internal static RtcpReportBlock Read(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadUInt32BigEndian(b),
        b[4],
        (b[5] << 24 | b[6] << 16 | b[7] << 8) >> 8, // signed 24-bit
        BinaryPrimitives.ReadUInt32BigEndian(b.Slice(8)),
        BinaryPrimitives.ReadUInt32BigEndian(b.Slice(12)),
        BinaryPrimitives.ReadUInt32BigEndian(b.Slice(16)),
        BinaryPrimitives.ReadUInt32BigEndian(b.Slice(20)));

    internal void Write(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt32BigEndian(b, Ssrc);
        b[4] = FractionLost;
        int lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF);
        b[5] = (byte)(lost >> 16); b[6] = (byte)(lost >> 8); b[7] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(8), ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(12), Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(16), LastSr);
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(20), DelaySinceLastSr);
    }
}

/// <summary>Sender info of an SR.</summary>
public readonly record struct RtcpSenderInfo(uint Ssrc, ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);

/// <summary>View of an SR (PT 200).</summary>
public readonly ref struct RtcpSenderReport
{
    private const int InfoSize = 24;
    private readonly ReadOnlySpan<byte> _body;

    private RtcpSenderReport(ReadOnlySpan<byte> body, int count) { _body = body; ReportCount = count; }

    /// <summary>Parses an SR packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpSenderReport sr)
    {
        sr = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.SenderReport, -1, out var h);
        if (err != RtcpError.None) return err;
        if (h.Body.Length < InfoSize + RtcpReportBlock.Size * h.Count) return RtcpError.TruncatedBody;
        sr = new RtcpSenderReport(h.Body, h.Count);
        return RtcpError.None;
    }

    /// <summary>Sender info.</summary>
    public RtcpSenderInfo Info => new(
        BinaryPrimitives.ReadUInt32BigEndian(_body),
        BinaryPrimitives.ReadUInt64BigEndian(_body.Slice(4)),
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(12)),
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(16)),
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(20)));
    /// <summary>Sender SSRC.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);
    /// <summary>Number of report blocks.</summary>
    public int ReportCount { get; }
    /// <summary>The i-th report block.</summary>
    public RtcpReportBlock GetReportBlock(int index)
    {
        if ((uint)index >= (uint)ReportCount) throw new ArgumentOutOfRangeException(nameof(index));
        return RtcpReportBlock.Read(_body.Slice(InfoSize + RtcpReportBlock.Size * index));
    }

    /// <summary>Size of an SR with <paramref name="blockCount"/> blocks.</summary>
    public static int GetSize(int blockCount) => RtcpHeader.Size + InfoSize + RtcpReportBlock.Size * blockCount;

    /// <summary>Writes an SR; returns its length, or 0 when <paramref name="dst"/> is too small.
    /// At most 31 blocks.</summary>
    public static int Write(Span<byte> dst, in RtcpSenderInfo info, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        if (blocks.Length > 31) throw new ArgumentOutOfRangeException(nameof(blocks), "at most 31 report blocks");
        int size = GetSize(blocks.Length);
        if (size > dst.Length) return 0;
        RtcpHeader.Write(dst, blocks.Length, RtcpPacketType.SenderReport, size);
        var b = dst.Slice(RtcpHeader.Size);
        BinaryPrimitives.WriteUInt32BigEndian(b, info.Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(b.Slice(4), info.NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(12), info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(16), info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(20), info.OctetCount);
        for (int i = 0; i < blocks.Length; i++) blocks[i].Write(b.Slice(InfoSize + RtcpReportBlock.Size * i));
        return size;
    }
}

/// <summary>View of an RR (PT 201).</summary>
public readonly ref struct RtcpReceiverReport
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpReceiverReport(ReadOnlySpan<byte> body, int count) { _body = body; ReportCount = count; }

    /// <summary>Parses an RR packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpReceiverReport rr)
    {
        rr = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.ReceiverReport, -1, out var h);
        if (err != RtcpError.None) return err;
        if (h.Body.Length < 4 + RtcpReportBlock.Size * h.Count) return RtcpError.TruncatedBody;
        rr = new RtcpReceiverReport(h.Body, h.Count);
        return RtcpError.None;
    }

    /// <summary>Reporter SSRC.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);
    /// <summary>Number of report blocks.</summary>
    public int ReportCount { get; }
    /// <summary>The i-th report block.</summary>
    public RtcpReportBlock GetReportBlock(int index)
    {
        if ((uint)index >= (uint)ReportCount) throw new ArgumentOutOfRangeException(nameof(index));
        return RtcpReportBlock.Read(_body.Slice(4 + RtcpReportBlock.Size * index));
    }

    /// <summary>Size of an RR with <paramref name="blockCount"/> blocks.</summary>
    public static int GetSize(int blockCount) => RtcpHeader.Size + 4 + RtcpReportBlock.Size * blockCount;

    /// <summary>Writes an RR; returns its length, or 0 when <paramref name="dst"/> is too small.</summary>
    public static int Write(Span<byte> dst, uint ssrc, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        if (blocks.Length > 31) throw new ArgumentOutOfRangeException(nameof(blocks), "at most 31 report blocks");
        int size = GetSize(blocks.Length);
        if (size > dst.Length) return 0;
        RtcpHeader.Write(dst, blocks.Length, RtcpPacketType.ReceiverReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ssrc);
        for (int i = 0; i < blocks.Length; i++) blocks[i].Write(dst.Slice(8 + RtcpReportBlock.Size * i));
        return size;
    }
}

/// <summary>NTP timestamps as used by SR/RR (RFC 3550 §4 and §6.4.1): 32.32 fixed-point seconds since
/// 1900, the "compact" middle 32 bits (16.16) for LSR/DLSR, and round-trip time from a report block.</summary>
public static class RtcpNtp
{
    /// <summary>Seconds from 1900-01-01 to 1970-01-01.</summary>
    public const long UnixEpochOffsetSeconds = 2_208_988_800;

    /// <summary>64-bit NTP timestamp for a Unix time in ms.</summary>
    public static ulong FromUnixMs(long unixMs)
    {
        long ms = unixMs + UnixEpochOffsetSeconds * 1000;
        ulong seconds = (ulong)(ms / 1000);
        ulong fraction = ((ulong)(ms % 1000) << 32) / 1000;
        return seconds << 32 | fraction;
    }

    /// <summary>Unix time in ms (nearest) for a 64-bit NTP timestamp.</summary>
    public static long ToUnixMs(ulong ntp)
        => (long)(ntp >> 32) * 1000 - UnixEpochOffsetSeconds * 1000 + (long)(((ntp & 0xFFFF_FFFF) * 1000 + 0x8000_0000) >> 32);

    /// <summary>The middle 32 bits (16.16 seconds), as carried in LSR.</summary>
    public static uint ToCompact(ulong ntp) => (uint)(ntp >> 16);

    /// <summary>A duration in ms as 16.16 compact NTP (for DLSR).</summary>
    public static uint CompactFromMs(long ms) => (uint)((ms << 16) / 1000);

    /// <summary>Round-trip time in ms from a report block received at <paramref name="nowCompact"/>:
    /// now − LSR − DLSR in 1/65536 s (RFC 3550 §6.4.1). Returns -1 when LSR is 0 (no SR received yet)
    /// or the result is negative.</summary>
    public static long RoundTripMs(uint nowCompact, uint lastSr, uint delaySinceLastSr)
    {
        if (lastSr == 0) return -1;
        int rtt = (int)(nowCompact - lastSr - delaySinceLastSr);
        return rtt < 0 ? -1 : ((long)rtt * 1000) >> 16;
    }
}
