// Key frame requests towards a producer (PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1), after mediasoup's
// KeyFrameRequestManager: one request per SSRC, then wait; while waiting, new needs are absorbed; if no
// key frame arrives within the wait, request again (a PLI can be lost too).
namespace AkkaSfu.Media.Feedback;

/// <summary>
/// Rate-limits PLI/FIR per media SSRC and keeps the FIR command sequence numbers. Single-threaded; state
/// per SSRC lives in a small array (a producer has a handful of SSRCs), nothing allocated per call once
/// the SSRCs are known.
/// </summary>
public sealed class KeyFrameRequestManager
{
    private struct Entry
    {
        public uint Ssrc;
        public bool Pending;
        public long SentMs;
        public int Retries;
        public byte FirSeq;
    }

    private Entry[] _entries = new Entry[4];
    private int _count;

    /// <summary>Creates a manager. <paramref name="waitMs"/>: how long to wait for a key frame before
    /// requesting again (mediasoup: 1000); <paramref name="maxRetries"/>: repeated requests before giving
    /// up on an unanswered need (a later <see cref="KeyFrameNeeded"/> starts over).</summary>
    public KeyFrameRequestManager(int waitMs = 1000, int maxRetries = 3)
    {
        if (waitMs <= 0) throw new ArgumentOutOfRangeException(nameof(waitMs));
        if (maxRetries < 0) throw new ArgumentOutOfRangeException(nameof(maxRetries));
        WaitMs = waitMs;
        MaxRetries = maxRetries;
    }

    /// <summary>Wait before a retry, in ms.</summary>
    public int WaitMs { get; }
    /// <summary>Retries per need.</summary>
    public int MaxRetries { get; }
    /// <summary>Needs absorbed because a request for the SSRC was already in flight.</summary>
    public long Suppressed { get; private set; }

    /// <summary>A consumer (or the NACK generator) needs a key frame of <paramref name="ssrc"/>. Returns
    /// true when a PLI/FIR should be sent now; false when one is already outstanding for this SSRC.</summary>
    public bool KeyFrameNeeded(uint ssrc, long nowMs)
    {
        ref var e = ref Get(ssrc);
        if (e.Pending) { Suppressed++; return false; }
        e.Pending = true;
        e.SentMs = nowMs;
        e.Retries = 0;
        return true;
    }

    /// <summary>A key frame of <paramref name="ssrc"/> arrived: stop waiting.</summary>
    public void KeyFrameReceived(uint ssrc)
    {
        int i = IndexOf(ssrc);
        if (i >= 0) _entries[i].Pending = false;
    }

    /// <summary>Whether a request for <paramref name="ssrc"/> is outstanding.</summary>
    public bool IsPending(uint ssrc)
    {
        int i = IndexOf(ssrc);
        return i >= 0 && _entries[i].Pending;
    }

    /// <summary>Writes into <paramref name="retry"/> the SSRCs whose wait expired without a key frame
    /// (send PLI/FIR again for each) and returns how many. An SSRC that has used up its retries is
    /// dropped silently. Call every ~100 ms or so.</summary>
    public int Tick(long nowMs, Span<uint> retry)
    {
        int n = 0;
        for (int i = 0; i < _count; i++)
        {
            ref var e = ref _entries[i];
            if (!e.Pending || nowMs - e.SentMs < WaitMs) continue;
            if (e.Retries >= MaxRetries) { e.Pending = false; continue; }
            if (n == retry.Length) break;
            e.Retries++;
            e.SentMs = nowMs;
            retry[n++] = e.Ssrc;
        }
        return n;
    }

    /// <summary>Next FIR command sequence number for <paramref name="ssrc"/> (RFC 5104 §4.3.1.1: incremented
    /// for each new request, not for repetitions of the same one). Starts at 0 and wraps at 256.</summary>
    public byte NextFirSequence(uint ssrc)
    {
        ref var e = ref Get(ssrc);
        return e.FirSeq++;
    }

    /// <summary>Forgets <paramref name="ssrc"/> (the producer's stream went away).</summary>
    public void Remove(uint ssrc)
    {
        int i = IndexOf(ssrc);
        if (i < 0) return;
        _entries[i] = _entries[--_count];
    }

    private int IndexOf(uint ssrc)
    {
        for (int i = 0; i < _count; i++) if (_entries[i].Ssrc == ssrc) return i;
        return -1;
    }

    private ref Entry Get(uint ssrc)
    {
        int i = IndexOf(ssrc);
        if (i >= 0) return ref _entries[i];
        if (_count == _entries.Length) Array.Resize(ref _entries, _count * 2);
        _entries[_count] = new Entry { Ssrc = ssrc };
        return ref _entries[_count++];
    }
}
