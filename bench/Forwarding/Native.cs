// Linux calls the benchmark needs for measuring and placing threads (not part of the media stack).
using System.Runtime.InteropServices;

namespace AkkaSfu.Bench.Forwarding;

internal static unsafe partial class Native
{
    [LibraryImport("libc")]
    public static partial int gettid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int tid, nuint size, ulong* mask);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSec, UserUsec, SysSec, SysUsec;
        public fixed long Rest[14];
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, RUsage* usage);

    private const int RUSAGE_THREAD = 1;

    /// <summary>Pins thread <paramref name="tid"/> to one CPU. False if the kernel refused.</summary>
    public static bool Pin(int tid, int cpu)
    {
        if (cpu < 0 || cpu >= 64) return false;
        ulong mask = 1UL << cpu;
        return sched_setaffinity(tid, sizeof(ulong), &mask) == 0;
    }

    /// <summary>CPU time (user + system) of the calling thread, in microseconds (µs resolution).</summary>
    public static long CurrentThreadCpuUs()
    {
        var (user, sys) = CurrentThreadUserSysUs();
        return user + sys;
    }

    /// <summary>(user, system) CPU time of the calling thread, in microseconds.</summary>
    public static (long UserUs, long SysUs) CurrentThreadUserSysUs()
    {
        RUsage u;
        if (getrusage(RUSAGE_THREAD, &u) != 0) return (-1, -1);
        return (u.UserSec * 1_000_000 + u.UserUsec, u.SysSec * 1_000_000 + u.SysUsec);
    }

    /// <summary>(user, system) CPU time of any thread of this process from /proc, in microseconds
    /// (clock-tick resolution: 10 ms).</summary>
    public static (long UserUs, long SysUs) ThreadCpuUs(int tid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // f[0] is field 3 (state): utime is field 14, stime 15.
            const long usPerTick = 10_000; // USER_HZ = 100
            return (long.Parse(f[11]) * usPerTick, long.Parse(f[12]) * usPerTick);
        }
        catch (IOException) { return (0, 0); }
    }

    /// <summary>The kernel id of this process's thread named <paramref name="comm"/> (first 15 chars), or -1.</summary>
    public static int FindThread(string comm)
    {
        if (comm.Length > 15) comm = comm[..15];
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n') == comm) return int.Parse(Path.GetFileName(dir));
            }
            catch (IOException) { }
        }
        return -1;
    }

    /// <summary>Resident set size of the process in bytes.</summary>
    public static long RssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    /// <summary>UDP counters of the network namespace (/proc/net/snmp): (RcvbufErrors, SndbufErrors, InErrors).</summary>
    public static (long RcvbufErrors, long SndbufErrors, long InErrors) UdpErrors()
    {
        var lines = File.ReadAllLines("/proc/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
        if (lines.Length < 2) return default;
        var names = lines[0].Split(' ');
        var values = lines[1].Split(' ');
        long Get(string n) { var i = Array.IndexOf(names, n); return i < 0 ? 0 : long.Parse(values[i]); }
        return (Get("RcvbufErrors"), Get("SndbufErrors"), Get("InErrors"));
    }

    /// <summary>Jiffies of one CPU from /proc/stat: (busy excluding irq/softirq, irq + softirq, idle + iowait, steal).</summary>
    public static (long Busy, long Irq, long Idle, long Steal) CpuJiffies(int cpu)
    {
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith($"cpu{cpu} ", StringComparison.Ordinal)) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal
            return (f[0] + f[1] + f[2], f[5] + f[6], f[3] + f[4], f[7]);
        }
        return default;
    }
}
