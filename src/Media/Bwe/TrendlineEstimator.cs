// Delay-gradient over-use detector: draft-ietf-rmcat-gcc-02 §5.4 (over-use detector with the adaptive
// threshold of §5.4, eq. for del_var_th) with libwebrtc's trendline filter in place of the draft's Kalman
// filter (§5.3): the slope of a least-squares line through the smoothed accumulated delay of the last
// groups estimates (send rate − capacity) / capacity. Read from libwebrtc trendline_estimator.cc.
//
// Constants:
// - WindowSize 20 groups (kDefaultTrendlineWindowSize): ~100 ms of 5 ms groups at full rate, long enough
//   to average pacer/jitter noise, short enough to see a queue building within a feedback interval or two.
// - SmoothingCoefficient 0.9: the accumulated delay is low-passed (≈10-sample memory) before the fit.
// - ThresholdGain 4 and MinNumDeltas 60: the slope is scaled by min(deltas, 60) × 4 so that it is compared
//   in "ms" against the threshold, and early (few-sample) slopes count less.
// - Adaptive threshold γ (§5.4): starts at 12.5 ms, moves toward |m| at k_up 0.0087 /ms when |m| is above
//   it and k_down 0.039 /ms when below (faster down, so the detector stays sensitive; slowly up, so it
//   tolerates persistent cross traffic instead of starving against TCP), time step capped at 100 ms,
//   clamped to 6..600 ms; samples more than 15 ms above γ (kMaxAdaptOffsetMs) do not adapt it, so a sudden
//   capacity drop is not learnt as normal.
// - OverusingTimeThresholdMs 10 (§5.4 overuse_time_th): the trend must stay above γ for 10 ms of send
//   time and two samples, and not be falling, before "overusing" is signalled.
namespace AkkaSfu.Media.Bwe;

/// <summary>The delay-based detector's hypothesis (draft-ietf-rmcat-gcc-02 §5.4).</summary>
public enum BandwidthUsage
{
    /// <summary>Delay is stable.</summary>
    Normal,
    /// <summary>Delay is falling: queues drain.</summary>
    Underusing,
    /// <summary>Delay is rising: a queue builds.</summary>
    Overusing,
}

/// <summary>Trendline filter plus adaptive-threshold over-use detector. Single-threaded, fixed arrays.</summary>
public sealed class TrendlineEstimator
{
    /// <summary>Groups in the regression window.</summary>
    public const int WindowSize = 20;
    /// <summary>Exponential smoothing of the accumulated delay.</summary>
    public const double SmoothingCoefficient = 0.9;
    /// <summary>Gain applied to the slope before the threshold comparison.</summary>
    public const double ThresholdGain = 4.0;
    /// <summary>Threshold adaptation rate when |trend| is above it (per ms).</summary>
    public const double KUp = 0.0087;
    /// <summary>Threshold adaptation rate when |trend| is below it (per ms).</summary>
    public const double KDown = 0.039;
    /// <summary>Initial threshold (ms).</summary>
    public const double InitialThreshold = 12.5;
    /// <summary>Threshold floor (ms).</summary>
    public const double MinThreshold = 6;
    /// <summary>Threshold ceiling (ms).</summary>
    public const double MaxThreshold = 600;
    /// <summary>Send time the trend must stay above the threshold before over-use (ms).</summary>
    public const double OverusingTimeThresholdMs = 10;
    private const double MaxAdaptOffsetMs = 15;
    private const int MinNumDeltas = 60;
    private const int DeltaCounterMax = 1000;
    private const double MaxThresholdTimeDeltaMs = 100;

    private readonly double[] _x = new double[WindowSize]; // arrival ms since the first sample
    private readonly double[] _y = new double[WindowSize]; // smoothed accumulated delay ms
    private int _head; // next slot
    private int _count;
    private int _numDeltas;
    private double _firstArrivalMs = double.NaN;
    private double _accumulatedDelay;
    private double _smoothedDelay;
    private double _prevTrend;
    private double _threshold = InitialThreshold;
    private double _lastThresholdUpdateMs = double.NaN;
    private double _timeOverUsing = -1;
    private int _overuseCounter;

    /// <summary>Current hypothesis.</summary>
    public BandwidthUsage State { get; private set; } = BandwidthUsage.Normal;
    /// <summary>Current adaptive threshold (ms).</summary>
    public double Threshold => _threshold;
    /// <summary>Last slope × min(deltas, 60) × gain, as compared with <see cref="Threshold"/>.</summary>
    public double ModifiedTrend { get; private set; }
    /// <summary>Last raw slope of the regression line (dimensionless, ms/ms).</summary>
    public double Trend => _prevTrend;

    /// <summary>Adds one inter-group delta: receive and send deltas (ms) and the group's arrival time (ms).</summary>
    public void Update(double recvDeltaMs, double sendDeltaMs, double arrivalMs)
    {
        double delta = recvDeltaMs - sendDeltaMs;
        _numDeltas = Math.Min(_numDeltas + 1, DeltaCounterMax);
        if (double.IsNaN(_firstArrivalMs)) _firstArrivalMs = arrivalMs;

        _accumulatedDelay += delta;
        _smoothedDelay = SmoothingCoefficient * _smoothedDelay + (1 - SmoothingCoefficient) * _accumulatedDelay;

        _x[_head] = arrivalMs - _firstArrivalMs;
        _y[_head] = _smoothedDelay;
        _head = (_head + 1) % WindowSize;
        if (_count < WindowSize) _count++;

        double trend = _prevTrend;
        if (_count == WindowSize && TryFitSlope(out double slope)) trend = slope;
        Detect(trend, sendDeltaMs, arrivalMs);
    }

    /// <summary>Forgets all samples and returns to the initial threshold.</summary>
    public void Reset()
    {
        _head = _count = _numDeltas = _overuseCounter = 0;
        _firstArrivalMs = _lastThresholdUpdateMs = double.NaN;
        _accumulatedDelay = _smoothedDelay = _prevTrend = 0;
        _threshold = InitialThreshold;
        _timeOverUsing = -1;
        ModifiedTrend = 0;
        State = BandwidthUsage.Normal;
    }

    // Least-squares slope of y over x in the window.
    private bool TryFitSlope(out double slope)
    {
        double sumX = 0, sumY = 0;
        for (int i = 0; i < _count; i++) { sumX += _x[i]; sumY += _y[i]; }
        double xAvg = sumX / _count, yAvg = sumY / _count;
        double num = 0, den = 0;
        for (int i = 0; i < _count; i++)
        {
            double dx = _x[i] - xAvg;
            num += dx * (_y[i] - yAvg);
            den += dx * dx;
        }
        slope = den == 0 ? 0 : num / den;
        return den != 0;
    }

    private void Detect(double trend, double sendDeltaMs, double nowMs)
    {
        if (_numDeltas < 2)
        {
            State = BandwidthUsage.Normal;
            return;
        }
        double modified = Math.Min(_numDeltas, MinNumDeltas) * trend * ThresholdGain;
        ModifiedTrend = modified;
        if (modified > _threshold)
        {
            // Assume we have been over-using for half the time since the previous sample.
            _timeOverUsing = _timeOverUsing < 0 ? sendDeltaMs / 2 : _timeOverUsing + sendDeltaMs;
            _overuseCounter++;
            if (_timeOverUsing > OverusingTimeThresholdMs && _overuseCounter > 1 && trend >= _prevTrend)
            {
                _timeOverUsing = 0;
                _overuseCounter = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (modified < -_threshold)
        {
            _timeOverUsing = -1;
            _overuseCounter = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _timeOverUsing = -1;
            _overuseCounter = 0;
            State = BandwidthUsage.Normal;
        }
        _prevTrend = trend;
        UpdateThreshold(modified, nowMs);
    }

    private void UpdateThreshold(double modified, double nowMs)
    {
        if (double.IsNaN(_lastThresholdUpdateMs)) _lastThresholdUpdateMs = nowMs;
        double abs = Math.Abs(modified);
        if (abs > _threshold + MaxAdaptOffsetMs)
        {
            // A latency spike (e.g. a sudden capacity drop) is not learnt as the normal level.
            _lastThresholdUpdateMs = nowMs;
            return;
        }
        double k = abs < _threshold ? KDown : KUp;
        double dt = Math.Min(nowMs - _lastThresholdUpdateMs, MaxThresholdTimeDeltaMs);
        _threshold = Math.Clamp(_threshold + k * (abs - _threshold) * dt, MinThreshold, MaxThreshold);
        _lastThresholdUpdateMs = nowMs;
    }
}
