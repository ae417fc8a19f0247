// Receiver statistics for one received SSRC: RFC 3550 Appendix A.1 (sequence validation, probation,
// restart after a big jump), A.3 (expected / lost / fraction lost), A.8 (interarrival jitter) and
// §6.4.1 (LSR/DLSR for the report block).
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Feedback;

/// <summary>Result of <see cref="RtpReceiveStats.Update"/>.</summary>
public enum RtpSeqResult : byte
{
    /// <summary>In order or a small gap ahead: counted, the highest seq advanced.</summary>
    Valid,
    /// <summary>Old (reordered) or duplicate packet within the misorder window: counted (as RFC 3550 A.1
    /// does), the highest seq kept.</summary>
    Reordered,
    /// <summary>Still in probation (source not yet validated): not counted.</summary>
    Probation,
    /// <summary>A big jump; not counted. A second packet right after it restarts the sequence.</summary>
    BadJump,
    /// <summary>The sequence was restarted at this packet (second packet after a big jump): counted.</summary>
    Restarted,
}

/// <summary>
/// Reception statistics of one RTP source (RFC 3550 A.1/A.3/A.8). Single-threaded; no allocation.
/// Call <see cref="Update"/> for each packet after SRTP, <see cref="ReceiveSenderReport"/> for each SR of
/// the source, and <see cref="FillReportBlock"/> when sending an RR/SR (it starts a new loss interval).
/// </summary>
public sealed class RtpReceiveStats
{
    /// <summary>RFC 3550 A.1 MAX_DROPOUT: a forward jump of less than this is a plain gap.</summary>
    public const int MaxDropout = 3000;
    /// <summary>RFC 3550 A.1 MAX_MISORDER: a backward step of at most this is a reordered packet.</summary>
    public const int MaxMisorder = 100;
    private const int SeqMod = 1 << 16;

    private readonly int _minSequential;
    private bool _started;
    private ushort _maxSeq;
    private uint _cycles;
    private uint _baseSeq;
    private int _badSeq = SeqMod + 1;
    private int _probation;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private long _bytes;
    // Jitter (A.8), scaled by 16 as in the RFC's integer form.
    private long _lastTransit;
    private bool _hasTransit;
    private long _jitterQ4;
    private uint _lastSrCompact;
    private long _lastSrReceivedMs;

    /// <summary>Creates statistics for <paramref name="ssrc"/>. <paramref name="minSequential"/> is RFC 3550's
    /// MIN_SEQUENTIAL: packets in sequence needed before the source is valid (2 in the RFC; 1 counts the
    /// first packet at once, as mediasoup does).</summary>
    public RtpReceiveStats(uint ssrc, int minSequential = 2)
    {
        if (minSequential < 1) throw new ArgumentOutOfRangeException(nameof(minSequential));
        Ssrc = ssrc;
        _minSequential = minSequential;
    }

    /// <summary>The media SSRC reported on.</summary>
    public uint Ssrc { get; }
    /// <summary>Packets counted (duplicates included, as in RFC 3550).</summary>
    public long PacketsReceived => _received;
    /// <summary>Payload bytes of counted packets.</summary>
    public long BytesReceived => _bytes;
    /// <summary>Extended highest sequence number received (cycles « 16 | max seq).</summary>
    public uint ExtendedHighestSequence => _cycles + _maxSeq;
    /// <summary>Packets expected since the (re)start: extended highest − base + 1 (0 before validation).</summary>
    public long Expected => _started && _probation == 0 ? (long)ExtendedHighestSequence - _baseSeq + 1 : 0;
    /// <summary>Cumulative lost = expected − received (may be negative with duplicates).</summary>
    public long CumulativeLost => Expected - _received;
    /// <summary>Interarrival jitter in RTP timestamp units (RFC 3550 A.8).</summary>
    public uint Jitter => (uint)(_jitterQ4 >> 4);
    /// <summary>Score 0..10 from the loss of the last report interval (see <see cref="StreamScore"/>);
    /// 10 until the first report block.</summary>
    public byte Score { get; private set; } = StreamScore.Max;
    /// <summary>Packets not counted: probation or big jumps.</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>Records one packet. <paramref name="arrivalMs"/> is the local arrival time,
    /// <paramref name="clockRate"/> the payload's RTP clock rate (Hz). Jitter is updated for counted packets.</summary>
    public RtpSeqResult Update(ushort seq, uint rtpTimestamp, long arrivalMs, int payloadBytes, int clockRate)
    {
        var r = UpdateSeq(seq);
        if (r is RtpSeqResult.Probation or RtpSeqResult.BadJump) { PacketsDiscarded++; return r; }
        _received++;
        _bytes += payloadBytes;
        if (clockRate > 0)
        {
            // transit = arrival (in timestamp units) − RTP timestamp; only differences matter, so the RTP
            // timestamp's wrap is absorbed by taking the 32-bit difference of transits.
            long arrivalTs = arrivalMs * clockRate / 1000;
            long transit = (uint)arrivalTs - rtpTimestamp; // mod 2^32
            if (_hasTransit)
            {
                long d = (int)(uint)(transit - _lastTransit);
                if (d < 0) d = -d;
                _jitterQ4 += d - ((_jitterQ4 + 8) >> 4);
            }
            _lastTransit = transit;
            _hasTransit = true;
        }
        return r;
    }

    private void InitSeq(ushort seq)
    {
        _baseSeq = seq;
        _maxSeq = seq;
        _badSeq = SeqMod + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
        _bytes = 0;
        _hasTransit = false;
    }

    // RFC 3550 A.1 update_seq, with "counted" results mapped to the enum.
    private RtpSeqResult UpdateSeq(ushort seq)
    {
        if (!_started)
        {
            _started = true;
            InitSeq(seq);
            _maxSeq = (ushort)(seq - 1);
            _probation = _minSequential;
        }
        int udelta = (ushort)(seq - _maxSeq);
        if (_probation > 0)
        {
            if (seq == (ushort)(_maxSeq + 1))
            {
                _probation--;
                _maxSeq = seq;
                if (_probation == 0)
                {
                    InitSeq(seq);
                    return RtpSeqResult.Valid;
                }
            }
            else
            {
                _probation = _minSequential - 1;
                _maxSeq = seq;
            }
            return RtpSeqResult.Probation;
        }
        if (udelta < MaxDropout)
        {
            if (udelta == 0) return RtpSeqResult.Reordered; // duplicate of the highest
            if (seq < _maxSeq) _cycles += SeqMod; // numeric compare on purpose: detects the wrap (RFC A.1)
            _maxSeq = seq;
            return RtpSeqResult.Valid;
        }
        if (udelta <= SeqMod - MaxMisorder)
        {
            if (seq == _badSeq)
            {
                // Two sequential packets after a big jump: assume the source restarted.
                InitSeq(seq);
                return RtpSeqResult.Restarted;
            }
            _badSeq = (seq + 1) & (SeqMod - 1);
            return RtpSeqResult.BadJump;
        }
        return RtpSeqResult.Reordered;
    }

    /// <summary>Remembers an SR of this source (its NTP time and the local arrival) for LSR/DLSR.</summary>
    public void ReceiveSenderReport(ulong ntp, uint rtpTimestamp, long nowMs)
    {
        _lastSrCompact = RtcpNtp.ToCompact(ntp);
        _lastSrReceivedMs = nowMs;
        LastSrRtpTimestamp = rtpTimestamp;
        LastSrNtp = ntp;
    }

    /// <summary>NTP time of the last SR received (0 if none).</summary>
    public ulong LastSrNtp { get; private set; }
    /// <summary>RTP timestamp of the last SR received.</summary>
    public uint LastSrRtpTimestamp { get; private set; }

    /// <summary>Builds this source's report block and starts a new interval for fraction lost and the
    /// score (RFC 3550 A.3).</summary>
    public RtcpReportBlock FillReportBlock(long nowMs)
    {
        long expected = Expected;
        long expectedInterval = expected - _expectedPrior;
        long receivedInterval = _received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)((lostInterval << 8) / expectedInterval);
        if (expectedInterval > 0)
            Score = StreamScore.FromLossRatio(lostInterval <= 0 ? 0 : (double)lostInterval / expectedInterval);
        long lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF);
        uint dlsr = _lastSrCompact == 0 ? 0 : RtcpNtp.CompactFromMs(Math.Max(0, nowMs - _lastSrReceivedMs));
        return new RtcpReportBlock(Ssrc, fraction, (int)lost, ExtendedHighestSequence, Jitter, _lastSrCompact, dlsr);
    }
}
