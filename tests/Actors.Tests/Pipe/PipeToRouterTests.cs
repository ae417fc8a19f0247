using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Tests.Supervision;

namespace AkkaSfu.Actors.Tests.Pipe;

/// <summary>One room on two cores: a producer on worker 0 is piped into a router on worker 1, where
/// another peer consumes it.</summary>
public class PipeToRouterTests() : TestKit(AkkaSfuConfig.Default)
{
    [Fact]
    public async Task A_producer_piped_to_a_router_on_another_worker_reaches_its_consumers()
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var a = await bed.RouterAsync("room-a", 0);
        var b = await bed.RouterAsync("room-b", 1);
        var (ingress, original) = await bed.IngressAsync(a.Router, "in", "p");

        var piped = await a.Router.Ask<PipedToRouter>(new PipeToRouter("p", b.Router), SfuTestBed.Timeout);
        Assert.Equal("p", piped.PipeProducer.ProducerId);
        Assert.Equal(AkkaSfu.Actors.Ortc.RtpType.Pipe, piped.PipeConsumer.Type);

        var client = CreateTestProbe();
        var (_, _, sink) = await bed.EgressAsync(b, "out", "c", "p", client);
        SfuTestBed.Send(ingress.Port, 0, 30);
        Assert.Equal(30, SfuTestBed.Drain(sink, 30));

        // Pausing the original pauses the producer on the far side: its consumers hear it and get nothing.
        await original.Producer.Ask<Done>(PauseProducer.Instance, SfuTestBed.Timeout);
        Assert.Equal(new ConsumerProducerPaused("c"), await client.ExpectMsgAsync<ConsumerProducerPaused>());
        SfuTestBed.Send(ingress.Port, 30, 10);
        Assert.Equal(0, SfuTestBed.Drain(sink, 1, timeoutMs: 500));

        await original.Producer.Ask<Done>(ResumeProducer.Instance, SfuTestBed.Timeout);
        Assert.Equal(new ConsumerProducerResumed("c"), await client.ExpectMsgAsync<ConsumerProducerResumed>());
        SfuTestBed.Send(ingress.Port, 40, 10);
        Assert.Equal(10, SfuTestBed.Drain(sink, 10));

        // Closing it closes the far side's producer, and so its consumers.
        await original.Producer.Ask<Done>(CloseProducer.Instance, SfuTestBed.Timeout);
        Assert.Equal(new ConsumerClosed("c", "producerclose"), await client.ExpectMsgAsync<ConsumerClosed>());
    }

    [Fact]
    public async Task Piping_an_unknown_producer_fails_with_a_clear_error()
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var a = await bed.RouterAsync("room-a", 0);
        var b = await bed.RouterAsync("room-b", 1);
        var e = await Assert.ThrowsAsync<SfuException>(() => a.Router.Ask<PipedToRouter>(new PipeToRouter("nope", b.Router), SfuTestBed.Timeout));
        Assert.Equal("producer with id \"nope\" not found", e.Message);
    }
}
