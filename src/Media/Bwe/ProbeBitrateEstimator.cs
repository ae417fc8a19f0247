// Probe result from a cluster's packet results: the packet-train dispersion measurement GCC uses for fast
// ramp-up (draft-ietf-rmcat-gcc-02 leaves probing to the implementation; this is libwebrtc's
// ProbeBitrateEstimator, read, not copied).
//
//   send rate    = (bytes − last sent packet) / (last send − first send)
//   receive rate = (bytes − first received packet) / (last arrival − first arrival), or the same over the
//                  cluster's last third (bytes after TailStart / arrival span after it) when lower: a token
//                  bucket upstream passes the first part of a train at line rate (ours, not libwebrtc's)
//   result       = min(send, receive), or 0.95 × receive when receive < 0.9 × send
//
// The interval between N packets covers N − 1 of them, hence one packet's bytes left out on each side.
//
// Constants:
// - MinReceivedProbes 5 and MinReceivedBytesRatio 0.8: a rate from fewer packets, or from under 80 % of
//   the cluster's bytes, is dominated by the timing of single packets.
// - MaxValidRatio 2: receiving more than twice as fast as sending is impossible for one path; such a
//   cluster was compressed by a burst release upstream and measures nothing.
// - MinRatioForUnsaturatedLink 0.9 and TargetUtilization 0.95: if the link delivered under 90 % of the
//   probe's send rate it was saturated, so the receive rate is the capacity; target 95 % of it so the next
//   seconds do not immediately over-use.
// - MaxProbeIntervalUs 1 s: send or receive spans above 1 s are not a probe burst (stalls, reordering).
// - Clusters are kept 1 s after their last arrival (kMaxClusterHistory) in 4 fixed slots: probes are at
//   least the controller's minimum gap apart, so 4 covers every cluster still reporting.
namespace AkkaSfu.Media.Bwe;

/// <summary>Aggregates probe packet results per cluster and computes the probed rate. Single-threaded.</summary>
public sealed class ProbeBitrateEstimator
{
    /// <summary>Received probe packets needed for a result.</summary>
    public const int MinReceivedProbes = 5;
    /// <summary>Share of the cluster's bytes after which its tail starts (see the file comment).</summary>
    public const double TailStart = 2.0 / 3;
    /// <summary>Share of the cluster's bytes that must be reported received.</summary>
    public const double MinReceivedBytesRatio = 0.8;
    /// <summary>Largest valid receive/send rate ratio.</summary>
    public const double MaxValidRatio = 2.0;
    /// <summary>Receive/send ratio under which the link counts as saturated.</summary>
    public const double MinRatioForUnsaturatedLink = 0.9;
    /// <summary>Share of a saturated receive rate taken as the result.</summary>
    public const double TargetUtilization = 0.95;
    /// <summary>Longest send or receive span of a valid cluster (µs).</summary>
    public const long MaxProbeIntervalUs = 1_000_000;
    /// <summary>How long a cluster is kept after its last arrival (µs).</summary>
    public const long MaxClusterHistoryUs = 1_000_000;
    private const int Slots = 4;

    private struct Cluster
    {
        public int Id; // −1 = free
        public int Count;
        public long FirstSendUs, LastSendUs, FirstArrivalUs, LastArrivalUs;
        public int SizeLastSend, SizeFirstArrival;
        public long SizeTotal;
        public long TailArrivalUs, SizeAtTail; // where TailStart of the cluster's bytes had arrived (0: not yet)
    }

    private readonly Cluster[] _clusters = new Cluster[Slots];
    private long _lastEstimateBps;

    /// <summary>Creates an estimator with no clusters.</summary>
    public ProbeBitrateEstimator()
    {
        for (int i = 0; i < Slots; i++) _clusters[i].Id = -1;
    }

    /// <summary>Clusters that had enough packets but an invalid interval or ratio.</summary>
    public long InvalidResults { get; private set; }

    /// <summary>
    /// Adds one received probe packet of a cluster planned at <paramref name="clusterBytes"/> bytes.
    /// Returns the cluster's rate (bps) when it is complete enough and valid, else 0.
    /// </summary>
    public long HandleProbe(in PacketResult r, long clusterBytes)
    {
        if (!r.Received || r.ProbeClusterId < 0) return 0;
        ref var c = ref Slot(r.ProbeClusterId, r.ArrivalUs);
        if (r.SendUs < c.FirstSendUs) c.FirstSendUs = r.SendUs;
        if (r.SendUs > c.LastSendUs) { c.LastSendUs = r.SendUs; c.SizeLastSend = r.Size; }
        if (r.ArrivalUs < c.FirstArrivalUs) { c.FirstArrivalUs = r.ArrivalUs; c.SizeFirstArrival = r.Size; }
        if (r.ArrivalUs > c.LastArrivalUs) c.LastArrivalUs = r.ArrivalUs;
        c.SizeTotal += r.Size;
        c.Count++;
        if (c.TailArrivalUs == 0 && c.SizeTotal >= TailStart * clusterBytes) (c.TailArrivalUs, c.SizeAtTail) = (r.ArrivalUs, c.SizeTotal);

        if (c.Count < MinReceivedProbes || c.SizeTotal < MinReceivedBytesRatio * clusterBytes) return 0;

        long sendInterval = c.LastSendUs - c.FirstSendUs;
        long receiveInterval = c.LastArrivalUs - c.FirstArrivalUs;
        if (sendInterval <= 0 || sendInterval > MaxProbeIntervalUs || receiveInterval <= 0 || receiveInterval > MaxProbeIntervalUs)
        {
            InvalidResults++;
            return 0;
        }
        double sendBps = (c.SizeTotal - c.SizeLastSend) * 8e6 / sendInterval;
        double receiveBps = (c.SizeTotal - c.SizeFirstArrival) * 8e6 / receiveInterval;
        // The tail alone: a token bucket passes the first part of a train at line rate.
        if (c.TailArrivalUs > 0 && c.LastArrivalUs > c.TailArrivalUs)
            receiveBps = Math.Min(receiveBps, (c.SizeTotal - c.SizeAtTail) * 8e6 / (c.LastArrivalUs - c.TailArrivalUs));
        if (receiveBps > MaxValidRatio * sendBps)
        {
            InvalidResults++;
            return 0;
        }
        double result = Math.Min(sendBps, receiveBps);
        if (receiveBps < MinRatioForUnsaturatedLink * sendBps) result = TargetUtilization * receiveBps;
        _lastEstimateBps = (long)result;
        return _lastEstimateBps;
    }

    /// <summary>The last result since the previous call (0 if none), then forgets it.</summary>
    public long FetchAndResetLastEstimate()
    {
        long v = _lastEstimateBps;
        _lastEstimateBps = 0;
        return v;
    }

    // The cluster's slot; a new cluster takes a free or expired slot, else the stalest one.
    private ref Cluster Slot(int id, long nowUs)
    {
        int pick = -1;
        for (int i = 0; i < Slots; i++)
        {
            if (_clusters[i].Id == id) return ref _clusters[i];
            bool free = _clusters[i].Id < 0 || _clusters[i].LastArrivalUs + MaxClusterHistoryUs < nowUs;
            if (free && pick < 0) pick = i;
        }
        if (pick < 0)
        {
            pick = 0;
            for (int i = 1; i < Slots; i++)
                if (_clusters[i].LastArrivalUs < _clusters[pick].LastArrivalUs) pick = i;
        }
        ref var c = ref _clusters[pick];
        c = new Cluster
        {
            Id = id,
            FirstSendUs = long.MaxValue, LastSendUs = long.MinValue,
            FirstArrivalUs = long.MaxValue, LastArrivalUs = long.MinValue,
        };
        return ref c;
    }
}
