using System.Collections.Concurrent;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Net;

namespace AkkaSfu.Interop.Tests.Ffmpeg;

/// <summary>A copy of tests/Media.Tests/Engine/EngineHarness.cs. Runs a <see cref="WorkerEngine"/> on its
/// own thread the way the worker actor does: batches, posted work and commands in one queue, a tick every
/// 10 ms. Tests call <see cref="Invoke{T}"/> to run commands on that thread.</summary>
public sealed class EngineHarness : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();

    public EngineHarness(IEngineObserver? observer = null)
    {
        WorkerEngine? engine = null;
        engine = new WorkerEngine(observer ?? NullEngineObserver.Instance,
            wakeup: () => _queue.Add(() => engine!.RunPosted()),
            onBatch: batch => _queue.Add(() => engine!.OnBatch(batch, Now)));
        Engine = engine;
        _thread = new Thread(Run) { Name = "test-worker", IsBackground = true };
        _thread.Start();
    }

    public WorkerEngine Engine { get; }

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public T Invoke<T>(Func<WorkerEngine, T> command)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try { done.SetResult(command(Engine)); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    public void Invoke(Action<WorkerEngine> command) => Invoke(e => { command(e); return 0; });

    private void Run()
    {
        var nextTick = Environment.TickCount64;
        while (!_stop.IsCancellationRequested)
        {
            var wait = (int)Math.Max(0, nextTick - Environment.TickCount64);
            if (_queue.TryTake(out var work, wait)) work();
            if (Environment.TickCount64 >= nextTick)
            {
                Engine.Tick(Now);
                nextTick = Environment.TickCount64 + 10;
            }
        }
    }

    public void Dispose()
    {
        Invoke(e => e.Dispose());
        _stop.Cancel();
        _thread.Join();
    }
}
