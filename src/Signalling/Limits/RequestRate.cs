namespace AkkaSfu.Signalling.Limits;

/// <summary>What <see cref="RequestRate.Take"/> decided for one request.</summary>
public enum RateDecision : byte
{
    /// <summary>Within the rate: run it.</summary>
    Allowed,
    /// <summary>Over the rate: answer 429, do not run it.</summary>
    Refused,
    /// <summary>Over the rate for <c>flood-close-after</c> requests without ever backing off: close the socket.</summary>
    Flood,
}

/// <summary>Requests per second of one socket: a token bucket of <paramref name="burst"/> tokens refilled at
/// <paramref name="perSecond"/>, one token per request. Refusals are counted since the bucket was last full;
/// <paramref name="floodAfter"/> of them (a client that never paused for burst / rate seconds) is a flood. Time
/// is passed in (milliseconds, any monotonic origin). Not thread-safe: one socket's read loop owns it.</summary>
public sealed class RequestRate(double perSecond, int burst, int floodAfter)
{
    private double _tokens = burst;
    private long _lastMs = long.MinValue;
    private int _refusals;

    /// <summary>Requests refused since the bucket was last full.</summary>
    public int Refusals => _refusals;

    public RateDecision Take(long nowMs)
    {
        if (_lastMs != long.MinValue && nowMs > _lastMs)
            _tokens = Math.Min(burst, _tokens + (nowMs - _lastMs) * perSecond / 1000.0);
        if (_lastMs == long.MinValue || nowMs > _lastMs) _lastMs = nowMs;
        if (_tokens >= burst) _refusals = 0; // backed off long enough: earlier refusals are forgiven
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return RateDecision.Allowed;
        }
        return ++_refusals >= floodAfter ? RateDecision.Flood : RateDecision.Refused;
    }
}
