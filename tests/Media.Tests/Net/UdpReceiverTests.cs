using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Net;

namespace AkkaSfu.Media.Tests.Net;

public class UdpReceiverTests
{
    private static async Task<List<(byte[] Data, IPEndPoint From, UdpSocket Socket)>> CollectAsync(
        BlockingCollection<DatagramBatch> batches, int count)
    {
        var got = new List<(byte[], IPEndPoint, UdpSocket)>();
        var from = new SocketAddress(AddressFamily.InterNetwork);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (got.Count < count)
        {
            var batch = await Task.Run(() => batches.Take(cts.Token));
            for (var i = 0; i < batch.Count; i++)
            {
                Assert.True(batch.TryGetSource(i, from));
                got.Add((batch.Datagram(i).ToArray(), (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from), batch.Socket(i)));
            }
            batch.Release();
        }
        return got;
    }

    [Fact]
    public async Task Datagrams_arrive_in_batches_with_their_source_and_socket()
    {
        var pool = new DatagramBatchPool();
        var batches = new BlockingCollection<DatagramBatch>();
        using var receiver = new UdpReceiver("test-rx", pool, batches.Add);
        var a = UdpSocket.Bind(IPAddress.Loopback, 0);
        var b = UdpSocket.Bind(IPAddress.Loopback, 0);
        receiver.Add(a);
        receiver.Add(b);

        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        for (byte i = 0; i < 100; i++) peer.SendTo(new byte[] { i, 1, 2, 3 }, i % 2 == 0 ? a.LocalEndPoint : b.LocalEndPoint);

        var got = await CollectAsync(batches, 100);
        Assert.Equal(100, got.Count);
        Assert.All(got, g => Assert.Equal(peer.LocalEndPoint, g.From));
        Assert.All(got, g => Assert.Same(g.Data[0] % 2 == 0 ? a : b, g.Socket));
        Assert.Equal(Enumerable.Range(0, 100), got.Select(g => (int)g.Data[0]).Order());
        Assert.True(pool.Created <= pool.MaxBatches, "batches are reused");
    }

    [Fact]
    public async Task A_receiver_that_sleeps_between_checks_still_gets_every_datagram()
    {
        var batches = new BlockingCollection<DatagramBatch>();
        using var receiver = new UdpReceiver("test-rx", new DatagramBatchPool(), batches.Add, idleSleepUs: 200);
        var socket = UdpSocket.Bind(IPAddress.Loopback, 0);
        receiver.Add(socket);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (byte i = 0; i < 200; i++)
        {
            peer.SendTo(new byte[] { i }, socket.LocalEndPoint);
            if (i % 50 == 0) Thread.Sleep(1);
        }

        var got = await CollectAsync(batches, 200);
        Assert.Equal(Enumerable.Range(0, 200), got.Select(g => (int)g.Data[0]).Order());
    }

    [Fact]
    public async Task When_every_batch_is_still_with_the_worker_datagrams_are_dropped_and_counted_not_queued()
    {
        var pool = new DatagramBatchPool(maxBatches: 2);
        var held = new BlockingCollection<DatagramBatch>();
        using var receiver = new UdpReceiver("test-rx", pool, held.Add);
        var socket = UdpSocket.Bind(IPAddress.Loopback, 0);
        receiver.Add(socket);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        // The "worker" keeps both batches: whatever arrives next is read and dropped.
        peer.SendTo(new byte[] { 1 }, socket.LocalEndPoint);
        var first = held.Take(new CancellationTokenSource(5000).Token);
        peer.SendTo(new byte[] { 2 }, socket.LocalEndPoint);
        var second = held.Take(new CancellationTokenSource(5000).Token);
        for (var i = 0; i < 10; i++) peer.SendTo(new byte[] { 3 }, socket.LocalEndPoint);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (receiver.Overflowed < 10 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(10, receiver.Overflowed);
        Assert.Equal(2, pool.Created);

        // Once the worker gives a batch back, datagrams flow again.
        first.Release();
        second.Release();
        peer.SendTo(new byte[] { 4 }, socket.LocalEndPoint);
        var next = held.Take(new CancellationTokenSource(5000).Token);
        Assert.Equal(4, next.Datagram(0)[0]);
        Assert.Equal(2, pool.Created);
    }

    [Fact]
    public async Task Sockets_that_ask_for_it_get_the_kernel_arrival_time_of_each_datagram()
    {
        var batches = new BlockingCollection<DatagramBatch>();
        using var receiver = new UdpReceiver("test-rx", new DatagramBatchPool(), batches.Add);
        var stamped = UdpSocket.Bind(IPAddress.Loopback, 0);
        stamped.EnableArrivalTimestamps();
        var plain = UdpSocket.Bind(IPAddress.Loopback, 0);
        receiver.Add(stamped);
        receiver.Add(plain);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        var before = DateTime.UtcNow;
        peer.SendTo(new byte[] { 1 }, stamped.LocalEndPoint);
        peer.SendTo(new byte[] { 2 }, plain.LocalEndPoint);
        var arrivals = new Dictionary<byte, long>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (arrivals.Count < 2)
        {
            var batch = await Task.Run(() => batches.Take(cts.Token));
            for (var i = 0; i < batch.Count; i++) arrivals[batch.Datagram(i)[0]] = batch.ArrivalUnixNs(i);
            batch.Release();
        }
        var after = DateTime.UtcNow;

        var arrival = DateTime.UnixEpoch.AddTicks(arrivals[1] / 100);
        Assert.InRange(arrival, before.AddMilliseconds(-1), after);
        Assert.Equal(0, arrivals[2]);
    }

    [Fact]
    public async Task An_oversized_datagram_is_dropped_and_counted()
    {
        var batches = new BlockingCollection<DatagramBatch>();
        using var receiver = new UdpReceiver("test-rx", new DatagramBatchPool(), batches.Add);
        var socket = UdpSocket.Bind(IPAddress.Loopback, 0);
        receiver.Add(socket);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.SendTo(new byte[DatagramBatch.SlotSize + 1], socket.LocalEndPoint);
        peer.SendTo(new byte[] { 42 }, socket.LocalEndPoint);

        var got = await CollectAsync(batches, 1);
        Assert.Equal(new byte[] { 42 }, got.Single().Data);
        Assert.Equal(1, socket.Truncated);
    }

    [Fact]
    public async Task SendTo_reaches_the_address_and_counts()
    {
        using var socket = UdpSocket.Bind(IPAddress.Loopback, 0);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.True(socket.SendTo([7, 8, 9], peer.LocalEndPoint!.Serialize()));
        var buf = new byte[16];
        var r = await peer.ReceiveFromAsync(buf, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new byte[] { 7, 8, 9 }, buf[..r.ReceivedBytes]);
        Assert.Equal(socket.LocalEndPoint, r.RemoteEndPoint);
        Assert.Equal(1, socket.Sent);
    }

    [Fact]
    public void Removed_sockets_are_closed_by_the_receiver()
    {
        using var receiver = new UdpReceiver("test-rx", new DatagramBatchPool(), b => b.Release());
        var socket = UdpSocket.Bind(IPAddress.Loopback, 0);
        var port = socket.LocalEndPoint.Port;
        receiver.Add(socket);
        receiver.Remove(socket);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            try { UdpSocket.Bind(IPAddress.Loopback, port).Dispose(); break; } // the port is free again
            catch (SocketException) when (DateTime.UtcNow < deadline) { Thread.Sleep(10); }
        }
    }

    [Fact]
    public void BindInRange_takes_a_port_inside_the_range()
    {
        Assert.Equal(BindError.None, UdpSocket.TryBindInRange(IPAddress.Loopback, 40000, 40100, out var s));
        using var _ = s;
        Assert.InRange(s!.LocalEndPoint.Port, 40000, 40100);
    }
}
