// AV1 RTP payload (AOM "RTP Payload Format For AV1" v1.0, §4.4 aggregation header, §4.5 payload structure) and
// the OBU header (AV1 spec §5.3.2-§5.3.3), parsed only far enough to find a sequence header (OBU type 1).
//
//   aggregation header: |Z|Y| W |N|-|-|-|
//   then OBU elements; with W=0 each is preceded by its LEB128 length, with W=1..3 the first W-1 are and the
//   last one runs to the end of the payload.
//   OBU header: |F| type(4) |X|S|R|, with X an extension byte |T(3)|S(2)|-(3)| follows.
namespace AkkaSfu.Media.Codecs;

/// <summary>Why an AV1 payload did not parse.</summary>
public enum Av1Error : byte
{
    None = 0,
    /// <summary>Payload is empty.</summary>
    Empty,
    /// <summary>No OBU element after the aggregation header.</summary>
    NoObuElements,
    /// <summary>A LEB128 element length runs past the payload or past 8 bytes.</summary>
    TruncatedElementLength,
    /// <summary>An element length is larger than the bytes left.</summary>
    ElementTooLong,
    /// <summary>An OBU element of length 0.</summary>
    EmptyElement,
    /// <summary>W announces more elements than the payload holds.</summary>
    MissingElements,
}

/// <summary>What the SFU needs from an AV1 RTP payload.</summary>
public readonly struct Av1Payload
{
    private const byte FZ = 1, FY = 2, FN = 4, FSeq = 8, FExt = 16;
    private readonly byte _flags;

    /// <summary>W from the aggregation header (0-3).</summary>
    public readonly byte W;
    /// <summary>OBU elements in the packet.</summary>
    public readonly byte ElementCount;
    /// <summary>Type of the first OBU whose header is in this packet, or 0xFF if none (a lone continuation).</summary>
    public readonly byte FirstObuType;
    /// <summary>temporal_id of the first OBU with an extension header (0 without one).</summary>
    public readonly byte TemporalId;
    /// <summary>spatial_id of the first OBU with an extension header (0 without one).</summary>
    public readonly byte SpatialId;

    private Av1Payload(byte flags, byte w, byte count, byte firstType, byte tid, byte sid)
    {
        _flags = flags; W = w; ElementCount = count; FirstObuType = firstType; TemporalId = tid; SpatialId = sid;
    }

    /// <summary>Z: the first element continues an OBU from the previous packet.</summary>
    public bool ContinuesObu => (_flags & FZ) != 0;
    /// <summary>Y: the last element continues in the next packet.</summary>
    public bool ObuContinues => (_flags & FY) != 0;
    /// <summary>N: first packet of a coded video sequence.</summary>
    public bool NewCodedVideoSequence => (_flags & FN) != 0;
    /// <summary>A sequence header OBU (type 1) starts in this packet.</summary>
    public bool HasSequenceHeader => (_flags & FSeq) != 0;
    /// <summary>Some OBU here carries an extension header (<see cref="TemporalId"/>/<see cref="SpatialId"/> valid).</summary>
    public bool HasExtension => (_flags & FExt) != 0;
    /// <summary>Key frame: N is set (a new coded video sequence starts, which begins with a key frame).</summary>
    public bool IsKeyFrame => NewCodedVideoSequence;

    /// <summary>Parses the aggregation header and walks the OBU elements with bounds checks. Never throws.</summary>
    public static Av1Error TryParse(ReadOnlySpan<byte> payload, out Av1Payload result)
    {
        result = default;
        if (payload.IsEmpty) return Av1Error.Empty;
        var h = payload[0];
        byte flags = 0;
        if ((h & 0x80) != 0) flags |= FZ;
        if ((h & 0x40) != 0) flags |= FY;
        if ((h & 0x08) != 0) flags |= FN;
        var w = (h >> 4) & 0x03;

        var rest = payload[1..];
        if (rest.IsEmpty) return Av1Error.NoObuElements;
        byte firstType = 0xFF, tid = 0, sid = 0;
        var count = 0;
        while (!rest.IsEmpty)
        {
            ReadOnlySpan<byte> element;
            if (w != 0 && count == w - 1)
            {
                element = rest;
                rest = default;
            }
            else
            {
                var err = ReadLeb128(rest, out var len, out var used);
                if (err != Av1Error.None) return err;
                if (len == 0) return Av1Error.EmptyElement;
                if ((ulong)(rest.Length - used) < len) return Av1Error.ElementTooLong;
                element = rest.Slice(used, (int)len);
                rest = rest[(used + (int)len)..];
            }

            var isContinuation = count == 0 && (flags & FZ) != 0;
            if (!isContinuation)
            {
                var oh = element[0];
                var type = (byte)((oh >> 3) & 0x0F);
                if (firstType == 0xFF) firstType = type;
                if (type == 1) flags |= FSeq;
                if ((oh & 0x04) != 0 && element.Length > 1 && (flags & FExt) == 0)
                {
                    flags |= FExt;
                    tid = (byte)(element[1] >> 5);
                    sid = (byte)((element[1] >> 3) & 0x03);
                }
            }
            count++;
        }
        if (w != 0 && count < w) return Av1Error.MissingElements;

        result = new Av1Payload(flags, (byte)w, (byte)Math.Min(count, byte.MaxValue), firstType, tid, sid);
        return Av1Error.None;
    }

    /// <summary>Reads an unsigned LEB128 (AV1 spec §4.10.5: at most 8 bytes).</summary>
    internal static Av1Error ReadLeb128(ReadOnlySpan<byte> s, out ulong value, out int used)
    {
        value = 0;
        for (used = 0; used < 8; used++)
        {
            if (used >= s.Length) return Av1Error.TruncatedElementLength;
            var b = s[used];
            value |= (ulong)(b & 0x7F) << (7 * used);
            if ((b & 0x80) == 0) { used++; return Av1Error.None; }
        }
        return Av1Error.TruncatedElementLength;
    }
}
