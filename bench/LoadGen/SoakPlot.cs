using System.Globalization;
using ScottPlot;

namespace AkkaSfu.LoadGen;

/// <summary>The soak's PNG (bench/Soak/soak.sh): minutes vs RSS in MB (left axis) and vs threads and open fds
/// / 10 (right axis), from the CSV the script writes (minute,rss_mb,threads,fds,...).</summary>
public static class SoakPlot
{
    /// <summary>Reads <paramref name="csv"/> and writes <paramref name="png"/> (1000×560); returns the rows read.</summary>
    public static int Write(string csv, string png, string title)
    {
        var rows = File.ReadLines(csv).Skip(1).Select(l => l.Split(','))
            .Where(f => f.Length >= 4)
            .Select(f => (Minute: Num(f[0]), Rss: Num(f[1]), Threads: Num(f[2]), Fds: Num(f[3])))
            .ToArray();
        if (rows.Length == 0) throw new ArgumentException($"{csv}: no samples");
        var plot = new Plot();
        double[] xs = rows.Select(r => r.Minute).ToArray();
        var rss = plot.Add.Scatter(xs, rows.Select(r => r.Rss).ToArray());
        rss.LegendText = "RSS (MB)";
        var threads = plot.Add.Scatter(xs, rows.Select(r => r.Threads).ToArray());
        threads.LegendText = "threads";
        threads.Axes.YAxis = plot.Axes.Right;
        var fds = plot.Add.Scatter(xs, rows.Select(r => r.Fds / 10).ToArray());
        fds.LegendText = "open fds / 10";
        fds.LinePattern = LinePattern.Dashed;
        fds.Axes.YAxis = plot.Axes.Right;
        plot.Title(title);
        plot.XLabel("minutes");
        plot.YLabel("RSS (MB)");
        plot.Axes.Right.Label.Text = "threads, fds / 10";
        plot.Axes.SetLimitsY(0, rows.Max(r => r.Rss) * 1.2, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(rows.Max(r => r.Threads), rows.Max(r => r.Fds / 10)) * 1.2, plot.Axes.Right);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(png, 1000, 560);
        return rows.Length;
    }

    private static double Num(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
