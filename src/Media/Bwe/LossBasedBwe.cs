// Loss-based controller: draft-ietf-rmcat-gcc-02 §6 ("Loss-based controller"), the classic rule of
// libwebrtc's SendSideBandwidthEstimation (read, not copied):
//
//   loss < 2 %      may grow: 1.08 × (lowest estimate of the last second) + 1 kbps
//   2 % ≤ loss ≤ 10 %   hold
//   loss > 10 %     cut: rate × (1 − 0.5 × loss), at most once per (300 ms + RTT), never below half the
//                   delivered (acked) bitrate (ours, not libwebrtc's: see DeliveredFloor)
//
// Here it is a cap on the other estimates rather than a rate of its own: it does not limit anything
// (EstimateBps = long.MaxValue) until loss first forces a cut, which starts from the current upper limit
// (min of the delay-based estimate, REMB and the max); then it grows by the rule above and, once it
// reaches the upper limit again, stops limiting. This gives the same target as libwebrtc's
// min(loss-based, delay-based) with the loss-based rate clamped under the delay-based one, without making
// the REMB-only case wait for loss reports to ramp up.
//
// Constants:
// - 2 % / 10 % (§6): below 2 % losses are noise (random Wi-Fi loss), above 10 % the link is saturated or
//   badly lossy; in between FEC/retransmission copes and the rate holds.
// - 1.08 per second + 1 kbps: the same 8 %/s as the delay-based multiplicative increase, so neither
//   controller outruns the other; the 1 kbps keeps very low rates moving.
// - DecreaseIntervalUs 300 ms + RTT (kBweDecreaseInterval): a cut must be seen by the receiver and reported
//   back before its effect on loss can be measured; cutting faster would compound one loss burst.
// - MinPacketsPerUpdate 20 (kLimitNumPackets): the loss ratio of fewer packets is too coarse (1 lost of
//   10 is already 10 %).
// - History of 128 (time, rate) points for the "lowest of the last second": updates come per feedback
//   (≥ 20 packets each), so even 100 feedbacks per second fit; when full the oldest is dropped.
namespace AkkaSfu.Media.Bwe;

/// <summary>Classic GCC loss-based cap. Single-threaded, fixed arrays; rates in bps, times in µs.</summary>
public sealed class LossBasedBwe
{
    /// <summary>Loss under which the cap may grow.</summary>
    public const double LowLossThreshold = 0.02;
    /// <summary>Loss above which the cap is cut.</summary>
    public const double HighLossThreshold = 0.10;
    /// <summary>Growth per second under low loss.</summary>
    public const double IncreaseFactor = 1.08;
    /// <summary>Minimum time between cuts, before adding the RTT (µs).</summary>
    public const long DecreaseIntervalUs = 300_000;
    /// <summary>Time over which the lowest cap is the base of the next increase (µs).</summary>
    public const long IncreaseIntervalUs = 1_000_000;
    /// <summary>Packets that must be reported before a loss ratio is taken.</summary>
    public const int MinPacketsPerUpdate = 20;
    /// <summary>A cut keeps at least this share of the delivered bitrate. Repeated cuts while a loss burst
    /// lasts (a simulcast consumer waits up to a second for the key frame of its lower stream, and keeps
    /// flooding meanwhile) would otherwise take the cap to the minimum, far under what the path carries.</summary>
    public const double DeliveredFloor = 0.5;
    /// <summary><see cref="EstimateBps"/> while loss does not limit.</summary>
    public const long Unlimited = long.MaxValue;
    private const int HistorySize = 128;
    private const long Never = long.MinValue;

    private readonly long[] _histUs = new long[HistorySize];
    private readonly long[] _histBps = new long[HistorySize];
    private int _histStart, _histCount; // ascending-rate deque of (time, rate): front is the minimum
    private int _expected, _lost;
    private long _lastDecreaseUs = Never;
    private long _rttMs = AimdRateControl.DefaultRttMs;

    /// <summary>Current cap (bps), <see cref="Unlimited"/> when loss does not limit.</summary>
    public long EstimateBps { get; private set; } = Unlimited;
    /// <summary>Loss ratio of the last update (0..1).</summary>
    public double LossRatio { get; private set; }
    /// <summary>Cuts applied so far.</summary>
    public long Decreases { get; private set; }

    /// <summary>Sets the RTT (ms) added to the decrease interval.</summary>
    public void SetRtt(long rttMs) => _rttMs = Math.Max(0, rttMs);

    /// <summary>Adds the packets of one transport-cc feedback; every <see cref="MinPacketsPerUpdate"/>
    /// packets the loss ratio is taken and the cap updated against <paramref name="upperBps"/>.
    /// Returns true when it updated.</summary>
    public bool OnPacketsReported(int expected, int lost, long upperBps, long nowUs, long deliveredBps = 0)
    {
        _expected += expected;
        _lost += lost;
        if (_expected < MinPacketsPerUpdate) return false;
        double loss = (double)_lost / _expected;
        _expected = _lost = 0;
        OnLossRatio(loss, upperBps, nowUs, deliveredBps);
        return true;
    }

    /// <summary>Updates the cap with a measured loss ratio (e.g. RTCP RR fraction lost / 256).</summary>
    /// <param name="deliveredBps">What the path delivered lately (the acked bitrate), 0 when unknown: a cut
    /// never goes below <see cref="DeliveredFloor"/> of it.</param>
    public void OnLossRatio(double loss, long upperBps, long nowUs, long deliveredBps = 0)
    {
        LossRatio = Math.Clamp(loss, 0, 1);
        if (LossRatio < LowLossThreshold)
        {
            if (EstimateBps == Unlimited) return;
            long grown = (long)Math.Round(MinOfLastInterval(nowUs) * IncreaseFactor) + 1000;
            SetCap(Math.Max(EstimateBps, grown), upperBps, nowUs);
        }
        else if (LossRatio > HighLossThreshold)
        {
            if (_lastDecreaseUs != Never && nowUs - _lastDecreaseUs < DecreaseIntervalUs + _rttMs * 1000) return;
            long from = Math.Min(EstimateBps, upperBps);
            _lastDecreaseUs = nowUs;
            Decreases++;
            var cut = (long)Math.Round(from * (1 - 0.5 * LossRatio));
            SetCap(Math.Max(cut, (long)(deliveredBps * DeliveredFloor)), upperBps, nowUs);
        }
        // 2..10 %: hold.
    }

    /// <summary>A probe proved <paramref name="bps"/>: a lower cap rises to it (stops limiting at the upper limit).</summary>
    public void RaiseTo(long bps, long upperBps, long nowUs)
    {
        if (EstimateBps == Unlimited || bps <= EstimateBps) return;
        SetCap(bps, upperBps, nowUs);
    }

    /// <summary>Stops limiting (e.g. a probe proved a higher rate, libwebrtc SetSendBitrate).</summary>
    public void Release()
    {
        EstimateBps = Unlimited;
        _histCount = 0;
    }

    private void SetCap(long bps, long upperBps, long nowUs)
    {
        if (bps >= upperBps)
        {
            Release();
            return;
        }
        EstimateBps = bps;
        // Keep the deque ascending: later lower values make earlier higher ones irrelevant to the minimum.
        while (_histCount > 0 && _histBps[Index(_histCount - 1)] >= bps) _histCount--;
        if (_histCount == HistorySize) { _histStart = Index(1); _histCount--; }
        _histUs[Index(_histCount)] = nowUs;
        _histBps[Index(_histCount)] = bps;
        _histCount++;
    }

    // Lowest cap set within the last IncreaseIntervalUs (the current one if none).
    private long MinOfLastInterval(long nowUs)
    {
        while (_histCount > 1 && nowUs - _histUs[_histStart] > IncreaseIntervalUs)
        {
            _histStart = Index(1);
            _histCount--;
        }
        return _histCount > 0 ? _histBps[_histStart] : EstimateBps;
    }

    private int Index(int i) => (_histStart + i) % HistorySize;
}
