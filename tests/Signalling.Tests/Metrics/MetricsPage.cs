using System.Text.RegularExpressions;

namespace AkkaSfu.Signalling.Tests.Metrics;

/// <summary>Reading a server's /metrics page (Prometheus text) in tests.</summary>
public static partial class MetricsPage
{
    public static Task<string> GetAsync(HttpClient http) => http.GetStringAsync("/metrics");

    /// <summary>The sum of <paramref name="name"/>'s samples on the server now.</summary>
    public static async Task<double> MetricAsync(HttpClient http, string name, string? label = null) => Value(await GetAsync(http), name, label);

    /// <summary>The sum of every sample of <paramref name="name"/> (all labels, or those containing
    /// <paramref name="label"/>) in a Prometheus text page.</summary>
    public static double Value(string metrics, string name, string? label = null) =>
        Sample().Matches(metrics).Where(m => m.Groups["name"].Value == name && (label is null || m.Groups["labels"].Value.Contains(label)))
            .Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Scrapes until <paramref name="done"/> holds (at most 30 s); fails with <paramref name="what"/> and the
    /// page's lines that start with <paramref name="show"/>.</summary>
    public static async Task UntilAsync(HttpClient http, Func<string, bool> done, string what, params string[] show)
    {
        var last = "";
        for (var i = 0; i < 150; i++)
        {
            last = await GetAsync(http);
            if (done(last)) return;
            await Task.Delay(200);
        }
        Assert.Fail($"not within 30 s: {what}\n" + string.Join("\n", last.Split('\n').Where(l => show.Any(l.StartsWith))));
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[0-9.eE+-]+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
