using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AkkaSfu.LoadGen;

/// <summary>Starts the AkkaSfu server for a run (--start-server): <c>dotnet DLL --urls http://127.0.0.1:0</c> with
/// AKKASFU_WORKERS set, waits for "Now listening on", and kills it on dispose.</summary>
public sealed partial class ServerLauncher : IAsyncDisposable
{
    private readonly Process _process;

    private ServerLauncher(Process process, Uri address) { _process = process; Address = address; }

    /// <summary>The server's base address.</summary>
    public Uri Address { get; }
    /// <summary>Its process id (what the run measures).</summary>
    public int Pid => _process.Id;

    /// <summary>Starts <paramref name="dll"/> with <paramref name="workers"/> workers (0: the server's default).</summary>
    public static async Task<ServerLauncher> StartAsync(string dll, int workers, CancellationToken ct)
    {
        if (!File.Exists(dll)) throw new StageException(Stage.Setup, $"server {dll} not found (build src/Signalling -c Release first)");
        var dir = Path.GetDirectoryName(Path.GetFullPath(dll))!;
        // Run from the project folder when the dll sits in its bin/ (wwwroot, appsettings), else next to the dll.
        var project = Path.GetFullPath(Path.Combine(dir, "..", "..", ".."));
        var psi = new ProcessStartInfo("dotnet", [Path.GetFullPath(dll), "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = File.Exists(Path.Combine(project, "appsettings.json")) ? project : dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (workers > 0) psi.Environment["AKKASFU_WORKERS"] = workers.ToString();
        // Every peer of the generator comes from one address: lift the per-address WebSocket limit (100).
        psi.Environment["AKKASFU_LIMITS_MAX_CONNECTIONS_PER_ADDRESS"] = "10000";
        var p = Process.Start(psi) ?? throw new StageException(Stage.Setup, "could not start the server");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            var m = ListeningOn().Match(e.Data);
            if (m.Success) listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.EnableRaisingEvents = true;
        p.Exited += (_, _) => listening.TrySetException(new StageException(Stage.Setup, $"server exited with {p.ExitCode}"));
        try { return new ServerLauncher(p, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), ct)); }
        catch
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>Kills the server and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
