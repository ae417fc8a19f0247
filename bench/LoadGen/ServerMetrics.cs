using System.Globalization;
using AkkaSfu.Media.Engine;

namespace AkkaSfu.LoadGen;

/// <summary>The server's own forwarding delay (kernel arrival on its socket → send, per consumer copy), read
/// from the Prometheus histogram <c>akkasfu_worker_forwarding_delay_seconds</c> at <c>/metrics</c> (AkkaSfu only;
/// other servers have none and the figures stay empty).</summary>
public static class ServerMetrics
{
    private const string Bucket = "akkasfu_worker_forwarding_delay_seconds_bucket{";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Cumulative count per bucket (bounds of <see cref="ForwardingDelay.UpperBoundsUs"/>, then +Inf),
    /// summed over workers; null when the server has no such metric or cannot be reached.</summary>
    public static async Task<long[]?> ReadForwardingDelayAsync(Uri server, CancellationToken ct)
    {
        try
        {
            var text = await Http.GetStringAsync(new Uri(server, "/metrics"), ct);
            return ParseForwardingDelay(text);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    /// <summary>Parses the histogram's bucket lines out of a Prometheus text exposition. Per worker, a bucket
    /// whose line is missing counts what the one below it counts (cumulative), then the workers are summed.</summary>
    public static long[]? ParseForwardingDelay(string exposition)
    {
        var bounds = ForwardingDelay.UpperBoundsUs;
        var workers = new Dictionary<string, long?[]>();
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith(Bucket, StringComparison.Ordinal)) continue;
            var labelsEnd = line.IndexOf('}');
            var le = line.IndexOf("le=\"", StringComparison.Ordinal);
            var close = le < 0 ? -1 : line.IndexOf('"', le + 4);
            var space = line.LastIndexOf(' ');
            if (labelsEnd < 0 || close < 0 || space < close) continue;
            var bound = line[(le + 4)..close];
            if (!double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            int index;
            if (bound == "+Inf") index = bounds.Count;
            else if (double.TryParse(bound, NumberStyles.Float, CultureInfo.InvariantCulture, out var sec))
            {
                var us = (long)Math.Round(sec * 1e6);
                index = -1;
                for (var i = 0; i < bounds.Count; i++) if (bounds[i] == us) { index = i; break; }
                if (index < 0) continue;
            }
            else continue;
            var labels = line[Bucket.Length..labelsEnd].Replace($"le=\"{bound}\"", "");
            if (!workers.TryGetValue(labels, out var c)) workers[labels] = c = new long?[ForwardingDelay.BucketCount];
            c[index] = (long)value;
        }
        if (workers.Count == 0) return null;
        var cumulative = new long[ForwardingDelay.BucketCount];
        foreach (var c in workers.Values)
        {
            long previous = 0;
            for (var i = 0; i < c.Length; i++)
            {
                previous = c[i] ?? previous;
                cumulative[i] += previous;
            }
        }
        return cumulative;
    }

    /// <summary>The <paramref name="q"/>-quantile in ms of what was recorded between two cumulative readings.</summary>
    public static double? QuantileMs(long[]? before, long[]? after, double q)
    {
        if (before is null || after is null) return null;
        var counts = new long[after.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            long grown(long[] c) => c[i] - (i == 0 ? 0 : c[i - 1]);
            counts[i] = Math.Max(0, grown(after) - grown(before));
        }
        var us = ForwardingDelay.Quantile(counts, q);
        return us < 0 ? null : Math.Round(us / 1000, 3);
    }
}
