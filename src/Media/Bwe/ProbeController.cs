// Probe clusters on request: the sending half of GCC's packet-train probing (libwebrtc ProbeController +
// BitrateProber, read, not copied). A cluster is a short burst of padding sent at the target rate; its
// packets carry the cluster id, and ProbeBitrateEstimator measures the rate the path delivered.
//
// Pacing: at time t after the cluster started the caller may have sent target × t + one packet of bytes;
// PaddingBytesDue returns what is left of that budget (never more than the cluster still needs). The extra
// packet lets the first one go at once. The caller sends RTP padding packets of ≤ 255 padding bytes
// (RFC 3550 §5.1: the count is one octet) and reports each with OnPacketSent; their full size counts.
//
// Constants:
// - ProbeDurationUs 30 ms: libwebrtc uses ≥ 15 ms; at 30 ms the 250 µs transport-cc arrival resolution
//   is < 1 % of the span and one interleaved 1200-byte media packet (3.2 ms at 3 Mbps) ~10 %, while the
//   queue a too-high probe builds stays under ~30 ms × (1 − capacity/target).
// - MinClusterBytes 12 KB (if that takes at most MaxProbeDurationUs 300 ms at the target): a token-bucket
//   bottleneck (tc tbf, a policer) passes its burst at line rate, so a 30 ms train that fits the bucket
//   measures the line, not the link: behind a 300 kbps tbf with a 6 KB bucket, 30 ms probes read 500 kbps
//   to 1.2 Mbps, and every up move they allowed failed. The estimator measures the train's second half,
//   which arrives at the link's rate once 12 KB have drained the bucket.
// - MinProbePackets 5: the estimator needs 5 received packets, so a cluster is never smaller than
//   5 × 255 bytes even at low targets.
// - MinGapUs 1 s: the result of a probe arrives ~1 RTT + one feedback interval after its last packet and
//   the estimator keeps a cluster 1 s; probing again sooner would measure two overlapping trains.
// - MaxClusterLifetimeUs 1 s: a cluster the caller stopped feeding (no padding sent) is abandoned, so
//   ActiveClusterId does not stay set forever.
namespace AkkaSfu.Media.Bwe;

/// <summary>Starts and paces probe clusters, one at a time. Single-threaded; rates in bps, times in µs.</summary>
public sealed class ProbeController
{
    /// <summary>Duration of a cluster at its target rate (µs).</summary>
    public const long ProbeDurationUs = 30_000;
    /// <summary>Bytes a cluster carries at least, as long as that takes no more than
    /// <see cref="MaxProbeDurationUs"/> at its target: more than a token bucket's burst.</summary>
    public const long MinClusterBytes = 12_000;
    /// <summary>Longest a cluster may last to reach <see cref="MinClusterBytes"/> (µs).</summary>
    public const long MaxProbeDurationUs = 300_000;
    /// <summary>Fewest packets of a cluster (when each carries the maximum padding).</summary>
    public const int MinProbePackets = 5;
    /// <summary>Most padding bytes one RTP packet carries.</summary>
    public const int MaxPaddingPerPacket = 255;
    /// <summary>Minimum time from the end of one cluster to the start of the next (µs).</summary>
    public const long MinGapUs = 1_000_000;
    /// <summary>Time after which an unfinished cluster is abandoned (µs).</summary>
    public const long MaxClusterLifetimeUs = 1_000_000;
    private const int Remembered = 4;
    private const long Never = long.MinValue;

    private readonly int[] _ids = new int[Remembered];
    private readonly long[] _bytes = new long[Remembered];
    private int _nextId;
    private long _targetBps;
    private long _startUs;
    private long _clusterBytes;
    private long _sentBytes;
    private long _lastEndUs = Never;

    /// <summary>Creates a controller with no cluster.</summary>
    public ProbeController()
    {
        Array.Fill(_ids, -1);
    }

    /// <summary>Id of the cluster being sent, −1 when none.</summary>
    public int ActiveClusterId { get; private set; } = -1;
    /// <summary>Clusters started.</summary>
    public long Started { get; private set; }
    /// <summary>Clusters abandoned unfinished.</summary>
    public long Abandoned { get; private set; }

    /// <summary>Starts a cluster at <paramref name="targetBps"/>. Returns its id, or −1 when one is active,
    /// the last ended less than <see cref="MinGapUs"/> ago, or the target is not positive.</summary>
    public int Start(long targetBps, long nowUs)
    {
        ExpireActive(nowUs);
        if (targetBps <= 0 || ActiveClusterId >= 0) return -1;
        if (_lastEndUs != Never && nowUs - _lastEndUs < MinGapUs) return -1;
        int id = _nextId;
        _nextId = _nextId == int.MaxValue ? 0 : _nextId + 1;
        _targetBps = targetBps;
        _startUs = nowUs;
        var trainBytes = Math.Min(MinClusterBytes, targetBps * MaxProbeDurationUs / 8_000_000);
        _clusterBytes = Math.Max(Math.Max(targetBps * ProbeDurationUs / 8_000_000, trainBytes), MinProbePackets * MaxPaddingPerPacket);
        _sentBytes = 0;
        ActiveClusterId = id;
        _ids[id % Remembered] = id;
        _bytes[id % Remembered] = _clusterBytes;
        Started++;
        return id;
    }

    /// <summary>Bytes of probe padding the caller should send now (0 when no cluster is active).</summary>
    public int PaddingBytesDue(long nowUs)
    {
        ExpireActive(nowUs);
        if (ActiveClusterId < 0) return 0;
        long budget = _targetBps * (nowUs - _startUs) / 8_000_000 + MaxPaddingPerPacket - _sentBytes;
        budget = Math.Min(budget, _clusterBytes - _sentBytes);
        return (int)Math.Max(0, budget);
    }

    /// <summary>Counts a sent probe packet; the cluster ends once its bytes are sent.</summary>
    public void OnProbePacketSent(int clusterId, int sizeBytes, long nowUs)
    {
        if (clusterId != ActiveClusterId || clusterId < 0) return;
        _sentBytes += sizeBytes;
        if (_sentBytes >= _clusterBytes)
        {
            ActiveClusterId = -1;
            _lastEndUs = nowUs;
        }
    }

    /// <summary>Planned bytes of a recent cluster (0 when it is not remembered).</summary>
    public long ClusterBytes(int clusterId)
        => clusterId >= 0 && _ids[clusterId % Remembered] == clusterId ? _bytes[clusterId % Remembered] : 0;

    private void ExpireActive(long nowUs)
    {
        if (ActiveClusterId < 0 || nowUs - _startUs < MaxClusterLifetimeUs) return;
        ActiveClusterId = -1;
        _lastEndUs = nowUs;
        Abandoned++;
    }
}
