using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Media.Engine;

namespace AkkaSfu.Actors.Worker;

/// <summary>What every router, transport, producer and consumer actor shares: it owns one engine object
/// (by id) on its worker, forwards that object's events to its listener, and closes the object when it
/// stops — whatever stopped it: a close request, its parent closing, or a fault. A fault (an engine fault
/// or an exception in the actor) makes it throw, and its parent's strategy stops it: an object that
/// failed closes, as in mediasoup, and its listener is told why.</summary>
public abstract class SfuObjectActor : ReceiveActor, IWithUnboundedStash
{
    private readonly string _parentCloseReason;
    private string? _closeReason;
    private bool _silent;
    private bool _faulted;

    protected SfuObjectActor(string id, IActorRef worker, IActorRef? listener, string parentCloseReason)
    {
        Id = id;
        Worker = worker;
        Listener = listener;
        _parentCloseReason = parentCloseReason;
    }

    public IStash Stash { get; set; } = null!;

    protected string Id { get; }
    protected IActorRef Worker { get; }
    protected IActorRef? Listener { get; }

    /// <summary>Messages every object actor handles; call at the end of each behaviour.</summary>
    protected void ReceiveCommon()
    {
        Receive<WorkerActor.EngineFault>(f =>
        {
            _faulted = true;
            throw new EngineFaultException(Id, f.Exception);
        });
        Receive<InjectFault>(f =>
        {
            _faulted = true;
            throw new InvalidOperationException($"injected fault in {Id}: {f.Reason}");
        });
        Receive<ISfuEvent>(OnEngineEvent);
    }

    /// <summary>An event from the engine about this object: by default, passed on to the listener.</summary>
    protected virtual void OnEngineEvent(ISfuEvent e) => Listener?.Tell(e);

    /// <summary>Stops with <paramref name="reason"/> told to the listener (null: tell nothing, e.g. when
    /// the listener asked for the close).</summary>
    protected void CloseSelf(string? reason)
    {
        _closeReason = reason;
        _silent = reason is null;
        Context.Stop(Self);
    }

    /// <summary>Closes this actor's engine object; runs on the worker thread and must be idempotent.</summary>
    protected abstract void CloseEngineObject(WorkerEngine engine);

    /// <summary>The event that tells the listener this object closed.</summary>
    protected abstract ISfuEvent Closed(string reason);

    /// <summary>Runs <paramref name="run"/> on the worker and pipes its result (or failure) to this actor.</summary>
    protected void Engine(Func<WorkerEngine, object?> run, bool own = false) =>
        Worker.Tell(new WorkerActor.EngineCommand(run, own ? Id : null), Self);

    /// <summary>Runs <paramref name="run"/> on the worker and replies to <paramref name="replyTo"/> with
    /// <see cref="Done"/> (or the failure).</summary>
    protected void EngineAndReply(Func<WorkerEngine, object?> run, IActorRef replyTo) =>
        Worker.Tell(new WorkerActor.EngineCommand(run), replyTo);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PostStop()
    {
        Worker.Tell(new WorkerActor.EngineCommand(e => { CloseEngineObject(e); return null; }, Reply: false));
        Worker.Tell(new WorkerActor.Disown(Id));
        if (!_silent) Listener?.Tell(Closed(_faulted ? "fault" : _closeReason ?? _parentCloseReason));
    }
}

/// <summary>An engine object failed on the packet path; thrown by its actor so supervision handles it.</summary>
public sealed class EngineFaultException(string id, Exception inner) : Exception($"engine object {id} failed: {inner.Message}", inner);
