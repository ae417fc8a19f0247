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

    private static ProtooMessage Parse(string json) => AkkaSfu.Signalling.Protocol.Protoo.TryParse(Encoding.UTF8.GetBytes(json), out _)!;

    private IEnumerable<ICrossNodeMessage> Samples()
    {
        var caps = Ortc<RtpCapabilities>("""{"codecs":[{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2,"preferredPayloadType":100,"parameters":{"useinbandfec":1}}],"headerExtensions":[{"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","preferredId":1}]}""");
        var rtp = Ortc<RtpParameters>("""{"codecs":[{"mimeType":"video/vp8","payloadType":101,"clockRate":90000,"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"}]}],"encodings":[{"ssrc":2222,"rid":"r0","scalabilityMode":"L1T3"}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1}],"mid":"0"}""");
        var dtls = Ortc<DtlsParameters>("""{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]}""");
        var request = Parse("""{"request":true,"id":7,"method":"join","data":{"displayName":"Ann","device":{"flag":"chrome"},"n":[1,2.5,null]}}""");
        var response = Parse("""{"response":true,"id":8,"ok":false,"errorCode":500,"errorReason":"no"}""");
        yield return new PeerConnected("p1", _peer);
        yield return new PeerDisconnected("p1", _peer);
        yield return new PeerRequest("p1", _peer, request);
        yield return new PeerResponse("p1", _peer, response);
        yield return new PeerSend("""{"notification":true,"method":"newPeer","data":{"id":"é"}}""");
        yield return PeerClose.RoomMoved;
        yield return GetNodeInfo.Instance;
        yield return new NodeInfo("akka.tcp://akkasfu@127.0.0.1:4701", "http://127.0.0.1:5000", ["a", "b"]);
        yield return CloseRoom.Instance;
        yield return BroadcasterReply.NotFound("broadcaster with id \"b\" does not exist");
        yield return GetRoomRtpCapabilities.Instance;
        yield return new CreateBroadcaster("b", "B", "ffmpeg", "7", caps);
        yield return new CreateBroadcaster("b", "B", "ffmpeg", null, null);
        yield return new DeleteBroadcaster("b");
        yield return new CreateBroadcasterTransport("b", BroadcasterTransportType.Plain, RtcpMux: true, Comedia: false, EnableSrtp: true, SrtpCryptoSuite: "AEAD_AES_128_GCM");
        yield return new ConnectBroadcasterTransport("b", "t", dtls);
        yield return new ConnectBroadcasterTransport("b", "t", null, "127.0.0.1", 5004, 5005, new SrtpParameters("AES_CM_128_HMAC_SHA1_80", "a2V5"));
        yield return new CreateBroadcasterProducer("b", "t", MediaKind.Video, rtp);
        yield return new CreateBroadcasterConsumer("b", "t", "p", Paused: true);
        yield return new ResumeBroadcasterConsumer("b", "c");
        yield return new BroadcasterDataChannelRequest("b", "t", Produce: true);
        yield return new InvalidBroadcasterRequest("b", null, "missing body.kind");
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
        var sample = new PeerRequest("p1", _peer, Parse("""{"request":true,"id":7,"method":"join","data":{"displayName":"Ann"}}"""));
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(sample);
        var back = (PeerRequest)serializer.FromBinary(serializer.ToBinary(sample), serializer.Manifest(sample));
        Assert.Equal(_peer, back.Peer);
        Assert.Equal(("join", 7L, ProtooKind.Request), (back.Message.Method, back.Message.Id, back.Message.Kind));
        Assert.Equal("Ann", back.Message.Data.GetProperty("displayName").GetString());
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
