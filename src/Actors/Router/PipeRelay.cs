using Akka.Actor;
using AkkaSfu.Actors.Messages;

namespace AkkaSfu.Actors.Router;

/// <summary>Keeps the two ends of a pipeToRouter in step, as mediasoup does: when the original producer
/// pauses, resumes or closes, the pipe consumer here hears it and the producer on the other router follows.</summary>
internal sealed class PipeRelay : ReceiveActor
{
    internal sealed record Attach(IActorRef PipeProducer);

    public PipeRelay()
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
        Receive<ConsumerClosed>(_ => { Send(CloseProducer.Instance); Context.Stop(Self); });
        Receive<Done>(_ => { });
    }
}
