using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Actors.Worker;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Actors.Tests.Supervision;

/// <summary>Builds small rooms through the actor API: plain transports fed by a test socket, consumed into
/// test sockets. Everything on 127.0.0.1.</summary>
public sealed class SfuTestBed(ActorSystem system, int workers = 2)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public SfuSettings Settings { get; } = SfuSettings.Create(AkkaSfu.Actors.Hosting.AkkaSfuConfig.Default) with { Workers = workers };

    public IActorRef Workers { get; } = system.ActorOf(WorkersActor.Props(
        SfuSettings.Create(AkkaSfu.Actors.Hosting.AkkaSfuConfig.Default) with { Workers = workers }), "workers-" + Guid.NewGuid().ToString("N")[..8]);

    public const string OpusProducer = """
        {"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"sprop-stereo":1}}],
         "encodings":[{"ssrc":1111}]}
        """;

    public async Task<RouterCreated> RouterAsync(string id, int worker, IActorRef? listener = null) =>
        await Workers.Ask<RouterCreated>(new CreateRouter(id, Listener: listener, WorkerIndex: worker), Timeout);

    /// <summary>A comedia plain transport with an opus producer; returns its port.</summary>
    public async Task<(PlainTransportCreated Transport, ProducerCreated Producer)> IngressAsync(IActorRef router, string transportId, string producerId, IActorRef? listener = null)
    {
        var t = await router.Ask<PlainTransportCreated>(new CreatePlainTransport(transportId, RtcpMux: true, Comedia: true, Listener: listener), Timeout);
        await t.Transport.Ask<Done>(new ConnectPlainTransport(), Timeout);
        var p = await t.Transport.Ask<ProducerCreated>(new Produce(producerId, MediaKind.Audio, OrtcJson.Deserialize<RtpParameters>(OpusProducer), Listener: listener), Timeout);
        return (t, p);
    }

    /// <summary>A plain transport sending to a new sink socket, with a resumed consumer of the producer.</summary>
    public async Task<(PlainTransportCreated Transport, ConsumerCreated Consumer, Socket Sink)> EgressAsync(
        RouterCreated router, string transportId, string consumerId, string producerId, IActorRef? listener = null)
    {
        var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var t = await router.Router.Ask<PlainTransportCreated>(new CreatePlainTransport(transportId, RtcpMux: true, Comedia: false, Listener: listener), Timeout);
        var ep = (IPEndPoint)sink.LocalEndPoint!;
        await t.Transport.Ask<Done>(new ConnectPlainTransport("127.0.0.1", ep.Port), Timeout);
        var c = await router.Router.Ask<ConsumerCreated>(new Consume(transportId, consumerId, producerId, router.RtpCapabilities, Listener: listener), Timeout);
        await c.Consumer.Ask<Done>(ResumeConsumer.Instance, Timeout);
        return (t, c, sink);
    }

    public static byte[] Opus(ushort seq)
    {
        var buf = new byte[200];
        var payload = new byte[100];
        BinaryPrimitives.WriteUInt16BigEndian(payload, seq);
        var header = new RtpHeaderFields { PayloadType = 100, SequenceNumber = seq, Timestamp = seq * 960u, Ssrc = 1111 };
        return buf[..RtpPacketWriter.Write(buf, header, [], [], payload)];
    }

    private static readonly Socket Source = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    /// <summary>Sends opus packets [from, from+count) to a plain ingress port, always from the same source
    /// address (comedia ingress transports accept only the address they learnt first).</summary>
    public static void Send(int port, int from, int count)
    {
        lock (Source)
            for (var i = from; i < from + count; i++) Source.SendTo(Opus((ushort)i), new IPEndPoint(IPAddress.Loopback, port));
    }

    /// <summary>Receives up to <paramref name="count"/> RTP packets (or until the socket times out); RTCP
    /// (sender reports) is skipped.</summary>
    public static int Drain(Socket sink, int count, int timeoutMs = 3000)
    {
        sink.ReceiveTimeout = timeoutMs;
        var buf = new byte[2048];
        var n = 0;
        try
        {
            while (n < count)
            {
                var len = sink.Receive(buf);
                if (len >= 2 && buf[1] is >= 200 and <= 207) continue;
                n++;
            }
        }
        catch (SocketException) { }
        return n;
    }
}
