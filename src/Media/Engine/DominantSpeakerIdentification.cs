// Dominant speaker identification: I. Volfin and I. Cohen, "Dominant Speaker Identification for Multipoint
// Videoconferencing", Computer Speech & Language 27(4), 2013 — as Jitsi's DominantSpeakerIdentification and
// mediasoup's ActiveSpeakerObserver run it on RFC 6464 §3 ssrc-audio-level values instead of sub-band energies.
//
// Per speaker, every 20 ms frame holds one level (0 = silence .. 127 = 0 dBov; the RFC's -dBov inverted).
// Levels below the speaker's own noise floor (+1 sub-unit) count as silence, so speakers with different
// background noise compete on equal terms. Three time scales over the last second (50 frames):
//   immediate: the latest frame, quantised into N1 = 13 sub-units (0..12)
//   medium:    blocks of N2 = 5 frames (100 ms); a block's value = frames whose sub-unit > 7
//   long:      N3 = 10 medium blocks (1 s); value = blocks with more than 4 active frames
// each scored as a binomial/exponential likelihood of speech. A challenger replaces the dominant speaker
// only if log(challenger / dominant) exceeds 3, 2 and 0 on the three scales at once; several challengers
// compete on the medium scale. Silence never makes a change: the last dominant speaker stays.
namespace AkkaSfu.Media.Engine;

/// <summary>The dominant speaker among a set of audio speakers, decided from their RFC 6464 audio levels.
/// Single-threaded; time is passed in. Feeding a level (<see cref="Speaker.OnLevel"/>) is an array write;
/// <see cref="Decide"/> runs one decision round (mediasoup: every 300 ms).</summary>
public sealed class DominantSpeakerIdentification
{
    // Thresholds of the global decision (relative speech activity, natural log) per time scale.
    private const double C1 = 3, C2 = 2, C3 = 0;
    private const int N1 = 13, N2 = 5, N3 = 10;
    private const int MediumThreshold = 7;   // a frame is active when its sub-unit is > 7 (level ≥ 80)
    private const int LongThreshold = 4;     // a 100 ms block is active when all 5 of its frames are
    private const int MaxLevel = 127, MinLevel = 0;
    private const int SubunitLength = (MaxLevel - MinLevel + N1 - 1) / N1; // 10
    private const int FrameCount = N3 * N2;  // 50 frames of 20 ms: the last second
    private const int MinLevelWindow = 15 * 1000 / FrameMs;
    private const double MinActivityScore = 1e-10;

    /// <summary>One level per frame of this length; a packet after a longer gap fills the missed frames.</summary>
    public const int FrameMs = 20;

    /// <summary>A speaker that sent no level for this long gets a silent frame at the next decision.</summary>
    public const int LevelIdleTimeoutMs = 40;

    /// <summary>A speaker (other than the dominant one) silent for this long cannot challenge until it sends again.</summary>
    public const long SpeakerIdleTimeoutMs = 60 * 60 * 1000;

    private readonly List<Speaker> _speakers = [];
    private long _lastIdleCheckMs = -1;

    /// <summary>The current dominant speaker's id, or null before the first decision.</summary>
    public string? Dominant => DominantSpeaker?.Id;

    public Speaker? DominantSpeaker { get; private set; }

    public IReadOnlyList<Speaker> Speakers => _speakers;

    /// <summary>Adds a speaker (no level history). Throws on a duplicate id (a setup bug).</summary>
    public Speaker Add(string id)
    {
        if (Find(id) is not null) throw new InvalidOperationException($"speaker already added [id:{id}]");
        var speaker = new Speaker(id);
        _speakers.Add(speaker);
        return speaker;
    }

    /// <summary>Removes a speaker. If it was dominant there is none until the next <see cref="Decide"/>.</summary>
    public bool Remove(string id)
    {
        var i = _speakers.FindIndex(s => s.Id == id);
        if (i < 0) return false;
        if (DominantSpeaker == _speakers[i]) DominantSpeaker = null;
        _speakers.RemoveAt(i);
        return true;
    }

    public Speaker? Find(string id)
    {
        foreach (var s in _speakers) if (s.Id == id) return s;
        return null;
    }

    /// <summary>One decision round: silent frames for speakers that stopped sending, then the global decision.
    /// Returns true when the dominant speaker changed (it is then <see cref="Dominant"/>).</summary>
    public bool Decide(long nowMs)
    {
        if (_lastIdleCheckMs < 0 || nowMs - _lastIdleCheckMs >= LevelIdleTimeoutMs)
        {
            if (_lastIdleCheckMs >= 0) TimeOutIdleLevels(nowMs);
            _lastIdleCheckMs = nowMs;
        }
        return _speakers.Count > 0 && DecideDominant(nowMs);
    }

    private void TimeOutIdleLevels(long nowMs)
    {
        foreach (var s in _speakers)
        {
            if (s.LastLevelMs < 0) { s.LastLevelMs = nowMs; continue; } // never heard: count from now
            if (nowMs - s.LastLevelMs > LevelIdleTimeoutMs) s.Push(MinLevel, nowMs);
        }
    }

    private bool DecideDominant(long nowMs)
    {
        Speaker? next;
        if (_speakers.Count == 1)
        {
            next = _speakers[0]; // alone: surely dominant
        }
        else
        {
            // No dominant speaker yet: nominate the first one, and let the others challenge it.
            var dominant = DominantSpeaker;
            next = dominant is null ? _speakers[0] : null;
            dominant ??= _speakers[0];
            dominant.EvaluateScores();
            var bestC2 = C2;
            foreach (var s in _speakers)
            {
                if (s == dominant || s.Paused || (nowMs - s.LastLevelMs > SpeakerIdleTimeoutMs && s.LastLevelMs >= 0)) continue;
                s.EvaluateScores();
                var c1 = Math.Log(s.ImmediateScore / dominant.ImmediateScore);
                var c2 = Math.Log(s.MediumScore / dominant.MediumScore);
                var c3 = Math.Log(s.LongScore / dominant.LongScore);
                if (c1 > C1 && c2 > C2 && c3 > C3 && c2 > bestC2)
                {
                    bestC2 = c2;
                    next = s;
                }
            }
        }
        if (next is null || next == DominantSpeaker) return false;
        DominantSpeaker = next;
        return true;
    }

    /// <summary>ln C(n, r) + r ln p + (n − r) ln(1 − p) − ln λ + λ r, at least <see cref="MinActivityScore"/>.</summary>
    internal static double ActivityScore(int active, int n, double p, double lambda)
    {
        var score = Math.Log(Binomial(n, active)) + active * Math.Log(p) + (n - active) * Math.Log(1 - p)
            - Math.Log(lambda) + lambda * active;
        return score < MinActivityScore ? MinActivityScore : score;
    }

    private static long Binomial(int n, int r)
    {
        if (r < n - r) r = n - r;
        long t = 1;
        for (long i = n, j = 1; i > r; i--, j++) t = t * i / j;
        return t;
    }

    /// <summary>Counts, per big block, the littles above <paramref name="threshold"/>; true if any changed.</summary>
    private static bool ComputeBigs(byte[] littles, byte[] bigs, int threshold)
    {
        var perBig = littles.Length / bigs.Length;
        var changed = false;
        for (int b = 0, l = 0; b < bigs.Length; b++)
        {
            byte sum = 0;
            for (var end = l + perBig; l < end; l++)
                if (littles[l] > threshold) sum++;
            if (bigs[b] != sum) { bigs[b] = sum; changed = true; }
        }
        return changed;
    }

    /// <summary>One speaker's level history and speech activity scores.</summary>
    public sealed class Speaker
    {
        private readonly byte[] _levels = new byte[FrameCount];     // ring, oldest overwritten
        private int _next;                                         // where the next frame goes
        private readonly byte[] _immediates = new byte[FrameCount]; // newest first
        private readonly byte[] _mediums = new byte[N3];
        private readonly byte[] _longs = new byte[1];
        private int _minLevel = MinLevel, _nextMinLevel = MinLevel, _nextMinLevelWindow;

        internal Speaker(string id) => Id = id;

        public string Id { get; }

        /// <summary>Excluded from challenging the dominant speaker (its producer is paused).</summary>
        public bool Paused { get; set; }

        /// <summary>When the last level (or idle frame) arrived; -1 before any.</summary>
        public long LastLevelMs { get; internal set; } = -1;

        internal double ImmediateScore { get; private set; } = MinActivityScore;
        internal double MediumScore { get; private set; } = MinActivityScore;
        internal double LongScore { get; private set; } = MinActivityScore;

        /// <summary>The speaker's noise floor (0 until known).</summary>
        public int MinLevelSeen => _minLevel;

        /// <summary>An RFC 6464 ssrc-audio-level (0..127 = −dBov; 127 is silence) received at <paramref name="nowMs"/>.</summary>
        public void OnLevel(byte rfc6464Level, long nowMs) => Push(MaxLevel - (rfc6464Level & 0x7F), nowMs);

        /// <summary>A level (0 = silence .. 127 = loudest) for the frame(s) since the last one. Late levels are ignored.</summary>
        internal void Push(int level, long nowMs)
        {
            if (LastLevelMs > nowMs) return;
            var elapsed = LastLevelMs < 0 ? 0 : nowMs - LastLevelMs;
            LastLevelMs = nowMs;
            var b = (byte)Math.Clamp(level, MinLevel, MaxLevel);
            // One level per 20 ms frame: a packet after a gap (ptime > 20, DTX, idle timeout) fills the gap.
            var frames = (int)Math.Clamp(elapsed / FrameMs, 1, FrameCount);
            for (var i = 0; i < frames; i++)
            {
                _levels[_next] = b;
                _next = _next + 1 == FrameCount ? 0 : _next + 1;
            }
            UpdateMinLevel(b);
        }

        /// <summary>Recomputes the scores whose inputs changed since the last evaluation.</summary>
        internal void EvaluateScores()
        {
            if (!ComputeImmediates()) return;
            ImmediateScore = ActivityScore(_immediates[0], N1, 0.5, 0.78);
            if (!ComputeBigs(_immediates, _mediums, MediumThreshold)) return;
            MediumScore = ActivityScore(_mediums[0], N2, 0.5, 24);
            if (!ComputeBigs(_mediums, _longs, LongThreshold)) return;
            LongScore = ActivityScore(_longs[0], N3, 0.5, 47);
        }

        private bool ComputeImmediates()
        {
            // The speaker's own "silence" (its floor plus one sub-unit) becomes absolute silence.
            var floor = _minLevel + SubunitLength;
            var changed = false;
            for (var i = 0; i < FrameCount; i++)
            {
                var at = _next - 1 - i;
                if (at < 0) at += FrameCount;
                int level = _levels[at];
                if (level < floor) level = MinLevel;
                var immediate = (byte)(level / SubunitLength);
                if (_immediates[i] != immediate) { _immediates[i] = immediate; changed = true; }
            }
            return changed;
        }

        /// <summary>Tracks the noise floor: a lower level lowers it at once; it rises only after 15 s of
        /// higher levels, to the geometric mean of the old floor and the lowest of that window.</summary>
        private void UpdateMinLevel(int level)
        {
            if (level == MinLevel) return;
            if (_minLevel == MinLevel || _minLevel > level)
            {
                _minLevel = level;
                _nextMinLevel = MinLevel;
                _nextMinLevelWindow = 0;
                return;
            }
            if (_nextMinLevel == MinLevel)
            {
                _nextMinLevel = level;
                _nextMinLevelWindow = 1;
                return;
            }
            if (_nextMinLevel > level) _nextMinLevel = level;
            if (++_nextMinLevelWindow < MinLevelWindow) return;
            _minLevel = (int)Math.Clamp(Math.Sqrt((double)_minLevel * _nextMinLevel), MinLevel, MaxLevel);
            _nextMinLevel = MinLevel;
            _nextMinLevelWindow = 0;
        }
    }
}
