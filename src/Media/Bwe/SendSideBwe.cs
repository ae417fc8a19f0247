// Send-side bandwidth estimation facade: draft-ietf-rmcat-gcc-02 as arranged by libwebrtc's GoogCC
// (GoogCcNetworkController::OnTransportPacketsFeedback + DelayBasedBwe + SendSideBandwidthEstimation),
// read, not copied. Per transport-cc feedback:
//
//   SendHistory → results ─┬─ loss count ───────────────→ LossBasedBwe (cap)
//                          └─ received, by arrival ─┬─→ AckedBitrateEstimator (throughput)
//                                                   ├─→ ProbeBitrateEstimator (probe clusters)
//                                                   └─→ InterArrival → TrendlineEstimator → AimdRateControl
//
//   available = clamp(min(delay-based, loss-based cap, REMB), min, max)
//
// Delay-based update (libwebrtc DelayBasedBwe::MaybeUpdateEstimate): on over-use cut to 0.85 × acked once
// per RTT; without an acked rate yet, halve. Otherwise a probe result above the estimate sets it at once
// (and releases the loss cap, as libwebrtc's SetSendBitrate); else the AIMD steps with the detector's
// signal. REMB is the receiver's own estimate: the only estimate when no transport-cc feedback ever came,
// an upper bound once it does. RTCP RR gives the RTT, and its fraction lost drives the loss cap only when
// there is no transport-cc (whose per-packet loss is better).
//
// Constants:
// - StreamTimeoutUs 2 s (kStreamTimeOut): after 2 s without feedback the delay history is stale (the
//   path may have changed), so the inter-arrival filter and trendline start over.
// - ResultCapacity 2048: packet results of one feedback processed at once; at 10 Mbps in 1200-byte
//   packets that is 2 s of traffic, 20× the 100 ms feedback interval. More are counted as truncated.
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Bwe;

/// <summary>
/// The engine's send-side bandwidth estimator for one transport. Single-threaded (the worker's thread);
/// time is passed in (µs); nothing is allocated after construction.
/// </summary>
public sealed class SendSideBwe
{
    /// <summary>Feedback silence after which the delay-based detector starts over (µs).</summary>
    public const long StreamTimeoutUs = 2_000_000;
    /// <summary>Packet results one feedback can deliver: a Chromium feedback covers 100 ms, ~100 packets at
    /// 10 Mbps; more are counted in History.Truncated (20 KB per transport).</summary>
    public const int ResultCapacity = 512;
    private const long Never = long.MinValue;

    private readonly SendHistory _history = new();
    private readonly PacketResult[] _results = new PacketResult[ResultCapacity];
    private readonly InterArrival _interArrival = new();
    private readonly TrendlineEstimator _trendline = new();
    private readonly AckedBitrateEstimator _acked = new();
    private readonly LossBasedBwe _loss = new();
    private readonly ProbeBitrateEstimator _probeEstimator = new();
    private readonly ProbeController _probes = new();
    private readonly AimdRateControl _aimd;
    private long _minBps;
    private long _maxBps;
    private bool _hasTransportCc;
    private bool _hasRemb;
    private long _rembBps;
    private long _lastFeedbackUs = Never;
    private int _lastDirection;

    /// <summary>Starts at <paramref name="startBps"/> within [<paramref name="minBps"/>, <paramref name="maxBps"/>].</summary>
    public SendSideBwe(long startBps = 600_000, long minBps = 30_000, long maxBps = 10_000_000)
    {
        if (minBps <= 0 || maxBps < minBps) throw new ArgumentOutOfRangeException(nameof(minBps), "0 < min ≤ max");
        _minBps = minBps;
        _maxBps = maxBps;
        _aimd = new AimdRateControl(startBps, minBps, maxBps);
        AvailableBitrateBps = Math.Clamp(startBps, minBps, maxBps);
    }

    /// <summary>min(delay-based, loss-based, REMB) within the bounds (bps).</summary>
    public long AvailableBitrateBps { get; private set; }
    /// <summary>Throughput of acknowledged packets (bps), 0 until measured.</summary>
    public long AckedBitrateBps => _acked.BitrateBps;
    /// <summary>Delay-based detector hypothesis.</summary>
    public BandwidthUsage DelayState => _trendline.State;
    /// <summary>Loss ratio of the last loss update (0..1).</summary>
    public double LossRatio => _loss.LossRatio;
    /// <summary>RTT in use (ms): the last RTCP report's, <see cref="AimdRateControl.DefaultRttMs"/> before.</summary>
    public long RttMs => _aimd.RttMs;
    /// <summary>Id of the probe cluster being sent, −1 when none.</summary>
    public int ActiveProbeClusterId => _probes.ActiveClusterId;
    /// <summary>Last successful probe result (bps), 0 until one succeeded.</summary>
    public long LastProbeResultBps { get; private set; }
    /// <summary>Times <see cref="AvailableBitrateBps"/> changed.</summary>
    public int Changes { get; private set; }
    /// <summary>Times <see cref="AvailableBitrateBps"/> changed direction (up after down or down after up).</summary>
    public int DirectionReversals { get; private set; }

    /// <summary>Delay-based (AIMD) estimate (bps).</summary>
    public long DelayBasedBps => _aimd.EstimateBps;
    /// <summary>Loss-based cap (bps), <see cref="LossBasedBwe.Unlimited"/> when loss does not limit.</summary>
    public long LossBasedBps => _loss.EstimateBps;
    /// <summary>Bytes sent and not yet reported by feedback.</summary>
    public long InFlightBytes => _history.InFlightBytes;
    /// <summary>Delay-based rate controller state.</summary>
    public RateControlState RateControlState => _aimd.State;
    /// <summary>Transport-cc feedbacks that reported at least one known packet.</summary>
    public long Feedbacks { get; private set; }
    /// <summary>The send history (its counters: duplicates, unknown, evicted, truncated).</summary>
    public SendHistory History => _history;

    /// <summary>Records a sent packet (<paramref name="probeClusterId"/> −1 for media, else the cluster
    /// from <see cref="ActiveProbeClusterId"/>).</summary>
    public void OnPacketSent(ushort twccSeq, int sizeBytes, int probeClusterId, long nowUs)
    {
        _history.Add(twccSeq, sizeBytes, nowUs, probeClusterId);
        if (probeClusterId >= 0) _probes.OnProbePacketSent(probeClusterId, sizeBytes, nowUs);
    }

    /// <summary>Processes one transport-cc feedback.</summary>
    public void OnTransportFeedback(in TransportCc feedback, long nowUs)
    {
        int n = _history.ProcessFeedback(feedback, nowUs, _results);
        if (n == 0) return;
        _hasTransportCc = true;
        Feedbacks++;

        // Keep the received ones at the front, sorted by arrival (nearly sorted already: insertion sort).
        int received = 0;
        for (int i = 0; i < n; i++)
        {
            var r = _results[i];
            if (!r.Received) continue;
            int j = received++;
            while (j > 0 && _results[j - 1].ArrivalUs > r.ArrivalUs)
            {
                _results[j] = _results[j - 1];
                j--;
            }
            _results[j] = r;
        }
        _loss.OnPacketsReported(n, n - received, UpperBps(), nowUs, _acked.BitrateBps);
        if (received == 0)
        {
            Recompute();
            return;
        }

        var packets = _results.AsSpan(0, received);
        foreach (ref readonly var r in packets) _acked.Update(r.ArrivalUs, r.Size);
        long acked = _acked.BitrateBps;

        foreach (ref readonly var r in packets)
            if (r.ProbeClusterId >= 0) _probeEstimator.HandleProbe(r, _probes.ClusterBytes(r.ProbeClusterId));
        long probe = _probeEstimator.FetchAndResetLastEstimate();
        if (probe > 0) LastProbeResultBps = probe;

        if (_lastFeedbackUs == Never || nowUs - _lastFeedbackUs > StreamTimeoutUs)
        {
            _interArrival.Reset();
            _trendline.Reset();
        }
        _lastFeedbackUs = nowUs;
        foreach (ref readonly var r in packets)
        {
            if (_interArrival.ComputeDeltas(r.SendUs, r.ArrivalUs, nowUs, r.Size, out double sendMs, out double recvMs, out _))
                _trendline.Update(recvMs, sendMs, r.ArrivalUs / 1000.0);
        }

        UpdateDelayBased(acked, probe, nowUs);
        Recompute();
    }

    /// <summary>Receiver's estimate: alone when there is no transport-cc, else an upper bound.</summary>
    public void OnRemb(long bitrateBps, long nowUs)
    {
        _hasRemb = true;
        _rembBps = Math.Max(0, bitrateBps);
        Recompute();
    }

    /// <summary>An RTCP report block: RTT for the rate controllers; fraction lost (Q8) for the loss cap
    /// when there is no transport-cc.</summary>
    public void OnReportBlock(byte fractionLost, long rttMs, long nowUs)
    {
        if (rttMs > 0)
        {
            _aimd.SetRtt(rttMs);
            _loss.SetRtt(rttMs);
        }
        if (!_hasTransportCc) _loss.OnLossRatio(fractionLost / 256.0, UpperBps(), nowUs);
        Recompute();
    }

    /// <summary>setMinOutgoingBitrate / setMaxOutgoingBitrate.</summary>
    public void SetBounds(long minBps, long maxBps)
    {
        _aimd.SetBounds(minBps, maxBps);
        _minBps = minBps;
        _maxBps = maxBps;
        Recompute();
    }

    /// <summary>Starts a probe cluster at <paramref name="targetBps"/> (capped by the max). Returns its id,
    /// or −1 when a probe is active, the last ended under <see cref="ProbeController.MinGapUs"/> ago, or
    /// the target is not above the current estimate.</summary>
    public int StartProbe(long targetBps, long nowUs)
    {
        long target = Math.Min(targetBps, _maxBps);
        if (target <= AvailableBitrateBps) return -1;
        return _probes.Start(target, nowUs);
    }

    /// <summary>Bytes of probe padding to send now; send packets of ≤ 255 padding bytes, each reported
    /// with <see cref="OnPacketSent"/> and <see cref="ActiveProbeClusterId"/>.</summary>
    public int PaddingBytesDue(long nowUs) => _probes.PaddingBytesDue(nowUs);

    private void UpdateDelayBased(long ackedBps, long probeBps, long nowUs)
    {
        var state = _trendline.State;
        if (state == BandwidthUsage.Overusing)
        {
            if (ackedBps > 0)
            {
                if (_aimd.TimeToReduceFurther(nowUs, ackedBps)) _aimd.Update(state, ackedBps, nowUs);
            }
            else if (_aimd.InitialTimeToReduceFurther(nowUs))
            {
                _aimd.SetEstimate(_aimd.EstimateBps / 2, nowUs); // no throughput yet: halve
            }
        }
        else if (probeBps > _aimd.EstimateBps)
        {
            _aimd.SetEstimate(probeBps, nowUs);
            _loss.Release();
        }
        else
        {
            _aimd.Update(state, ackedBps, nowUs);
            // A probe that got through at more than the loss cap proves that rate (libwebrtc's SetSendBitrate):
            // after a loss burst on a shallow queue the delay-based estimate may sit far above the cap, so
            // "above the delay-based" alone would leave the cap to creep back at 8 %/s.
            if (probeBps > 0) _loss.RaiseTo(probeBps, UpperBps(), nowUs);
        }
    }

    // The limit the loss cap works under: delay-based (when it has evidence), REMB, max.
    private long UpperBps()
    {
        long upper = _maxBps;
        if (_hasTransportCc || !_hasRemb) upper = Math.Min(upper, _aimd.EstimateBps);
        if (_hasRemb) upper = Math.Min(upper, _rembBps);
        return upper;
    }

    private void Recompute()
    {
        long next = Math.Clamp(Math.Min(UpperBps(), _loss.EstimateBps), _minBps, _maxBps);
        long prev = AvailableBitrateBps;
        if (next == prev) return;
        int direction = next > prev ? 1 : -1;
        if (_lastDirection != 0 && direction != _lastDirection) DirectionReversals++;
        _lastDirection = direction;
        Changes++;
        AvailableBitrateBps = next;
    }
}
