// A worker's DTLS handshake threads (docs/dtls.md §6: BC's Accept/Connect hold a thread for the whole handshake).
namespace AkkaSfu.Media.Dtls;

/// <summary>Runs DTLS handshakes on at most <see cref="MaxConcurrent"/> threads, made when needed and kept while
/// there is work (one exits after <see cref="IdleTimeout"/> without any); at most <see cref="MaxQueued"/> more wait
/// for a slot, in order. Waiting is not an error: the handshake's own timeout (counted from Run) still applies,
/// and a handshake that never completes gives its slot back when that timeout ends it. Past the queue a handshake
/// is refused (<see cref="DtlsFailure.Overloaded"/>, counted). One pool per worker; thread-safe.</summary>
public sealed class DtlsHandshakePool
{
    /// <summary>How long an idle handshake thread waits for work before it ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    private readonly LinkedList<DtlsTransport> _queue = new();
    private readonly object _gate = new();
    private readonly string _name;
    private int _threads, _idle, _running;
    private long _threadsStarted, _refused, _handshakes;

    public DtlsHandshakePool(int maxConcurrent = 32, int maxQueued = 1000, string name = "dtls")
    {
        if (maxConcurrent < 1) throw new ArgumentOutOfRangeException(nameof(maxConcurrent));
        if (maxQueued < 0) throw new ArgumentOutOfRangeException(nameof(maxQueued));
        MaxConcurrent = maxConcurrent;
        MaxQueued = maxQueued;
        _name = name;
    }

    public int MaxConcurrent { get; }
    public int MaxQueued { get; }

    /// <summary>Handshakes running now (each on one of the pool's threads).</summary>
    public int Running { get { lock (_gate) return _running; } }
    /// <summary>Handshakes waiting for a thread.</summary>
    public int Queued { get { lock (_gate) return _queue.Count; } }
    /// <summary>Threads the pool has alive.</summary>
    public int Threads { get { lock (_gate) return _threads; } }
    /// <summary>Threads ever started (bounded by the work, never above MaxConcurrent alive at once).</summary>
    public long ThreadsStarted => Interlocked.Read(ref _threadsStarted);
    /// <summary>Handshakes refused because the queue was full.</summary>
    public long Refused => Interlocked.Read(ref _refused);
    /// <summary>Handshakes run to their end.</summary>
    public long Handshakes => Interlocked.Read(ref _handshakes);

    /// <summary>Queues <paramref name="transport"/>'s handshake; false (counted) when the queue is full.</summary>
    internal bool TryEnqueue(DtlsTransport transport, out LinkedListNode<DtlsTransport>? node)
    {
        lock (_gate)
        {
            node = null;
            // Queued entries beyond the free slots (MaxConcurrent - running) are the waiting ones.
            if (_queue.Count >= MaxQueued + (MaxConcurrent - _running))
            {
                Interlocked.Increment(ref _refused);
                return false;
            }
            node = _queue.AddLast(transport);
            if (_idle > 0) Monitor.Pulse(_gate);
            // Threads not running a handshake (idle, or started and not yet at the queue) each take one entry.
            if (_queue.Count > _threads - _running && _threads < MaxConcurrent)
            {
                _threads++;
                Interlocked.Increment(ref _threadsStarted);
                new Thread(Loop, maxStackSize: 512 * 1024) { IsBackground = true, Name = _name + "-handshake" }.Start();
            }
            return true;
        }
    }

    /// <summary>Takes a handshake that has not started out of the queue; false when it already started.</summary>
    internal bool TryRemove(LinkedListNode<DtlsTransport> node)
    {
        lock (_gate)
        {
            if (node.List != _queue) return false;
            _queue.Remove(node);
            return true;
        }
    }

    private void Loop()
    {
        while (true)
        {
            DtlsTransport next;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    _idle++;
                    var woken = Monitor.Wait(_gate, IdleTimeout);
                    _idle--;
                    if (!woken && _queue.Count == 0)
                    {
                        _threads--;
                        return;
                    }
                }
                next = _queue.First!.Value;
                _queue.RemoveFirst();
                _running++;
            }
            try { next.RunHandshake(); }
            catch (Exception) { /* RunHandshake reports its own failures; a bug must not kill the pool */ }
            finally
            {
                lock (_gate) _running--;
                Interlocked.Increment(ref _handshakes);
            }
        }
    }
}
