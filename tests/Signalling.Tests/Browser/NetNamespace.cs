using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>
/// A network namespace of the test's own, joined to the root namespace by a veth pair: the host end has
/// 10.77.N.1/30, the namespace end 10.77.N.2/30 (N random per instance). A browser started inside it
/// (<c>Chromium.LaunchAsync(netns: Name)</c>) reaches a server listening on <see cref="HostAddress"/> over that
/// link only, so a tbf qdisc on the host end's egress limits the browser's downlink for real (netem is not
/// available here; tbf is). Root only; <see cref="TryCreateAsync"/> says why not otherwise.
/// </summary>
public sealed class NetNamespace : IAsyncDisposable
{
    private readonly FileStream _subnetLock;
    private bool _disposed, _madeNamespace, _madeVeth;

    private NetNamespace(string name, string hostVeth, string nsVeth, int subnet, FileStream subnetLock)
    {
        _subnetLock = subnetLock;
        Name = name;
        HostVeth = hostVeth;
        NamespaceVeth = nsVeth;
        HostAddress = IPAddress.Parse($"10.77.{subnet}.1");
        NamespaceAddress = IPAddress.Parse($"10.77.{subnet}.2");
    }

    /// <summary>The namespace's name (akkasfu-xxxxxx), for <c>ip netns exec</c>.</summary>
    public string Name { get; }

    /// <summary>The veth end in the root namespace: its egress is the namespace's downlink.</summary>
    public string HostVeth { get; }

    public string NamespaceVeth { get; }

    /// <summary>10.77.N.1, on <see cref="HostVeth"/> in the root namespace: where the server listens.</summary>
    public IPAddress HostAddress { get; }

    /// <summary>10.77.N.2, inside the namespace.</summary>
    public IPAddress NamespaceAddress { get; }

    /// <summary>Makes the namespace and its veth pair, or returns (null, why) when this machine cannot (not
    /// root, no <c>ip</c>, a command failed). Nothing is left behind on failure.</summary>
    public static async Task<(NetNamespace? Namespace, string? Reason)> TryCreateAsync()
    {
        if (!OperatingSystem.IsLinux()) return (null, "network namespaces need Linux");
        var (idCode, uid, _) = await RunAsync("id", "-u");
        if (idCode == 0 && uid.Trim() != "0") return (null, $"network namespaces need root (uid {uid.Trim()})");
        var (ipCode, _, ipErr) = await RunAsync("ip", "-V");
        if (ipCode != 0) return (null, $"the ip command (iproute2) is missing or broken: {ipErr.Trim()}");

        string? lastError = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var subnet = Random.Shared.Next(1, 255);
            // A lock file per subnet keeps parallel tests (and test processes) apart; the address check
            // skips subnets something else already uses.
            var subnetLock = TryLockSubnet(subnet);
            if (subnetLock is null) continue;
            var (_, addrs, _) = await RunAsync("ip", "-o", "-4", "addr", "show");
            if (addrs.Contains($" 10.77.{subnet}.", StringComparison.Ordinal)) { subnetLock.Dispose(); continue; }

            var tag = Random.Shared.Next(0, 1 << 24).ToString("x6", CultureInfo.InvariantCulture);
            var ns = new NetNamespace($"akkasfu-{tag}", $"akv{tag}h", $"akv{tag}n", subnet, subnetLock); // veth names ≤ 15 chars
            var steps = new[]
            {
                new[] { "netns", "add", ns.Name },
                ["link", "add", ns.HostVeth, "type", "veth", "peer", "name", ns.NamespaceVeth],
                ["link", "set", ns.NamespaceVeth, "netns", ns.Name],
                ["addr", "add", $"{ns.HostAddress}/30", "dev", ns.HostVeth],
                ["link", "set", ns.HostVeth, "up"],
                ["-n", ns.Name, "addr", "add", $"{ns.NamespaceAddress}/30", "dev", ns.NamespaceVeth],
                ["-n", ns.Name, "link", "set", ns.NamespaceVeth, "up"],
                ["-n", ns.Name, "link", "set", "lo", "up"],
            };
            lastError = null;
            for (var i = 0; i < steps.Length; i++)
            {
                var step = steps[i];
                var (code, _, err) = await RunAsync("ip", step);
                if (code == 0)
                {
                    // Delete on dispose only what this instance made (never a namesake's).
                    if (i == 0) ns._madeNamespace = true;
                    if (i == 1) ns._madeVeth = true;
                    continue;
                }
                lastError = $"ip {string.Join(' ', step)}: exit {code}: {err.Trim()}";
                break;
            }
            if (lastError is null) return (ns, null);
            await ns.DisposeAsync(); // whatever was made goes again
            if (lastError.Contains("Operation not permitted", StringComparison.Ordinal)) break;
        }
        return (null, lastError ?? "no free 10.77.N.0/30 subnet after 10 tries");
    }

    private static FileStream? TryLockSubnet(int subnet)
    {
        var dir = Path.Combine(Path.GetTempPath(), "akkasfu-netns");
        Directory.CreateDirectory(dir);
        try { return new FileStream(Path.Combine(dir, $"10.77.{subnet}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }

    /// <summary>Limits what reaches the namespace (the host end's egress) to <paramref name="kbps"/> with a
    /// token bucket: packets beyond a queue of <paramref name="queueMs"/> are dropped, as on a real
    /// bottleneck link (home routers and mobile links queue 100 ms and more; 50 ms is a shallow one).</summary>
    public async Task LimitDownlinkAsync(int kbps, int queueMs = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kbps, 8);
        // Burst: 20 ms at the rate, but at least a few full-size packets (a bucket smaller than one MTU
        // would pass nothing, one of exactly one MTU makes the rate jittery).
        var burst = Math.Max(6_000, kbps * 1000 / 8 / 50);
        await IpOrThrowAsync("tc", "qdisc", "replace", "dev", HostVeth, "root", "tbf",
            "rate", $"{kbps}kbit", "burst", burst.ToString(CultureInfo.InvariantCulture), "latency", $"{queueMs}ms");
    }

    /// <summary>Removes the limit (back to the veth's default qdisc).</summary>
    public async Task ClearLimitAsync()
    {
        var (code, _, err) = await RunAsync("tc", "qdisc", "del", "dev", HostVeth, "root");
        // No root qdisc of ours: nothing to clear.
        if (code != 0 && !err.Contains("No such file", StringComparison.Ordinal) && !err.Contains("Cannot delete qdisc with handle of zero", StringComparison.Ordinal))
            throw new InvalidOperationException($"tc qdisc del dev {HostVeth} root: exit {code}: {err.Trim()}");
    }

    /// <summary>The qdisc line of the host end (for the test log: rate, and how many packets it dropped).</summary>
    public async Task<string> QdiscStatsAsync() => (await RunAsync("tc", "-s", "qdisc", "show", "dev", HostVeth)).Stdout.Trim();

    /// <summary>Deletes the veth pair and the namespace (each may already be gone).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        // Deleting one end deletes the pair; deleting the namespace would too, but only once nothing runs in it.
        if (_madeVeth) await RunAsync("ip", "link", "del", HostVeth);
        if (_madeNamespace) await RunAsync("ip", "netns", "del", Name);
        await _subnetLock.DisposeAsync();
    }

    private static async Task IpOrThrowAsync(string command, params string[] args)
    {
        var (code, _, err) = await RunAsync(command, args);
        if (code != 0) throw new InvalidOperationException($"{command} {string.Join(' ', args)}: exit {code}: {err.Trim()}");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { return (-1, "", $"{command}: {e.Message}"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
