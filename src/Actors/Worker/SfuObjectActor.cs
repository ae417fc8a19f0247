using Akka.Actor;
using AkkaSfu.Actors.Messages;

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

    /// <summary>The command that closes this actor's engine object (idempotent; sent when the actor stops).</summary>
    protected abstract IEngineClose CloseEngineObject();

    /// <summary>The event that tells the listener this object closed.</summary>
    protected abstract ISfuEvent Closed(string reason);

    /// <summary>Sends <paramref name="command"/> to the worker; its result (or failure) comes back to this
    /// actor (which, for an <see cref="IEngineCreateOwned"/>, then owns the object).</summary>
    protected void Engine(IEngineCommand command) => Worker.Tell(command, Self);

    /// <summary>Sends <paramref name="command"/> to the worker, which answers <paramref name="replyTo"/> with
    /// its result, <see cref="Done"/> or the failure.</summary>
    protected void EngineAndReply(IEngineCommand command, IActorRef replyTo) => Worker.Tell(command, replyTo);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PostStop()
    {
        Worker.Tell(CloseEngineObject());
        Worker.Tell(new WorkerActor.Disown(Id));
        if (!_silent) Listener?.Tell(Closed(_faulted ? "fault" : _closeReason ?? _parentCloseReason));
    }
}

/// <summary>An engine object failed on the packet path; thrown by its actor so supervision handles it.</summary>
public sealed class EngineFaultException(string id, Exception inner) : Exception($"engine object {id} failed: {inner.Message}", inner);
