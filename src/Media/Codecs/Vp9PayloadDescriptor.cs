// VP9 RTP payload descriptor (RFC 9628 §4.2) and scalability structure (RFC 9628 §4.2.1).
//
//  flexible (F=1)                          non-flexible (F=0)
//       +-+-+-+-+-+-+-+-+                       +-+-+-+-+-+-+-+-+
//       |I|P|L|F|B|E|V|Z| (REQUIRED)            |I|P|L|F|B|E|V|Z| (REQUIRED)
//       +-+-+-+-+-+-+-+-+                       +-+-+-+-+-+-+-+-+
//  I:   |M| PICTURE ID  | (REQUIRED)       I:   |M| PICTURE ID  | (RECOMMENDED)
//  M:   | EXTENDED PID  | (RECOMMENDED)    M:   | EXTENDED PID  | (RECOMMENDED)
//  L:   | TID |U| SID |D| (COND.)          L:   | TID |U| SID |D| (COND.)
//  P,F: | P_DIFF      |N| (up to 3 times)       |   TL0PICIDX   | (COND.)
//  V:   | SS            |                  V:   | SS            |
//
//  SS:  | N_S |Y|G|-|-|-|, then if Y: (N_S+1) x WIDTH(16) HEIGHT(16), then if G: N_G, then N_G x
//       | TID |U| R |-|-| followed by R x P_DIFF(8).
using System.Buffers.Binary;

namespace AkkaSfu.Media.Codecs;

/// <summary>Why a VP9 payload did not parse.</summary>
public enum Vp9Error : byte
{
    None = 0,
    /// <summary>Payload is empty.</summary>
    Empty,
    /// <summary>I bit set but the PictureID (1 or 2 bytes) is missing.</summary>
    TruncatedPictureId,
    /// <summary>L bit set but the layer index byte is missing.</summary>
    TruncatedLayerIndices,
    /// <summary>Non-flexible mode with L set but TL0PICIDX is missing.</summary>
    TruncatedTl0PicIdx,
    /// <summary>Flexible mode with P set but a P_DIFF byte is missing.</summary>
    TruncatedReferences,
    /// <summary>More than 3 P_DIFF bytes (N set on the third).</summary>
    TooManyReferences,
    /// <summary>V set but the scalability structure is cut short.</summary>
    TruncatedScalabilityStructure,
    /// <summary>No VP9 payload follows the descriptor.</summary>
    EmptyPayload,
}

/// <summary>One picture group entry of the scalability structure.</summary>
public readonly record struct Vp9PictureGroup(byte TemporalLayer, bool SwitchingUp, byte ReferenceCount,
    byte PDiff1, byte PDiff2, byte PDiff3);

/// <summary>
/// A parsed VP9 payload descriptor: values and offsets, not the span. The scalability structure, if any, is read
/// on demand through <see cref="Ss(ReadOnlySpan{byte})"/>.
/// </summary>
public readonly struct Vp9PayloadDescriptor
{
    private const ushort FI = 1 << 7, FP = 1 << 6, FL = 1 << 5, FF = 1 << 4, FB = 1 << 3, FE = 1 << 2, FV = 1 << 1, FZ = 1;
    private const ushort FU = 1 << 8, FD = 1 << 9, FPic15 = 1 << 10;

    private readonly ushort _flags;

    /// <summary>Descriptor length in bytes (including SS); the VP9 payload starts here.</summary>
    public readonly ushort Length;
    /// <summary>Offset of the PictureID field, or 0 when absent.</summary>
    public readonly byte PictureIdOffset;
    /// <summary>Offset of the scalability structure, or 0 when absent.</summary>
    public readonly byte SsOffset;
    /// <summary>PictureID (7 or 15 bit); 0 when absent.</summary>
    public readonly ushort PictureId;
    /// <summary>Temporal layer id (TID, 0-7); 0 when L is not set.</summary>
    public readonly byte TemporalLayer;
    /// <summary>Spatial layer id (SID, 0-7); 0 when L is not set.</summary>
    public readonly byte SpatialLayer;
    /// <summary>TL0PICIDX (non-flexible mode with L); 0 otherwise.</summary>
    public readonly byte Tl0PicIdx;
    /// <summary>Number of P_DIFF references (flexible mode, 0-3).</summary>
    public readonly byte PDiffCount;
    /// <summary>First P_DIFF (7 bits), or 0.</summary>
    public readonly byte PDiff1;
    /// <summary>Second P_DIFF, or 0.</summary>
    public readonly byte PDiff2;
    /// <summary>Third P_DIFF, or 0.</summary>
    public readonly byte PDiff3;

    private Vp9PayloadDescriptor(ushort flags, ushort length, byte picOff, byte ssOff, ushort picId, byte tid, byte sid,
        byte tl0, byte pdCount, byte pd1, byte pd2, byte pd3)
    {
        _flags = flags; Length = length; PictureIdOffset = picOff; SsOffset = ssOff; PictureId = picId;
        TemporalLayer = tid; SpatialLayer = sid; Tl0PicIdx = tl0; PDiffCount = pdCount; PDiff1 = pd1; PDiff2 = pd2; PDiff3 = pd3;
    }

    /// <summary>I: PictureID present.</summary>
    public bool HasPictureId => (_flags & FI) != 0;
    /// <summary>Width of the PictureID in bits: 7 or 15 (0 when absent).</summary>
    public int PictureIdBits => !HasPictureId ? 0 : (_flags & FPic15) != 0 ? 15 : 7;
    /// <summary>P: inter-picture predicted (not a key frame of this layer).</summary>
    public bool InterPicturePredicted => (_flags & FP) != 0;
    /// <summary>L: layer indices present.</summary>
    public bool HasLayerIndices => (_flags & FL) != 0;
    /// <summary>F: flexible mode.</summary>
    public bool FlexibleMode => (_flags & FF) != 0;
    /// <summary>B: start of a layer frame.</summary>
    public bool StartOfFrame => (_flags & FB) != 0;
    /// <summary>E: end of a layer frame.</summary>
    public bool EndOfFrame => (_flags & FE) != 0;
    /// <summary>V: scalability structure present.</summary>
    public bool HasScalabilityStructure => (_flags & FV) != 0;
    /// <summary>Z: not a reference for upper spatial layers.</summary>
    public bool NotReferenceForUpperSpatial => (_flags & FZ) != 0;
    /// <summary>U: switching up point: a higher temporal layer may start here.</summary>
    public bool SwitchingUpPoint => (_flags & FU) != 0;
    /// <summary>D: inter-layer dependency on the spatial layer below.</summary>
    public bool InterLayerDependency => (_flags & FD) != 0;
    /// <summary>TL0PICIDX present (non-flexible mode with L).</summary>
    public bool HasTl0PicIdx => HasLayerIndices && !FlexibleMode;
    /// <summary>P=0 and B=1: this layer frame does not use earlier pictures of its layer, so forwarding of its
    /// spatial layer may start here (given the lower spatial layers of the same picture).</summary>
    public bool IsSpatialSwitchUpPoint => !InterPicturePredicted && StartOfFrame;
    /// <summary>mediasoup's rule: P=0, B=1 and SID=0.</summary>
    public bool IsKeyFrame => !InterPicturePredicted && StartOfFrame && SpatialLayer == 0;

    /// <summary>The scalability structure in <paramref name="payload"/> (the span this was parsed from), or an
    /// empty one when V is not set.</summary>
    public Vp9ScalabilityStructure Ss(ReadOnlySpan<byte> payload) =>
        HasScalabilityStructure ? new Vp9ScalabilityStructure(payload[SsOffset..Length]) : default;

    /// <summary>Parses the descriptor at the start of <paramref name="payload"/>. Never throws; reads only inside
    /// the span.</summary>
    public static Vp9Error TryParse(ReadOnlySpan<byte> payload, out Vp9PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty) return Vp9Error.Empty;
        ushort flags = payload[0];
        int off = 1;
        byte picOff = 0, ssOff = 0, tid = 0, sid = 0, tl0 = 0, pdCount = 0, pd1 = 0, pd2 = 0, pd3 = 0;
        ushort picId = 0;

        if ((flags & FI) != 0)
        {
            if (payload.Length < 2) return Vp9Error.TruncatedPictureId;
            picOff = 1;
            if ((payload[1] & 0x80) != 0)
            {
                if (payload.Length < 3) return Vp9Error.TruncatedPictureId;
                picId = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(payload[1..]) & 0x7FFF);
                flags |= FPic15;
                off = 3;
            }
            else
            {
                picId = (ushort)(payload[1] & 0x7F);
                off = 2;
            }
        }

        if ((flags & FL) != 0)
        {
            if (payload.Length < off + 1) return Vp9Error.TruncatedLayerIndices;
            var l = payload[off++];
            tid = (byte)(l >> 5);
            if ((l & 0x10) != 0) flags |= FU;
            sid = (byte)((l >> 1) & 0x07);
            if ((l & 0x01) != 0) flags |= FD;
            if ((flags & FF) == 0)
            {
                if (payload.Length < off + 1) return Vp9Error.TruncatedTl0PicIdx;
                tl0 = payload[off++];
            }
        }

        if ((flags & FF) != 0 && (flags & FP) != 0)
        {
            while (true)
            {
                if (pdCount == 3) return Vp9Error.TooManyReferences;
                if (payload.Length < off + 1) return Vp9Error.TruncatedReferences;
                var r = payload[off++];
                var diff = (byte)(r >> 1);
                if (pdCount == 0) pd1 = diff; else if (pdCount == 1) pd2 = diff; else pd3 = diff;
                pdCount++;
                if ((r & 0x01) == 0) break;
            }
        }

        if ((flags & FV) != 0)
        {
            ssOff = (byte)off;
            var err = Vp9ScalabilityStructure.Measure(payload[off..], out var ssLen);
            if (err != Vp9Error.None) return err;
            off += ssLen;
        }

        if (payload.Length <= off) return Vp9Error.EmptyPayload;

        descriptor = new Vp9PayloadDescriptor(flags, (ushort)off, picOff, ssOff, picId, tid, sid, tl0, pdCount, pd1, pd2, pd3);
        return Vp9Error.None;
    }
}

/// <summary>A view over a VP9 scalability structure (RFC 9628 §4.2.1), already validated by the descriptor
/// parse.</summary>
public readonly ref struct Vp9ScalabilityStructure
{
    private readonly ReadOnlySpan<byte> _ss;

    internal Vp9ScalabilityStructure(ReadOnlySpan<byte> ss) => _ss = ss;

    /// <summary>Structure present.</summary>
    public bool IsPresent => !_ss.IsEmpty;
    /// <summary>Number of spatial layers (N_S + 1); 0 when absent.</summary>
    public int SpatialLayers => _ss.IsEmpty ? 0 : (_ss[0] >> 5) + 1;
    /// <summary>Y: resolutions present.</summary>
    public bool HasResolutions => !_ss.IsEmpty && (_ss[0] & 0x10) != 0;
    /// <summary>G: picture group description present.</summary>
    public bool HasPictureGroups => !_ss.IsEmpty && (_ss[0] & 0x08) != 0;
    /// <summary>N_G, number of picture groups (0 when G is not set).</summary>
    public int PictureGroupCount => HasPictureGroups ? _ss[GroupsOffset] : 0;

    private int GroupsOffset => 1 + (HasResolutions ? 4 * SpatialLayers : 0);

    /// <summary>Width and height of spatial layer <paramref name="layer"/>; false without resolutions or out of range.</summary>
    public bool TryGetResolution(int layer, out ushort width, out ushort height)
    {
        width = height = 0;
        if (!HasResolutions || (uint)layer >= (uint)SpatialLayers) return false;
        var o = 1 + 4 * layer;
        width = BinaryPrimitives.ReadUInt16BigEndian(_ss[o..]);
        height = BinaryPrimitives.ReadUInt16BigEndian(_ss[(o + 2)..]);
        return true;
    }

    /// <summary>Picture group <paramref name="index"/> (walks the list); false when out of range.</summary>
    public bool TryGetPictureGroup(int index, out Vp9PictureGroup group)
    {
        group = default;
        if ((uint)index >= (uint)PictureGroupCount) return false;
        var o = GroupsOffset + 1;
        for (var i = 0; ; i++)
        {
            var b = _ss[o];
            var r = (b >> 2) & 0x03;
            if (i == index)
            {
                group = new Vp9PictureGroup((byte)(b >> 5), (b & 0x10) != 0, (byte)r,
                    r > 0 ? _ss[o + 1] : (byte)0, r > 1 ? _ss[o + 2] : (byte)0, r > 2 ? _ss[o + 3] : (byte)0);
                return true;
            }
            o += 1 + r;
        }
    }

    /// <summary>Validates the structure at the start of <paramref name="s"/> and returns its length.</summary>
    internal static Vp9Error Measure(ReadOnlySpan<byte> s, out int length)
    {
        length = 0;
        if (s.IsEmpty) return Vp9Error.TruncatedScalabilityStructure;
        var b = s[0];
        var o = 1;
        if ((b & 0x10) != 0) o += 4 * ((b >> 5) + 1);
        if ((b & 0x08) != 0)
        {
            if (s.Length < o + 1) return Vp9Error.TruncatedScalabilityStructure;
            int ng = s[o++];
            for (var i = 0; i < ng; i++)
            {
                if (s.Length < o + 1) return Vp9Error.TruncatedScalabilityStructure;
                o += 1 + ((s[o] >> 2) & 0x03);
            }
        }
        if (s.Length < o) return Vp9Error.TruncatedScalabilityStructure;
        length = o;
        return Vp9Error.None;
    }
}
