// Source description (SDES, PT 202): RFC 3550 §6.5. Chunks of SSRC + items, each chunk ended by a null
// item and padded with zeros to a 32-bit boundary.
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtcp;

/// <summary>SDES item types (RFC 3550 §6.5).</summary>
public static class RtcpSdesType
{
    public const byte End = 0, Cname = 1, Name = 2, Email = 3, Phone = 4, Loc = 5, Tool = 6, Note = 7, Priv = 8;
}

/// <summary>One SDES item with the SSRC of its chunk.</summary>
public readonly ref struct RtcpSdesItem
{
    internal RtcpSdesItem(uint ssrc, byte type, ReadOnlySpan<byte> value) { Ssrc = ssrc; Type = type; Value = value; }
    /// <summary>SSRC/CSRC of the chunk.</summary>
    public uint Ssrc { get; }
    /// <summary>Item type (see <see cref="RtcpSdesType"/>).</summary>
    public byte Type { get; }
    /// <summary>Item text (UTF-8), inside the packet.</summary>
    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>View of an SDES packet; every chunk is validated by <see cref="TryParse"/>.</summary>
public readonly ref struct RtcpSdes
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpSdes(ReadOnlySpan<byte> body, int count) { _body = body; ChunkCount = count; }

    /// <summary>Parses an SDES packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out RtcpSdes sdes)
    {
        sdes = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.SourceDescription, -1, out var h);
        if (err != RtcpError.None) return err;
        var body = h.Body;
        int pos = 0;
        for (int c = 0; c < h.Count; c++)
        {
            if (pos + 4 > body.Length) return RtcpError.TruncatedBody;
            pos += 4;
            while (true)
            {
                if (pos >= body.Length) return RtcpError.TruncatedBody;
                if (body[pos] == RtcpSdesType.End) break;
                if (pos + 2 > body.Length || pos + 2 + body[pos + 1] > body.Length) return RtcpError.TruncatedBody;
                pos += 2 + body[pos + 1];
            }
            pos = (pos + 4) & ~3; // the null item plus zero padding to the next 32-bit boundary
            if (pos > body.Length) return RtcpError.TruncatedBody;
        }
        sdes = new RtcpSdes(body, h.Count);
        return RtcpError.None;
    }

    /// <summary>Number of chunks (SC).</summary>
    public int ChunkCount { get; }

    /// <summary>Enumerates all items of all chunks.</summary>
    public RtcpSdesItemEnumerator GetEnumerator() => new(_body, ChunkCount);

    /// <summary>Finds the first CNAME item.</summary>
    public bool TryGetCname(out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        foreach (var item in this)
        {
            if (item.Type != RtcpSdesType.Cname) continue;
            ssrc = item.Ssrc;
            cname = item.Value;
            return true;
        }
        ssrc = 0;
        cname = default;
        return false;
    }

    /// <summary>Size of an SDES with one CNAME chunk per SSRC.</summary>
    public static int GetSize(int ssrcCount, int cnameLength)
        => RtcpHeader.Size + ssrcCount * ((4 + 2 + cnameLength + 4) & ~3);

    /// <summary>Writes an SDES with one chunk per SSRC, each carrying <paramref name="cname"/>; returns
    /// the length, or 0 when it does not fit. At most 31 SSRCs, CNAME at most 255 bytes.</summary>
    public static int WriteCname(Span<byte> dst, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<byte> cname)
    {
        if (ssrcs.Length > 31) throw new ArgumentOutOfRangeException(nameof(ssrcs));
        if (cname.Length > 255) throw new ArgumentOutOfRangeException(nameof(cname));
        int size = GetSize(ssrcs.Length, cname.Length);
        if (size > dst.Length) return 0;
        dst.Slice(0, size).Clear();
        RtcpHeader.Write(dst, ssrcs.Length, RtcpPacketType.SourceDescription, size);
        int pos = RtcpHeader.Size;
        int chunk = (4 + 2 + cname.Length + 4) & ~3;
        foreach (uint ssrc in ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(pos), ssrc);
            dst[pos + 4] = RtcpSdesType.Cname;
            dst[pos + 5] = (byte)cname.Length;
            cname.CopyTo(dst.Slice(pos + 6));
            pos += chunk;
        }
        return size;
    }
}

/// <summary>Enumerator over SDES items of a validated SDES body.</summary>
public ref struct RtcpSdesItemEnumerator
{
    private readonly ReadOnlySpan<byte> _body;
    private int _chunksLeft;
    private int _pos;
    private uint _ssrc;
    private bool _inChunk;
    private RtcpSdesItem _current;

    internal RtcpSdesItemEnumerator(ReadOnlySpan<byte> body, int chunks)
    {
        _body = body; _chunksLeft = chunks; _pos = 0; _ssrc = 0; _inChunk = false; _current = default;
    }

    /// <summary>The current item.</summary>
    public readonly RtcpSdesItem Current => _current;

    /// <summary>Advances to the next item.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            if (!_inChunk)
            {
                if (_chunksLeft == 0 || _pos + 4 > _body.Length) return false;
                _ssrc = BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(_pos));
                _pos += 4;
                _chunksLeft--;
                _inChunk = true;
            }
            if (_pos >= _body.Length) return false;
            byte type = _body[_pos];
            if (type == RtcpSdesType.End)
            {
                _pos = (_pos + 4) & ~3;
                _inChunk = false;
                continue;
            }
            if (_pos + 2 > _body.Length) return false;
            int len = _body[_pos + 1];
            if (_pos + 2 + len > _body.Length) return false;
            _current = new RtcpSdesItem(_ssrc, type, _body.Slice(_pos + 2, len));
            _pos += 2 + len;
            return true;
        }
    }
}
