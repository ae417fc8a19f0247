using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AkkaSfu.Interop.Tests.Ffmpeg;

/// <summary>One ffmpeg/ffprobe child process with bounded waits: stdout and stderr are collected (stderr goes
/// into the test output on failure), stdin is ours (ffmpeg reads 'q' from it), and disposing kills whatever
/// is still running.</summary>
public sealed partial class FfmpegProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private FfmpegProcess(string name, string fileName, IEnumerable<string> args)
    {
        Name = name;
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        CommandLine = fileName + " " + string.Join(' ', info.ArgumentList.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (_stdout) _stdout.AppendLine(line); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (_stderr) _stderr.AppendLine(line); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public string CommandLine { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string StdOut { get { lock (_stdout) return _stdout.ToString(); } }
    public string StdErr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Starts <paramref name="fileName"/> (ffmpeg or ffprobe, found on PATH).</summary>
    public static FfmpegProcess Start(string name, string fileName, IEnumerable<string> args) => new(name, fileName, args);

    /// <summary>True when <paramref name="tool"/> runs (<c>-version</c>) within a few seconds.</summary>
    public static bool IsInstalled(string tool)
    {
        try
        {
            using var p = Start(tool, tool, ["-version"]);
            return p.WaitForExitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult() && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>Waits for the process to end; false if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token); // also drains the redirected streams
            return true;
        }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>Asks ffmpeg to finish its output cleanly (write the trailer) and waits up to
    /// <paramref name="grace"/> per step: 'q' on stdin (only read between packets, so it works while input
    /// flows), then SIGINT twice (once transcoding has started, ffmpeg's interrupt callback needs a second
    /// signal to break out of a blocking network read; the first only marks "stop"), then a kill.
    /// True when it ended by itself (not killed).</summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return true;
        try
        {
            await _process.StandardInput.WriteAsync("q");
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException) { } // already gone
        if (await WaitForExitAsync(TimeSpan.FromMilliseconds(300))) return true;
        if (OperatingSystem.IsLinux())
        {
            for (var i = 0; i < 2 && !_process.HasExited; i++)
            {
                _ = Kill(_process.Id, SigInt);
                if (await WaitForExitAsync(TimeSpan.FromMilliseconds(100))) return true;
            }
        }
        if (await WaitForExitAsync(grace)) return true;
        KillNow();
        return false;
    }

    /// <summary>Kills the process (and its children) if it still runs.</summary>
    public void KillNow()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(2000);
        }
        catch (InvalidOperationException) { } // never started or already reaped
    }

    /// <summary>The command line, exit state and stderr tail, for the test output.</summary>
    public string Describe(int maxStderrChars = 6000)
    {
        var err = StdErr;
        if (err.Length > maxStderrChars) err = "…" + err[^maxStderrChars..];
        var state = _process.HasExited ? $"exit {_process.ExitCode}" : "running";
        return $"---- {Name} ({state}): {CommandLine}\n{err}";
    }

    public void Dispose()
    {
        KillNow();
        _process.Dispose();
    }

    private const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
