using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AkkaSfu.Signalling.Tests;

/// <summary>The real server as a separate process, started the way the README starts it (the built
/// src/Signalling, run from its project folder), on a free loopback port, or on a free port of another local
/// address (e.g. a test's veth, see Browser/NetNamespace).</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;
    public Uri BaseAddress { get; }

    /// <summary>What the server printed on stdout so far.</summary>
    public IReadOnlyCollection<string> Output => _output;

    private ServerProcess(Process process, Uri baseAddress, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    /// <param name="listenIp">Serve HTTP on this address instead of 127.0.0.1, and bind media there too
    /// (AKKASFU_LISTEN_IP, so the ICE candidates name it).</param>
    /// <param name="https">Start it with <c>--https</c> on an https:// URL (a generated certificate unless the
    /// environment names one).</param>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string>? environment = null, string? name = null, System.Net.IPAddress? listenIp = null,
        bool https = false)
    {
        var projectDir = Path.Combine(RepoRoot(), "src", "Signalling");
        var config = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!); // Debug or Release, as this test was built
        var dll = Path.Combine(projectDir, "bin", config, "net10.0", "AkkaSfu.Signalling.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("build src/Signalling first", dll);

        var url = $"{(https ? "https" : "http")}://{listenIp ?? System.Net.IPAddress.Loopback}:0";
        var psi = new ProcessStartInfo("dotnet", https ? [dll, "--https", "--urls", url] : [dll, "--urls", url])
        {
            WorkingDirectory = projectDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (listenIp is not null) psi.Environment["AKKASFU_LISTEN_IP"] = listenIp.ToString();
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the server");

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
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
            return new ServerProcess(process, uri, output);
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

    [GeneratedRegex(@"Now listening on: (https?://\S+)")]
    private static partial Regex ListeningOn();
}
