// Receiver-side NACK generation (RFC 4585 §6.2.1 Generic NACK), following mediasoup's NackGenerator:
// a gap in sequence numbers puts the missing seqs on a list; they are NACKed at once, then again every
// max(RTT, MinRetryIntervalMs) until they arrive (via RTX or late), are too old, or have had MaxRetries.
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Feedback;

/// <summary>What <see cref="NackGenerator.ReceivePacket"/> found.</summary>
[Flags]
public enum NackEvent : byte
{
    /// <summary>Nothing to do.</summary>
    None = 0,
    /// <summary>This packet was on the NACK list (it was retransmitted or arrived late).</summary>
    Recovered = 1,
    /// <summary>New missing seqs were added: call <see cref="NackGenerator.CollectNacks"/> now.</summary>
    NacksPending = 2,
    /// <summary>The list overflowed (even after trimming to the last key frame) and was cleared:
    /// request a key frame.</summary>
    KeyFrameRequired = 4,
}

/// <summary>
/// Tracks missing sequence numbers of one received stream and says which to NACK when. Single-threaded;
/// fixed-size arrays allocated once, nothing per packet.
/// <para>Reordering: like mediasoup, the first NACK goes out as soon as a gap is seen, so a packet that is
/// merely reordered by one or two positions causes one needless NACK (the sender then ignores or serves
/// it; the late original removes the seq from the list). Set <see cref="ReorderToleranceMs"/> to delay the
/// first NACK instead.</para>
/// <para>Key frames: <c>isKeyFrame</c> should be true on the first packet of a key frame. A key frame
/// newer than every missing seq makes those seqs useless, so they are dropped
/// (<see cref="ClearOnKeyFrame"/>).</para>
/// </summary>
public sealed class NackGenerator
{
    /// <summary>Seqs older than the newest minus this are dropped from the list (mediasoup: 10000).</summary>
    public const int MaxPacketAge = 10_000;
    /// <summary>Maximum list size (mediasoup: 1000).</summary>
    public const int MaxNackPackets = 1_000;
    /// <summary>NACKs per seq before giving up (mediasoup: 10).</summary>
    public const int MaxRetries = 10;
    /// <summary>Floor of the resend interval in ms.</summary>
    public const int MinRetryIntervalMs = 20;
    /// <summary>RTT assumed when the caller has none (≤ 0).</summary>
    public const int DefaultRttMs = 100;
    private const int MaxKeyFrames = 64;
    private const int MaxRecovered = 256;

    private struct Item { public ushort Seq; public byte Retries; public long CreatedMs; public long SentMs; }

    private readonly Item[] _items = new Item[MaxNackPackets];
    private int _count;
    private readonly ushort[] _keyFrames = new ushort[MaxKeyFrames];
    private int _keyFrameCount;
    private readonly ushort[] _recovered = new ushort[MaxRecovered]; // RTX arrivals newer than _lastSeq
    private int _recoveredCount;
    private bool _started;
    private ushort _lastSeq;

    /// <summary>Delay before a seq's first NACK, to let reordered packets arrive (0 = mediasoup: at once).</summary>
    public int ReorderToleranceMs { get; set; }
    /// <summary>Whether a key frame drops the missing seqs older than it (default true).</summary>
    public bool ClearOnKeyFrame { get; set; } = true;
    /// <summary>Seqs currently missing.</summary>
    public int Count => _count;
    /// <summary>Seqs given up after <see cref="MaxRetries"/> NACKs.</summary>
    public long GaveUp { get; private set; }
    /// <summary>Seqs dropped from the list because they became too old or the list overflowed.</summary>
    public long Evicted { get; private set; }
    /// <summary>Seqs removed because their packet arrived after a NACK was sent or due.</summary>
    public long RecoveredCount { get; private set; }

    /// <summary>Processes one received packet (original or RTX-recovered) of the stream.</summary>
    public NackEvent ReceivePacket(ushort seq, bool isKeyFrame, bool isRecovered, long nowMs)
    {
        if (!_started)
        {
            _started = true;
            _lastSeq = seq;
            if (isKeyFrame) AddKeyFrame(seq);
            return NackEvent.None;
        }
        if (seq == _lastSeq) return NackEvent.None;
        if (SeqNum.IsOlder(seq, _lastSeq))
        {
            // Late or retransmitted packet: if we were waiting for it, it is recovered.
            int i = IndexOf(seq);
            if (i < 0) return NackEvent.None;
            RemoveAt(i);
            RecoveredCount++;
            if (isKeyFrame) AddKeyFrame(seq);
            return NackEvent.Recovered;
        }
        // Newer than anything seen.
        if (isKeyFrame) AddKeyFrame(seq);
        if (isRecovered)
        {
            // An RTX packet newer than the last original (e.g. probing): remember it so the gap that
            // includes it does not NACK it, but do not advance _lastSeq.
            AddRecovered(seq);
            return NackEvent.None;
        }
        var ev = NackEvent.None;
        if (isKeyFrame && ClearOnKeyFrame) RemoveOlderThan(seq, countAsEvicted: false);
        if (!AddMissing((ushort)(_lastSeq + 1), seq, nowMs, ref ev)) ev |= NackEvent.KeyFrameRequired;
        _lastSeq = seq;
        return ev;
    }

    // Adds seqs [from, to) to the list. Returns false when the list had to be cleared.
    private bool AddMissing(ushort from, ushort to, long nowMs, ref NackEvent ev)
    {
        RemoveOlderThan((ushort)(to - MaxPacketAge), countAsEvicted: true);
        RemoveRecoveredOlderThan((ushort)(to - MaxPacketAge));
        int gap = SeqNum.Diff(to, from);
        if (gap <= 0) return true;
        if (_count + gap > MaxNackPackets)
        {
            // Drop everything before the newest key frame that lies on the list's span, like mediasoup.
            for (int k = _keyFrameCount - 1; k >= 0 && _count > 0; k--)
            {
                if (SeqNum.IsNewer(_keyFrames[k], _items[0].Seq)) { RemoveOlderThan(_keyFrames[k], countAsEvicted: true); break; }
            }
            if (_count + gap > MaxNackPackets)
            {
                Evicted += _count;
                _count = 0;
                return false;
            }
        }
        for (int i = 0; i < gap; i++)
        {
            ushort s = (ushort)(from + i);
            if (RemoveRecovered(s)) continue;
            _items[_count++] = new Item { Seq = s, CreatedMs = nowMs, SentMs = 0, Retries = 0 };
            ev |= NackEvent.NacksPending;
        }
        return true;
    }

    /// <summary>
    /// Writes the seqs to NACK now into <paramref name="dst"/> (oldest first) and marks them sent. A seq is
    /// due when never sent (and older than <see cref="ReorderToleranceMs"/>), or when its last NACK is at
    /// least max(<paramref name="rttMs"/>, 20 ms) old. After <see cref="MaxRetries"/> NACKs a seq is
    /// dropped and <paramref name="keyFrameRequired"/> set. Call after <see cref="NackEvent.NacksPending"/>
    /// and on a timer (e.g. every 40 ms). Stops when <paramref name="dst"/> is full.
    /// </summary>
    public int CollectNacks(long nowMs, long rttMs, Span<ushort> dst, out bool keyFrameRequired)
    {
        keyFrameRequired = false;
        long interval = Math.Max(rttMs > 0 ? rttMs : DefaultRttMs, MinRetryIntervalMs);
        int n = 0, w = 0;
        for (int r = 0; r < _count; r++)
        {
            ref var it = ref _items[r];
            bool due = n < dst.Length && (it.Retries == 0
                ? nowMs - it.CreatedMs >= ReorderToleranceMs
                : nowMs - it.SentMs >= interval);
            if (due)
            {
                if (it.Retries >= MaxRetries)
                {
                    GaveUp++;
                    keyFrameRequired = true;
                    continue; // dropped: not copied to w
                }
                dst[n++] = it.Seq;
                it.Retries++;
                it.SentMs = nowMs;
            }
            if (w != r) _items[w] = it;
            w++;
        }
        _count = w;
        return n;
    }

    /// <summary>Forgets everything (e.g. on SSRC change).</summary>
    public void Reset()
    {
        _count = 0; _keyFrameCount = 0; _recoveredCount = 0; _started = false;
    }

    /// <summary>Whether <paramref name="seq"/> is currently missing.</summary>
    public bool IsMissing(ushort seq) => IndexOf(seq) >= 0;

    private int IndexOf(ushort seq)
    {
        // The list is in ascending (wrap-aware) order: binary search on the distance from the first item.
        if (_count == 0) return -1;
        ushort first = _items[0].Seq;
        int target = (ushort)(seq - first);
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            int d = (ushort)(_items[mid].Seq - first);
            if (d == target) return mid;
            if (d < target) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    private void RemoveAt(int i)
    {
        Array.Copy(_items, i + 1, _items, i, _count - i - 1);
        _count--;
    }

    private void RemoveOlderThan(ushort seq, bool countAsEvicted)
    {
        int k = 0;
        while (k < _count && SeqNum.IsOlder(_items[k].Seq, seq)) k++;
        if (k == 0) return;
        if (countAsEvicted) Evicted += k;
        Array.Copy(_items, k, _items, 0, _count - k);
        _count -= k;
        int j = 0;
        while (j < _keyFrameCount && SeqNum.IsOlder(_keyFrames[j], seq)) j++;
        if (j > 0) { Array.Copy(_keyFrames, j, _keyFrames, 0, _keyFrameCount - j); _keyFrameCount -= j; }
    }

    private void AddKeyFrame(ushort seq)
    {
        // Kept ascending; usually appended at the end.
        if (_keyFrameCount == MaxKeyFrames) { Array.Copy(_keyFrames, 1, _keyFrames, 0, --_keyFrameCount); }
        int i = _keyFrameCount;
        while (i > 0 && SeqNum.IsNewer(_keyFrames[i - 1], seq)) i--;
        if (i > 0 && _keyFrames[i - 1] == seq) return;
        Array.Copy(_keyFrames, i, _keyFrames, i + 1, _keyFrameCount - i);
        _keyFrames[i] = seq;
        _keyFrameCount++;
    }

    private void AddRecovered(ushort seq)
    {
        for (int i = 0; i < _recoveredCount; i++) if (_recovered[i] == seq) return;
        if (_recoveredCount == MaxRecovered) { Array.Copy(_recovered, 1, _recovered, 0, --_recoveredCount); }
        _recovered[_recoveredCount++] = seq;
    }

    private bool RemoveRecovered(ushort seq)
    {
        for (int i = 0; i < _recoveredCount; i++)
        {
            if (_recovered[i] != seq) continue;
            Array.Copy(_recovered, i + 1, _recovered, i, _recoveredCount - i - 1);
            _recoveredCount--;
            return true;
        }
        return false;
    }

    private void RemoveRecoveredOlderThan(ushort seq)
    {
        int w = 0;
        for (int r = 0; r < _recoveredCount; r++)
            if (!SeqNum.IsOlder(_recovered[r], seq)) _recovered[w++] = _recovered[r];
        _recoveredCount = w;
    }
}
