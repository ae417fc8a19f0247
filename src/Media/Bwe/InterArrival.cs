// Inter-arrival filter of draft-ietf-rmcat-gcc-02 §5.2 ("Arrival-time model"): packets are grouped by
// send time, and the delay variation d(i) = t(i) − t(i−1) − (T(i) − T(i−1)) is taken between the last
// packets of consecutive groups. Modelled on libwebrtc's InterArrivalDelta (goog_cc), read, not copied.
//
// Constants:
// - GroupLengthUs 5 ms (libwebrtc kSendTimeGroupLength): a paced sender emits a video frame as a burst of a
//   few ms; grouping them compares whole bursts, so pacer jitter inside a burst is not read as queueing.
// - BurstDeltaThresholdUs 5 ms and MaxBurstDurationUs 100 ms (kBurstDeltaThreshold, kMaxBurstDuration):
//   a packet that arrives within 5 ms of the group's last one with a negative propagation delta belongs to
//   the same burst (it was delayed and then released together, e.g. by Wi-Fi aggregation), but no burst
//   may span more than 100 ms of arrival time.
// - ArrivalTimeOffsetThresholdUs 3 s (kArrivalTimeOffsetThreshold): if the arrival clock jumps by more
//   than the local clock between two groups, the remote clock was reset; start over.
// - ReorderedResetThreshold 3 (kReorderedResetThreshold): three groups in a row arriving before their
//   predecessor mean the timestamps are not trustworthy; start over.
namespace AkkaSfu.Media.Bwe;

/// <summary>Groups packets into send bursts and yields the deltas between consecutive complete groups.
/// Feed packets in arrival order. Single-threaded, no allocation.</summary>
public sealed class InterArrival
{
    /// <summary>Send-time length of a group.</summary>
    public const long GroupLengthUs = 5_000;
    /// <summary>Arrival gap under which a packet with negative propagation delta joins the burst.</summary>
    public const long BurstDeltaThresholdUs = 5_000;
    /// <summary>Longest arrival span of one burst.</summary>
    public const long MaxBurstDurationUs = 100_000;
    /// <summary>Arrival-vs-local clock jump that resets the filter.</summary>
    public const long ArrivalTimeOffsetThresholdUs = 3_000_000;
    /// <summary>Consecutive reordered groups that reset the filter.</summary>
    public const int ReorderedResetThreshold = 3;

    private const long None = long.MinValue;

    private struct Group
    {
        public long FirstSendUs;   // None = no packet yet
        public long SendUs;        // latest send time in the group
        public long FirstArrivalUs;
        public long CompleteUs;    // arrival of the group's last packet
        public long LastSystemUs;
        public long Size;

        public static Group New => new() { FirstSendUs = None, CompleteUs = None };
        public readonly bool IsEmpty => FirstSendUs == None;
    }

    private Group _current = Group.New;
    private Group _previous = Group.New;
    private int _consecutiveReordered;

    /// <summary>Packets ignored because they were sent before the current group began.</summary>
    public long ReorderedPackets { get; private set; }
    /// <summary>Times the filter started over (clock jump or persistent reordering).</summary>
    public long Resets { get; private set; }

    /// <summary>
    /// Adds one received packet (send time, remote arrival time, local time the feedback was handled).
    /// Returns true when it closed a group and a delta between the two previous complete groups is ready.
    /// </summary>
    public bool ComputeDeltas(long sendUs, long arrivalUs, long systemUs, int size,
        out double sendDeltaMs, out double arrivalDeltaMs, out int sizeDelta)
    {
        sendDeltaMs = 0;
        arrivalDeltaMs = 0;
        sizeDelta = 0;
        bool calculated = false;
        if (_current.IsEmpty)
        {
            _current.SendUs = sendUs;
            _current.FirstSendUs = sendUs;
            _current.FirstArrivalUs = arrivalUs;
        }
        else if (_current.FirstSendUs > sendUs)
        {
            ReorderedPackets++;
            return false;
        }
        else if (NewGroup(arrivalUs, sendUs))
        {
            if (_previous.CompleteUs != None)
            {
                long send = _current.SendUs - _previous.SendUs;
                long arrival = _current.CompleteUs - _previous.CompleteUs;
                long system = _current.LastSystemUs - _previous.LastSystemUs;
                if (arrival - system >= ArrivalTimeOffsetThresholdUs)
                {
                    Reset();
                    Resets++;
                    return false;
                }
                if (arrival < 0)
                {
                    // The group was reordered after it got its arrival stamps.
                    if (++_consecutiveReordered >= ReorderedResetThreshold)
                    {
                        Reset();
                        Resets++;
                    }
                    return false;
                }
                _consecutiveReordered = 0;
                sendDeltaMs = send / 1000.0;
                arrivalDeltaMs = arrival / 1000.0;
                sizeDelta = (int)(_current.Size - _previous.Size);
                calculated = true;
            }
            _previous = _current;
            _current.FirstSendUs = sendUs;
            _current.SendUs = sendUs;
            _current.FirstArrivalUs = arrivalUs;
            _current.Size = 0;
        }
        else
        {
            _current.SendUs = Math.Max(_current.SendUs, sendUs);
        }
        _current.Size += size;
        _current.CompleteUs = arrivalUs;
        _current.LastSystemUs = systemUs;
        return calculated;
    }

    /// <summary>Forgets both groups.</summary>
    public void Reset()
    {
        _consecutiveReordered = 0;
        _current = Group.New;
        _previous = Group.New;
    }

    private bool NewGroup(long arrivalUs, long sendUs)
    {
        if (BelongsToBurst(arrivalUs, sendUs)) return false;
        return sendUs - _current.FirstSendUs > GroupLengthUs;
    }

    private bool BelongsToBurst(long arrivalUs, long sendUs)
    {
        long arrivalDelta = arrivalUs - _current.CompleteUs;
        long sendDelta = sendUs - _current.SendUs;
        if (sendDelta == 0) return true;
        long propagationDelta = arrivalDelta - sendDelta;
        return propagationDelta < 0 && arrivalDelta <= BurstDeltaThresholdUs
            && arrivalUs - _current.FirstArrivalUs < MaxBurstDurationUs;
    }
}
