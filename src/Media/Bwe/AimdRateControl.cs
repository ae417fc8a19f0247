// Delay-based rate controller: draft-ietf-rmcat-gcc-02 §5.5 ("Rate control"), the Hold / Increase /
// Decrease state machine driven by the over-use detector's signal, as in libwebrtc's AimdRateControl and
// LinkCapacityEstimator (read, not copied).
//
//   signal \ state   Hold       Increase   Decrease
//   Overusing        Decrease   Decrease   (stays)
//   Normal           Increase   (stays)    Hold      (a decrease always ends in Hold)
//   Underusing       Hold       Hold       Hold
//
// Constants:
// - Beta 0.85 (§5.5, kDefaultBackoffFactor): on over-use the rate drops to 0.85 × the measured (acked)
//   throughput, slightly below what the link delivered, so the self-made queue drains.
// - Multiplicative increase 8 % per second (§5.5 eta = 1.08, applied as 1.08^min(dt, 1 s)), at least
//   1 kbps per update: used while the link capacity is unknown, to find it in seconds, not minutes.
// - Additive increase near capacity: once an over-use has given a capacity estimate and the throughput is
//   within 3 standard deviations of it, grow by one average packet per response time, response time =
//   2 × (RTT + 100 ms) (100 ms approximates the detector's own delay; ×2 as libwebrtc's default
//   adaptive-threshold configuration), packets of ≤ 1200 bytes of a 30 fps frame, at least 4 kbps/s.
// - Default RTT 200 ms (kDefaultRtt) until an RTCP report gives one.
// - Link capacity: exponential average of the throughput seen at each over-use (alpha 0.05), with a
//   normalised variance clamped to 0.4..2.5 kbps (≈ 14..35 kbps at 500 kbps); reset when the throughput
//   leaves estimate ± 3σ.
// - Throughput limit: never increase above 1.5 × acked + 10 kbps, so an application-limited sender does
//   not inflate the estimate without evidence.
// - Reduce again on a continued over-use only after one RTT (clamped 10..200 ms) or when the throughput
//   fell under half the estimate.
namespace AkkaSfu.Media.Bwe;

/// <summary>Rate controller state (draft-ietf-rmcat-gcc-02 §5.5).</summary>
public enum RateControlState
{
    /// <summary>Keep the rate.</summary>
    Hold,
    /// <summary>Grow the rate.</summary>
    Increase,
    /// <summary>Cut the rate.</summary>
    Decrease,
}

/// <summary>AIMD rate control of the delay-based estimate. Single-threaded; rates in bps, times in µs.</summary>
public sealed class AimdRateControl
{
    /// <summary>Back-off factor applied to the acked throughput on over-use.</summary>
    public const double Beta = 0.85;
    /// <summary>Multiplicative increase per second while the capacity is unknown.</summary>
    public const double MaxIncreasePerSecond = 1.08;
    /// <summary>RTT assumed until one is reported (ms).</summary>
    public const long DefaultRttMs = 200;
    private const double MinMultiplicativeIncreaseBps = 1000;
    private const double MinAdditiveIncreaseBpsPerSecond = 4000;
    private const double PacketSizeBytes = 1200;
    private const double FrameIntervalSeconds = 1.0 / 30;
    private const double DetectorDelaySeconds = 0.100;
    private const double ResponseTimeFactor = 2;
    private const long Never = long.MinValue;

    private long _currentBps;
    private long _minBps;
    private long _maxBps;
    private long _latestThroughputBps;
    private long _lastChangeUs = Never;
    private long _lastDecreaseUs = Never;
    private LinkCapacity _capacity;

    /// <summary>Starts at <paramref name="startBps"/> within [<paramref name="minBps"/>, <paramref name="maxBps"/>].</summary>
    public AimdRateControl(long startBps, long minBps, long maxBps)
    {
        SetBounds(minBps, maxBps);
        _currentBps = Clamp(startBps);
        _latestThroughputBps = _currentBps;
        _capacity.Reset();
    }

    /// <summary>Current estimate (bps).</summary>
    public long EstimateBps => _currentBps;
    /// <summary>Current state.</summary>
    public RateControlState State { get; private set; } = RateControlState.Hold;
    /// <summary>RTT used for the response time and the reduction interval (ms).</summary>
    public long RttMs { get; private set; } = DefaultRttMs;
    /// <summary>Link capacity estimate (bps), 0 when none.</summary>
    public long LinkCapacityBps => _capacity.HasEstimate ? (long)(_capacity.EstimateKbps * 1000) : 0;
    /// <summary>Decreases applied so far.</summary>
    public long Decreases { get; private set; }

    /// <summary>Sets the RTT (ms).</summary>
    public void SetRtt(long rttMs) => RttMs = Math.Max(1, rttMs);

    /// <summary>Sets the bounds and clamps the estimate into them.</summary>
    public void SetBounds(long minBps, long maxBps)
    {
        if (minBps <= 0 || maxBps < minBps) throw new ArgumentOutOfRangeException(nameof(minBps), "0 < min ≤ max");
        _minBps = minBps;
        _maxBps = maxBps;
        _currentBps = Clamp(_currentBps);
    }

    /// <summary>Sets the estimate outright (a probe result, libwebrtc SetEstimate).</summary>
    public void SetEstimate(long bps, long nowUs)
    {
        long prev = _currentBps;
        _currentBps = Clamp(bps);
        _lastChangeUs = nowUs;
        if (_currentBps < prev) _lastDecreaseUs = nowUs;
    }

    /// <summary>True when a continued over-use may cut the rate again: one RTT (10..200 ms) since the last
    /// change, or the throughput fell below half the estimate.</summary>
    public bool TimeToReduceFurther(long nowUs, long ackedBps)
    {
        long intervalUs = Math.Clamp(RttMs, 10, 200) * 1000;
        if (_lastChangeUs == Never || nowUs - _lastChangeUs >= intervalUs) return true;
        return ackedBps < _currentBps / 2;
    }

    /// <summary>Over-use without any throughput measurement: may halve again (libwebrtc's initial rule).</summary>
    public bool InitialTimeToReduceFurther(long nowUs) => TimeToReduceFurther(nowUs, _currentBps / 2 - 1);

    /// <summary>Runs one step with the detector's signal and the acked throughput (≤ 0 when unknown).
    /// Returns the new estimate.</summary>
    public long Update(BandwidthUsage usage, long ackedBps, long nowUs)
    {
        long throughput = ackedBps > 0 ? ackedBps : _latestThroughputBps;
        if (ackedBps > 0) _latestThroughputBps = ackedBps;

        ChangeState(usage, nowUs);
        long next = _currentBps;
        long throughputLimit = (long)(1.5 * throughput) + 10_000;
        switch (State)
        {
            case RateControlState.Hold:
                break;
            case RateControlState.Increase:
                if (_capacity.HasEstimate && throughput > _capacity.UpperBoundBps) _capacity.Reset();
                // Above the limit (e.g. after a probe) we neither grow nor shrink.
                if (_currentBps < throughputLimit)
                {
                    double dt = _lastChangeUs == Never ? 1 : (nowUs - _lastChangeUs) / 1e6;
                    double increase = _capacity.HasEstimate
                        ? NearMaxIncreaseBpsPerSecond() * dt
                        : Math.Max(_currentBps * (Math.Pow(MaxIncreasePerSecond, Math.Min(dt, 1.0)) - 1), MinMultiplicativeIncreaseBps);
                    next = Math.Min(_currentBps + (long)increase, throughputLimit);
                }
                _lastChangeUs = nowUs;
                break;
            case RateControlState.Decrease:
                long decreased = (long)Math.Round(throughput * Beta);
                if (decreased > _currentBps && _capacity.HasEstimate)
                    decreased = (long)Math.Round(Beta * _capacity.EstimateKbps * 1000);
                if (decreased < _currentBps) next = decreased; // never increase on over-use
                if (_capacity.HasEstimate && throughput < _capacity.LowerBoundBps) _capacity.Reset();
                _capacity.Update(throughput / 1000.0, 0.05);
                Decreases++;
                State = RateControlState.Hold; // stay on hold until the queues have drained
                _lastChangeUs = nowUs;
                _lastDecreaseUs = nowUs;
                break;
        }
        _currentBps = Clamp(next);
        return _currentBps;
    }

    private void ChangeState(BandwidthUsage usage, long nowUs)
    {
        switch (usage)
        {
            case BandwidthUsage.Normal:
                if (State == RateControlState.Hold)
                {
                    _lastChangeUs = nowUs;
                    State = RateControlState.Increase;
                }
                break;
            case BandwidthUsage.Overusing:
                State = RateControlState.Decrease;
                break;
            case BandwidthUsage.Underusing:
                State = RateControlState.Hold;
                break;
        }
    }

    // One average packet of a 30 fps frame per response time.
    private double NearMaxIncreaseBpsPerSecond()
    {
        double frameBytes = _currentBps * FrameIntervalSeconds / 8;
        double packetsPerFrame = Math.Max(1, Math.Ceiling(frameBytes / PacketSizeBytes));
        double avgPacketBits = frameBytes / packetsPerFrame * 8;
        double responseSeconds = (RttMs / 1000.0 + DetectorDelaySeconds) * ResponseTimeFactor;
        return Math.Max(MinAdditiveIncreaseBpsPerSecond, avgPacketBits / responseSeconds);
    }

    private long Clamp(long bps) => Math.Clamp(bps, _minBps, _maxBps);

    /// <summary>Throughput at over-use, averaged, with a normalised deviation (libwebrtc LinkCapacityEstimator).</summary>
    private struct LinkCapacity
    {
        public double EstimateKbps; // NaN = none
        private double _deviationKbps;

        public readonly bool HasEstimate => !double.IsNaN(EstimateKbps);
        public readonly long UpperBoundBps => (long)((EstimateKbps + 3 * Math.Sqrt(EstimateKbps * _deviationKbps)) * 1000);
        public readonly long LowerBoundBps => (long)(Math.Max(0, EstimateKbps - 3 * Math.Sqrt(EstimateKbps * _deviationKbps)) * 1000);

        public void Reset() { EstimateKbps = double.NaN; _deviationKbps = 0.4; }

        public void Update(double sampleKbps, double alpha)
        {
            EstimateKbps = HasEstimate ? (1 - alpha) * EstimateKbps + alpha * sampleKbps : sampleKbps;
            double norm = Math.Max(EstimateKbps, 1.0);
            double error = EstimateKbps - sampleKbps;
            _deviationKbps = Math.Clamp((1 - alpha) * _deviationKbps + alpha * error * error / norm, 0.4, 2.5);
        }
    }
}
