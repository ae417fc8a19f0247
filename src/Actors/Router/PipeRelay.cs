using Akka.Actor;
using AkkaSfu.Actors.Messages;

namespace AkkaSfu.Actors.Router;

/// <summary>Keeps the two ends of a pipe in step, as mediasoup does: it listens to the pipe consumer here, so
/// when the original producer pauses, resumes or closes, the pipe producer on the other router follows. When the
/// pipe consumer closes, it tells its <see cref="PipesActor"/> the pipe is gone.</summary>
internal sealed class PipeRelay : ReceiveActor
{
    internal sealed record Attach(IActorRef PipeProducer);

    /// <summary>The pipe is closed on request (its consumer closes without telling its listener): close the far end.</summary>
    internal sealed record Close
    {
        public static readonly Close Instance = new();
    }

    public PipeRelay(string producerId, IActorRef router)
    {
        IActorRef? producer = null;
        var pending = new List<object>();
        void Send(object m) { if (producer is null) pending.Add(m); else producer.Tell(m); }

        Receive<Attach>(a =>
        {
            producer = a.PipeProducer;
            foreach (var m in pending) producer.Tell(m);
            pending.Clear();
        });
        Receive<ConsumerProducerPaused>(_ => Send(PauseProducer.Instance));
        Receive<ConsumerProducerResumed>(_ => Send(ResumeProducer.Instance));
        Receive<ConsumerClosed>(_ =>
        {
            Send(CloseProducer.Instance);
            Context.Parent.Tell(new PipesActor.PipeGone(producerId, router, Self));
            Context.Stop(Self);
        });
        Receive<Close>(_ =>
        {
            Send(CloseProducer.Instance);
            Context.Stop(Self);
        });
        ReceiveAny(_ => { });
    }

    public static Props Props(string producerId, IActorRef router) => Akka.Actor.Props.Create(() => new PipeRelay(producerId, router));
}
