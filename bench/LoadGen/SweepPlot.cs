using ScottPlot;

namespace AkkaSfu.LoadGen;

/// <summary>The sweep's PNG: consumers vs server CPU % (left axis, solid) and vs loss % (right axis, dashed),
/// one pair of lines per worker count.</summary>
public static class SweepPlot
{
    /// <summary>Writes <paramref name="path"/> (PNG, 1000×560).</summary>
    public static void Write(IReadOnlyList<RunResult> runs, string path, string title)
    {
        var plot = new Plot();
        foreach (var group in runs.GroupBy(r => r.Workers).OrderBy(g => g.Key))
        {
            var rs = group.OrderBy(r => r.Consumers).ToArray();
            var tag = group.Key > 0 ? $" ({group.Key} worker{(group.Key == 1 ? "" : "s")})" : "";
            double[] xs = rs.Select(r => (double)r.Consumers).ToArray();
            var cpu = plot.Add.Scatter(xs, rs.Select(r => r.ServerCpuPct).ToArray());
            cpu.LegendText = "server CPU %" + tag;
            var loss = plot.Add.Scatter(xs, rs.Select(r => r.LossPct).ToArray());
            loss.LegendText = "loss %" + tag;
            loss.LinePattern = LinePattern.Dashed;
            loss.Axes.YAxis = plot.Axes.Right;
        }
        plot.Title(title);
        plot.XLabel("consumers");
        plot.YLabel("server CPU (% of one core)");
        plot.Axes.Right.Label.Text = "loss (%)";
        plot.Axes.SetLimitsY(0, Math.Max(10, runs.Max(r => r.ServerCpuPct) * 1.15), plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(1, runs.Max(r => r.LossPct) * 1.2), plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 560);
    }
}
