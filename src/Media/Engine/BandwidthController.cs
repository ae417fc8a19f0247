using AkkaSfu.Media.Bwe;
using AkkaSfu.Media.Layers;
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Engine;

/// <summary>One transport's outgoing bandwidth: the send-side estimate from the endpoint's transport-cc
/// feedback (or its REMB), the allocation of that estimate to the transport's consumers (every second, and at
/// once when the estimate drops), probing for headroom before consumers may go up, and the "bwe" news for
/// the owner (mediasoup-demo's downlinkBwe). Until the endpoint has sent feedback nothing is limited.</summary>
internal sealed class BandwidthController
{
    /// <summary>Allocation period while the estimate holds.</summary>
    public const int AllocationIntervalMs = 1000;
    /// <summary>A drop of the estimate by this factor since the last allocation re-allocates at once.</summary>
    public const double DropFactor = 0.85;
    /// <summary>After a consumer went down, none goes up for this long (up cautiously).</summary>
    public const int UpHoldMs = 3000;
    /// <summary>First wait between probes; doubled after each probe that found no headroom, up to the max.</summary>
    public const int ProbeIntervalMs = 1500, MaxProbeIntervalMs = 4000;
    /// <summary>A spatial up move undone by a spatial down move this soon failed: the estimate overstated the
    /// link (a probe through a token bucket passes at line rate while the bucket lasts).</summary>
    public const int FailedUpWindowMs = 3000;
    /// <summary>After a failed up move the allocation stays under what failed for this long, doubled after each
    /// further failure up to the max, back to the first after an up move that held.</summary>
    public const int CeilingHoldMs = 4000, MaxCeilingHoldMs = 12000;
    /// <summary>Estimate before any feedback: libwebrtc's start bitrate order of magnitude.</summary>
    public const long StartBitrate = 1_000_000;
    /// <summary>Per-datagram bytes on the wire that the RTP length does not show: IPv4 + UDP headers and the
    /// SRTP auth tag (GCM's 16 bytes; AES-CM's 10).</summary>
    public const int WireOverhead = 20 + 8 + 16;

    /// <summary>Share of the estimate that retransmissions may use over the last second (libwebrtc limits them
    /// to the target rate, but its pacer spreads them; we send at once). Without a limit, the NACKs of a
    /// downlink that just fell below the stream (hundreds of lost 1,200-byte packets) were answered in a
    /// burst of ~2 Mbit into a 300 kbps link, and the loss that followed froze the viewer for seconds.</summary>
    public const double RetransmissionShare = 0.5;

    private readonly Transport _transport;
    private readonly Feedback.RateCalculator _retransmitted = new();
    private readonly List<LayerDemand> _demands = new();
    private readonly List<Consumer> _consumers = new();
    private readonly List<LayerDemand> _sorted = new();
    private SendSideBwe? _bwe;
    private bool _hasFeedback;
    private long _nextAllocationMs, _allocatedAt, _upHoldUntilMs, _nextProbeMs, _nextEventMs;
    private int _probeIntervalMs = ProbeIntervalMs;
    private long _lastUpMs = long.MinValue, _lastUpAllocated, _ceiling, _ceilingUntilMs;
    private int _ceilingHoldMs = CeilingHoldMs;
    private bool _upJudged = true;
    private long _availableBeforeProbe;
    private int _probeCluster = -1;
    private long _lastEventAvailable, _lastEventDesired;

    public BandwidthController(Transport transport) => _transport = transport;

    /// <summary>True once the endpoint's feedback drives the estimate.</summary>
    public bool IsActive => _hasFeedback;
    public long AvailableBitrate => _hasFeedback ? _bwe!.AvailableBitrateBps : 0;
    /// <summary>What the pacer spreads video over: the estimate, or what was allocated when that is more (every
    /// layered consumer keeps its lowest layer even above the estimate; pacing it slower would only grow the
    /// queue until packets fall out of it).</summary>
    public long PacingBitrate => Math.Max(AvailableBitrate, AllocatedBitrate);
    public long DesiredBitrate { get; private set; }
    public long EffectiveDesiredBitrate { get; private set; }
    public long AllocatedBitrate { get; private set; }
    public SendSideBwe? Estimator => _bwe;
    public int ProbesStarted { get; private set; }
    /// <summary>Up moves undone within <see cref="FailedUpWindowMs"/>.</summary>
    public int FailedUpMoves { get; private set; }

    /// <summary>setMinOutgoingBitrate / setMaxOutgoingBitrate (0 = no bound).</summary>
    public void SetBounds(long minBps, long maxBps)
    {
        (MinOutgoingBitrate, MaxOutgoingBitrate) = (minBps, maxBps);
        _bwe?.SetBounds(MinBound, MaxBound);
    }

    public long MinOutgoingBitrate { get; private set; }
    public long MaxOutgoingBitrate { get; private set; }
    private long MinBound => MinOutgoingBitrate > 0 ? MinOutgoingBitrate : 30_000;
    private long MaxBound => MaxOutgoingBitrate > 0 ? MaxOutgoingBitrate : 100_000_000;

    private SendSideBwe Bwe => _bwe ??= new SendSideBwe(Math.Clamp(StartBitrate, MinBound, MaxBound), MinBound, MaxBound);

    // ---- packet path ---------------------------------------------------------------------------------

    /// <summary>Whether a retransmission of <paramref name="rtpLength"/> bytes fits the budget; counts it when it
    /// does. Unlimited until the estimate is active.</summary>
    public bool AllowRetransmission(int rtpLength, long nowMs)
    {
        if (!_hasFeedback) return true;
        var wire = rtpLength + WireOverhead;
        if (_retransmitted.BitsPerSecond(nowMs) + wire * 8L > _bwe!.AvailableBitrateBps * RetransmissionShare) return false;
        _retransmitted.Add(wire, nowMs);
        return true;
    }

    /// <summary>A packet left with transport-wide sequence number <paramref name="seq"/>.</summary>
    public void OnPacketSent(ushort seq, int rtpLength, int probeCluster, long nowMs)
    {
        if (_transport.Worker.BandwidthEstimation) Bwe.OnPacketSent(seq, rtpLength + WireOverhead, probeCluster, nowMs * 1000);
    }

    public void OnTransportFeedback(in TransportCc feedback, long nowMs)
    {
        if (_bwe is null) return; // feedback for packets we never sent
        _bwe.OnTransportFeedback(feedback, nowMs * 1000);
        Activate(nowMs);
    }

    public void OnRemb(long bitrate, long nowMs)
    {
        if (!_transport.Worker.BandwidthEstimation) return;
        Bwe.OnRemb(bitrate, nowMs * 1000);
        Activate(nowMs);
    }

    public void OnReportBlock(byte fractionLost, long rttMs, long nowMs) => _bwe?.OnReportBlock(fractionLost, rttMs, nowMs * 1000);

    private void Activate(long nowMs)
    {
        if (_hasFeedback) return;
        _hasFeedback = true;
        _nextAllocationMs = nowMs; // allocate at the next tick
        _nextProbeMs = nowMs + ProbeIntervalMs;
    }

    // ---- timer ---------------------------------------------------------------------------------------

    /// <summary>Every worker tick: allocate when due (or when the estimate fell), probe, send probe padding.</summary>
    public void Tick(long nowMs)
    {
        if (!_hasFeedback) return;
        var bwe = _bwe!;
        var available = bwe.AvailableBitrateBps;
        if (nowMs >= _nextAllocationMs || available < _allocatedAt * DropFactor) Allocate(available, nowMs);
        var due = bwe.PaddingBytesDue(nowMs * 1000);
        if (due > 0) _transport.SendProbation(due, bwe.ActiveProbeClusterId, nowMs);
    }

    /// <summary>Shares the estimate among the consumers (see <see cref="LayerAllocator"/>); may start a probe.</summary>
    internal void Allocate(long available, long nowMs)
    {
        _nextAllocationMs = nowMs + AllocationIntervalMs;
        _allocatedAt = available;
        _consumers.Clear();
        foreach (var c in _transport.ConsumerValues)
            if (c is not PipeConsumer && !c.IsClosed) _consumers.Add(c);
        while (_demands.Count < _consumers.Count) _demands.Add(new LayerDemand());
        if (_demands.Count > _consumers.Count) _demands.RemoveRange(_consumers.Count, _demands.Count - _consumers.Count);

        var holding = nowMs < _upHoldUntilMs;
        for (var i = 0; i < _consumers.Count; i++)
        {
            var d = _demands[i];
            _consumers[i].FillDemand(d, nowMs);
            (d.DesiredSpatial, d.DesiredTemporal) = (d.MaxSpatial, d.MaxTemporal); // the wish, before the holds below
            // Up one spatial layer per allocation at most, and only from the current one's top temporal layer:
            // a probe can overstate the headroom (a token-bucket link passes a short train at line rate), a
            // spatial switch costs a key frame and a frozen picture until it arrives, while a temporal layer
            // costs nothing to add and to take back. (Without this, 640x360 at 5 fps went to 1280x720 at 5 fps
            // on a 300 kbps link and froze there.)
            if (d.Layered && d.CurrentSpatial >= 0)
            {
                // The top temporal layer the stream really carries (one the encoder leaves out adds no bitrate).
                var topTemporal = Math.Min(d.MaxTemporal, d.TemporalLayers - 1);
                while (topTemporal > 0 && d.Bitrate(d.CurrentSpatial, topTemporal) <= d.Bitrate(d.CurrentSpatial, topTemporal - 1)) topTemporal--;
                var spatialCap = d.CurrentTemporal >= topTemporal ? d.CurrentSpatial + 1 : d.CurrentSpatial;
                if (d.MaxSpatial > spatialCap) d.MaxSpatial = spatialCap;
            }
            if (holding && d.Layered && d.CurrentSpatial >= 0)
            {
                // Up cautiously: while holding, nobody goes above what it forwards.
                if (d.CurrentSpatial < d.MaxSpatial) d.MaxSpatial = d.CurrentSpatial;
                if (d.CurrentSpatial == d.MaxSpatial) d.MaxTemporal = Math.Min(d.MaxTemporal, d.CurrentTemporal);
            }
        }
        var ceilingActive = nowMs < _ceilingUntilMs;
        var result = LayerAllocator.Allocate(_demands, ceilingActive ? Math.Min(available, _ceiling) : available, _sorted);
        // Any move down holds moves up for a while; only spatial moves (a key frame each, a frozen picture until
        // it arrives) are judged failed or not: temporal layers come and go at the budget's edge at no cost.
        bool wentDown = false, spatialDown = false, spatialUp = false;
        for (var i = 0; i < _consumers.Count; i++)
        {
            var d = _demands[i];
            if (d.Layered && d.CurrentSpatial >= 0 && d.Spatial >= 0)
            {
                if (d.Spatial < d.CurrentSpatial || (d.Spatial == d.CurrentSpatial && d.Temporal < d.CurrentTemporal)) wentDown = true;
                if (d.Spatial < d.CurrentSpatial) spatialDown = true;
                else if (d.Spatial > d.CurrentSpatial) spatialUp = true;
            }
            _consumers[i].ApplyAllocation(d, nowMs);
        }
        if (wentDown) _upHoldUntilMs = nowMs + UpHoldMs;
        if (spatialDown)
        {
            if (!_upJudged && nowMs - _lastUpMs <= FailedUpWindowMs)
            {
                // The last up move failed: stay under what it allocated for a while (up cautiously).
                _ceiling = (long)(_lastUpAllocated * 0.95);
                _ceilingUntilMs = nowMs + _ceilingHoldMs;
                _ceilingHoldMs = Math.Min(_ceilingHoldMs * 2, MaxCeilingHoldMs);
                FailedUpMoves++;
            }
            _upJudged = true;
        }
        else if (!_upJudged && nowMs - _lastUpMs > FailedUpWindowMs)
        {
            _upJudged = true; // it held
            _ceilingHoldMs = CeilingHoldMs;
        }
        if (spatialUp)
        {
            _lastUpMs = nowMs;
            _lastUpAllocated = result.Allocated;
            _upJudged = false;
        }
        DesiredBitrate = result.Desired;
        EffectiveDesiredBitrate = MaxOutgoingBitrate > 0 ? Math.Min(result.Desired, MaxOutgoingBitrate) : result.Desired;
        AllocatedBitrate = result.Allocated;
        MaybeProbe(available, nowMs);
        MaybeReport(available, nowMs);
    }

    /// <summary>Someone is below the layers it wants and the estimate is what holds it: probe above the
    /// estimate (mediasoup's probation stream) so a successful probe lifts it at once. A probe that found
    /// nothing doubles the wait for the next one.</summary>
    private void MaybeProbe(long available, long nowMs)
    {
        var bwe = _bwe!;
        if (_probeCluster >= 0 && bwe.ActiveProbeClusterId != _probeCluster)
        {
            // The last probe is over: did it lift the estimate?
            var lifted = available > _availableBeforeProbe * 1.1;
            _probeIntervalMs = lifted ? ProbeIntervalMs : Math.Min(MaxProbeIntervalMs, _probeIntervalMs * 2);
            if (lifted) _nextProbeMs = Math.Min(_nextProbeMs, nowMs + ProbeIntervalMs);
            _probeCluster = -1;
        }
        if (_probeCluster >= 0 || nowMs < _nextProbeMs || !_transport.CanSendProbation) return;
        if (EffectiveDesiredBitrate <= AllocatedBitrate * 1.1 || available >= MaxBound) return;
        // Far below what is wanted: probe at 3x (libwebrtc's first probe); near it: 2x, never past the wish.
        var factor = EffectiveDesiredBitrate > available * 2 ? 3 : 2;
        var target = Math.Min(Math.Min(available * factor, (long)(EffectiveDesiredBitrate * 1.25)), MaxBound);
        if (target <= available * 1.1) return;
        var cluster = bwe.StartProbe(target, nowMs * 1000);
        if (cluster < 0) return;
        ProbesStarted++;
        _probeCluster = cluster;
        _availableBeforeProbe = available;
        _nextProbeMs = nowMs + _probeIntervalMs;
    }

    /// <summary>Tells the owner the transport's bitrates when they moved by 5 %, or every 5 s.</summary>
    private void MaybeReport(long available, long nowMs)
    {
        static bool Moved(long a, long b) => Math.Abs(a - b) > Math.Max(a, b) * 0.05;
        if (nowMs < _nextEventMs && !Moved(available, _lastEventAvailable) && !Moved(DesiredBitrate, _lastEventDesired)) return;
        _nextEventMs = nowMs + 5000;
        (_lastEventAvailable, _lastEventDesired) = (available, DesiredBitrate);
        _transport.Worker.Observer.OnTransportBwe(_transport.Id, new TransportBwe(DesiredBitrate, EffectiveDesiredBitrate, available));
    }
}
