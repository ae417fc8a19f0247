using AkkaSfu.LoadGen;
using Spectre.Console;

LoadGenOptions o;
try { o = LoadGenOptions.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadGenOptions.Usage);
    return 2;
}
if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(LoadGenOptions.Usage); return 0; }

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

if (o.Sweep is not null) return await Sweep.RunAsync(o, RunOne, cts.Token);
var r = await RunOne(o, cts.Token);
return r.FailedStage is null ? 0 : 1;

static async Task<RunResult> RunOne(LoadGenOptions o, CancellationToken ct)
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
    var line = result.ToJson();
    Console.WriteLine(line);
    if (o.OutFile is not null) await File.AppendAllTextAsync(o.OutFile, line + Environment.NewLine, ct);
    if (result.FailedStage is not null) Console.Error.WriteLine($"FAILED at {result.FailedStage}: {result.Error}");
    return result;
}
