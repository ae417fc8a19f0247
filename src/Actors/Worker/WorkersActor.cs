using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Actors.Worker;

/// <summary>Supervises the node's workers (one per core by default) and places routers on the least loaded
/// one. A worker that fails is stopped, not restarted (its sockets and SRTP state are gone), its routers
/// report closure, <see cref="WorkerDied"/> goes on the event stream, and a fresh worker takes its index.</summary>
public sealed class WorkersActor : ReceiveActor
{
    private readonly SfuSettings _settings;
    private readonly TimeProvider? _time;
    private readonly IActorRef?[] _workers;
    private readonly int[] _generation;
    private readonly Dictionary<IActorRef, int> _routerWorker = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public WorkersActor(SfuSettings settings, TimeProvider? time = null)
    {
        _settings = settings;
        _time = time;
        _workers = new IActorRef?[settings.Workers];
        _generation = new int[settings.Workers];

        Receive<CreateRouter>(Place);
        Receive<RouterCreated>(_ => { }); // answers to our own forwards go straight to the requester
        Receive<GetWorkers>(_ => Sender.Tell(new WorkersStatus(Enumerable.Range(0, _workers.Length)
            .Select(i => new WorkerStatus(i, _workers[i] ?? ActorRefs.Nobody, RoutersOn(i), 0, 0)).ToArray())));
        Receive<Watched>(w => { _routerWorker[w.Router] = w.Worker; Context.Watch(w.Router); });
        Receive<Terminated>(OnTerminated);
    }

    public static Props Props(SfuSettings settings, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new WorkersActor(settings, time));

    private sealed record Watched(IActorRef Router, int Worker);

    protected override void PreStart()
    {
        for (var i = 0; i < _workers.Length; i++) Start(i);
    }

    /// <summary>Akka logs the failure; the worker is stopped and replaced in <see cref="OnTerminated"/>.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void Start(int index)
    {
        var name = _generation[index] == 0 ? $"worker-{index}" : $"worker-{index}-{_generation[index]}";
        _generation[index]++;
        _workers[index] = Context.Watch(Context.ActorOf(WorkerActor.Props(index, _settings, _time), name));
    }

    private int RoutersOn(int index) => _routerWorker.Values.Count(w => w == index);

    private void Place(CreateRouter request)
    {
        var free = Enumerable.Range(0, _workers.Length).Where(i => request.AvoidWorkers?.Contains(i) != true).ToArray();
        if (request.WorkerIndex is null && free.Length == 0)
        {
            Sender.Tell(new Status.Failure(new SfuException($"no free worker (all {_workers.Length} avoided)")));
            return;
        }
        var index = request.WorkerIndex ?? free.MinBy(RoutersOn);
        if (index < 0 || index >= _workers.Length || _workers[index] is not { } worker)
        {
            Sender.Tell(new Status.Failure(new SfuException($"no worker {index}")));
            return;
        }
        var requester = Sender;
        var self = Self;
        worker.Ask<object>(request, TimeSpan.FromSeconds(10)).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result is RouterCreated created)
            {
                self.Tell(new Watched(created.Router, created.WorkerIndex));
                requester.Tell(created);
            }
            else requester.Tell(t.IsCompletedSuccessfully ? t.Result : new Status.Failure(t.Exception?.GetBaseException() ?? new SfuException("create router failed")));
        });
    }

    private void OnTerminated(Terminated t)
    {
        if (_routerWorker.Remove(t.ActorRef)) return;
        var index = Array.FindIndex(_workers, w => t.ActorRef.Equals(w));
        if (index < 0) return;
        _log.Warning("worker {0} died; starting a fresh one", index);
        Context.System.EventStream.Publish(new WorkerDied(index, "worker stopped after a fault"));
        foreach (var r in _routerWorker.Where(kv => kv.Value == index).Select(kv => kv.Key).ToArray()) _routerWorker.Remove(r);
        Start(index);
    }
}
