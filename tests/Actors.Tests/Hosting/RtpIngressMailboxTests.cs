using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;

namespace AkkaSfu.Actors.Tests.Hosting;

public class RtpIngressMailboxTests() : TestKit(AkkaSfuConfig.With("akkasfu.rtp-mailbox.mailbox-capacity = 8"))
{
    private sealed record Datagrams(int N) : IDroppableMessage;
    private sealed record Command(string Name);
    private sealed record Block(ManualResetEventSlim Gate);

    /// <summary>Echoes what it handles to the test actor; a Block message parks its thread on a gate.</summary>
    private sealed class Sink : ReceiveActor
    {
        public Sink(IActorRef probe)
        {
            Receive<Block>(b => { probe.Tell("blocked"); b.Gate.Wait(TimeSpan.FromSeconds(10)); });
            Receive<Datagrams>(d => probe.Tell(d));
            Receive<Command>(c => probe.Tell(c));
            Receive<string>(s => s == "thread", _ => Sender.Tell((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread)));
        }
    }

    private IActorRef NewSink(string name) => Sys.ActorOf(
        Props.Create(() => new Sink(TestActor)).WithMailbox(AkkaSfuConfig.RtpMailbox).WithDispatcher(AkkaSfuConfig.RtpDispatcher), name);

    [Fact]
    public async Task Past_capacity_datagrams_are_dropped_and_counted_while_commands_still_arrive()
    {
        var sink = NewSink("worker-1");
        using var gate = new ManualResetEventSlim();
        sink.Tell(new Block(gate));
        await ExpectMsgAsync("blocked");

        for (var i = 0; i < 20; i++) sink.Tell(new Datagrams(i)); // returns at once: nothing blocks the sender
        sink.Tell(new Command("close-transport"));

        var counters = RtpIngressMailbox.CountersOf(sink);
        Assert.Equal(12, counters.Dropped);
        Assert.Equal(8, counters.Enqueued);

        gate.Set();
        for (var i = 0; i < 8; i++) Assert.Equal(i, (await ExpectMsgAsync<Datagrams>()).N);
        Assert.Equal("close-transport", (await ExpectMsgAsync<Command>()).Name);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Room_frees_up_as_the_worker_drains()
    {
        var sink = NewSink("worker-2");
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 8; i++) sink.Tell(new Datagrams(i));
            for (var i = 0; i < 8; i++) await ExpectMsgAsync<Datagrams>();
        }
        Assert.Equal(0, RtpIngressMailbox.CountersOf(sink).Dropped);
    }

    [Fact]
    public async Task Worker_runs_on_one_dedicated_thread()
    {
        var sink = NewSink("worker-3");
        var first = await sink.Ask<(int Id, bool Pool)>("thread", TimeSpan.FromSeconds(3));
        var second = await sink.Ask<(int Id, bool Pool)>("thread", TimeSpan.FromSeconds(3));
        Assert.False(first.Pool);
        Assert.Equal(first.Id, second.Id);
    }

    [Fact]
    public void Capacity_must_be_positive()
    {
        var config = AkkaSfuConfig.With("akkasfu.rtp-mailbox.mailbox-capacity = 0").GetConfig(AkkaSfuConfig.RtpMailbox);
        Assert.Throws<Akka.Configuration.ConfigurationException>(() => new RtpIngressMailbox(Sys.Settings, config));
    }
}
