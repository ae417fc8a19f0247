using System.Diagnostics;

namespace AkkaSfu.LoadGen;

/// <summary>The generator's one clock: monotonic microseconds (Stopwatch). Senders stamp payloads with it and
/// receivers in the same process subtract, so one-way latency needs no clock sync.</summary>
public static class Clock
{
    private static readonly long TicksPerUs = Math.Max(1, Stopwatch.Frequency / 1_000_000);

    /// <summary>Now, in microseconds.</summary>
    public static long NowUs => Stopwatch.GetTimestamp() / TicksPerUs;

    // CLOCK_REALTIME − monotonic, taken once: kernel arrival stamps (SO_TIMESTAMPNS) are realtime.
    private static readonly long RealtimeOffsetUs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10 - NowUs;

    /// <summary>A kernel realtime stamp (ns since the Unix epoch) on this clock, in µs.</summary>
    public static long FromUnixNs(long unixNs) => unixNs / 1000 - RealtimeOffsetUs;

    /// <summary>Now, in milliseconds (what media code takes as nowMs).</summary>
    public static long NowMs => NowUs / 1000;
}
