// VP8 RTP payload descriptor (RFC 7741 §4.2) and the VP8 payload header of the first partition
// (RFC 7741 §4.3, RFC 6386 §9.1: 3-byte frame tag, key frames add start code 9d 01 2a + width/height).
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID | (REQUIRED)
//       +-+-+-+-+-+-+-+-+
//  X:   |I|L|T|K| RSV   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PictureID   | (OPTIONAL, M=1: 15-bit PictureID in two bytes)
//       +-+-+-+-+-+-+-+-+
//  L:   |   TL0PICIDX   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
using System.Buffers.Binary;

namespace AkkaSfu.Media.Codecs;

/// <summary>Why a VP8 payload did not parse.</summary>
public enum Vp8Error : byte
{
    None = 0,
    /// <summary>Payload is empty.</summary>
    Empty,
    /// <summary>X bit set but the extension byte is missing.</summary>
    TruncatedExtension,
    /// <summary>I bit set but the PictureID (1 or 2 bytes) is missing.</summary>
    TruncatedPictureId,
    /// <summary>L bit set but TL0PICIDX is missing.</summary>
    TruncatedTl0PicIdx,
    /// <summary>T or K bit set but the TID/Y/KEYIDX byte is missing.</summary>
    TruncatedTidKeyIdx,
    /// <summary>No VP8 payload follows the descriptor.</summary>
    EmptyPayload,
    /// <summary>Start of partition 0 but fewer than 3 bytes of frame tag.</summary>
    TruncatedPayloadHeader,
    /// <summary>Key frame whose first packet holds fewer than the 10-byte key frame header.</summary>
    TruncatedKeyFrameHeader,
    /// <summary>Key frame header without the start code 9d 01 2a.</summary>
    BadStartCode,
}

/// <summary>
/// A parsed VP8 payload descriptor plus, on the first packet of a frame, its payload header. Holds values and
/// byte offsets, not the span, so it can be kept per packet and used to rewrite the payload in place.
/// </summary>
public readonly struct Vp8PayloadDescriptor
{
    private const byte FlagX = 1, FlagN = 2, FlagS = 4, FlagI = 8, FlagL = 16, FlagT = 32, FlagK = 64, FlagY = 128;
    private const byte HasHeader = 1, KeyFrame = 2, ShowFrameBit = 4, PicId15 = 8;

    private readonly byte _flags;
    private readonly byte _frame;

    /// <summary>Partition index (PID, 0-7).</summary>
    public readonly byte PartitionId;
    /// <summary>Descriptor length in bytes; the VP8 payload starts here.</summary>
    public readonly byte Length;
    /// <summary>Offset of the PictureID field, or 0 when absent.</summary>
    public readonly byte PictureIdOffset;
    /// <summary>Offset of TL0PICIDX, or 0 when absent.</summary>
    public readonly byte Tl0PicIdxOffset;
    /// <summary>PictureID (7 or 15 bit); 0 when absent.</summary>
    public readonly ushort PictureId;
    /// <summary>TL0PICIDX; 0 when absent.</summary>
    public readonly byte Tl0PicIdx;
    /// <summary>Temporal layer index (TID, 0-3); 0 when T is not set.</summary>
    public readonly byte TemporalLayer;
    /// <summary>KEYIDX (0-31); 0 when K is not set.</summary>
    public readonly byte KeyIdx;
    /// <summary>VP8 version from the frame tag (first packet of a frame only).</summary>
    public readonly byte Version;
    /// <summary>Size of the first partition from the frame tag (first packet of a frame only).</summary>
    public readonly int FirstPartitionSize;
    /// <summary>Key frame width in pixels (14 bits); 0 unless a key frame.</summary>
    public readonly ushort Width;
    /// <summary>Key frame height in pixels (14 bits); 0 unless a key frame.</summary>
    public readonly ushort Height;
    /// <summary>Key frame horizontal scale (2 bits).</summary>
    public readonly byte HorizontalScale;
    /// <summary>Key frame vertical scale (2 bits).</summary>
    public readonly byte VerticalScale;

    private Vp8PayloadDescriptor(byte flags, byte frame, byte pid, byte length, byte picOff, byte tl0Off, ushort picId,
        byte tl0, byte tid, byte keyIdx, byte version, int partSize, ushort w, ushort h, byte hs, byte vs)
    {
        _flags = flags; _frame = frame; PartitionId = pid; Length = length; PictureIdOffset = picOff;
        Tl0PicIdxOffset = tl0Off; PictureId = picId; Tl0PicIdx = tl0; TemporalLayer = tid; KeyIdx = keyIdx;
        Version = version; FirstPartitionSize = partSize; Width = w; Height = h; HorizontalScale = hs; VerticalScale = vs;
    }

    /// <summary>X: extension byte present.</summary>
    public bool Extended => (_flags & FlagX) != 0;
    /// <summary>N: non-reference frame (may be discarded without affecting other frames).</summary>
    public bool NonReference => (_flags & FlagN) != 0;
    /// <summary>S: this packet starts a VP8 partition.</summary>
    public bool StartOfPartition => (_flags & FlagS) != 0;
    /// <summary>S=1 and PID=0: the first packet of a frame.</summary>
    public bool StartOfFrame => StartOfPartition && PartitionId == 0;
    /// <summary>I: PictureID present.</summary>
    public bool HasPictureId => (_flags & FlagI) != 0;
    /// <summary>PictureID is 15 bits (M=1) rather than 7.</summary>
    public bool HasTwoBytePictureId => HasPictureId && PictureIdBits == 15;
    /// <summary>Width of the PictureID field in bits: 7 or 15 (0 when absent).</summary>
    public int PictureIdBits => !HasPictureId ? 0 : (_frame & PicId15) != 0 ? 15 : 7;
    /// <summary>L: TL0PICIDX present.</summary>
    public bool HasTl0PicIdx => (_flags & FlagL) != 0;
    /// <summary>T: TID and Y present.</summary>
    public bool HasTemporalLayer => (_flags & FlagT) != 0;
    /// <summary>K: KEYIDX present.</summary>
    public bool HasKeyIdx => (_flags & FlagK) != 0;
    /// <summary>Y: layer sync; this frame depends only on temporal layer 0 frames.</summary>
    public bool LayerSync => (_flags & FlagY) != 0;
    /// <summary>The frame tag (payload header) was parsed: this is the first packet of a frame.</summary>
    public bool HasPayloadHeader => (_frame & HasHeader) != 0;
    /// <summary>First packet of a key frame (frame tag P bit = 0).</summary>
    public bool IsKeyFrame => (_frame & KeyFrame) != 0;
    /// <summary>show_frame from the frame tag.</summary>
    public bool ShowFrame => (_frame & ShowFrameBit) != 0;

    /// <summary>Parses the descriptor at the start of <paramref name="payload"/> and, if this packet starts
    /// partition 0, the frame tag (and key frame header). Never throws; reads only inside the span.</summary>
    public static Vp8Error TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty) return Vp8Error.Empty;

        var b0 = payload[0];
        byte flags = 0;
        if ((b0 & 0x80) != 0) flags |= FlagX;
        if ((b0 & 0x20) != 0) flags |= FlagN;
        if ((b0 & 0x10) != 0) flags |= FlagS;
        var pid = (byte)(b0 & 0x07);

        int off = 1;
        byte frame = 0, picOff = 0, tl0Off = 0, tl0 = 0, tid = 0, keyIdx = 0;
        ushort picId = 0;
        if ((flags & FlagX) != 0)
        {
            if (payload.Length < 2) return Vp8Error.TruncatedExtension;
            var x = payload[1];
            off = 2;
            if ((x & 0x80) != 0)
            {
                flags |= FlagI;
                if (payload.Length < off + 1) return Vp8Error.TruncatedPictureId;
                picOff = (byte)off;
                if ((payload[off] & 0x80) != 0)
                {
                    if (payload.Length < off + 2) return Vp8Error.TruncatedPictureId;
                    picId = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(payload[off..]) & 0x7FFF);
                    frame |= PicId15;
                    off += 2;
                }
                else
                {
                    picId = (ushort)(payload[off] & 0x7F);
                    off += 1;
                }
            }
            if ((x & 0x40) != 0)
            {
                flags |= FlagL;
                if (payload.Length < off + 1) return Vp8Error.TruncatedTl0PicIdx;
                tl0Off = (byte)off;
                tl0 = payload[off++];
            }
            if ((x & 0x30) != 0)
            {
                if ((x & 0x20) != 0) flags |= FlagT;
                if ((x & 0x10) != 0) flags |= FlagK;
                if (payload.Length < off + 1) return Vp8Error.TruncatedTidKeyIdx;
                var t = payload[off++];
                if ((flags & FlagT) != 0)
                {
                    tid = (byte)(t >> 6);
                    if ((t & 0x20) != 0) flags |= FlagY;
                }
                if ((flags & FlagK) != 0) keyIdx = (byte)(t & 0x1F);
            }
        }

        if (payload.Length <= off) return Vp8Error.EmptyPayload;

        byte version = 0, hs = 0, vs = 0;
        int partSize = 0;
        ushort w = 0, h = 0;
        if ((flags & FlagS) != 0 && pid == 0)
        {
            var tag = payload[off..];
            if (tag.Length < 3) return Vp8Error.TruncatedPayloadHeader;
            frame |= HasHeader;
            var t0 = tag[0];
            version = (byte)((t0 >> 1) & 0x07);
            if ((t0 & 0x10) != 0) frame |= ShowFrameBit;
            partSize = (t0 >> 5) | (tag[1] << 3) | (tag[2] << 11);
            if ((t0 & 0x01) == 0)
            {
                frame |= KeyFrame;
                if (tag.Length < 10) return Vp8Error.TruncatedKeyFrameHeader;
                if (tag[3] != 0x9d || tag[4] != 0x01 || tag[5] != 0x2a) return Vp8Error.BadStartCode;
                var ws = BinaryPrimitives.ReadUInt16LittleEndian(tag[6..]);
                var hsRaw = BinaryPrimitives.ReadUInt16LittleEndian(tag[8..]);
                w = (ushort)(ws & 0x3FFF); hs = (byte)(ws >> 14);
                h = (ushort)(hsRaw & 0x3FFF); vs = (byte)(hsRaw >> 14);
            }
        }

        descriptor = new Vp8PayloadDescriptor(flags, frame, pid, (byte)off, picOff, tl0Off, picId, tl0, tid, keyIdx,
            version, partSize, w, h, hs, vs);
        return Vp8Error.None;
    }

    /// <summary>Writes <paramref name="pictureId"/> (truncated to the field's 7 or 15 bits, M bit kept) and
    /// <paramref name="tl0PicIdx"/> into the fields this descriptor found; absent fields are left alone.
    /// <paramref name="payload"/> must be the payload this descriptor was parsed from.</summary>
    public void Write(Span<byte> payload, int pictureId, byte tl0PicIdx)
    {
        if (HasPictureId)
        {
            if (PictureIdBits == 15)
                BinaryPrimitives.WriteUInt16BigEndian(payload[PictureIdOffset..], (ushort)(0x8000 | (pictureId & 0x7FFF)));
            else
                payload[PictureIdOffset] = (byte)(pictureId & 0x7F);
        }
        if (HasTl0PicIdx) payload[Tl0PicIdxOffset] = tl0PicIdx;
    }

    /// <summary>Writes the original PictureID and TL0PICIDX back (undo of <see cref="Write"/>).</summary>
    public void Restore(Span<byte> payload) => Write(payload, PictureId, Tl0PicIdx);
}
