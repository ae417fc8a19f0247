using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AkkaSfu.Signalling.Tests;

/// <summary>The real server as a separate process, started the way the README starts it (the built
/// src/Signalling, run from its project folder), on a free loopback port, or on a free port of another local
/// address (e.g. a test's veth, see Browser/NetNamespace).</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    public Uri BaseAddress { get; }

    private ServerProcess(Process process, Uri baseAddress) { _process = process; BaseAddress = baseAddress; }

    /// <param name="listenIp">Serve HTTP on this address instead of 127.0.0.1, and bind media there too
    /// (AKKASFU_LISTEN_IP, so the ICE candidates name it).</param>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string>? environment = null, string? name = null, System.Net.IPAddress? listenIp = null)
    {
        var projectDir = Path.Combine(RepoRoot(), "src", "Signalling");
        var config = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!); // Debug or Release, as this test was built
        var dll = Path.Combine(projectDir, "bin", config, "net10.0", "AkkaSfu.Signalling.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("build src/Signalling first", dll);

        var psi = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://{listenIp ?? System.Net.IPAddress.Loopback}:0"])
        {
            WorkingDirectory = projectDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (listenIp is not null) psi.Environment["AKKASFU_LISTEN_IP"] = listenIp.ToString();
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the server");

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Console.WriteLine($"[{name ?? "server"}] {e.Data}");
            var m = ListeningOn().Match(e.Data);
            if (m.Success) listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"[{name ?? "server"}!] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"server exited with {process.ExitCode}"));

        try
        {
            var uri = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return new ServerProcess(process, uri);
        }
        catch
        {
            // Not listening in time (or exited): leave no server behind.
            if (!process.HasExited) { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); }
            process.Dispose();
            throw;
        }
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>kill -9: the node vanishes without a word.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM (a graceful stop, as systemd or Kubernetes asks); true if it exited within <paramref name="within"/>.</summary>
    public async Task<bool> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        try { await _process.WaitForExitAsync().WaitAsync(within); return true; }
        catch (TimeoutException) { return false; }
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Akka.sln"))) return dir.FullName;
        throw new InvalidOperationException("Akka.sln not found above " + AppContext.BaseDirectory);
    }

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
