using System.Diagnostics;
using AkkaSfu.Media.Dtls;
using Xunit.Abstractions;

namespace AkkaSfu.Media.Tests.Dtls;

/// <summary>Handshake concurrency per worker is bounded (issue 13: 1,000 transports made 1,025 threads): a pool
/// runs a few at once, queues the rest, refuses past its queue, and a stalled handshake gives its slot back on
/// timeout.</summary>
public class DtlsHandshakePoolTests(ITestOutputHelper output)
{
    private static int ProcessThreads()
    {
        using var p = Process.GetCurrentProcess();
        return p.Threads.Count;
    }

    private static void WaitFor(Func<bool> done, string what)
    {
        var deadline = Environment.TickCount64 + 15_000;
        while (!done())
        {
            Assert.True(Environment.TickCount64 < deadline, "timed out waiting for " + what);
            Thread.Sleep(10);
        }
    }

    /// <summary><paramref name="n"/> client handshakes whose ClientHello goes nowhere (they stall until closed).</summary>
    private static List<DtlsTransport> StalledClients(int n, DtlsHandshakePool? pool, TimeProvider? time = null)
    {
        var list = new List<DtlsTransport>();
        for (var i = 0; i < n; i++)
        {
            var t = new DtlsTransport(DtlsPair.ClientCert, new PipeEnd(), handshakeTimeout: TimeSpan.FromSeconds(60), timeProvider: time, pool: pool);
            t.Run(DtlsRole.Client, DtlsPair.ServerCert.Sha256);
            list.Add(t);
        }
        return list;
    }

    [Fact]
    public void A_thousand_handshakes_in_flight_use_at_most_the_pools_threads()
    {
        var pool = new DtlsHandshakePool(maxConcurrent: 4, maxQueued: 2000);
        var before = ProcessThreads();
        var clients = StalledClients(1000, pool);
        WaitFor(() => pool.Running == 4, "4 running handshakes");
        var during = ProcessThreads();
        output.WriteLine($"pool of 4: 1000 handshakes in flight, process threads {before} -> {during}, pool threads started {pool.ThreadsStarted}");
        Assert.Equal(4, pool.ThreadsStarted);
        Assert.Equal(996, pool.Queued);
        // The process's own count is only logged: other test classes run beside this one and start threads too.
        foreach (var c in clients) c.Close();
        WaitFor(() => pool is { Running: 0, Queued: 0 }, "the pool to drain");
        Assert.Equal(1000, clients.Sum(c => c.Counters.HandshakesCancelled));
    }

    [Fact]
    public void Without_a_pool_each_handshake_has_its_own_thread()
    {
        var before = ProcessThreads();
        var clients = StalledClients(200, pool: null);
        WaitFor(() => clients.All(c => c.HandshakeThread!.IsAlive), "200 handshake threads");
        var during = ProcessThreads();
        output.WriteLine($"no pool: 200 handshakes in flight, process threads {before} -> {during}");
        Assert.Equal(200, clients.Select(c => c.HandshakeThread!.ManagedThreadId).Distinct().Count());
        foreach (var c in clients) c.Close();
        Assert.All(clients, c => Assert.True(c.HandshakeThread!.Join(5000)));
    }

    [Fact]
    public async Task Queued_server_handshakes_complete_one_after_another_on_one_slot()
    {
        var serverPool = new DtlsHandshakePool(maxConcurrent: 1, maxQueued: 10);
        var pairs = Enumerable.Range(0, 3).Select(_ =>
        {
            PipeEnd clientEnd = new(), serverEnd = new();
            var client = new DtlsTransport(DtlsPair.ClientCert, clientEnd, handshakeTimeout: TimeSpan.FromSeconds(30));
            var server = new DtlsTransport(DtlsPair.ServerCert, serverEnd, handshakeTimeout: TimeSpan.FromSeconds(30), pool: serverPool);
            clientEnd.Peer = server;
            serverEnd.Peer = client;
            return (client, server, clientEnd, serverEnd);
        }).ToList();

        foreach (var p in pairs) p.server.Run(DtlsRole.Server, DtlsPair.ClientCert.Sha256);
        Assert.Equal((0, 0, 0), (serverPool.Running, serverPool.Queued, serverPool.Threads)); // silent peers hold no slot
        foreach (var p in pairs) p.client.Run(DtlsRole.Client, DtlsPair.ServerCert.Sha256);
        foreach (var p in pairs) await DtlsPair.Within(p.serverEnd.Connected.Task, 20_000);
        foreach (var p in pairs) await DtlsPair.Within(p.clientEnd.Connected.Task, 20_000);
        Assert.Equal(1, serverPool.ThreadsStarted);
        Assert.Equal(3, serverPool.Handshakes);
        foreach (var p in pairs) { p.client.Close(); p.server.Close(); }
    }

    [Fact]
    public async Task Past_the_queue_a_handshake_is_refused_and_counted()
    {
        var pool = new DtlsHandshakePool(maxConcurrent: 1, maxQueued: 1);
        var clients = StalledClients(2, pool);
        var end = new PipeEnd();
        var counters = new DtlsCounters();
        var third = new DtlsTransport(DtlsPair.ClientCert, end, counters: counters, pool: pool);
        third.Run(DtlsRole.Client, DtlsPair.ServerCert.Sha256);
        var f = await DtlsPair.Within(end.Failed.Task, 2000);
        Assert.Equal(DtlsFailure.Overloaded, f.Reason);
        Assert.Equal((1L, 1L), (pool.Refused, counters.Failed(DtlsFailure.Overloaded)));
        foreach (var c in clients) c.Close();
    }

    [Fact]
    public async Task A_stalled_handshake_gives_its_slot_back_on_timeout_and_a_queued_one_times_out_without_a_slot()
    {
        var time = new ManualTimeProvider();
        var pool = new DtlsHandshakePool(maxConcurrent: 1, maxQueued: 10);
        var ends = new[] { new PipeEnd(), new PipeEnd() };
        var a = new DtlsTransport(DtlsPair.ClientCert, ends[0], timeProvider: time, pool: pool);
        var b = new DtlsTransport(DtlsPair.ClientCert, ends[1], timeProvider: time, pool: pool);
        a.Run(DtlsRole.Client, DtlsPair.ServerCert.Sha256);
        b.Run(DtlsRole.Client, DtlsPair.ServerCert.Sha256);
        WaitFor(() => pool is { Running: 1, Queued: 1 }, "a running, b queued");

        time.Timers[1].Fire(); // b: never started
        Assert.Equal(DtlsFailure.Timeout, (await DtlsPair.Within(ends[1].Failed.Task, 2000)).Reason);
        Assert.Equal(0, pool.Queued);

        time.Timers[0].Fire(); // a: stalled in BC's Connect
        Assert.Equal(DtlsFailure.Timeout, (await DtlsPair.Within(ends[0].Failed.Task, 2000)).Reason);
        WaitFor(() => pool.Running == 0, "the slot to come back");

        var c = StalledClients(1, pool).Single(); // the freed slot runs the next one
        WaitFor(() => pool.Running == 1, "the next handshake to run");
        Assert.Equal(1, pool.ThreadsStarted);
        c.Close();
    }
}
