// BouncyCastle DatagramTransport backed by a bounded queue the owner fills (see docs/dtls.md §6).
using System.Buffers;
using Org.BouncyCastle.Tls;

namespace AkkaSfu.Media.Dtls;

/// <summary>Bridges our push model (owner calls <see cref="TryEnqueue"/>) to BC's blocking pull
/// (<see cref="Receive(Span{byte}, int)"/>). Blocking mode waits for data (waitMillis 0 = no timeout); after the
/// handshake switch to non-blocking so the owner's thread never waits. Once closed, Receive throws IOException
/// (returning -1 would make BC busy-spin). Sends go straight to the listener.</summary>
internal sealed class DatagramQueue : DatagramTransport
{
    internal const int ReceiveLimit = 1500;
    internal const int SendLimit = 1200;

    private readonly Queue<(byte[] Buffer, int Length)> _queue = new();
    private readonly int _capacity;
    private readonly IDtlsListener _listener;
    private readonly DtlsCounters _counters;
    private bool _closed;
    private volatile bool _nonBlocking;

    public DatagramQueue(IDtlsListener listener, DtlsCounters counters, int capacity = 64)
    {
        _listener = listener;
        _counters = counters;
        _capacity = capacity;
    }

    public bool IsClosed { get { lock (_queue) return _closed; } }

    public bool HasPending { get { lock (_queue) return _queue.Count > 0; } }

    /// <summary>After the handshake: Receive returns -1 at once when empty instead of waiting.</summary>
    public void SetNonBlocking() => _nonBlocking = true;

    /// <summary>Copies the datagram in; false (counted) when full, too large or closed.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > ReceiveLimit) { Interlocked.Increment(ref _counters.datagramsTooLarge); return false; }
        lock (_queue)
        {
            if (_closed) { Interlocked.Increment(ref _counters.datagramsAfterClose); return false; }
            if (_queue.Count >= _capacity) { Interlocked.Increment(ref _counters.datagramsQueueFull); return false; }
            var buf = ArrayPool<byte>.Shared.Rent(datagram.Length);
            datagram.CopyTo(buf);
            _queue.Enqueue((buf, datagram.Length));
            Monitor.Pulse(_queue);
        }
        return true;
    }

    public int GetReceiveLimit() => ReceiveLimit;

    public int GetSendLimit() => SendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        (byte[] Buffer, int Length) item;
        lock (_queue)
        {
            if (_queue.Count == 0 && !_closed && !_nonBlocking)
            {
                // waitMillis 0 means "no timeout" to BC (src); Monitor.Wait wakes on Pulse or Close. The deadline
                // uses the real clock on purpose: BC's resend timers (DateTimeUtilities) are real-clock too.
                long deadline = waitMillis > 0 ? Environment.TickCount64 + waitMillis : long.MaxValue;
                while (_queue.Count == 0 && !_closed)
                {
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0) return -1;
                    Monitor.Wait(_queue, left > int.MaxValue ? Timeout.Infinite : (int)left);
                }
            }
            if (_closed) throw new IOException("DTLS transport closed");
            if (_queue.Count == 0) return -1;
            item = _queue.Dequeue();
        }
        int n = Math.Min(item.Length, buffer.Length);
        item.Buffer.AsSpan(0, n).CopyTo(buffer);
        ArrayPool<byte>.Shared.Return(item.Buffer);
        return n;
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (IsClosed) return; // e.g. BC's user_canceled alert after we cancelled: nowhere to go
        _listener.SendDtls(buffer);
    }

    /// <summary>Closes: wakes a waiting Receive (which then throws), frees queued buffers. Idempotent.</summary>
    public void Close()
    {
        lock (_queue)
        {
            if (_closed) return;
            _closed = true;
            while (_queue.Count > 0) ArrayPool<byte>.Shared.Return(_queue.Dequeue().Buffer);
            Monitor.PulseAll(_queue);
        }
    }
}
