using ScottPlot;

namespace AkkaSfu.LoadGen;

/// <summary>The sweep's PNG: consumers vs server CPU % (left axis) and vs loss % (right axis).</summary>
public static class SweepPlot
{
    /// <summary>Writes <paramref name="path"/> (PNG, 900×500).</summary>
    public static void Write(IReadOnlyList<RunResult> runs, string path, string title)
    {
        var plot = new Plot();
        double[] xs = runs.Select(r => (double)r.Consumers).ToArray();
        var cpu = plot.Add.Scatter(xs, runs.Select(r => r.ServerCpuPct).ToArray());
        cpu.LegendText = "server CPU %";
        var loss = plot.Add.Scatter(xs, runs.Select(r => r.LossPct).ToArray());
        loss.LegendText = "loss %";
        loss.Axes.YAxis = plot.Axes.Right;
        plot.Title(title);
        plot.XLabel("consumers");
        plot.YLabel("server CPU (% of one core)");
        plot.Axes.Right.Label.Text = "loss (%)";
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 500);
    }
}
