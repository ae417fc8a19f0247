using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Tests.Engine;

namespace AkkaSfu.Media.Tests.Net;

/// <summary>The port range: ports this process holds are skipped, busy ones answered by a return code, a full
/// range answered "no free UDP port" — and nothing on that path throws.</summary>
public class PortAllocatorTests
{
    /// <summary>Exceptions thrown (even caught) on this thread while <paramref name="action"/> runs.</summary>
    private static int ExceptionsDuring(Action action)
    {
        var thread = Environment.CurrentManagedThreadId;
        var count = 0;
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> h = (_, _) =>
        {
            if (Environment.CurrentManagedThreadId == thread) Interlocked.Increment(ref count);
        };
        AppDomain.CurrentDomain.FirstChanceException += h;
        try { action(); }
        finally { AppDomain.CurrentDomain.FirstChanceException -= h; }
        return count;
    }

    [Fact]
    public void A_full_range_answers_no_free_port_without_an_exception_and_a_closed_socket_gives_its_port_back()
    {
        var allocator = new PortAllocator();
        var sockets = new List<UdpSocket>();
        var exceptions = ExceptionsDuring(() =>
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(BindError.None, allocator.TryBind(IPAddress.Loopback, 51000, 51003, 1 << 16, out var s));
                sockets.Add(s!);
            }
            Assert.Equal(BindError.NoFreePort, allocator.TryBind(IPAddress.Loopback, 51000, 51003, 1 << 16, out var none));
            Assert.Null(none);
        });
        Assert.Equal(0, exceptions);
        Assert.Equal([51000, 51001, 51002, 51003], sockets.Select(s => s.LocalEndPoint.Port).Order());
        Assert.Equal((4L, 1L), (allocator.Held, allocator.Exhausted));

        sockets[2].Dispose();
        sockets[2].Dispose(); // idempotent: released once
        Assert.Equal(3, allocator.Held);
        Assert.Equal(BindError.None, allocator.TryBind(IPAddress.Loopback, 51000, 51003, 1 << 16, out var again));
        Assert.Equal(sockets[2].LocalEndPoint.Port, again!.LocalEndPoint.Port);
        foreach (var s in sockets) s.Dispose();
        again.Dispose();
        Assert.Equal(0, allocator.Held);
    }

    [Fact]
    public void A_port_another_socket_holds_is_skipped_by_its_return_code()
    {
        var allocator = new PortAllocator();
        using var foreign = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        foreign.Bind(new IPEndPoint(IPAddress.Loopback, 51010));
        UdpSocket? s = null;
        BindError err = default, full = default;
        var exceptions = ExceptionsDuring(() =>
        {
            err = allocator.TryBind(IPAddress.Loopback, 51010, 51011, 1 << 16, out s);
            full = allocator.TryBind(IPAddress.Loopback, 51010, 51011, 1 << 16, out var none);
        });
        using var held = s;
        Assert.Equal(0, exceptions);
        Assert.Equal((BindError.None, 51011, BindError.NoFreePort), (err, s!.LocalEndPoint.Port, full));
        Assert.True(allocator.BusyTried >= 1); // 51010, tried at least by the second call
        Assert.False(allocator.IsHeld(51010));
    }

    [Fact]
    public void A_bad_range_or_a_foreign_ip_is_an_error_not_an_exception()
    {
        var allocator = new PortAllocator();
        var exceptions = ExceptionsDuring(() =>
        {
            Assert.Equal(BindError.BadRange, allocator.TryBind(IPAddress.Loopback, 51020, 51019, 1 << 16, out _));
            Assert.Equal(BindError.Failed, allocator.TryBind(IPAddress.Parse("192.0.2.1"), 51020, 51021, 1 << 16, out _));
        });
        Assert.Equal(0, exceptions);
    }

    [Fact]
    public void The_engine_answers_no_free_udp_port_on_its_own_thread_without_throwing_and_counts_it()
    {
        using var harness = new EngineHarness();
        var settings = new WebRtcTransportSettings(IPAddress.Loopback, null, 51030, 51031);
        var plain = new PlainTransportSettings(IPAddress.Loopback, null, 51030, 51031, RtcpMux: false);
        var result = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var errors = new List<string?>();
            var exceptions = ExceptionsDuring(() =>
            {
                errors.Add(e.TryCreateWebRtcTransport("r", "a", settings, out _, out var e1) ? null : e1);
                errors.Add(e.TryCreateWebRtcTransport("r", "b", settings, out _, out var e2) ? null : e2);
                errors.Add(e.TryCreateWebRtcTransport("r", "c", settings, out _, out var e3) ? null : e3);
                errors.Add(e.TryCreatePlainTransport("r", "d", plain, out _, out var e4) ? null : e4);
            });
            return (errors, exceptions, e.Counters.NoFreePort);
        });
        Assert.Equal(0, result.exceptions);
        Assert.Equal([null, null, "no free UDP port in 51030-51031 on 127.0.0.1", "no free UDP port in 51030-51031 on 127.0.0.1"], result.errors);
        Assert.Equal(2, result.NoFreePort);

        // A closed transport's port comes back (its socket is closed by the receive thread, soon after).
        harness.Invoke(e => e.CloseTransport("a"));
        var deadline = Environment.TickCount64 + 10_000;
        while (!harness.Invoke(e => e.TryCreateWebRtcTransport("r", "e", settings, out _, out _)))
        {
            Assert.True(Environment.TickCount64 < deadline, "the closed transport's port never came back");
            Thread.Sleep(20);
        }
    }
}
