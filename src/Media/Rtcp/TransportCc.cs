// Transport-wide congestion control feedback: draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1,
// RTPFB FMT 15. Base seq, status count, 24-bit signed reference time (64 ms units), feedback packet
// count, packet status chunks (run-length §3.1.3, status vector §3.1.4 with 1- or 2-bit symbols) and
// receive deltas (§3.1.5: 1 byte unsigned or 2 bytes signed, 250 µs units).
using System.Buffers.Binary;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Rtcp;

/// <summary>One packet reported by a transport-cc feedback.</summary>
public readonly record struct TransportCcPacket(ushort Sequence, bool Received, int DeltaTicks, long ArrivalUs)
{
    /// <summary>Receive delta unit in microseconds.</summary>
    public const int TickUs = 250;
}

/// <summary>Input to the transport-cc builder: a transport-wide sequence number and its arrival time in
/// µs (any epoch), or <see cref="Lost"/>.</summary>
public readonly record struct TransportCcArrival(ushort Sequence, long ArrivalUs)
{
    /// <summary>An entry for a packet that did not arrive.</summary>
    public static TransportCcArrival Lost(ushort sequence) => new(sequence, long.MinValue);
    /// <summary>True unless made by <see cref="Lost"/>.</summary>
    public bool Received => ArrivalUs != long.MinValue;
}

/// <summary>View of a transport-cc feedback. <see cref="TryParse"/> validates every chunk and delta, so
/// enumeration (foreach) cannot fail.</summary>
public readonly ref struct TransportCc
{
    /// <summary>Feedback message type within RTPFB.</summary>
    public const int Fmt = 15;
    /// <summary>Reference time unit in microseconds.</summary>
    public const long ReferenceTimeUnitUs = 64_000;
    private const int FixedSize = 16; // sender, media, base/count, reftime/fbcount (body bytes)
    private const int MaxRunLength = 0x1FFF;

    private readonly ReadOnlySpan<byte> _body;
    private readonly int _chunkBytes;

    private TransportCc(ReadOnlySpan<byte> body, int chunkBytes) { _body = body; _chunkBytes = chunkBytes; }

    /// <summary>Parses a transport-cc packet (header included).</summary>
    public static RtcpError TryParse(ReadOnlySpan<byte> packet, out TransportCc tcc)
    {
        tcc = default;
        var err = RtcpHeader.TryParse(packet, RtcpPacketType.RtpFeedback, Fmt, out var h);
        if (err != RtcpError.None) return err;
        var body = h.Body;
        if (body.Length < FixedSize) return RtcpError.TruncatedBody;
        int count = BinaryPrimitives.ReadUInt16BigEndian(body.Slice(10));
        if (count == 0) return RtcpError.Empty;
        int pos = FixedSize, symbols = 0, deltaBytes = 0;
        while (symbols < count)
        {
            if (pos + 2 > body.Length) return RtcpError.TruncatedBody;
            int chunk = BinaryPrimitives.ReadUInt16BigEndian(body.Slice(pos));
            pos += 2;
            int n = ChunkSymbols(chunk, count - symbols);
            for (int i = 0; i < n; i++)
            {
                int s = Symbol(chunk, i);
                if (s == 3) return RtcpError.InvalidField;
                deltaBytes += s;
            }
            symbols += n;
        }
        if (pos + deltaBytes > body.Length) return RtcpError.TruncatedBody;
        tcc = new TransportCc(body, pos - FixedSize);
        return RtcpError.None;
    }

    // Number of symbols a chunk contributes, capped at what the status count still needs.
    private static int ChunkSymbols(int chunk, int remaining)
    {
        int n = (chunk & 0x8000) == 0 ? chunk & MaxRunLength : (chunk & 0x4000) == 0 ? 14 : 7;
        return Math.Min(n, remaining);
    }

    // Symbol i of a chunk: 0 not received, 1 small delta, 2 large/negative delta, 3 reserved.
    private static int Symbol(int chunk, int i)
    {
        if ((chunk & 0x8000) == 0) return (chunk >> 13) & 3;
        if ((chunk & 0x4000) == 0) return (chunk >> (13 - i)) & 1;
        return (chunk >> (12 - 2 * i)) & 3;
    }

    /// <summary>SSRC of the packet sender.</summary>
    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body);
    /// <summary>SSRC of the media source (unused by senders, often 0 or the first media SSRC).</summary>
    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(4));
    /// <summary>Transport-wide sequence number of the first reported packet.</summary>
    public ushort BaseSequence => BinaryPrimitives.ReadUInt16BigEndian(_body.Slice(8));
    /// <summary>Number of packets reported.</summary>
    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_body.Slice(10));
    /// <summary>Signed 24-bit reference time in 64 ms units.</summary>
    public int ReferenceTime => (_body[12] << 24 | _body[13] << 16 | _body[14] << 8) >> 8;
    /// <summary>Reference time in µs.</summary>
    public long ReferenceTimeUs => ReferenceTime * ReferenceTimeUnitUs;
    /// <summary>Feedback packet count (wraps at 256).</summary>
    public byte FeedbackPacketCount => _body[15];

    /// <summary>Enumerates (seq, received, delta ticks, arrival µs) for every reported packet.</summary>
    public TransportCcEnumerator GetEnumerator()
        => new(_body.Slice(FixedSize, _chunkBytes), _body.Slice(FixedSize + _chunkBytes), BaseSequence, PacketStatusCount, ReferenceTimeUs);

    // ---------------- builder ----------------

    /// <summary>
    /// Writes one feedback packet for <paramref name="packets"/> (ascending transport-wide seqs, gaps are
    /// reported as lost; entries that do not advance the seq are skipped). The base seq is the first
    /// entry's, the reference time comes from the first received entry. Stops early, leaving the rest
    /// for a new feedback, when a receive delta is not representable in 16 bits, the status count would
    /// exceed 65535, or <paramref name="dst"/> is full. Returns the length (0 if nothing fit) and how
    /// many entries of <paramref name="packets"/> it consumed.
    /// </summary>
    public static int Write(Span<byte> dst, uint senderSsrc, uint mediaSsrc, byte feedbackPacketCount,
        ReadOnlySpan<TransportCcArrival> packets, out int consumed)
    {
        consumed = 0;
        if (packets.IsEmpty || dst.Length < RtcpHeader.Size + FixedSize + 4) return 0;
        long refTicks = 0;
        foreach (var p in packets)
        {
            if (p.Received) { refTicks = FloorDiv(p.ArrivalUs, ReferenceTimeUnitUs); break; }
        }
        // Pass 1 plans (how many entries fit, how many chunks and delta bytes); pass 2 writes.
        var plan = Encode(packets, dst.Length, refTicks, default, default, write: false);
        if (plan.Consumed == 0) return 0;
        int unpadded = RtcpHeader.Size + FixedSize + 2 * plan.Chunks + plan.DeltaBytes;
        int size = (unpadded + 3) & ~3;
        int padding = size - unpadded;
        var chunkOut = dst.Slice(RtcpHeader.Size + FixedSize, 2 * plan.Chunks);
        var deltaOut = dst.Slice(RtcpHeader.Size + FixedSize + 2 * plan.Chunks, plan.DeltaBytes);
        var written = Encode(packets.Slice(0, plan.Consumed), dst.Length, refTicks, chunkOut, deltaOut, write: true);
        if (written.Chunks != plan.Chunks || written.DeltaBytes != plan.DeltaBytes || written.Status != plan.Status)
            throw new InvalidOperationException("transport-cc encoder passes disagree"); // a bug, not input

        RtcpHeader.Write(dst, Fmt, RtcpPacketType.RtpFeedback, size, padding > 0);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), mediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(12), packets[0].Sequence);
        BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(14), (ushort)plan.Status);
        int rt = (int)(refTicks & 0xFFFFFF);
        dst[16] = (byte)(rt >> 16); dst[17] = (byte)(rt >> 8); dst[18] = (byte)rt;
        dst[19] = feedbackPacketCount;
        if (padding > 0)
        {
            dst.Slice(unpadded, padding - 1).Clear();
            dst[size - 1] = (byte)padding;
        }
        consumed = plan.Consumed;
        return size;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private readonly record struct Plan(int Consumed, int Status, int Chunks, int DeltaBytes);

    private static Plan Encode(ReadOnlySpan<TransportCcArrival> packets, int dstLength, long refTicks,
        Span<byte> chunkOut, Span<byte> deltaOut, bool write)
    {
        var enc = new ChunkEncoder(chunkOut, write);
        long lastUs = refTicks * ReferenceTimeUnitUs;
        int status = 0, deltaBytes = 0, consumed = 0;
        ushort prev = 0;
        for (int i = 0; i < packets.Length; i++)
        {
            var p = packets[i];
            int gap = 0;
            if (i > 0)
            {
                int d = SeqNum.Diff(p.Sequence, prev);
                if (d <= 0) { consumed = i + 1; continue; } // duplicate or reordered: skip
                gap = d - 1;
            }
            if (status + gap + 1 > 0xFFFF) break;
            int symbol = 0;
            long ticks = 0;
            if (p.Received)
            {
                long deltaUs = p.ArrivalUs - lastUs;
                ticks = (deltaUs + (deltaUs < 0 ? -TransportCcPacket.TickUs / 2 : TransportCcPacket.TickUs / 2)) / TransportCcPacket.TickUs;
                if (ticks < short.MinValue || ticks > short.MaxValue) break;
                symbol = ticks is >= 0 and <= 255 ? 1 : 2;
            }
            // Conservative size bound: the pending chunk may split in two, the gap's lost run may need
            // several run-length chunks, plus this packet's chunk and up to 3 bytes of padding.
            int worst = RtcpHeader.Size + FixedSize + 2 * (enc.Emitted + 4 + gap / MaxRunLength) + deltaBytes + symbol + 3;
            if (worst > dstLength) break;

            for (int g = 0; g < gap; g++) enc.Add(0);
            enc.Add(symbol);
            if (symbol == 1)
            {
                if (write) deltaOut[deltaBytes] = (byte)ticks;
                deltaBytes += 1;
            }
            else if (symbol == 2)
            {
                if (write) BinaryPrimitives.WriteInt16BigEndian(deltaOut.Slice(deltaBytes), (short)ticks);
                deltaBytes += 2;
            }
            if (p.Received) lastUs += ticks * TransportCcPacket.TickUs;
            status += gap + 1;
            prev = p.Sequence;
            consumed = i + 1;
        }
        if (status == 0) return new Plan(0, 0, 0, 0);
        enc.Finish();
        return new Plan(consumed, status, enc.Emitted, deltaBytes);
    }

    /// <summary>libwebrtc's chunk choice: collect symbols while they still fit one chunk (7 two-bit
    /// symbols, 14 one-bit symbols if none is large, or a run of up to 8191 equal symbols); when the next
    /// symbol does not fit, emit a run-length chunk if all are equal, a one-bit vector if 14 are
    /// collected, else a two-bit vector of the first 7 and keep the rest.</summary>
    private ref struct ChunkEncoder
    {
        private readonly Span<byte> _out;
        private readonly bool _write;
        private ulong _syms; // up to 14 two-bit symbols, symbol i at bits 2i..2i+1
        private int _size;
        private bool _allSame;
        private bool _hasLarge;
        public int Emitted;

        public ChunkEncoder(Span<byte> output, bool write)
        {
            _out = output; _write = write; _syms = 0; _size = 0; _allSame = true; _hasLarge = false; Emitted = 0;
        }

        private readonly int Sym(int i) => (int)(_syms >> (2 * i)) & 3;

        private readonly bool CanAdd(int s)
        {
            if (_size < 7) return true;
            if (_size < 14 && !_hasLarge && s != 2) return true;
            if (_size < MaxRunLength && _allSame && Sym(0) == s) return true;
            return false;
        }

        private void Push(int s)
        {
            if (_size < 14) _syms |= (ulong)s << (2 * _size);
            _allSame = _size == 0 || (_allSame && s == Sym(0));
            _size++;
            _hasLarge |= s == 2;
        }

        public void Add(int s)
        {
            if (!CanAdd(s)) Emit();
            Push(s);
        }

        private void Emit()
        {
            if (_allSame) { Put(RunLength()); Clear(); return; }
            if (_size == 14) { Put(OneBit(14)); Clear(); return; }
            Put(TwoBit(7));
            ulong rest = _syms >> 14;
            int restSize = _size - 7;
            Clear();
            for (int i = 0; i < restSize; i++) Push((int)(rest >> (2 * i)) & 3);
        }

        public void Finish()
        {
            if (_size == 0) return;
            if (_allSame) Put(RunLength());
            else if (_size <= 7) Put(TwoBit(_size));
            else Put(OneBit(_size));
            Clear();
        }

        private void Clear() { _syms = 0; _size = 0; _allSame = true; _hasLarge = false; }

        private readonly int RunLength() => Sym(0) << 13 | _size;

        private readonly int OneBit(int n)
        {
            int c = 0x8000;
            for (int i = 0; i < n; i++) c |= Sym(i) << (13 - i);
            return c;
        }

        private readonly int TwoBit(int n)
        {
            int c = 0xC000;
            for (int i = 0; i < n; i++) c |= Sym(i) << (12 - 2 * i);
            return c;
        }

        private void Put(int chunk)
        {
            if (_write) BinaryPrimitives.WriteUInt16BigEndian(_out.Slice(2 * Emitted), (ushort)chunk);
            Emitted++;
        }
    }
}

/// <summary>Walks a validated transport-cc feedback's chunks and deltas in step.</summary>
public ref struct TransportCcEnumerator
{
    private readonly ReadOnlySpan<byte> _chunks;
    private readonly ReadOnlySpan<byte> _deltas;
    private int _remaining;
    private int _chunkPos;
    private int _chunk;
    private int _inChunk;     // symbols left in the current chunk
    private int _symbolIndex; // index of the next symbol within the chunk
    private int _deltaPos;
    private ushort _seq;
    private long _timeUs;
    private TransportCcPacket _current;

    internal TransportCcEnumerator(ReadOnlySpan<byte> chunks, ReadOnlySpan<byte> deltas, ushort baseSeq, int count, long refUs)
    {
        _chunks = chunks; _deltas = deltas; _remaining = count; _chunkPos = 0; _chunk = 0; _inChunk = 0;
        _symbolIndex = 0; _deltaPos = 0; _seq = baseSeq; _timeUs = refUs; _current = default;
    }

    /// <summary>The current packet.</summary>
    public readonly TransportCcPacket Current => _current;

    /// <summary>Advances.</summary>
    public bool MoveNext()
    {
        while (_remaining > 0)
        {
            if (_inChunk == 0)
            {
                if (_chunkPos + 2 > _chunks.Length) { _remaining = 0; return false; }
                _chunk = BinaryPrimitives.ReadUInt16BigEndian(_chunks.Slice(_chunkPos));
                _chunkPos += 2;
                _inChunk = (_chunk & 0x8000) == 0 ? _chunk & 0x1FFF : (_chunk & 0x4000) == 0 ? 14 : 7;
                _symbolIndex = 0;
                continue;
            }
            int s = (_chunk & 0x8000) == 0 ? (_chunk >> 13) & 3
                : (_chunk & 0x4000) == 0 ? (_chunk >> (13 - _symbolIndex)) & 1
                : (_chunk >> (12 - 2 * _symbolIndex)) & 3;
            _symbolIndex++;
            _inChunk--;
            _remaining--;
            int ticks = 0;
            if (s == 1 && _deltaPos + 1 <= _deltas.Length)
            {
                ticks = _deltas[_deltaPos++];
            }
            else if (s == 2 && _deltaPos + 2 <= _deltas.Length)
            {
                ticks = BinaryPrimitives.ReadInt16BigEndian(_deltas.Slice(_deltaPos));
                _deltaPos += 2;
            }
            else if (s != 0)
            {
                _remaining = 0; // cannot happen after TryParse validation
                return false;
            }
            bool received = s != 0;
            if (received) _timeUs += (long)ticks * TransportCcPacket.TickUs;
            _current = new TransportCcPacket(_seq, received, ticks, received ? _timeUs : 0);
            _seq++;
            return true;
        }
        return false;
    }
}
