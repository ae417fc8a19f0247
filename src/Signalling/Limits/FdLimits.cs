namespace AkkaSfu.Signalling.Limits;

/// <summary>The process's file descriptor soft limit (RLIMIT_NOFILE, read from /proc/self/limits) and the
/// connection bound derived from it: half of it, so WebSockets and HTTP connections never take the fds that
/// media sockets, files and the runtime need.</summary>
public static class FdLimits
{
    /// <summary>The soft "Max open files" of a /proc/&lt;pid&gt;/limits text, or null (unlimited, missing, unreadable).</summary>
    public static long? SoftLimit(string procLimits)
    {
        foreach (var line in procLimits.Split('\n'))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], out var soft) && soft > 0 ? soft : null;
        }
        return null;
    }

    /// <summary>This process's soft fd limit, or null where there is no /proc (not Linux).</summary>
    public static long? ProcessSoftLimit()
    {
        try { return SoftLimit(File.ReadAllText("/proc/self/limits")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Connections Kestrel may hold: half the fd soft limit (at least 1), or null without a known limit.</summary>
    public static int? ConnectionBound(long? softLimit) => softLimit is { } s ? (int)Math.Clamp(s / 2, 1, int.MaxValue) : null;
}
