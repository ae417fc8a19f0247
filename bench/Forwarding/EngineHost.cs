using System.Collections.Concurrent;
using System.Diagnostics;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Net;

namespace AkkaSfu.Bench.Forwarding;

/// <summary>Runs one <see cref="WorkerEngine"/> on a dedicated thread, the way the worker actor will: datagram
/// batches, posted work and commands arrive through lock-free queues, one event wakes the thread, and the
/// engine ticks every 10 ms. Unlike the test harness it allocates nothing per batch (no closure, no
/// BlockingCollection node), so the allocation figures are the engine's own. Also times the sections of the
/// loop (OnBatch, Tick) with Stopwatch ticks.</summary>
internal sealed class EngineHost : IDisposable
{
    private readonly ConcurrentQueue<DatagramBatch> _batches = new();
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 0);
    private readonly Thread _thread;
    private readonly long _unixMsAtStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private readonly long _ticksAtStart = Stopwatch.GetTimestamp();
    private volatile bool _stopping;
    private readonly TaskCompletionSource<int> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Section timers, written by the worker thread only (read racily between windows).
    public long BatchCount, BatchDatagrams, BatchTicks, TickCount, TickTicks, Wakeups;
    /// <summary>Most batches seen waiting at once (a backlog means the worker cannot keep up).</summary>
    public long QueueMax;

    /// <summary>Batches waiting for the worker thread now.</summary>
    public int QueueLength => _batches.Count;

    /// <param name="bandwidthEstimation"><see cref="WorkerEngine.BandwidthEstimation"/>.</param>
    public EngineHost(string name, bool bandwidthEstimation = true)
    {
        Name = name;
        Engine = new WorkerEngine(NullEngineObserver.Instance,
            wakeup: () => _signal.Set(),
            onBatch: batch => { _batches.Enqueue(batch); _signal.Set(); },
            name: name)
        { BandwidthEstimation = bandwidthEstimation };
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
        Tid = _started.Task.GetAwaiter().GetResult();
    }

    public string Name { get; }
    public WorkerEngine Engine { get; }
    /// <summary>Kernel thread id of the engine thread.</summary>
    public int Tid { get; }

    /// <summary>Milliseconds since the Unix epoch, from a monotonic clock (what the engine's nowMs is).</summary>
    public long NowMs => _unixMsAtStart + (long)Stopwatch.GetElapsedTime(_ticksAtStart).TotalMilliseconds;

    public T Invoke<T>(Func<WorkerEngine, T> command)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Enqueue(() =>
        {
            try { done.SetResult(command(Engine)); }
            catch (Exception e) { done.SetException(e); }
        });
        _signal.Set();
        return done.Task.WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
    }

    /// <summary>(user and system CPU µs of the engine thread from getrusage, bytes allocated on it), read on
    /// the thread.</summary>
    public (long UserUs, long SysUs, long AllocatedBytes) ThreadCounters() =>
        Invoke(_ =>
        {
            var (user, sys) = Native.CurrentThreadUserSysUs();
            return (user, sys, GC.GetAllocatedBytesForCurrentThread());
        });

    private void Run()
    {
        _started.SetResult(Native.gettid());
        var tickPeriod = Stopwatch.Frequency / 100; // 10 ms
        var nextTick = Stopwatch.GetTimestamp() + tickPeriod;
        while (!_stopping)
        {
            var waitMs = (int)Math.Max(0, (nextTick - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency);
            if (_signal.Wait(waitMs)) Wakeups++;
            _signal.Reset();
            while (_commands.TryDequeue(out var command)) command();
            var waiting = _batches.Count;
            if (waiting > QueueMax) QueueMax = waiting;
            // At most 16 batches between commands and ticks, so an overloaded worker still answers.
            for (var k = 0; k < 16 && _batches.TryDequeue(out var batch); k++)
            {
                var t0 = Stopwatch.GetTimestamp();
                BatchDatagrams += batch.Count;
                Engine.OnBatch(batch, NowMs);
                BatchTicks += Stopwatch.GetTimestamp() - t0;
                BatchCount++;
            }
            if (!_batches.IsEmpty) _signal.Set();
            var now = Stopwatch.GetTimestamp();
            if (now >= nextTick)
            {
                Engine.Tick(NowMs);
                TickTicks += Stopwatch.GetTimestamp() - now;
                TickCount++;
                nextTick = now + tickPeriod;
            }
        }
    }

    public void Dispose()
    {
        Invoke(e => { e.Dispose(); return 0; });
        _stopping = true;
        _signal.Set();
        _thread.Join();
        _signal.Dispose();
    }
}
