using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Cluster;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Tests.Cluster;

/// <summary>Every message that may cross nodes goes through <see cref="SfuJsonSerializer"/> (bound in
/// hocon/akkasfu.conf) and comes back the same: a sample of each type, found by reflection, so a new
/// cross-node message without a sample fails here.</summary>
public sealed class CrossNodeMessageTests : IDisposable
{
    private readonly ExtendedActorSystem _system = (ExtendedActorSystem)ActorSystem.Create("xnode", AkkaSfuConfig.Default);
    private readonly IActorRef _peer;

    public CrossNodeMessageTests() => _peer = _system.ActorOf(Props.Empty, "peer-1");

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private static T Ortc<T>(string json) where T : class => OrtcJson.Deserialize<T>(json);

    private IEnumerable<ICrossNodeMessage> Samples()
    {
        var caps = Ortc<RtpCapabilities>("""{"codecs":[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2,"preferredPayloadType":100,"parameters":{"useinbandfec":1}}],"headerExtensions":[{"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","preferredId":1}]}""");
        var rtp = Ortc<RtpParameters>("""{"codecs":[{"mimeType":"video/vp8","payloadType":101,"clockRate":90000,"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"}]}],"encodings":[{"ssrc":2222,"rid":"r0","scalabilityMode":"L1T3"}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1}],"mid":"0"}""");
        var dtls = Ortc<DtlsParameters>("""{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]}""");
        var device = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"flag":"chrome","n":[1,2.5,null]}""")!;
        var ice = new IceParameters("ufrag", "pwd");
        var candidates = new[] { new IceCandidate("udpcandidate", 1076302079, "192.0.2.10", "192.0.2.10", "udp", 44444, "host") };
        var stream = new RtpStreamStats("p", "inbound-rtp", 10, 1200);
        var checks = new RoomCommands.Checks(Joined: true, TransportId: "t");
        yield return new PeerConnected("p1", _peer);
        yield return new PeerDisconnected("p1", _peer);
        yield return new PeerCommand("p1", _peer, 7, new RoomCommands.Join("Ann", device, caps));
        yield return new ConsumerAccepted("p1", _peer, "c");
        yield return new PeerReply(7, new RoomReplies.Joined([new RoomReplies.PeerInfo("p2", "Bob", device)]));
        yield return new NewConsumer("p2", "p", "c", MediaKind.Video, rtp, RtpType.Simulcast, new() { ["peerId"] = "p2", ["share"] = true }, ProducerPaused: false);
        yield return new PeerSend("""{"notification":true,"method":"newPeer","data":{"id":"é"}}""");
        yield return PeerClose.RoomMoved;
        yield return GetNodeInfo.Instance;
        yield return new NodeInfo("akka.tcp://akkasfu@127.0.0.1:4701", "http://127.0.0.1:5000", ["a", "b"]);
        yield return CloseRoom.Instance;
        yield return new BroadcasterCommand(null, RoomCommands.GetRouterRtpCapabilities.Instance);
        yield return new BroadcasterCommand("b", new RoomCommands.Consume("t", "p", Paused: true));
        yield return new CreateBroadcaster("b", "B", "ffmpeg", "7", caps);
        yield return new CreateBroadcaster("b", "B", "ffmpeg", null, null);

        // Room commands (both front doors).
        yield return RoomCommands.GetRouterRtpCapabilities.Instance;
        yield return new RoomCommands.Join("Ann", device, null);
        yield return new RoomCommands.CreateWebRtcTransport(Producing: true, Consuming: false);
        yield return new RoomCommands.CreatePlainTransport(RtcpMux: true, Comedia: false, EnableSrtp: true, SrtpCryptoSuite: "AEAD_AES_128_GCM", CallerIp: "192.0.2.7");
        yield return new RoomCommands.ConnectWebRtcTransport("t", dtls);
        yield return new RoomCommands.ConnectPlainTransport("t", "127.0.0.1", 5004, 5005, new SrtpParameters("AES_CM_128_HMAC_SHA1_80", "a2V5"));
        yield return new RoomCommands.RestartIce("t");
        yield return new RoomCommands.Produce("t", MediaKind.Video, rtp, new() { ["source"] = "webcam" });
        yield return new RoomCommands.Consume("t", "p", Paused: false);
        yield return new RoomCommands.CloseProducer("p");
        yield return new RoomCommands.PauseProducer("p");
        yield return new RoomCommands.ResumeProducer("p");
        yield return new RoomCommands.PauseConsumer("c");
        yield return new RoomCommands.ResumeConsumer("c");
        yield return new RoomCommands.RequestConsumerKeyFrame("c");
        yield return new RoomCommands.SetConsumerPreferredLayers("c", 2, null);
        yield return new RoomCommands.SetConsumerPriority("c", 3);
        yield return new RoomCommands.ChangeDisplayName("Ann B");
        yield return new RoomCommands.GetTransportStats("t");
        yield return new RoomCommands.GetProducerStats("p");
        yield return new RoomCommands.GetConsumerStats("c");
        yield return RoomCommands.DeleteBroadcaster.Instance;
        yield return RoomCommands.GetRouters.Instance;
        yield return new RoomCommands.Invalid(checks, RoomErrorKind.Invalid, "invalid kind \"data\"");

        // Room replies.
        yield return RoomReplies.Done.Instance;
        yield return new RoomReplies.Failed(RoomErrorKind.NotFound, "transport with id \"x\" not found");
        yield return new RoomReplies.RouterRtpCapabilities(caps);
        yield return new RoomReplies.Joined([]);
        yield return new RoomReplies.WebRtcTransport("t", ice, candidates, dtls);
        yield return new RoomReplies.PlainTransport("t", "127.0.0.1", 40000, 40001, null);
        yield return new RoomReplies.IceRestarted(ice);
        yield return new RoomReplies.Produced("p");
        yield return new RoomReplies.Consumed("c", "p", MediaKind.Audio, rtp, RtpType.Simple);
        yield return new RoomReplies.TransportStats(new TransportStats("t", "completed", "connected", "192.0.2.1:5000", 5, 6));
        yield return new RoomReplies.RtpStreamStats(stream);
        yield return new RoomReplies.BroadcasterCreated([new RoomReplies.BroadcasterPeerInfo("p1", "Ann", device, [new RoomReplies.ProducerInfo("p", MediaKind.Audio)])]);
        yield return new RoomReplies.Routers([
            new RoomReplies.RouterInfo("r1", "akka.tcp://akkasfu@127.0.0.1:4701", 0, 12, 132, Main: true),
            new RoomReplies.RouterInfo("r2", "akka.tcp://akkasfu@127.0.0.1:4702", 3, 1, 11, Main: false),
        ]);

        // Workers and routers.
        var codecs = Ortc<RouterRtpCodecCapability[]>("""[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2},{"kind":"video","mimeType":"video/VP8","clockRate":90000,"parameters":{"x-google-start-bitrate":1000}}]""");
        var metrics = new WorkerMetrics(2, 1, 4, 3, 9, RtpReceived: 120_000, RtpSent: 1_080_000, RtcpReceived: 3_100, RtcpSent: 2_900,
            Retransmitted: 412, new Dictionary<string, long> { ["srtp-auth"] = 3, ["unknown-ssrc"] = 17 }, IngressDropped: 0, RxOverflowed: 5,
            [0, 90_210, 1_204, 33, 1], ForwardingDelaySumUs: 7_340_000);
        yield return new CreateRouter("r1", codecs, _peer, WorkerIndex: 3);
        yield return new CreateRouter("r1");
        yield return new RouterCreated("r1", _peer, 3, caps);
        yield return GetWorkers.Instance;
        yield return new WorkerStatus(0, _peer, Routers: 2, Transports: 8, Consumers: 30);
        yield return new WorkersStatus([new WorkerStatus(0, _peer, 2, 8, 30), new WorkerStatus(1, _peer, 0, 0, 0)]);
        yield return GetWorkerStatus.Instance;
        yield return GetWorkerMetrics.Instance;
        yield return metrics;
        yield return new WorkerDied(1, "worker thread faulted: System.InvalidOperationException");
        yield return new InjectFault("boom");
        yield return Done.Instance;
        yield return GetRouterRtpCapabilities.Instance;
        yield return new CanConsume("p", caps);
        yield return CloseRouter.Instance;

        // Transports.
        yield return new CreateWebRtcTransport("t", _peer);
        yield return new CreateWebRtcTransport("t");
        yield return new WebRtcTransportCreated("t", _peer, ice, candidates, dtls);
        yield return new CreatePlainTransport("t", RtcpMux: false, Comedia: true, EnableSrtp: true, "AES_CM_128_HMAC_SHA1_80", _peer, "192.0.2.7");
        yield return new PlainTransportCreated("t", _peer, "127.0.0.1", 40002, 40003, new SrtpParameters("AES_CM_128_HMAC_SHA1_80", "a2V5c2FsdA=="));
        yield return new PlainTransportCreated("t", _peer, "127.0.0.1", 40002, null, null);
        yield return new ConnectWebRtcTransport(dtls);
        yield return new ConnectPlainTransport("192.0.2.7", 5004, 5005, new SrtpParameters("AES_CM_128_HMAC_SHA1_80", "a2V5"));
        yield return new ConnectPlainTransport();
        yield return RestartIce.Instance;
        yield return ice;
        yield return new IceCandidate("tcpcandidate", 1076276479, "192.0.2.10", "192.0.2.10", "tcp", 44445, "host", TcpType: "passive");
        yield return new DtlsFingerprintParameters("sha-256", "AB:CD");
        yield return dtls;
        yield return new SrtpParameters("AEAD_AES_256_GCM", "a2V5c2FsdGtleXNhbHQ=");
        yield return GetTransportStats.Instance;
        yield return new TransportStats("t", "completed", "connected", null, 5, 6);
        yield return CloseTransport.Instance;

        // Producers and consumers.
        var producerCreated = new ProducerCreated("p", _peer, MediaKind.Video, RtpType.Simulcast, rtp);
        var consumerCreated = new ConsumerCreated("c", _peer, "p", MediaKind.Video, rtp, RtpType.Simulcast, ProducerPaused: true);
        yield return new Produce("p", MediaKind.Video, rtp, Paused: true, _peer);
        yield return producerCreated;
        yield return new Consume("t", "c", "p", caps, Paused: true, _peer, PreferredSpatialLayer: 2, PreferredTemporalLayer: null);
        yield return new Consume("t", "c", "p", caps, EnableRtx: false, Pipe: true);
        yield return consumerCreated;
        yield return PauseProducer.Instance;
        yield return ResumeProducer.Instance;
        yield return CloseProducer.Instance;
        yield return PauseConsumer.Instance;
        yield return ResumeConsumer.Instance;
        yield return CloseConsumer.Instance;
        yield return RequestConsumerKeyFrame.Instance;
        yield return new SetConsumerPreferredLayers(1, null);
        yield return new SetConsumerPreferredLayers(2, 1);
        yield return new SetConsumerPriority(4);
        yield return new SetMaxIncomingBitrate(1_500_000);
        yield return new SetMaxOutgoingBitrate(0);
        yield return new SetMinOutgoingBitrate(100_000);
        yield return GetRtpStreamStats.Instance;
        yield return stream;

        // Observers.
        yield return new CreateActiveSpeakerObserver();
        yield return new CreateActiveSpeakerObserver(500, "aso");
        yield return new ActiveSpeakerObserverCreated("aso", 300);
        yield return new RtpObserverAddProducer("aso", "p");
        yield return new RtpObserverRemoveProducer("aso", "p");
        yield return new PauseRtpObserver("aso");
        yield return new ResumeRtpObserver("aso");
        yield return new CloseRtpObserver("aso");

        // Events.
        yield return new RouterClosed("r1");
        yield return new TransportClosed("t", "routerclose");
        yield return new IceStateChanged("t", "completed");
        yield return new IceSelectedTupleChanged("t", "192.0.2.1:5000");
        yield return new IceSelectedTupleChanged("t", null);
        yield return new DtlsStateChanged("t", "connected");
        yield return new PlainTransportTuple("t", "192.0.2.7:5004", Rtcp: false);
        yield return new AudioLevels("r1", "p", -42);
        yield return new AudioLevels("r1", null, -127);
        yield return new DominantSpeaker("r1", "aso", "p");
        yield return new ProducerClosed("p", "transportclose");
        yield return new ProducerScoreChanged("p", [new ProducerStreamScoreInfo(0, 2222, "r0", 10), new ProducerStreamScoreInfo(1, 3333, null, 7)]);
        yield return new ProducerStreamScoreInfo(0, uint.MaxValue, "r0", 10);
        yield return new ConsumerClosed("c", "producerclose");
        yield return new ConsumerProducerPaused("c");
        yield return new ConsumerProducerResumed("c");
        yield return new TransportBweChanged("t", 1_400_000, 1_200_000, 950_000);
        yield return new ConsumerLayersChanged("c", 2, 0);
        yield return new ConsumerLayersChanged("c", null, null);
        yield return new ConsumerScoreChanged("c", 9, 10);

        // Pipes.
        var pipeSrtp = new SrtpParameters("AEAD_AES_256_GCM", "a2V5c2FsdGtleXNhbHQ=");
        yield return new CreatePipeTransport("pt", EnableSrtp: true, EnableRtx: true, _peer);
        yield return new CreatePipeTransport("pt");
        yield return new PipeTransportCreated("pt", _peer, "192.0.2.10", 40010, pipeSrtp);
        yield return new PipeTransportCreated("pt", _peer, "127.0.0.1", 40011);
        yield return new ConnectPipeTransport("192.0.2.11", 40020, pipeSrtp, _peer);
        yield return new ConnectPipeTransport("127.0.0.1", 40021);
        yield return new PipeToRouter("p", _peer, EnableSrtp: true, EnableRtx: true, KeepId: false);
        yield return new PipeToRouter("p", _peer);
        yield return new PipedToRouter(consumerCreated with { Type = RtpType.Pipe }, producerCreated);
        yield return new ClosePipe("p", _peer);
    }

    [Fact]
    public void Every_cross_node_message_type_has_a_sample_here()
    {
        var types = new[] { typeof(ICrossNodeMessage).Assembly, typeof(RoomActor).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(ICrossNodeMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToHashSet();
        var sampled = Samples().Select(s => s.GetType()).ToHashSet();
        Assert.Empty(types.Except(sampled).Select(t => t.FullName));
        Assert.All(types, t => Assert.True(t.IsSealed, $"{t} must be sealed"));
    }

    [Fact]
    public void Every_sample_goes_through_our_serializer_and_comes_back_the_same()
    {
        foreach (var sample in Samples())
        {
            var serializer = _system.Serialization.FindSerializerFor(sample);
            Assert.IsType<SfuJsonSerializer>(serializer);
            var manifest = Serialization.ManifestFor(serializer, sample);
            var bytes = serializer.ToBinary(sample);
            var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
            Assert.IsType(sample.GetType(), back);
            if (sample.GetType().GetField("Instance")?.GetValue(null) == (object)sample) Assert.Same(sample, back);
            // Same bytes when written again: every field survived (lists and JSON elements included).
            Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
        }
    }

    /// <summary>A failed cross-node Ask is answered with Status.Failure(SfuException), a CanConsume with a bool and most
    /// commands with Done. Akka's serializers, not ours, carry the first two, and Akka.Remote binds Status.Failure
    /// (akka-misc) only under the remote provider a clustered node runs, so this system has it.</summary>
    [Fact]
    public async Task A_failure_s_sfu_exception_a_bool_and_done_cross_nodes_through_akka_s_serializers()
    {
        var remote = (ExtendedActorSystem)ActorSystem.Create("xnode-remote", AkkaSfuConfig.With("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """));
        try
        {
            object RoundTrip(object o, out Serializer serializer)
            {
                serializer = remote.Serialization.FindSerializerFor(o);
                return remote.Serialization.Deserialize(serializer.ToBinary(o), serializer.Identifier, Serialization.ManifestFor(serializer, o));
            }

            var failure = Assert.IsType<Status.Failure>(RoundTrip(new Status.Failure(new SfuException("producer with id \"x\" not found")), out var misc));
            Assert.IsType<Akka.Remote.Serialization.MiscMessageSerializer>(misc);
            var cause = Assert.IsType<SfuException>(failure.Cause);
            Assert.Equal("producer with id \"x\" not found", cause.Message);

            // CanConsume's reply: no binding but System.Object's (Newtonsoft.Json), whose JSON true/false reads back as a bool.
            Assert.Equal(true, RoundTrip(true, out var json));
            Assert.IsType<NewtonSoftJsonSerializer>(json);
            Assert.Equal(false, RoundTrip(false, out _));
            Assert.Same(Done.Instance, RoundTrip(Done.Instance, out var sfu));
            Assert.IsType<SfuJsonSerializer>(sfu);
        }
        finally
        {
            await remote.Terminate();
        }
    }

    [Fact]
    public void Actor_refs_resolve_to_the_same_actor_and_protoo_data_keeps_its_json()
    {
        var device = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"flag":"chrome","name":"Ann's"}""")!;
        var sample = new PeerCommand("p1", _peer, 7, new RoomCommands.Join("Ann", device, null));
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(sample);
        var back = (PeerCommand)serializer.FromBinary(serializer.ToBinary(sample), serializer.Manifest(sample));
        Assert.Equal(_peer, back.Peer);
        var join = Assert.IsType<RoomCommands.Join>(back.Command);
        Assert.Equal(("Ann", 7L), (join.DisplayName, back.RequestId));
        Assert.Equal(device.ToJsonString(), join.Device.ToJsonString());
    }

    [Fact]
    public void A_nested_command_or_reply_names_its_type_and_only_a_cross_node_type_of_the_field_s_kind_is_built()
    {
        var sample = new PeerCommand("p1", _peer, 7, new RoomCommands.CloseProducer("p"));
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(sample);
        var json = System.Text.Json.Nodes.JsonNode.Parse(serializer.ToBinary(sample))!;
        var nested = typeof(RoomCommands.CloseProducer).FullName + ", AkkaSfu.Signalling";
        Assert.Equal(nested, json["command"]!["type"]!.GetValue<string>());
        Assert.Equal("""{"producerId":"p"}""", json["command"]!["value"]!.ToJsonString());

        byte[] With(string manifest)
        {
            var copy = json.DeepClone();
            copy["command"]!["type"] = manifest;
            return Encoding.UTF8.GetBytes(copy.ToJsonString());
        }
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() =>
            serializer.FromBinary(With("System.IO.FileInfo, System.IO.FileSystem"), serializer.Manifest(sample)));
        Assert.Contains("unknown cluster message type", e.Message);
        // A reply is a cross-node message, but not a command.
        Assert.Throws<JsonException>(() => serializer.FromBinary(With(typeof(RoomReplies.Done).FullName + ", AkkaSfu.Signalling"), serializer.Manifest(sample)));
    }

    [Theory]
    [InlineData("System.IO.FileInfo, System.IO.FileSystem")]
    [InlineData("AkkaSfu.Signalling.Rooms.NoSuchType, AkkaSfu.Signalling")]
    [InlineData("AkkaSfu.Actors.Messages.ICrossNodeMessage, AkkaSfu.Actors")]
    public void A_manifest_that_is_not_a_cross_node_message_type_is_refused(string manifest)
    {
        var serializer = new SfuJsonSerializer(_system);
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), manifest));
        Assert.Contains("unknown cluster message type", e.Message);
    }

    [Fact]
    public void A_singleton_is_an_empty_object_and_nothing_else()
    {
        var serializer = new SfuJsonSerializer(_system);
        var manifest = serializer.Manifest(Done.Instance);
        Assert.Equal("{}", Encoding.UTF8.GetString(serializer.ToBinary(Done.Instance)));
        Assert.Same(Done.Instance, serializer.FromBinary("{}"u8.ToArray(), manifest));
        Assert.Throws<JsonException>(() => serializer.FromBinary("""{"x":1}"""u8.ToArray(), manifest));
        Assert.Throws<JsonException>(() => serializer.FromBinary("[]"u8.ToArray(), manifest));
    }

    [Fact]
    public void A_message_that_is_not_a_cross_node_message_has_no_manifest_here()
    {
        var serializer = new SfuJsonSerializer(_system);
        Assert.Throws<ArgumentException>(() => serializer.Manifest(new object()));
        Assert.Throws<JsonException>(() => serializer.FromBinary("{\"json\":"u8.ToArray(), typeof(PeerSend).AssemblyQualifiedName!.Split(',')[0] + ", AkkaSfu.Signalling"));
    }
}
