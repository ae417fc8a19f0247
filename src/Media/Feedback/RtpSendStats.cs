// Sender statistics for one sent SSRC: RFC 3550 §6.4.1 sender info (NTP/RTP timestamps, packet and octet
// counts) and the round-trip time from a received report block (now − LSR − DLSR).
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Feedback;

/// <summary>
/// Per-SSRC send statistics. Single-threaded, no allocation. <c>nowMs</c> is wall-clock Unix ms as far as
/// the SR's NTP field is concerned; RTT only needs the same clock for <see cref="BuildSenderInfo"/> and
/// <see cref="ReceiveReportBlock"/>.
/// </summary>
public sealed class RtpSendStats
{
    private bool _hasSent;
    private uint _lastRtpTimestamp;
    private long _lastSentMs;
    private long _lostPrior;
    private long _sentPrior;

    /// <summary>Creates statistics for <paramref name="ssrc"/>.</summary>
    public RtpSendStats(uint ssrc) => Ssrc = ssrc;

    /// <summary>The SSRC we send.</summary>
    public uint Ssrc { get; }
    /// <summary>Packets sent.</summary>
    public long PacketsSent { get; private set; }
    /// <summary>Payload octets sent (the SR's octet count: RTP payload only).</summary>
    public long OctetsSent { get; private set; }
    /// <summary>Last round-trip time in ms, or -1 before one could be computed.</summary>
    public long RttMs { get; private set; } = -1;
    /// <summary>Fraction lost of the last report block (0..255, loss = value / 256).</summary>
    public byte FractionLost { get; private set; }
    /// <summary>Cumulative lost of the last report block.</summary>
    public int CumulativeLost { get; private set; }
    /// <summary>Jitter of the last report block (RTP timestamp units).</summary>
    public uint Jitter { get; private set; }
    /// <summary>Score 0..10 from the receiver's loss (see <see cref="StreamScore"/>); 10 until a report.</summary>
    public byte Score { get; private set; } = StreamScore.Max;

    /// <summary>Records one sent packet (<paramref name="payloadBytes"/> = RTP payload length).</summary>
    public void OnPacketSent(int payloadBytes, uint rtpTimestamp, long nowMs)
    {
        PacketsSent++;
        OctetsSent += payloadBytes;
        _lastRtpTimestamp = rtpTimestamp;
        _lastSentMs = nowMs;
        _hasSent = true;
    }

    /// <summary>True once a packet was sent (an SR makes sense).</summary>
    public bool HasSent => _hasSent;

    /// <summary>Sender info for an SR at <paramref name="nowMs"/>: NTP from nowMs, RTP timestamp extrapolated
    /// from the last sent packet by the elapsed time at <paramref name="clockRate"/> Hz, counts mod 2^32.</summary>
    public RtcpSenderInfo BuildSenderInfo(long nowMs, int clockRate)
    {
        uint rtp = _lastRtpTimestamp;
        if (_hasSent && clockRate > 0)
            rtp = unchecked(_lastRtpTimestamp + (uint)((nowMs - _lastSentMs) * clockRate / 1000));
        return new RtcpSenderInfo(Ssrc, RtcpNtp.FromUnixMs(nowMs), rtp, unchecked((uint)PacketsSent), unchecked((uint)OctetsSent));
    }

    /// <summary>Takes a report block about this SSRC: updates RTT (when LSR is set), loss and the score.
    /// The score uses the cumulative-lost increase over the packets sent since the previous block; when
    /// that interval is empty or inconsistent it falls back to the block's fraction lost.</summary>
    public void ReceiveReportBlock(in RtcpReportBlock block, long nowMs)
    {
        uint nowCompact = RtcpNtp.ToCompact(RtcpNtp.FromUnixMs(nowMs));
        long rtt = RtcpNtp.RoundTripMs(nowCompact, block.LastSr, block.DelaySinceLastSr);
        if (rtt >= 0) RttMs = rtt;
        FractionLost = block.FractionLost;
        CumulativeLost = block.CumulativeLost;
        Jitter = block.Jitter;
        long sent = PacketsSent - _sentPrior;
        long lost = block.CumulativeLost - _lostPrior;
        _sentPrior = PacketsSent;
        _lostPrior = block.CumulativeLost;
        if (sent > 0 && lost >= 0 && lost <= sent) Score = StreamScore.FromLossRatio((double)lost / sent);
        else Score = StreamScore.FromFractionLost(block.FractionLost);
    }
}
