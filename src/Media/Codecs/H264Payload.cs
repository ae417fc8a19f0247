// H.264 RTP payload (RFC 6184 §5.2-§5.8, packetization-mode 0/1 as used by WebRTC): single NAL unit packets
// (types 1-23, §5.6), STAP-A aggregation (type 24, §5.7.1) and FU-A fragments (type 28, §5.8).
//
//   NAL header:  |F|NRI|  Type   |        STAP-A: [hdr 24] { size(16) | NAL unit } ...
//   FU-A:        [indicator: F|NRI|28] [header: S|E|R|Type] fragment...
//
// Key frame (mediasoup's rule, extended as the SFU needs it): an IDR slice (5) or an SPS (7) is present, for
// FU-A only in the start fragment.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Codecs;

/// <summary>Why an H.264 payload did not parse.</summary>
public enum H264Error : byte
{
    None = 0,
    /// <summary>Payload is empty.</summary>
    Empty,
    /// <summary>NAL type 0, 30, 31 or an interleaved-mode type (STAP-B, MTAP16/24, FU-B) WebRTC does not use.</summary>
    UnsupportedNalType,
    /// <summary>STAP-A with no aggregated NAL unit.</summary>
    EmptyStapA,
    /// <summary>STAP-A size field cut short.</summary>
    TruncatedStapASize,
    /// <summary>STAP-A NAL unit of size 0.</summary>
    ZeroSizeStapANal,
    /// <summary>STAP-A NAL unit longer than the bytes left.</summary>
    TruncatedStapANal,
    /// <summary>FU-A without its FU header or without any fragment byte.</summary>
    TruncatedFuA,
    /// <summary>FU-A with both S and E set (RFC 6184 §5.8: MUST NOT).</summary>
    FuAStartAndEnd,
}

/// <summary>Packet structure of an H.264 RTP payload.</summary>
public enum H264PacketKind : byte
{
    /// <summary>One NAL unit (types 1-23).</summary>
    SingleNal = 0,
    /// <summary>Single-time aggregation packet A (type 24).</summary>
    StapA,
    /// <summary>Fragmentation unit A (type 28).</summary>
    FuA,
}

/// <summary>What the SFU needs to know about an H.264 RTP payload.</summary>
public readonly struct H264Payload
{
    private const byte FIdr = 1, FSps = 2, FPps = 4, FStart = 8, FEnd = 16;
    private readonly byte _flags;

    /// <summary>Single NAL, STAP-A or FU-A.</summary>
    public readonly H264PacketKind Kind;
    /// <summary>Type of the first NAL unit carried: the NAL itself, the first aggregated one, or the FU's.</summary>
    public readonly byte NalType;
    /// <summary>NAL units carried: 1 for single NAL and FU-A, the count for STAP-A.</summary>
    public readonly byte NalCount;

    private H264Payload(H264PacketKind kind, byte nalType, byte count, byte flags)
    {
        Kind = kind; NalType = nalType; NalCount = count; _flags = flags;
    }

    /// <summary>An IDR slice (type 5) starts or is carried here.</summary>
    public bool HasIdr => (_flags & FIdr) != 0;
    /// <summary>An SPS (type 7) starts or is carried here.</summary>
    public bool HasSps => (_flags & FSps) != 0;
    /// <summary>A PPS (type 8) starts or is carried here.</summary>
    public bool HasPps => (_flags & FPps) != 0;
    /// <summary>Key frame: IDR or SPS present (in FU-A, only in the start fragment).</summary>
    public bool IsKeyFrame => (_flags & (FIdr | FSps)) != 0;
    /// <summary>FU-A start fragment (S); true for single NAL and STAP-A.</summary>
    public bool StartOfNal => (_flags & FStart) != 0;
    /// <summary>FU-A end fragment (E); true for single NAL and STAP-A.</summary>
    public bool EndOfNal => (_flags & FEnd) != 0;

    private static byte Mark(int nalType) => nalType switch { 5 => FIdr, 7 => FSps, 8 => FPps, _ => 0 };

    /// <summary>Parses an H.264 RTP payload, walking STAP-A units with bounds checks. Never throws.</summary>
    public static H264Error TryParse(ReadOnlySpan<byte> payload, out H264Payload result)
    {
        result = default;
        if (payload.IsEmpty) return H264Error.Empty;
        var type = payload[0] & 0x1F;
        switch (type)
        {
            case >= 1 and <= 23:
                result = new H264Payload(H264PacketKind.SingleNal, (byte)type, 1, (byte)(Mark(type) | FStart | FEnd));
                return H264Error.None;

            case 24:
            {
                var rest = payload[1..];
                if (rest.IsEmpty) return H264Error.EmptyStapA;
                byte flags = FStart | FEnd, first = 0;
                var count = 0;
                while (!rest.IsEmpty)
                {
                    if (rest.Length < 2) return H264Error.TruncatedStapASize;
                    int size = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    if (size == 0) return H264Error.ZeroSizeStapANal;
                    if (rest.Length < 2 + size) return H264Error.TruncatedStapANal;
                    var nt = rest[2] & 0x1F;
                    if (count == 0) first = (byte)nt;
                    flags |= Mark(nt);
                    count++;
                    rest = rest[(2 + size)..];
                }
                result = new H264Payload(H264PacketKind.StapA, first, (byte)Math.Min(count, byte.MaxValue), flags);
                return H264Error.None;
            }

            case 28:
            {
                if (payload.Length < 3) return H264Error.TruncatedFuA;
                var h = payload[1];
                bool s = (h & 0x80) != 0, e = (h & 0x40) != 0;
                if (s && e) return H264Error.FuAStartAndEnd;
                var nt = h & 0x1F;
                byte flags = 0;
                if (s) flags |= (byte)(FStart | Mark(nt));
                if (e) flags |= FEnd;
                result = new H264Payload(H264PacketKind.FuA, (byte)nt, 1, flags);
                return H264Error.None;
            }

            default:
                return H264Error.UnsupportedNalType;
        }
    }
}
