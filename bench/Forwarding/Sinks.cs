using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Rtp;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Bench.Forwarding;

/// <summary>Latency histogram in microseconds: 1 µs buckets up to 20 ms, then 1 ms buckets up to ~10 s.</summary>
internal sealed class Histogram
{
    private const int Fine = 20_000;
    private readonly long[] _counts = new long[Fine + 10_000];

    public long Count { get; private set; }

    public void Add(long us)
    {
        if (us < 0) us = 0;
        var i = us < Fine ? us : Fine + Math.Min((us - Fine) / 1000, 9_999);
        _counts[i]++;
        Count++;
    }

    public void AddAll(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
    }

    public long Percentile(double p)
    {
        if (Count == 0) return -1;
        var rank = (long)Math.Ceiling(p / 100 * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return i < Fine ? i : Fine + (i - Fine) * 1000L;
        }
        return -1;
    }

    public void Clear() { Array.Clear(_counts); Count = 0; }
}

/// <summary>One consumer's endpoint: its socket, its SRTP receive session (the egress transport's
/// LocalSrtpKey) and what it saw: which sequence numbers, duplicates, and a coarse latency histogram
/// (100 µs buckets) for its own p50/p99. With transport-cc it also records the transport-wide seq of every
/// packet (media and probation) and sends the feedback to its egress transport, as a browser would.</summary>
internal sealed class SinkConsumer(int index, UdpSocket socket, int capacityPackets)
{
    public const int CoarseBuckets = 1000; // 100 µs each, the last collects everything above 99.9 ms
    /// <summary>The consumers' transport-wide-cc-01 id (what the engine stamps on egress).</summary>
    public const byte TwccExtensionId = 5;
    public static readonly RtpExtensionIds TwccIds = new() { TransportWideCc01 = TwccExtensionId };

    public readonly int Index = index;
    public readonly UdpSocket Socket = socket;
    public readonly ulong[] Seen = new ulong[capacityPackets / 64 + 1];
    public readonly int[] Latency = new int[CoarseBuckets];
    public SrtpSession? Srtp;
    public uint ExpectedSsrc;
    public long Received, Duplicates, Rtcp, AuthFailed, Malformed, WrongSsrc, OutOfRange, InWindow;

    // Transport-cc (null without --twcc): arrivals, the session that protects our RTCP (the key given to the
    // egress transport's Connect), where the feedback goes (the transport's port: rtcp-mux), our RTCP SSRC.
    public TransportCcRecorder? Twcc;
    public SrtpSession? RtcpSrtp;
    public SocketAddress? FeedbackTo;
    public uint RtcpSsrc;
    public long FeedbackSent, FeedbackFailed, Probation, NoTwcc;

    public long Percentile(double p)
    {
        long total = 0;
        foreach (var c in Latency) total += c;
        if (total == 0) return -1;
        var rank = (long)Math.Ceiling(p / 100 * total);
        long seen = 0;
        for (var i = 0; i < Latency.Length; i++)
        {
            seen += Latency[i];
            if (seen >= rank) return i * 100L + 50;
        }
        return -1;
    }

    public long ReceivedIn(long from, long to)
    {
        long n = 0;
        to = Math.Min(to, Seen.LongLength * 64);
        for (var s = from; s < to; s++)
            if ((Seen[s >> 6] & (1UL << (int)(s & 63))) != 0) n++;
        return n;
    }
}

/// <summary>One receive thread (the media stack's <see cref="UdpReceiver"/>: poll + recvmmsg) for a group of
/// sink sockets. Each datagram is decrypted and checked on that thread; the latency of packets inside the
/// measuring window goes to the group's histogram.</summary>
internal sealed class SinkGroup : IDisposable
{
    private readonly Histogram _histogram = new();
    private long _windowStart = long.MaxValue, _windowEnd = long.MaxValue;
    /// <summary>One transport-cc packet plus the SRTCP trailer; this group's thread only.</summary>
    private readonly byte[] _feedback = new byte[1500];

    public SinkGroup(string name) =>
        Receiver = new UdpReceiver(name, new DatagramBatchPool(), OnBatch);

    public UdpReceiver Receiver { get; }
    public Histogram Histogram => _histogram;
    public long Datagrams;

    /// <summary>Latency is recorded for stamps in [start, end).</summary>
    public void SetWindow(long start, long end)
    {
        Volatile.Write(ref _windowEnd, end);
        Volatile.Write(ref _windowStart, start);
    }

    private void OnBatch(DatagramBatch batch)
    {
        try
        {
            var now = Stopwatch.GetTimestamp();
            // Transport-cc's clock: the kernel's arrival stamps are CLOCK_REALTIME, so is the feedback timer.
            var unixUs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
            var start = Volatile.Read(ref _windowStart);
            var end = Volatile.Read(ref _windowEnd);
            for (var i = 0; i < batch.Count; i++)
            {
                Datagrams++;
                if (batch.Socket(i).Owner is not SinkConsumer sink) continue;
                var datagram = batch.Datagram(i);
                if (Rfc7983.Classify(datagram) == PacketKind.Rtcp) { sink.Rtcp++; continue; }
                var length = datagram.Length;
                if (sink.Srtp is { } srtp && srtp.UnprotectRtp(datagram, out length) != SrtpError.None) { sink.AuthFailed++; continue; }
                if (RtpPacket.TryParse(datagram[..length], out var packet) != RtpParseError.None) { sink.Malformed++; continue; }
                if (sink.Twcc is { } twcc)
                {
                    // Every numbered packet, probation padding included: one not recorded reads as lost.
                    if (packet.ReadTransportWideCc01(SinkConsumer.TwccIds, out var twccSeq))
                    {
                        // The kernel's arrival stamp (CLOCK_REALTIME) when there is one: a late sink thread
                        // must not look like queueing delay to the estimator.
                        var arrivalNs = batch.ArrivalUnixNs(i);
                        twcc.Record(twccSeq, arrivalNs != 0 ? arrivalNs / 1000 : unixUs);
                    }
                    else sink.NoTwcc++;
                    if (twcc.ShouldSendFeedback(unixUs)) SendFeedback(sink, twcc, unixUs);
                }
                if (packet.Ssrc == Transport.ProbationSsrc) { sink.Probation++; continue; }
                if (packet.Payload.Length < Sender.StampOffset + 12) { sink.Malformed++; continue; }
                if (packet.Ssrc != sink.ExpectedSsrc) { sink.WrongSsrc++; continue; }
                var payload = packet.Payload;
                long seq = BinaryPrimitives.ReadUInt32BigEndian(payload[Sender.StampOffset..]);
                var sentAt = BinaryPrimitives.ReadInt64BigEndian(payload[(Sender.StampOffset + 4)..]);
                if ((seq >> 6) >= sink.Seen.Length) { sink.OutOfRange++; continue; }
                ref var word = ref sink.Seen[seq >> 6];
                var bit = 1UL << (int)(seq & 63);
                if ((word & bit) != 0) { sink.Duplicates++; continue; }
                word |= bit;
                sink.Received++;
                if (seq >= start && seq < end)
                {
                    var us = (now - sentAt) * 1_000_000 / Stopwatch.Frequency;
                    _histogram.Add(us);
                    sink.Latency[Math.Clamp(us / 100, 0, SinkConsumer.CoarseBuckets - 1)]++;
                    sink.InWindow++;
                }
            }
        }
        finally
        {
            batch.Release();
        }
    }

    /// <summary>Builds what <paramref name="twcc"/> has pending (a few packets if it does not fit in one),
    /// protects it as SRTCP when egress SRTP is on, and sends it from the sink's own socket to its transport.</summary>
    private void SendFeedback(SinkConsumer sink, TransportCcRecorder twcc, long nowUs)
    {
        var room = _feedback.Length - SrtpSession.MaxTrailer;
        for (var k = 0; k < 4 && twcc.PendingCount > 0; k++)
        {
            var length = twcc.BuildFeedback(nowUs, sink.RtcpSsrc, sink.ExpectedSsrc, _feedback.AsSpan(0, room));
            if (length <= 0) break;
            if (sink.RtcpSrtp is { } srtp && srtp.ProtectRtcp(_feedback, length, out length) != SrtpError.None) { sink.FeedbackFailed++; continue; }
            if (sink.Socket.SendTo(_feedback.AsSpan(0, length), sink.FeedbackTo!)) sink.FeedbackSent++;
            else sink.FeedbackFailed++;
        }
    }

    public void Dispose() => Receiver.Dispose();
}
