using System.Diagnostics;
using System.Globalization;

namespace AkkaSfu.LoadGen;

/// <summary>CPU and memory of a process from /proc (Linux), and finding the server by its listening port.</summary>
public static class ProcStats
{
    private const double UsPerTick = 10_000; // USER_HZ = 100

    /// <summary>(user + system CPU in µs, RSS in bytes) of <paramref name="pid"/>, or null when it is gone.</summary>
    public static (long CpuUs, long RssBytes)? Sample(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long cpu = (long)((long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) * UsPerTick);
            long rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            return (cpu, rss);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
    }

    /// <summary>UDP datagrams the kernel dropped at a full receive buffer (/proc/net/snmp RcvbufErrors; the whole
    /// network namespace: the server's sockets and ours), or 0 when unreadable.</summary>
    public static long UdpRcvbufErrors()
    {
        try
        {
            var lines = File.ReadLines("/proc/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
            if (lines.Length < 2) return 0;
            var i = Array.IndexOf(lines[0].Split(' '), "RcvbufErrors");
            return i < 0 ? 0 : long.Parse(lines[1].Split(' ')[i], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return 0; }
    }

    /// <summary>This process's CPU time in µs.</summary>
    public static long OwnCpuUs() => (long)Process.GetCurrentProcess().TotalProcessorTime.TotalMicroseconds;

    /// <summary>The processes serving the loopback ones of <paramref name="servers"/>: each distinct port's listener
    /// (<paramref name="findListener"/>, default <see cref="FindListener"/>), once each, in the servers' order;
    /// remote servers and ports nobody of ours listens on are left out.</summary>
    public static int[] FindListeners(IEnumerable<Uri> servers, Func<int, int>? findListener = null) =>
        servers.Where(u => u.IsLoopback).Select(u => u.Port).Distinct()
            .Select(findListener ?? FindListener).Where(pid => pid != 0).Distinct().ToArray();

    /// <summary>The pid of the process with a TCP socket listening on <paramref name="port"/> (from /proc/net/tcp{,6}
    /// and /proc/*/fd), or 0 when not found (other user, not local).</summary>
    public static int FindListener(int port)
    {
        var inodes = new HashSet<string>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != "0A") continue; // LISTEN
                var local = f[1];
                if (int.Parse(local[(local.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port) inodes.Add(f[9]);
            }
        }
        if (inodes.Count == 0) return 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1])) return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return 0;
    }
}
