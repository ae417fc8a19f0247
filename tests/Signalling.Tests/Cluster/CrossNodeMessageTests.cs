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
        yield return new RoomCommands.CreatePlainTransport(RtcpMux: true, Comedia: false, EnableSrtp: true, SrtpCryptoSuite: "AEAD_AES_128_GCM");
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
            // Same bytes when written again: every field survived (lists and JSON elements included).
            Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
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
    public void A_message_that_is_not_a_cross_node_message_has_no_manifest_here()
    {
        var serializer = new SfuJsonSerializer(_system);
        Assert.Throws<ArgumentException>(() => serializer.Manifest(new object()));
        Assert.Throws<JsonException>(() => serializer.FromBinary("{\"json\":"u8.ToArray(), typeof(PeerSend).AssemblyQualifiedName!.Split(',')[0] + ", AkkaSfu.Signalling"));
    }
}
