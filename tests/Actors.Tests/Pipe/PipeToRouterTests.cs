using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Tests.Supervision;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Actors.Tests.Pipe;

/// <summary>mediasoup's router.pipeToRouter(): a producer of one router made available on another, on another
/// worker or on the same worker, with pause/resume/close following the original and key-frame requests coming
/// back through the pipe. (Between nodes: tests/Signalling.Tests/Cluster/SpreadRoomTests.)</summary>
public class PipeToRouterTests() : TestKit(AkkaSfuConfig.Default)
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public async Task A_piped_producer_reaches_the_other_routers_consumers_and_follows_the_original(int otherWorker, bool srtp)
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var a = await bed.RouterAsync("room-a", 0);
        var b = await bed.RouterAsync("room-b", otherWorker);
        var (ingress, original) = await bed.IngressAsync(a.Router, "in", "p");

        var piped = await a.Router.Ask<PipedToRouter>(new PipeToRouter("p", b.Router, EnableSrtp: srtp), SfuTestBed.Timeout);
        Assert.Equal(RtpType.Pipe, piped.PipeConsumer.Type);
        // Ids are unique within a worker (as in mediasoup): on the same worker the pipe producer gets a new one.
        var pipeProducerId = piped.PipeProducer.ProducerId;
        if (otherWorker == 0) Assert.NotEqual("p", pipeProducerId);
        else Assert.Equal("p", pipeProducerId);

        var client = CreateTestProbe();
        client.IgnoreMessages<ConsumerScoreChanged>(); // a resumed consumer reports its score: not what these tests are about
        var (_, _, sink) = await bed.EgressAsync(b, "out", "c", pipeProducerId, client);
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
    public async Task Piping_is_idempotent_per_producer_and_router_and_producers_share_one_pair_of_pipe_transports()
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var a = await bed.RouterAsync("room-a", 0);
        var b = await bed.RouterAsync("room-b", 1);
        await bed.IngressAsync(a.Router, "in1", "p1");
        await bed.IngressAsync(a.Router, "in2", "p2");

        var asks = Enumerable.Range(0, 4).Select(_ => a.Router.Ask<PipedToRouter>(new PipeToRouter("p1", b.Router), SfuTestBed.Timeout)).ToArray();
        var results = await Task.WhenAll(asks);
        Assert.Single(results.Select(r => r.PipeConsumer.ConsumerId).Distinct());
        await a.Router.Ask<PipedToRouter>(new PipeToRouter("p2", b.Router), SfuTestBed.Timeout);

        var workers = await bed.Workers.Ask<WorkersStatus>(GetWorkers.Instance, SfuTestBed.Timeout);
        var w0 = await workers.Workers[0].Worker.Ask<WorkerStatus>(GetWorkerStatus.Instance, SfuTestBed.Timeout);
        var w1 = await workers.Workers[1].Worker.Ask<WorkerStatus>(GetWorkerStatus.Instance, SfuTestBed.Timeout);
        Assert.Equal(3, w0.Transports); // two ingress transports and one pipe transport
        Assert.Equal(2, w0.Consumers);  // one pipe consumer per producer
        Assert.Equal(1, w1.Transports); // the other end of the one pipe
    }

    [Fact]
    public async Task A_closed_pipe_closes_the_far_consumers_and_the_next_request_makes_a_new_one()
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var a = await bed.RouterAsync("room-a", 0);
        var b = await bed.RouterAsync("room-b", 1);
        var (ingress, _) = await bed.IngressAsync(a.Router, "in", "p");
        var first = await a.Router.Ask<PipedToRouter>(new PipeToRouter("p", b.Router), SfuTestBed.Timeout);
        var client = CreateTestProbe();
        client.IgnoreMessages<ConsumerScoreChanged>(); // a resumed consumer reports its score: not what these tests are about
        await bed.EgressAsync(b, "out", "c", "p", client);

        await a.Router.Ask<Done>(new ClosePipe("p", b.Router), SfuTestBed.Timeout);
        Assert.Equal(new ConsumerClosed("c", "producerclose"), await client.ExpectMsgAsync<ConsumerClosed>());

        var second = await AwaitAssertAsync(() => a.Router.Ask<PipedToRouter>(new PipeToRouter("p", b.Router), SfuTestBed.Timeout));
        Assert.NotEqual(first.PipeConsumer.ConsumerId, second.PipeConsumer.ConsumerId);
        var (_, _, sink) = await bed.EgressAsync(b, "out2", "c2", "p", client);
        SfuTestBed.Send(ingress.Port, 0, 10);
        Assert.Equal(10, SfuTestBed.Drain(sink, 10));
    }

    private async Task<T> AwaitAssertAsync<T>(Func<Task<T>> f)
    {
        for (var i = 0; ; i++)
        {
            try { return await f(); }
            catch (SfuException) when (i < 20) { await Task.Delay(100); }
        }
    }

    private const string Vp8Producer = """
        {"codecs":[{"mimeType":"video/VP8","payloadType":101,"clockRate":90000,
           "rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"}]}],
         "encodings":[{"ssrc":2222}]}
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task A_key_frame_request_of_a_far_consumer_travels_back_through_the_pipe_to_the_original_sender(int otherWorker)
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var a = await bed.RouterAsync("room-a", 0);
        var b = await bed.RouterAsync("room-b", otherWorker);
        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        source.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var t = await a.Router.Ask<PlainTransportCreated>(new CreatePlainTransport("in", RtcpMux: true, Comedia: true), SfuTestBed.Timeout);
        await t.Transport.Ask<Done>(new ConnectPlainTransport(), SfuTestBed.Timeout);
        await t.Transport.Ask<ProducerCreated>(new Produce("v", MediaKind.Video, OrtcJson.Deserialize<RtpParameters>(Vp8Producer)), SfuTestBed.Timeout);
        // One packet, so the comedia transport learns where the sender is.
        var packet = new byte[200];
        var n = RtpPacketWriter.Write(packet, new RtpHeaderFields { PayloadType = 101, SequenceNumber = 1, Timestamp = 90, Ssrc = 2222 }, [], [], new byte[] { 0x10, 0, 0, 0 });
        source.SendTo(packet.AsSpan(0, n), new IPEndPoint(IPAddress.Loopback, t.Port));

        var piped = await a.Router.Ask<PipedToRouter>(new PipeToRouter("v", b.Router), SfuTestBed.Timeout);
        // A consumer that starts (is resumed) asks its producer for a key frame: here, the pipe producer.
        await bed.EgressAsync(b, "out", "c", piped.PipeProducer.ProducerId);

        source.ReceiveTimeout = 5000;
        var buf = new byte[1500];
        while (true)
        {
            var len = source.Receive(buf); // throws (fails the test) if no PLI comes within 5 s
            var reader = new RtcpCompoundReader(buf.AsSpan(0, len));
            var found = false;
            while (reader.MoveNext())
                if (reader.Current is { PacketType: RtcpPacketType.PayloadFeedback, Fmt: RtcpPli.Fmt } p
                    && RtcpPli.TryParse(p.Packet, out var pli) == RtcpError.None && pli.MediaSsrc == 2222) found = true;
            if (found) break;
        }
    }

    [Fact]
    public async Task Piping_an_unknown_producer_or_to_its_own_router_fails_with_a_clear_error()
    {
        var bed = new SfuTestBed(Sys, workers: 2);
        var a = await bed.RouterAsync("room-a", 0);
        var b = await bed.RouterAsync("room-b", 1);
        var e = await Assert.ThrowsAsync<SfuException>(() => a.Router.Ask<PipedToRouter>(new PipeToRouter("nope", b.Router), SfuTestBed.Timeout));
        Assert.Equal("producer with id \"nope\" not found", e.Message);
        await bed.IngressAsync(a.Router, "in", "p");
        e = await Assert.ThrowsAsync<SfuException>(() => a.Router.Ask<PipedToRouter>(new PipeToRouter("p", a.Router), SfuTestBed.Timeout));
        Assert.Equal("cannot pipe a producer to its own router", e.Message);
        var c = await bed.RouterAsync("room-c", 0);
        e = await Assert.ThrowsAsync<SfuException>(() => a.Router.Ask<PipedToRouter>(new PipeToRouter("p", c.Router, KeepId: true), SfuTestBed.Timeout));
        Assert.StartsWith("cannot keep the producer id", e.Message);
    }
}
