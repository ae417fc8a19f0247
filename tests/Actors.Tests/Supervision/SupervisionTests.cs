using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Worker;

namespace AkkaSfu.Actors.Tests.Supervision;

/// <summary>Fault injection: a failure takes down exactly the object that failed (and what it owns), its
/// listener is told, and media for everyone else keeps flowing.</summary>
public class SupervisionTests() : TestKit(AkkaSfuConfig.With("akka.loglevel = INFO"))
{
    [Fact]
    public async Task A_consumer_that_throws_closes_alone_and_its_client_is_told()
    {
        var bed = new SfuTestBed(Sys);
        var client = CreateTestProbe();
        client.IgnoreMessages<ConsumerScoreChanged>(); // a resumed consumer reports its score: not what these tests are about
        var router = await bed.RouterAsync("room", 0);
        var (ingress, producer) = await bed.IngressAsync(router.Router, "in", "p");
        var (_, bad, badSink) = await bed.EgressAsync(router, "out-1", "c1", "p", client);
        var (_, good, goodSink) = await bed.EgressAsync(router, "out-2", "c2", "p");

        SfuTestBed.Send(ingress.Port, 0, 10);
        Assert.Equal(10, SfuTestBed.Drain(badSink, 10));
        Assert.Equal(10, SfuTestBed.Drain(goodSink, 10));

        // The next packet throws inside c1's engine consumer, on the worker thread, in the fan-out loop.
        var worker = (await bed.Workers.Ask<WorkersStatus>(GetWorkers.Instance, SfuTestBed.Timeout)).Workers[0].Worker;
        await worker.Ask<Done>(new EngineInjectConsumerFault("c1", "boom"), SfuTestBed.Timeout);
        Watch(bad.Consumer);

        await EventFilter.Exception<EngineFaultException>().ExpectOneAsync(() =>
        {
            SfuTestBed.Send(ingress.Port, 10, 10);
            return Task.CompletedTask;
        });

        var closed = await client.ExpectMsgAsync<ConsumerClosed>(SfuTestBed.Timeout);
        Assert.Equal(("c1", "fault"), (closed.ConsumerId, closed.Reason));
        await ExpectTerminatedAsync(bad.Consumer);
        Assert.Equal(10, SfuTestBed.Drain(goodSink, 10)); // c2 got every packet, including the one that broke c1
        Assert.Equal(0, SfuTestBed.Drain(badSink, 1, timeoutMs: 300));

        SfuTestBed.Send(ingress.Port, 20, 5);
        Assert.Equal(5, SfuTestBed.Drain(goodSink, 5));
        Assert.False(good.Consumer.IsNobody());
        Assert.NotNull(producer.Producer);
    }

    [Fact]
    public async Task A_crashing_transport_closes_its_consumers_and_nothing_else()
    {
        var bed = new SfuTestBed(Sys);
        var client = CreateTestProbe();
        client.IgnoreMessages<ConsumerScoreChanged>(); // a resumed consumer reports its score: not what these tests are about
        var router = await bed.RouterAsync("room", 0);
        var (ingress, producer) = await bed.IngressAsync(router.Router, "in", "p");
        var (broken, _, _) = await bed.EgressAsync(router, "out-1", "c1", "p", client);
        var (_, _, goodSink) = await bed.EgressAsync(router, "out-2", "c2", "p");
        Watch(broken.Transport);

        await EventFilter.Exception<InvalidOperationException>(contains: "injected").ExpectOneAsync(() =>
        {
            broken.Transport.Tell(new InjectFault("test"));
            return Task.CompletedTask;
        });
        await ExpectTerminatedAsync(broken.Transport);

        var events = new[] { await client.ExpectMsgAsync<ISfuEvent>(), await client.ExpectMsgAsync<ISfuEvent>() };
        Assert.Contains(new ConsumerClosed("c1", "transportclose"), events);
        Assert.Contains(new TransportClosed("out-1", "fault"), events);

        SfuTestBed.Send(ingress.Port, 0, 10);
        Assert.Equal(10, SfuTestBed.Drain(goodSink, 10));
        Assert.IsType<RtpStreamStats>(await producer.Producer.Ask<RtpStreamStats>(GetRtpStreamStats.Instance, SfuTestBed.Timeout));
    }

    [Fact]
    public async Task A_dying_worker_takes_down_only_its_routers_while_another_worker_keeps_forwarding()
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var roomListener = CreateTestProbe();
        var died = CreateTestProbe();
        Sys.EventStream.Subscribe(died.Ref, typeof(WorkerDied));

        var doomed = await bed.RouterAsync("doomed", 0, roomListener);
        var healthy = await bed.RouterAsync("healthy", 1);
        Assert.Equal((0, 1), (doomed.WorkerIndex, healthy.WorkerIndex));
        var (doomedIn, _) = await bed.IngressAsync(doomed.Router, "in-a", "pa");
        await bed.EgressAsync(doomed, "out-a", "ca", "pa");
        var (healthyIn, _) = await bed.IngressAsync(healthy.Router, "in-b", "pb");
        var (_, _, healthySink) = await bed.EgressAsync(healthy, "out-b", "cb", "pb");

        var workers = await bed.Workers.Ask<WorkersStatus>(GetWorkers.Instance, SfuTestBed.Timeout);
        var worker0 = workers.Workers[0].Worker;
        Watch(worker0);

        // Media flows on worker 1 before, during and after worker 0's death.
        using var flowing = new CancellationTokenSource();
        var sender = Task.Run(async () =>
        {
            for (var i = 0; !flowing.IsCancellationRequested; i++)
            {
                SfuTestBed.Send(healthyIn.Port, i, 1);
                await Task.Delay(5);
            }
        });
        Assert.Equal(20, SfuTestBed.Drain(healthySink, 20));

        await EventFilter.Exception<InvalidOperationException>(contains: "injected").ExpectOneAsync(() =>
        {
            worker0.Tell(new InjectFault("test"));
            return Task.CompletedTask;
        });
        await ExpectTerminatedAsync(worker0);
        Assert.Equal(new RouterClosed("doomed"), await roomListener.ExpectMsgAsync<RouterClosed>());
        Assert.Equal(0, (await died.ExpectMsgAsync<WorkerDied>()).Index);

        Assert.Equal(50, SfuTestBed.Drain(healthySink, 50)); // still flowing on worker 1
        await flowing.CancelAsync();
        await sender;

        // A fresh worker took index 0 and serves new rooms.
        var again = await bed.RouterAsync("again", 0);
        Assert.Equal(0, again.WorkerIndex);
        SfuTestBed.Send(doomedIn.Port, 0, 1); // the old port is closed: nothing happens, nothing breaks
    }
}
