using System.Runtime.InteropServices;

namespace AkkaSfu.Media.Net;

/// <summary>One thread that waits on a set of <see cref="UdpSocket"/>s with poll(2), drains every ready
/// socket with recvmmsg(2) into a <see cref="DatagramBatch"/>, and hands each batch to <c>onBatch</c>
/// (which posts it to the worker). One wake-up per burst, not per datagram (fast-path.md §5).
/// The receiver owns the sockets it is given: <see cref="Remove"/> closes them on its own thread, so a
/// descriptor is never closed while poll is watching it.
/// <para>With <c>idleSleepUs</c> &gt; 0 the thread does not wait on its sockets: it checks them (poll with no
/// timeout), drains what is ready and sleeps that long when nothing was. A sender on the same host then never
/// pays for waking it (on loopback the kernel delivers, and wakes the receiver, inside the sender's sendto),
/// at the price of up to that much added delay here: for load generators emulating remote peers.</para></summary>
public sealed unsafe class UdpReceiver : IDisposable
{
    private readonly Action<DatagramBatch> _onBatch;
    private readonly DatagramBatchPool _pool;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private readonly int _pollTimeoutMs;
    private readonly int _idleSleepUs;
    private UdpSocket[] _sockets = [];
    private List<UdpSocket> _removed = [];
    private int _version;
    private volatile bool _stopping;
    private long _receiveErrors, _batches, _overflowed;
    // Where datagrams go when the pool has no free batch (the worker is far behind): read and dropped.
    private readonly DatagramBatch _overflow = new();

    public UdpReceiver(string name, DatagramBatchPool pool, Action<DatagramBatch> onBatch, int pollTimeoutMs = 20, int idleSleepUs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(idleSleepUs);
        _pool = pool;
        _onBatch = onBatch;
        _pollTimeoutMs = pollTimeoutMs;
        _idleSleepUs = idleSleepUs;
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);
    public long Batches => Interlocked.Read(ref _batches);
    /// <summary>Datagrams read and dropped because every batch of the pool was still with the worker.</summary>
    public long Overflowed => Interlocked.Read(ref _overflowed);

    public void Add(UdpSocket socket)
    {
        lock (_gate) { _sockets = [.. _sockets, socket]; _version++; }
    }

    /// <summary>Stops receiving on <paramref name="socket"/> and closes it (on the receive thread, soon).</summary>
    public void Remove(UdpSocket socket)
    {
        lock (_gate)
        {
            if (Array.IndexOf(_sockets, socket) < 0) return;
            _sockets = _sockets.Where(s => s != socket).ToArray();
            _removed.Add(socket);
            _version++;
        }
    }

    private void Run()
    {
        var seen = -1;
        UdpSocket[] sockets = [];
        var fds = new LibC.PollFd[4];
        DatagramBatch? batch = null;
        while (!_stopping)
        {
            if (Volatile.Read(ref _version) != seen)
            {
                List<UdpSocket> closing;
                lock (_gate) { seen = _version; sockets = _sockets; closing = _removed; _removed = []; }
                foreach (var s in closing) s.Dispose();
                if (fds.Length < sockets.Length) fds = new LibC.PollFd[sockets.Length * 2];
                for (var i = 0; i < sockets.Length; i++) fds[i] = new LibC.PollFd { Fd = sockets[i].Fd, Events = LibC.POLLIN };
            }
            if (sockets.Length == 0) { Thread.Sleep(_pollTimeoutMs); continue; }

            int ready;
            fixed (LibC.PollFd* p = fds) ready = LibC.poll(p, (nuint)sockets.Length, _idleSleepUs > 0 ? 0 : _pollTimeoutMs);
            if (ready <= 0)
            {
                if (_idleSleepUs > 0) Sleep(_idleSleepUs);
                continue; // timeout or EINTR
            }

            for (var i = 0; i < sockets.Length; i++)
            {
                if (fds[i].Revents == 0) continue;
                while (true)
                {
                    batch ??= _pool.TryRent();
                    if (batch is null)
                    {
                        var dropped = _overflow.ReceiveFrom(sockets[i]);
                        if (dropped > 0) Interlocked.Add(ref _overflowed, _overflow.Count);
                        _overflow.Release();
                        if (dropped <= 0) break;
                        continue;
                    }
                    var n = batch.ReceiveFrom(sockets[i]);
                    if (n < 0) { Interlocked.Increment(ref _receiveErrors); break; }
                    if (batch.IsFull) { Deliver(batch); batch = null; continue; }
                    if (n == 0) break;
                }
            }
            if (batch is { Count: > 0 }) { Deliver(batch); batch = null; }
        }
        lock (_gate)
        {
            foreach (var s in _sockets) s.Dispose();
            foreach (var s in _removed) s.Dispose();
            _sockets = [];
            _removed = [];
        }
    }

    private static void Sleep(int us)
    {
        var t = new LibC.TimeSpec { Seconds = us / 1_000_000, Nanoseconds = us % 1_000_000 * 1000L };
        LibC.nanosleep(&t, null);
    }

    private void Deliver(DatagramBatch batch)
    {
        Interlocked.Increment(ref _batches);
        try { _onBatch(batch); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The sink is ours (a Tell); if it throws, drop the batch rather than kill the receive thread.
            batch.Release();
        }
    }

    /// <summary>Stops the thread and closes every socket it still owns.</summary>
    public void Dispose()
    {
        _stopping = true;
        if (Thread.CurrentThread != _thread) _thread.Join();
    }
}
