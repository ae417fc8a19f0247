using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Actors.Tests.Supervision;
using AkkaSfu.Actors.Worker;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Engine;

namespace AkkaSfu.Actors.Tests.Worker;

/// <summary>The worker's typed engine commands, sent straight to a worker: every command is answered (its
/// result, Done, or a failure that names what was wrong), except the closes of stopped actors; the sender of
/// a create owns the new object and hears its events.</summary>
public class EngineCommandTests() : TestKit(AkkaSfuConfig.With("akka.loglevel = INFO"))
{
    private static readonly SfuSettings Settings = SfuSettings.Create(AkkaSfuConfig.Default) with { Workers = 1 };

    private static PlainTransportSettings Plain(bool comedia) =>
        new(IPAddress.Loopback, null, Settings.RtcMinPort, Settings.RtcMaxPort, RtcpMux: true, Comedia: comedia);

    private async Task<IActorRef> WorkerWithRouterAsync(string routerId)
    {
        var worker = Sys.ActorOf(WorkerActor.Props(0, Settings));
        await worker.Ask<RouterCreated>(new CreateRouter(routerId), SfuTestBed.Timeout);
        return worker;
    }

    public static TheoryData<IEngineCommand, string> UnknownIds => new()
    {
        { new EngineCreateWebRtcTransport("no-router", "t", new WebRtcTransportSettings(IPAddress.Loopback, null, 40000, 40100), ActorRefs.Nobody), "routerId:no-router" },
        { new EngineConnectWebRtcTransport("no-t", DtlsRole.Client, new DtlsFingerprint("sha-256", "00")), "transportId:no-t" },
        { new EngineConnectPlainTransport("no-t", null, null, null), "transportId:no-t" },
        { new EngineRestartIce("no-t"), "transportId:no-t" },
        { new EngineGetTransportStats("no-t"), "transportId:no-t" },
        { new EngineProduce("no-t", new ProducerSettings("p", StreamKind.Audio, RtpStreamType.Simple, [], [], null, default, default, false)), "transportId:no-t" },
        { new EnginePauseProducer("no-p"), "producerId:no-p" },
        { new EngineResumeProducer("no-p"), "producerId:no-p" },
        { new EngineGetProducerStats("no-p"), "producerId:no-p" },
        { new EnginePauseConsumer("no-c"), "consumerId:no-c" },
        { new EngineResumeConsumer("no-c"), "consumerId:no-c" },
        { new EngineRequestConsumerKeyFrame("no-c"), "consumerId:no-c" },
        { new EngineSetConsumerPreferredLayers("no-c", 1, null), "consumerId:no-c" },
        { new EngineGetConsumerStats("no-c"), "consumerId:no-c" },
        { new EngineInjectConsumerFault("no-c", "test"), "consumerId:no-c" },
        { new EngineCreateActiveSpeakerObserver("no-router", "o", 300), "routerId:no-router" },
        { new EngineRtpObserverAddProducer("no-o", "p"), "rtpObserverId:no-o" },
        { new EngineRtpObserverRemoveProducer("no-o", "p"), "rtpObserverId:no-o" },
        { new EnginePauseRtpObserver("no-o"), "rtpObserverId:no-o" },
        { new EngineResumeRtpObserver("no-o"), "rtpObserverId:no-o" },
        { new EngineCloseRtpObserver("no-o"), "rtpObserverId:no-o" },
    };

    [Theory]
    [MemberData(nameof(UnknownIds))]
    public async Task A_command_for_an_unknown_object_answers_a_failure_naming_it(IEngineCommand command, string named)
    {
        var worker = await WorkerWithRouterAsync("r");

        worker.Tell(command, TestActor);

        var failure = await ExpectMsgAsync<Status.Failure>(SfuTestBed.Timeout);
        var e = Assert.IsType<SfuException>(failure.Cause);
        Assert.Contains(named, e.Message);
    }

    private sealed record NotAnEngineCommand(string Id) : IEngineCommand;

    [Fact]
    public async Task A_command_the_worker_does_not_know_answers_a_failure()
    {
        var worker = await WorkerWithRouterAsync("r");

        worker.Tell(new NotAnEngineCommand("x"), TestActor);

        var e = Assert.IsType<SfuException>((await ExpectMsgAsync<Status.Failure>(SfuTestBed.Timeout)).Cause);
        Assert.Equal("unknown engine command NotAnEngineCommand [id:x]", e.Message);
    }

    [Fact]
    public async Task Results_reach_the_sender_and_a_close_is_not_answered()
    {
        var worker = await WorkerWithRouterAsync("r");
        var sender = CreateTestProbe();

        worker.Tell(new EngineCreatePlainTransport("r", "t", Plain(comedia: false), sender.Ref), sender.Ref);
        var created = await sender.ExpectMsgAsync<PlainTransportCreated>(SfuTestBed.Timeout);
        Assert.Equal(("t", sender.Ref, "127.0.0.1", (int?)null, (SrtpParameters?)null), (created.TransportId, created.Transport, created.Ip, created.RtcpPort, created.SrtpParameters));
        Assert.InRange(created.Port, Settings.RtcMinPort, Settings.RtcMaxPort);

        worker.Tell(new EngineConnectPlainTransport("t", new IPEndPoint(IPAddress.Loopback, 9), null, null), sender.Ref);
        await sender.ExpectMsgAsync<Done>(SfuTestBed.Timeout);
        worker.Tell(new EngineGetTransportStats("t"), sender.Ref);
        var stats = await sender.ExpectMsgAsync<TransportStats>(SfuTestBed.Timeout);
        Assert.Empty(stats.Drops!);
        Assert.Equal(new TransportStats("t", "", "", null, 0, 0), stats with { Drops = null });

        // The wrong kind of transport is refused by name, not cast.
        worker.Tell(new EngineRestartIce("t"), sender.Ref);
        var wrongKind = await sender.ExpectMsgAsync<Status.Failure>(SfuTestBed.Timeout);
        Assert.Equal("transport with id \"t\" is not a WebRtcTransport", wrongKind.Cause.Message);

        worker.Tell(new EngineCloseTransport("t"), sender.Ref);
        await sender.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        worker.Tell(new EngineGetTransportStats("t"), sender.Ref);
        Assert.Contains("transportId:t", (await sender.ExpectMsgAsync<Status.Failure>(SfuTestBed.Timeout)).Cause.Message);
    }

    [Fact]
    public async Task The_sender_of_a_create_owns_the_object_and_hears_its_events()
    {
        var worker = await WorkerWithRouterAsync("r");
        var owner = CreateTestProbe();
        var other = CreateTestProbe();

        worker.Tell(new EngineCreatePlainTransport("r", "t", Plain(comedia: true), owner.Ref), owner.Ref);
        var created = await owner.ExpectMsgAsync<PlainTransportCreated>(SfuTestBed.Timeout);
        worker.Tell(new EngineConnectPlainTransport("t", null, null, null), other.Ref); // not a create: ownership stays
        await other.ExpectMsgAsync<Done>(SfuTestBed.Timeout);

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        source.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        source.SendTo(SfuTestBed.Opus(1), new IPEndPoint(IPAddress.Loopback, created.Port));

        var tuple = await owner.ExpectMsgAsync<PlainTransportTuple>(SfuTestBed.Timeout);
        Assert.Equal(("t", source.LocalEndPoint!.ToString(), false), (tuple.TransportId, tuple.RemoteAddress, tuple.Rtcp));
        await other.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
