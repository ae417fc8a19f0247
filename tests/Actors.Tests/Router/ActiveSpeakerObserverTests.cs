using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Tests.Supervision;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Actors.Tests.Router;

/// <summary>mediasoup's ActiveSpeakerObserver through the router actor: created, fed with audio producers,
/// its dominantspeaker events reach the router's listener; bad ids answer a failure, never crash.</summary>
public class ActiveSpeakerObserverTests() : TestKit(AkkaSfuConfig.With("akka.loglevel = INFO"))
{
    private const int AudioLevelId = 10;

    private static string OpusWithAudioLevel(uint ssrc) => $$$"""
        {"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{}}],
         "headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":{{{AudioLevelId}}},"encrypt":false,"parameters":{}}],
         "encodings":[{"ssrc":{{{ssrc}}}}]}
        """;

    private static async Task<(int Port, ProducerCreated Producer)> AudioProducerAsync(IActorRef router, string id, uint ssrc)
    {
        var t = await router.Ask<PlainTransportCreated>(new CreatePlainTransport("t-" + id, RtcpMux: true, Comedia: true), SfuTestBed.Timeout);
        await t.Transport.Ask<Done>(new ConnectPlainTransport(), SfuTestBed.Timeout);
        var p = await t.Transport.Ask<ProducerCreated>(new Produce(id, MediaKind.Audio, OrtcJson.Deserialize<RtpParameters>(OpusWithAudioLevel(ssrc))), SfuTestBed.Timeout);
        return (t.Port, p);
    }

    private static byte[] Packet(uint ssrc, ushort seq, byte level)
    {
        var buf = new byte[200];
        var header = new RtpHeaderFields { PayloadType = 100, SequenceNumber = seq, Timestamp = seq * 960u, Ssrc = ssrc };
        return buf[..RtpPacketWriter.Write(buf, header, [], [new RtpExtension(AudioLevelId, new[] { level })], new byte[40])];
    }

    [Fact]
    public async Task The_talking_producer_reaches_the_router_listener_as_dominant_speaker()
    {
        var bed = new SfuTestBed(Sys, workers: 1);
        var listener = CreateTestProbe();
        var router = await bed.RouterAsync("room", 0, listener);
        var (portA, _) = await AudioProducerAsync(router.Router, "a", 1111);
        var (portB, _) = await AudioProducerAsync(router.Router, "b", 2222);
        var created = await router.Router.Ask<ActiveSpeakerObserverCreated>(new CreateActiveSpeakerObserver(), SfuTestBed.Timeout);
        Assert.Equal(300, created.Interval);
        await router.Router.Ask<Done>(new RtpObserverAddProducer(created.ObserverId, "a"), SfuTestBed.Timeout);
        await router.Router.Ask<Done>(new RtpObserverAddProducer(created.ObserverId, "b"), SfuTestBed.Timeout);

        // 20 ms packets: background noise (−70 dBov) from both for 100 ms, then b talks (−20 dBov).
        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var stop = new CancellationTokenSource();
        var sender = Task.Run(async () =>
        {
            for (ushort i = 0; !stop.IsCancellationRequested && i < 400; i++)
            {
                source.SendTo(Packet(1111, i, 70), new IPEndPoint(IPAddress.Loopback, portA));
                source.SendTo(Packet(2222, i, i < 5 ? (byte)70 : (byte)20), new IPEndPoint(IPAddress.Loopback, portB));
                await Task.Delay(20);
            }
        });

        var dominant = (DominantSpeaker)await listener.FishForMessageAsync(m => m is DominantSpeaker { ProducerId: "b" }, TimeSpan.FromSeconds(8));
        Assert.Equal(new DominantSpeaker(router.RouterId, created.ObserverId, "b"), dominant);
        await stop.CancelAsync();
        await sender;
    }

    [Fact]
    public async Task Unknown_ids_and_refused_producers_answer_a_failure_and_the_router_keeps_serving()
    {
        var bed = new SfuTestBed(Sys, workers: 1);
        var router = await bed.RouterAsync("room", 0);
        var (_, producer) = await bed.IngressAsync(router.Router, "in", "p");
        var created = await router.Router.Ask<ActiveSpeakerObserverCreated>(new CreateActiveSpeakerObserver(Interval: 50, ObserverId: "aso"), SfuTestBed.Timeout);
        Assert.Equal(new ActiveSpeakerObserverCreated("aso", 100), created);

        // Status.Failure(SfuException) replies: Ask rethrows the cause.
        async Task<string> Failure(object message) =>
            (await Assert.ThrowsAsync<SfuException>(() => router.Router.Ask<object>(message, SfuTestBed.Timeout))).Message;

        Assert.Contains("already exists", await Failure(new CreateActiveSpeakerObserver(ObserverId: "aso")));
        Assert.Contains("rtpObserver with id \"nope\" not found", await Failure(new RtpObserverAddProducer("nope", "p")));
        Assert.Contains("rtpObserver with id \"nope\" not found", await Failure(new PauseRtpObserver("nope")));
        Assert.Contains("Producer not found [producerId:ghost]", await Failure(new RtpObserverAddProducer("aso", "ghost")));
        Assert.Contains("Producer not found [producerId:ghost]", await Failure(new RtpObserverRemoveProducer("aso", "ghost")));

        await router.Router.Ask<Done>(new RtpObserverAddProducer("aso", "p"), SfuTestBed.Timeout);
        Assert.Contains("already in map", await Failure(new RtpObserverAddProducer("aso", "p")));
        await router.Router.Ask<Done>(new PauseRtpObserver("aso"), SfuTestBed.Timeout);
        await router.Router.Ask<Done>(new ResumeRtpObserver("aso"), SfuTestBed.Timeout);
        await router.Router.Ask<Done>(new RtpObserverRemoveProducer("aso", "p"), SfuTestBed.Timeout);
        await router.Router.Ask<Done>(new CloseRtpObserver("aso"), SfuTestBed.Timeout);
        Assert.Contains("not found", await Failure(new RtpObserverAddProducer("aso", "p")));

        // Still alive and serving.
        Assert.IsType<RtpCapabilities>(await router.Router.Ask<RtpCapabilities>(GetRouterRtpCapabilities.Instance, SfuTestBed.Timeout));
        Assert.IsType<RtpStreamStats>(await producer.Producer.Ask<RtpStreamStats>(GetRtpStreamStats.Instance, SfuTestBed.Timeout));
    }
}
