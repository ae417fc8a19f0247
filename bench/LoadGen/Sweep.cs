namespace AkkaSfu.LoadGen;

/// <summary>Sweep mode: runs with growing load until the loss passes the threshold (or a stage fails), then plots.</summary>
public static class Sweep
{
    /// <summary>Parses "peers=2..40:2" or "rooms=1..20" into (axis, values).</summary>
    public static (string Axis, int[] Values) ParseSpec(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq < 0) throw new ArgumentException($"sweep spec '{spec}': expected peers=A..B[:STEP] or rooms=A..B[:STEP]");
        var axis = spec[..eq].Trim().ToLowerInvariant();
        if (axis is not ("peers" or "rooms")) throw new ArgumentException($"sweep axis '{axis}': peers or rooms");
        var range = spec[(eq + 1)..];
        int step = 1;
        var colon = range.IndexOf(':');
        if (colon >= 0) { step = int.Parse(range[(colon + 1)..]); range = range[..colon]; }
        var dots = range.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) throw new ArgumentException($"sweep range '{range}': expected A..B");
        int from = int.Parse(range[..dots]), to = int.Parse(range[(dots + 2)..]);
        if (from < 1 || to < from || step < 1) throw new ArgumentException($"sweep range '{range}:{step}' is empty");
        var values = new List<int>();
        for (var v = from; v <= to; v += step) values.Add(v);
        return (axis, values.ToArray());
    }

    /// <summary>Runs the sweep; returns the exit code (0 when the first run worked) and the results.</summary>
    public static async Task<(int Code, List<RunResult> Results)> RunAsync(LoadGenOptions o, Func<LoadGenOptions, CancellationToken, Task<RunResult>> runOne, CancellationToken ct)
    {
        var (axis, values) = ParseSpec(o.Sweep!);
        var results = new List<RunResult>();
        foreach (var v in values)
        {
            var run = axis == "peers" ? o with { Peers = v, Sweep = null } : o with { Rooms = v, Sweep = null };
            var r = await runOne(run, ct);
            results.Add(r);
            if (r.FailedStage is not null) { Console.Error.WriteLine($"sweep stops: {axis}={v} failed at {r.FailedStage}"); break; }
            if (r.LossPct > o.LossThresholdPct) { Console.Error.WriteLine($"sweep stops: {axis}={v} loss {r.LossPct}% > {o.LossThresholdPct}%"); break; }
            await Task.Delay(1000, ct); // let the server close the previous rooms
        }
        return (results.Count > 0 && results[0].FailedStage is null ? 0 : 1, results);
    }
}
