using System.Diagnostics;

namespace AkkaSfu.LoadGen;

/// <summary>The generator's one clock: monotonic microseconds (Stopwatch). Senders stamp payloads with it and
/// receivers in the same process subtract, so one-way latency needs no clock sync.</summary>
public static class Clock
{
    private static readonly long TicksPerUs = Math.Max(1, Stopwatch.Frequency / 1_000_000);

    /// <summary>Now, in microseconds.</summary>
    public static long NowUs => Stopwatch.GetTimestamp() / TicksPerUs;

    /// <summary>Now, in milliseconds (what media code takes as nowMs).</summary>
    public static long NowMs => NowUs / 1000;
}
