using AkkaSfu.LoadGen;
using Spectre.Console;

if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(LoadGenOptions.Usage); return 0; }
if (args is ["--soak-plot", var soakCsv, var soakPng, ..])
{
    var n = SoakPlot.Write(soakCsv, soakPng, args.Length > 3 ? args[3] : "soak");
    Console.Error.WriteLine($"{n} samples plotted to {Path.GetFullPath(soakPng)}");
    return 0;
}
LoadGenOptions o;
try { o = LoadGenOptions.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadGenOptions.Usage);
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
if (o.Rtt > 0) return await SignallingRtt.RunAsync(o, o.Rtt, cts.Token);

var all = new List<RunResult>();
int exit = 0;
foreach (var workers in o.StartServer is null ? [0] : o.Workers)
{
    ServerLauncher? server = null;
    var group = o;
    if (o.StartServer is not null)
    {
        try { server = await ServerLauncher.StartAsync(o.StartServer, workers, cts.Token); }
        catch (StageException e) { Console.Error.WriteLine($"FAILED at {e.Stage}: {e.Message}"); return 1; }
        group = o with { Servers = [server.Address], ServerPid = server.Pid };
        Console.Error.WriteLine($"server started at {server.Address} (pid {server.Pid}, {workers} worker(s))");
    }
    try
    {
        if (o.Sweep is not null)
        {
            var (code, results) = await Sweep.RunAsync(group, (x, ct) => RunOne(x, workers, ct), cts.Token);
            all.AddRange(results);
            exit = Math.Max(exit, code);
        }
        else
        {
            var r = await RunOne(group, workers, cts.Token);
            all.Add(r);
            if (r.FailedStage is not null) exit = 1;
        }
    }
    finally { if (server is not null) await server.DisposeAsync(); }
}
if (o.Sweep is not null && all.Any(r => r.FailedStage is null))
{
    var (axis, _) = Sweep.ParseSpec(o.Sweep);
    SweepPlot.Write(all.Where(r => r.FailedStage is null).ToList(), o.Plot,
        $"{o.Mode} sweep over {axis}: {o.VideoKbps} kbps video{(o.Simulcast ? " simulcast" : "")}{(o.Audio ? " + audio" : "")}");
    Console.Error.WriteLine($"plot written to {Path.GetFullPath(o.Plot)}");
}
return exit;

static async Task<RunResult> RunOne(LoadGenOptions o, int workers, CancellationToken ct)
{
    RunResult result;
    if (o.Quiet || !AnsiConsole.Profile.Capabilities.Interactive)
        result = await Runner.RunAsync(o, null, ct);
    else
    {
        result = await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var label = $"{o.Mode} {o.Rooms}x{o.Peers}";
                var task = ctx.AddTask(label, maxValue: 1);
                var progress = new Progress<RunProgress>(p =>
                {
                    task.Description = Markup.Escape($"{label} {p.Phase}: {p.Detail}");
                    task.Value = p.Phase == "measure" ? p.Fraction : Math.Min(task.Value, 0.999);
                });
                var r = await Runner.RunAsync(o, progress, ct);
                task.Value = 1;
                return r;
            });
    }
    result = result with { Workers = workers };
    var line = result.ToJson();
    Console.WriteLine(line);
    if (o.OutFile is not null) await File.AppendAllTextAsync(o.OutFile, line + Environment.NewLine, ct);
    if (result.FailedStage is not null) Console.Error.WriteLine($"FAILED at {result.FailedStage}: {result.Error}");
    else if (result.SenderLagSkips > 0 || result.LoadGenCpuPct > 90 * o.ReceiveThreads)
        Console.Error.WriteLine($"warning: the generator itself was saturated (CPU {result.LoadGenCpuPct}%, {result.SenderLagSkips} send slots skipped): this run measures the generator, not the server");
    return result;
}
