// Throughput of acknowledged packets: the "incoming bitrate" R_hat of draft-ietf-rmcat-gcc-02 §5.5 that the
// rate controller backs off from, measured on the send side from transport-cc arrivals. We use libwebrtc's
// BitrateEstimator (acknowledged_bitrate_estimator.cc / bitrate_estimator.cc, read, not copied): bytes are
// summed over fixed windows of the receiver's arrival clock, and each window's rate is a sample for a
// scalar Bayesian (Kalman-like) filter.
//
// Why this and not a plain sliding window: a sliding 500 ms window follows every burst one for one, so a
// probe or a key frame shows up as throughput and the back-off target (0.85 × throughput) jumps with it.
// The Bayesian filter gives each sample an uncertainty that grows with its distance from the estimate, so
// outliers move it little while a sustained change still wins within a few windows.
//
// Constants:
// - InitialWindowUs 500 ms, then WindowUs 150 ms (kInitialRateWindowMs, kRateWindowMs): a long first
//   window for a stable initial value, then short ones so a capacity drop is seen within ~1 s.
// - UncertaintyScale 10: sample σ = 10 × |estimate − sample| / estimate (kbps), i.e. a sample 10 % off
//   has σ = 1 kbps-equivalent; far samples are trusted less.
// - Process noise 5 (kbps²) added to the estimate's variance on every sample, so the estimate keeps
//   following a moving rate; initial variance 50.
// - A gap longer than a window with no packets restarts the window (the link was idle, not slow).
namespace AkkaSfu.Media.Bwe;

/// <summary>Bayesian windowed throughput estimate of acknowledged (received) packets. Single-threaded.</summary>
public sealed class AckedBitrateEstimator
{
    /// <summary>Window of the first sample (µs).</summary>
    public const long InitialWindowUs = 500_000;
    /// <summary>Window of later samples (µs).</summary>
    public const long WindowUs = 150_000;
    /// <summary>Scale of a sample's uncertainty relative to its distance from the estimate.</summary>
    public const double UncertaintyScale = 10;
    private const double ProcessNoise = 5;
    private const double InitialVariance = 50;
    private const long Never = long.MinValue;

    private long _sumBytes;
    private long _windowUs; // time accumulated in the current window
    private long _prevUs = Never;
    private double _estimateKbps = -1;
    private double _variance = InitialVariance;

    /// <summary>Current estimate (bps), 0 before the first window completed.</summary>
    public long BitrateBps => _estimateKbps < 0 ? 0 : (long)(_estimateKbps * 1000);

    /// <summary>Adds a received packet of <paramref name="sizeBytes"/> that arrived at <paramref name="arrivalUs"/>
    /// (receiver clock; feed in arrival order).</summary>
    public void Update(long arrivalUs, int sizeBytes)
    {
        long window = _estimateKbps < 0 ? InitialWindowUs : WindowUs;
        double sample = UpdateWindow(arrivalUs, sizeBytes, window);
        if (sample < 0) return;
        if (_estimateKbps < 0)
        {
            _estimateKbps = sample;
            return;
        }
        double uncertainty = UncertaintyScale * Math.Abs(_estimateKbps - sample) / _estimateKbps;
        double sampleVar = uncertainty * uncertainty;
        double predVar = _variance + ProcessNoise;
        _estimateKbps = (sampleVar * _estimateKbps + predVar * sample) / (sampleVar + predVar);
        _variance = sampleVar * predVar / (sampleVar + predVar);
    }

    /// <summary>Forgets everything.</summary>
    public void Reset()
    {
        _sumBytes = 0;
        _windowUs = 0;
        _prevUs = Never;
        _estimateKbps = -1;
        _variance = InitialVariance;
    }

    // Returns a window's rate in kbps when one completed, else −1.
    private double UpdateWindow(long nowUs, int bytes, long windowUs)
    {
        if (_prevUs != Never && nowUs < _prevUs)
        {
            // Time went backwards: start over.
            _prevUs = Never;
            _sumBytes = 0;
            _windowUs = 0;
        }
        if (_prevUs != Never)
        {
            _windowUs += nowUs - _prevUs;
            if (nowUs - _prevUs > windowUs)
            {
                _sumBytes = 0;
                _windowUs %= windowUs;
            }
        }
        _prevUs = nowUs;
        double sample = -1;
        if (_windowUs >= windowUs)
        {
            sample = 8.0 * _sumBytes / (windowUs / 1000.0); // bits per ms = kbps
            _windowUs -= windowUs;
            _sumBytes = 0;
        }
        _sumBytes += bytes;
        return sample;
    }
}
