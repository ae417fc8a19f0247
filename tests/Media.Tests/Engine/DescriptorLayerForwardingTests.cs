using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtp;
using static AkkaSfu.Media.Tests.Codecs.DependencyDescriptorTests;
using static AkkaSfu.Media.Tests.Codecs.Vp8PayloadDescriptorTests;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>Temporal layers known only from the dependency descriptor: AV1 L1T3 through <c>SvcConsumer</c>, H264
/// simulcast through <c>SimulcastConsumer</c>. A consumer whose preferred temporal layer is 0 gets the key frame and
/// the T0 frames (a quarter of Chromium's L1T3 frames), with no gap in its sequence numbers; the top layer gets all.
/// The descriptor itself is not forwarded (mediasoup's choice; docs/architecture.md).</summary>
public class DescriptorLayerForwardingTests
{
    private const byte DdId = 7;
    private static readonly int[] CycleTemplates = [3, 2, 4, 1]; // Chromium's L1T3 after a key frame: T2 T1 T2 T0

    // AV1 payloads: a key frame's first packet (N=1, sequence header + frame OBU) and a frame OBU (W=1).
    // H264 payloads: STAP-A SPS+PPS+IDR and a non-IDR slice (RFC 6184 §5.7.1, §5.6).
    private static readonly byte[] Av1Key = Hex(Codecs.Av1PayloadTests.KeyFrameFirstPacket), Av1Delta = Hex("10 30 aa bb");
    private static readonly byte[] H264Key = Hex(Codecs.H264PayloadTests.StapASpsPpsIdr), H264Delta = Hex("41 9a 00");

    private static byte[] Packet(ushort seq, int frame, byte[] dd, byte[] payload, byte pt)
    {
        var buf = new byte[256];
        var header = new RtpHeaderFields { PayloadType = pt, SequenceNumber = seq, Timestamp = (uint)frame * 3000, Ssrc = 4444, Marker = true };
        return buf[..RtpPacketWriter.Write(buf, header, [], [new RtpExtension(DdId, dd)], payload)];
    }

    /// <summary>One packet per frame: Chromium's L1T3 key frame (its structure, S and E set), then three
    /// T2 T1 T2 T0 cycles. Returns the forwarded packets' sequence numbers and whether each carried the DD.</summary>
    private static List<(ushort Seq, bool HasDd)> Run(string mime, RtpStreamType type, int preferredTemporal, byte[]? keyPayload = null)
    {
        var av1 = mime == "video/AV1";
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 1000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true));
            var ids = new RtpExtensionIds { DependencyDescriptor = DdId };
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, type, [new CodecMapping(98, 103, 90000, mime)],
                [new EncodingMapping(777, Ssrc: 4444, SpatialLayers: 1, TemporalLayers: 3)], null, ids, ids, Nack: false));
            var t = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            t.Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
            e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, type, 5555, 103, 90000, ids, "x",
                PreferredSpatialLayer: 0, PreferredTemporalLayer: preferredTemporal)).Resume(EngineHarness.Now);
            return ingress.Port;
        });

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Loopback, port);
        ushort seq = 100;
        var frame = 303;
        var key = Hex(ChromeL1T3KeyFrame);
        key[0] |= 0x40; // one packet: end_of_frame too
        source.SendTo(Packet(seq++, frame, key, keyPayload ?? (av1 ? Av1Key : H264Key), 98), to);
        for (var c = 0; c < 3; c++)
            foreach (var template in CycleTemplates)
            {
                frame++;
                source.SendTo(Packet(seq++, frame, MandatoryOnly(true, true, template, frame), av1 ? Av1Delta : H264Delta, 98), to);
            }

        var got = new List<(ushort, bool)>();
        var buf = new byte[2048];
        var deadline = DateTime.UtcNow.AddSeconds(3); // sender reports keep coming: stop by time or count
        try
        {
            while (got.Count < 13 && DateTime.UtcNow < deadline)
            {
                var n = sink.Receive(buf);
                if (buf[1] is >= 200 and <= 207) continue; // RTCP
                Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
                Assert.Equal(5555u, p.Ssrc);
                got.Add((p.SequenceNumber, p.TryGetExtension(DdId, out _)));
            }
        }
        catch (SocketException) { } // no more packets
        return got;
    }

    [Theory]
    [InlineData("video/AV1", RtpStreamType.Svc)]
    [InlineData("video/H264", RtpStreamType.Simulcast)]
    public void Preferred_temporal_layer_0_forwards_the_key_frame_and_the_T0_frames_gap_free(string mime, RtpStreamType type)
    {
        var got = Run(mime, type, preferredTemporal: 0);
        Assert.Equal(4, got.Count); // key + 3 T0 frames of 13
        for (var i = 1; i < got.Count; i++) Assert.Equal((ushort)(got[i - 1].Seq + 1), got[i].Seq);
        Assert.All(got, g => Assert.False(g.HasDd));
    }

    [Theory]
    [InlineData("video/AV1", RtpStreamType.Svc)]
    [InlineData("video/H264", RtpStreamType.Simulcast)]
    public void The_top_temporal_layer_forwards_every_frame(string mime, RtpStreamType type)
    {
        Assert.Equal(13, Run(mime, type, preferredTemporal: 2).Count);
    }

    /// <summary>A descriptor before any structure (the key frame's first packet was lost) is counted, not taken as
    /// malformed, and the packet goes on unfiltered; a malformed one is counted as such.</summary>
    [Fact]
    public void Descriptors_without_a_structure_and_malformed_ones_are_counted_and_forwarded()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true));
            var ids = new RtpExtensionIds { DependencyDescriptor = DdId };
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Svc, [new CodecMapping(98, 103, 90000, "video/AV1")],
                [new EncodingMapping(777, Ssrc: 4444, SpatialLayers: 1, TemporalLayers: 3)], null, ids, ids, Nack: false));
            var t = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            t.Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
            e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, RtpStreamType.Svc, 5555, 103, 90000, ids, "x",
                PreferredTemporalLayer: 0)).Resume(EngineHarness.Now);
            return ingress.Port;
        });
        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Loopback, port);
        // A key frame (N=1) whose descriptor names template 3 of a structure never received, then one cut short.
        source.SendTo(Packet(100, 1, MandatoryOnly(true, true, 3, 1), Av1Key, 98), to);
        source.SendTo(Packet(101, 2, Hex("80 00"), Av1Delta, 98), to);
        var forwarded = 0;
        var buf = new byte[2048];
        var deadline = DateTime.UtcNow.AddSeconds(3);
        try
        {
            while (forwarded < 2 && DateTime.UtcNow < deadline)
                if (sink.Receive(buf) > 0 && buf[1] is not (>= 200 and <= 207)) forwarded++;
        }
        catch (SocketException) { }
        Assert.Equal(2, forwarded);
        Assert.Equal((1L, 1L), harness.Invoke(e => (e.Counters[Drop.DependencyDescriptorWithoutStructure], e.Counters[Drop.MalformedDependencyDescriptor])));
    }

    /// <summary>An AV1 key frame is also known by its descriptor: the first packet of a frame that carries a template
    /// structure starts the consumer even when the aggregation header's N bit is not set.</summary>
    [Fact]
    public void An_AV1_key_frame_is_found_from_the_descriptors_structure_without_the_N_bit()
    {
        Assert.Equal(13, Run("video/AV1", RtpStreamType.Svc, preferredTemporal: 2, keyPayload: Av1Delta).Count);
    }
}
