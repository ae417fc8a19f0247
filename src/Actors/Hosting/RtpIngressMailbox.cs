using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace AkkaSfu.Actors.Hosting;

/// <summary>A message that may be dropped when its receiver is overloaded: datagram batches from sockets.
/// Everything else (commands, replies) is always delivered.</summary>
public interface IDroppableMessage
{
    /// <summary>Called when the mailbox drops the message (e.g. to return its buffer to a pool).</summary>
    void OnDropped() { }
}

/// <summary>Drop counts of one mailbox, readable from any thread.</summary>
public sealed class IngressCounters
{
    private long _dropped;
    private long _enqueued;

    public long Dropped => Volatile.Read(ref _dropped);
    public long Enqueued => Volatile.Read(ref _enqueued);

    internal void CountDropped() => Interlocked.Increment(ref _dropped);
    internal void CountEnqueued() => Interlocked.Increment(ref _enqueued);
}

/// <summary>The mailbox RTP enters a worker through. Unlike Akka's BoundedMailbox, which blocks the
/// sending (socket) thread when full, this one never blocks: past capacity it drops
/// <see cref="IDroppableMessage"/>s and counts them. Configured in hocon as akkasfu.rtp-mailbox.</summary>
public sealed class RtpIngressMailbox : MailboxType, IProducesMessageQueue<RtpIngressQueue>
{
    private static readonly ConcurrentDictionary<ActorPath, IngressCounters> Registry = new();

    public int Capacity { get; }

    public RtpIngressMailbox(Akka.Actor.Settings settings, Config config) : base(settings, config)
    {
        Capacity = config.GetInt("mailbox-capacity", 4096);
        if (Capacity <= 0) throw new ConfigurationException($"mailbox-capacity must be positive, was {Capacity}");
    }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system)
    {
        var counters = owner is null ? new IngressCounters() : Registry.GetOrAdd(owner.Path, _ => new IngressCounters());
        return new RtpIngressQueue(Capacity, counters, owner?.Path, Registry);
    }

    /// <summary>Counters of the ingress mailbox of <paramref name="actor"/> (created on first use, so they
    /// can be looked up before the actor's mailbox exists).</summary>
    public static IngressCounters CountersOf(IActorRef actor) => Registry.GetOrAdd(actor.Path, _ => new IngressCounters());
}

public sealed class RtpIngressQueue : IMessageQueue
{
    private readonly ConcurrentQueue<Envelope> _queue = new();
    private readonly int _capacity;
    private readonly IngressCounters _counters;
    private readonly ActorPath? _owner;
    private readonly ConcurrentDictionary<ActorPath, IngressCounters> _registry;
    private int _droppable;

    internal RtpIngressQueue(int capacity, IngressCounters counters, ActorPath? owner, ConcurrentDictionary<ActorPath, IngressCounters> registry)
    {
        _capacity = capacity;
        _counters = counters;
        _owner = owner;
        _registry = registry;
    }

    public bool HasMessages => !_queue.IsEmpty;

    public int Count => _queue.Count;

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        if (envelope.Message is IDroppableMessage droppable)
        {
            if (Interlocked.Increment(ref _droppable) > _capacity)
            {
                Interlocked.Decrement(ref _droppable);
                _counters.CountDropped();
                droppable.OnDropped();
                return;
            }
            _counters.CountEnqueued();
        }
        _queue.Enqueue(envelope);
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (!_queue.TryDequeue(out envelope)) return false;
        if (envelope.Message is IDroppableMessage) Interlocked.Decrement(ref _droppable);
        return true;
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (_queue.TryDequeue(out var envelope))
        {
            // Datagrams of a stopped worker are garbage; everything else goes to dead letters as usual.
            if (envelope.Message is IDroppableMessage droppable) droppable.OnDropped();
            else deadletters.Enqueue(owner, envelope);
        }
        if (_owner is not null) _registry.TryRemove(_owner, out _);
    }
}
