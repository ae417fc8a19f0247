// The measurement trailer every generated payload ends with (its last 20 bytes), so codec headers at the start
// (VP8 descriptor, key-frame header) stay where the SFU expects them.
using System.Buffers.Binary;

namespace AkkaSfu.LoadGen;

/// <summary>Why a payload carries no readable probe.</summary>
public enum ProbeError : byte
{
    None = 0,
    /// <summary>Payload shorter than <see cref="Probe.Size"/>.</summary>
    TooShort,
    /// <summary>Magic bytes do not match: not one of ours.</summary>
    BadMagic,
}

/// <summary>Payload trailer: magic "LG", encoding index, flags, stream id, per-stream sequence (contiguous
/// from 0, independent of RTP seq), send time in µs (<see cref="Clock.NowUs"/>).</summary>
public readonly record struct Probe(uint StreamId, byte Encoding, uint Seq, long SendUs)
{
    /// <summary>Bytes the trailer takes at the end of a payload.</summary>
    public const int Size = 20;
    private const ushort Magic = 0x4C47; // "LG"

    /// <summary>Writes the trailer into the last <see cref="Size"/> bytes of <paramref name="payload"/>.</summary>
    public void WriteTo(Span<byte> payload)
    {
        var t = payload[^Size..];
        BinaryPrimitives.WriteUInt16BigEndian(t, Magic);
        t[2] = Encoding;
        t[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(t[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(t[8..], Seq);
        BinaryPrimitives.WriteInt64BigEndian(t[12..], SendUs);
    }

    /// <summary>Reads the trailer of <paramref name="payload"/>; never throws.</summary>
    public static ProbeError TryRead(ReadOnlySpan<byte> payload, out Probe probe)
    {
        probe = default;
        if (payload.Length < Size) return ProbeError.TooShort;
        var t = payload[^Size..];
        if (BinaryPrimitives.ReadUInt16BigEndian(t) != Magic) return ProbeError.BadMagic;
        probe = new Probe(BinaryPrimitives.ReadUInt32BigEndian(t[4..]), t[2],
            BinaryPrimitives.ReadUInt32BigEndian(t[8..]), BinaryPrimitives.ReadInt64BigEndian(t[12..]));
        return ProbeError.None;
    }
}
