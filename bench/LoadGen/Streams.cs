using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.LoadGen;

/// <summary>Audio or video.</summary>
public enum MediaKind : byte { Audio, Video }

/// <summary>Header extension ids our emulated browser uses on its send side (Chrome's usual picks, §5.4).</summary>
public static class SendExtIds
{
    public const byte Mid = 4, AbsSendTime = 2, Rid = 10, RepairedRid = 11;
}

/// <summary>One outgoing RTP stream (an audio track, a video track, or one simulcast encoding). Written by the
/// sender thread; <see cref="KeyFrameRequested"/> is set by the receive thread (PLI/FIR).</summary>
public sealed class ProducerStream
{
    private static int s_nextId;
    private readonly byte[] _payload;
    private readonly RtpExtensionSet _ext;
    private ushort _rtpSeq = (ushort)Random.Shared.Next(0, 65536);
    private uint _rtpTs = (uint)Random.Shared.Next();
    private long _frameIndex = -1;

    /// <summary>Creates a stream sending <paramref name="packetsPerSecond"/> packets of <paramref name="payloadBytes"/>
    /// (video: grouped into <paramref name="framesPerSecond"/> frames).</summary>
    public ProducerStream(MediaKind kind, uint ssrc, byte payloadType, string mid, string? rid, byte encoding,
        double packetsPerSecond, int payloadBytes, int framesPerSecond = 30)
    {
        Kind = kind; Ssrc = ssrc; PayloadType = payloadType; Mid = mid; Rid = rid; Encoding = encoding;
        StreamId = (uint)Interlocked.Increment(ref s_nextId);
        IntervalUs = Math.Max(1, (long)(1_000_000 / packetsPerSecond));
        PacketsPerSecond = packetsPerSecond;
        FramesPerSecond = Math.Max(1, framesPerSecond);
        _payload = new byte[Math.Max(payloadBytes, Probe.Size + 16)];
        _ext = new RtpExtensionSet(mid, rid);
        KeyFrameRequested = kind == MediaKind.Video;
    }

    public MediaKind Kind { get; }
    public uint Ssrc { get; }
    public byte PayloadType { get; }
    public string Mid { get; }
    /// <summary>Simulcast RID, or null.</summary>
    public string? Rid { get; }
    /// <summary>Simulcast encoding index (0 = lowest); 0 for non-simulcast.</summary>
    public byte Encoding { get; }
    /// <summary>Process-unique id carried in every probe.</summary>
    public uint StreamId { get; }
    public long IntervalUs { get; }
    public double PacketsPerSecond { get; }
    public int FramesPerSecond { get; }
    /// <summary>When the next packet is due (µs, <see cref="Clock"/>).</summary>
    public long NextDueUs;
    /// <summary>Set on PLI/FIR: the next frame starts with a key frame.</summary>
    public volatile bool KeyFrameRequested;
    /// <summary>Send a key frame at least this often (µs; 0 = only on PLI/FIR and at start).</summary>
    public long KeyFrameIntervalUs { get; init; }
    private long _lastKeyFrameUs;
    /// <summary>Probe sequence of the last packet sent (−1 before the first).</summary>
    public long LastProbeSeq = -1;
    public long PacketsSent, BytesSent, KeyFramesSent, NacksReceived, PlisReceived, Retransmitted, RetransmitMisses;
    /// <summary>RTX stream (simple video): retransmissions go there (RFC 4588); null: resend the packet itself.</summary>
    public uint? RtxSsrc { get; init; }
    public byte RtxPayloadType { get; init; }
    /// <summary>NACKed sequence numbers (receive thread enqueues, sender thread answers).</summary>
    public readonly ConcurrentQueue<ushort> NackRequests = new();

    // Retransmission history: the last HistorySlots plain packets by RTP seq (allocated on the first packet).
    private const int HistorySlots = 256;
    private byte[]? _history;
    private int SlotBytes => _payload.Length + 128; // header + CSRC-free extensions fit in 128
    private readonly int[] _historyLength = new int[HistorySlots];
    private readonly ushort[] _historySeq = new ushort[HistorySlots];
    private ushort _rtxSeq = (ushort)Random.Shared.Next(0, 65536);

    private void Remember(ReadOnlySpan<byte> packet, ushort seq)
    {
        if (packet.Length > SlotBytes) return;
        _history ??= new byte[HistorySlots * SlotBytes];
        int slot = seq % HistorySlots;
        packet.CopyTo(_history.AsSpan(slot * SlotBytes));
        _historyLength[slot] = packet.Length;
        _historySeq[slot] = seq;
    }

    /// <summary>Writes the retransmission of <paramref name="seq"/> (RTX-wrapped when the stream has RTX) into
    /// <paramref name="dst"/>; 0 when it is no longer in the history.</summary>
    public int WriteRetransmission(ushort seq, Span<byte> dst)
    {
        int slot = seq % HistorySlots;
        if (_history is null || _historyLength[slot] == 0 || _historySeq[slot] != seq) { RetransmitMisses++; return 0; }
        var stored = _history.AsSpan(slot * SlotBytes, _historyLength[slot]);
        Retransmitted++;
        if (RtxSsrc is not { } rtxSsrc)
        {
            stored.CopyTo(dst);
            return stored.Length;
        }
        if (RtpPacket.TryParse(stored, out var orig) != RtpParseError.None) return 0;
        Span<byte> payload = stackalloc byte[orig.PayloadLength + 2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, seq);
        orig.Payload.CopyTo(payload[2..]);
        var h = new RtpHeaderFields { Marker = orig.Marker, PayloadType = RtxPayloadType, SequenceNumber = _rtxSeq++, Timestamp = orig.Timestamp, Ssrc = rtxSsrc };
        return RtpPacketWriter.Write(dst, h, [], _ext.Extensions, payload);
    }

    /// <summary>Writes the next RTP packet (plain) into <paramref name="dst"/>; returns its length.</summary>
    public int WriteNext(Span<byte> dst, long nowUs)
    {
        var probeSeq = (uint)(LastProbeSeq + 1);
        bool marker;
        if (Kind == MediaKind.Audio)
        {
            _rtpTs += 960; // 20 ms at 48 kHz
            marker = false;
            _payload[0] = 0x78; // opus TOC: SILK-only? any byte works; ours is never decoded
        }
        else
        {
            // Packets evenly spaced; frame index from the packet count, so several packets share a timestamp.
            long frame = (long)Math.Floor((LastProbeSeq + 1) * (double)FramesPerSecond / PacketsPerSecond);
            long nextFrame = (long)Math.Floor((LastProbeSeq + 2) * (double)FramesPerSecond / PacketsPerSecond);
            bool frameStart = frame != _frameIndex;
            if (frameStart)
            {
                _rtpTs += _frameIndex < 0 ? 0u : (uint)(90_000 / FramesPerSecond * (frame - _frameIndex));
                _frameIndex = frame;
            }
            marker = nextFrame != frame;
            if (frameStart && KeyFrameIntervalUs > 0 && nowUs - _lastKeyFrameUs >= KeyFrameIntervalUs) KeyFrameRequested = true;
            WriteVp8Header(frameStart);
            if (frameStart && _inKeyFrame) _lastKeyFrameUs = nowUs;
        }
        new Probe(StreamId, Encoding, probeSeq, nowUs).WriteTo(_payload);
        var header = new RtpHeaderFields { Marker = marker, PayloadType = PayloadType, SequenceNumber = _rtpSeq++, Timestamp = _rtpTs, Ssrc = Ssrc };
        int n = RtpPacketWriter.Write(dst, header, [], _ext.Extensions, _payload);
        if (n > 0) Remember(dst[..n], header.SequenceNumber);
        LastProbeSeq = probeSeq;
        PacketsSent++;
        BytesSent += n;
        return n;
    }

    private bool _inKeyFrame;

    private void WriteVp8Header(bool frameStart)
    {
        // RFC 7741 §4.2 descriptor without extensions: S=1 on a frame's first packet, PID 0.
        _payload[0] = frameStart ? (byte)0x10 : (byte)0x00;
        if (!frameStart)
        {
            _payload[1] = 0; _payload[2] = 0; _payload[3] = 0;
            return;
        }
        _inKeyFrame = KeyFrameRequested;
        if (_inKeyFrame)
        {
            KeyFrameRequested = false;
            KeyFramesSent++;
            // RFC 6386 §9.1 frame tag: P=0 (key frame), version 0, show_frame 1; then start code 9d 01 2a and
            // 14-bit width/height (640x360).
            _payload[1] = 0x10; _payload[2] = 0x02; _payload[3] = 0x00;
            _payload[4] = 0x9d; _payload[5] = 0x01; _payload[6] = 0x2a;
            _payload[7] = 0x80; _payload[8] = 0x02; _payload[9] = 0x68; _payload[10] = 0x01;
        }
        else
        {
            _payload[1] = 0x11; _payload[2] = 0x02; _payload[3] = 0x00; // P=1: inter frame
            _payload[4] = 0; _payload[5] = 0; _payload[6] = 0;
        }
    }
}

/// <summary>The fixed MID (and RID) extensions of one stream, allocated once.</summary>
internal sealed class RtpExtensionSet(string mid, string? rid)
{
    public readonly RtpExtension[] Extensions = rid is null
        ? [new RtpExtension(SendExtIds.Mid, Encoding.ASCII.GetBytes(mid))]
        : [new RtpExtension(SendExtIds.Mid, Encoding.ASCII.GetBytes(mid)), new RtpExtension(SendExtIds.Rid, Encoding.ASCII.GetBytes(rid))];
}

/// <summary>One consumer as the server announced it (newConsumer / broadcaster consume) and what arrived for it.
/// Written by the receive thread; RR/NACK state is read by the sender thread.</summary>
public sealed class ConsumerStream(string id, MediaKind kind, uint ssrc, uint? rtxSsrc, byte payloadType, byte? rtxPayloadType, string producerPeer)
{
    public string Id { get; } = id;
    public MediaKind Kind { get; } = kind;
    public uint Ssrc { get; } = ssrc;
    public uint? RtxSsrc { get; } = rtxSsrc;
    public byte PayloadType { get; } = payloadType;
    public byte? RtxPayloadType { get; } = rtxPayloadType;
    /// <summary>The producing peer's id (for error messages).</summary>
    public string ProducerPeer { get; } = producerPeer;
    /// <summary>The server's producer id (to find what was sent when nothing arrived).</summary>
    public string ProducerId { get; init; } = "";

    /// <summary>Probe trackers per simulcast encoding (index = probe encoding).</summary>
    public readonly SeqTracker[] Trackers = [new(), new(), new()];
    /// <summary>The producer stream per encoding, learnt from the probes (to know its last sent seq).</summary>
    public readonly ProducerStream?[] Sources = new ProducerStream?[3];
    public int LastEncoding = -1;
    public long Packets, Bytes, RtxPackets, Recovered, Foreign, PaddingOnly;
    public long FirstPacketUs;

    // Outer RTP sequence (the consumer's own numbering) for RRs and NACKs.
    public SeqUnwrapper Unwrap;
    public long FirstSeq = -1, MaxSeq = -1, SeqReceived;
    public long PrevExpected, PrevReceived; // RR fraction state (sender thread)
    public uint LastSrCompact; public long LastSrArrivalUs;
    /// <summary>Sequence numbers to NACK (receive thread enqueues, sender thread drains).</summary>
    public readonly ConcurrentQueue<ushort> NackQueue = new();
    public long NacksSent;
}
