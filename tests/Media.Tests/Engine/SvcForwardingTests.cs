using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>VP9 SVC (L3T1 here): a consumer that prefers spatial layer 1 gets layers 0 and 1 of every
/// picture, with the marker moved to the end of its highest layer; key frames are found in VP9 payloads.</summary>
public class SvcForwardingTests
{
    private static byte[] Vp9(ushort seq, int picture, int sid, bool kSvc = false)
    {
        var keyPicture = picture == 0;
        byte b0 = 0x80 | 0x20 | 0x08 | 0x04;              // I, L, B, E (one packet per layer frame)
        if (!keyPicture) b0 |= 0x40;                      // P: inter-picture predicted
        var descriptor = new byte[]
        {
            b0, (byte)(0x80 | (picture >> 8)), (byte)picture,  // 15-bit picture id
            (byte)((sid << 1) | (sid > 0 && (keyPicture || !kSvc) ? 1 : 0)), // TID 0, U 0, SID, D (K-SVC: key pictures only)
            (byte)picture,                                     // TL0PICIDX
            0xAA, 0xBB, 0xCC,
        };
        var buf = new byte[64];
        var header = new RtpHeaderFields { PayloadType = 98, SequenceNumber = seq, Timestamp = (uint)picture * 3000, Ssrc = 4444, Marker = sid == 2 };
        return buf[..RtpPacketWriter.Write(buf, header, [], [], descriptor)];
    }

    [Fact]
    public void A_consumer_preferring_spatial_layer_1_gets_layers_0_and_1_with_the_marker_on_1()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true));
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Svc, [new CodecMapping(98, 103, 90000, "video/VP9")],
                [new EncodingMapping(777, Ssrc: 4444, SpatialLayers: 3, TemporalLayers: 1)], null, default, default, Nack: false));
            var t = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            t.Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
            e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, RtpStreamType.Svc, 5555, 103, 90000, default, "x",
                PreferredSpatialLayer: 1)).Resume(EngineHarness.Now);
            return ingress.Port;
        });

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ushort seq = 100;
        for (var picture = 0; picture < 5; picture++)
            for (var sid = 0; sid < 3; sid++)
                source.SendTo(Vp9(seq++, picture, sid), new IPEndPoint(IPAddress.Loopback, port));

        var buf = new byte[2048];
        var got = new List<(int Sid, bool Marker, ushort Seq)>();
        var deadline = DateTime.UtcNow.AddSeconds(3); // sender reports keep coming: stop by time, not by silence
        try
        {
            while (got.Count < 15 && DateTime.UtcNow < deadline)
            {
                var n = sink.Receive(buf);
                if (buf[1] is >= 200 and <= 207) continue; // RTCP
                Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
                Assert.Equal(5555u, p.Ssrc);
                got.Add(((p.Payload[3] >> 1) & 7, p.Marker, p.SequenceNumber));
            }
        }
        catch (SocketException) { } // no more packets

        Assert.Equal(10, got.Count);
        Assert.Equal(Enumerable.Repeat(new[] { 0, 1 }, 5).SelectMany(x => x), got.Select(g => g.Sid));
        Assert.All(got, g => Assert.Equal(g.Sid == 1, g.Marker));
        for (var i = 1; i < got.Count; i++) Assert.Equal((ushort)(got[i - 1].Seq + 1), got[i].Seq); // no gaps for dropped layers
    }

    /// <summary>Going down a spatial layer: K-SVC (L3T1_KEY) needs a key frame to start the lower layer's
    /// stream again, so the consumer asks for one at once (as mediasoup); full SVC switches down at the end of a
    /// picture and asks for none.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Going_down_a_spatial_layer_asks_for_a_key_frame_only_in_K_SVC(bool kSvc)
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (port, consumer) = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true));
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Svc, [new CodecMapping(98, 103, 90000, "video/VP9")],
                [new EncodingMapping(777, Ssrc: 4444, SpatialLayers: 3, TemporalLayers: 1, KSvc: kSvc)], null, default, default, Nack: false));
            var t = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            t.Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
            var c = e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, RtpStreamType.Svc, 5555, 103, 90000, default, "x"));
            c.Resume(EngineHarness.Now);
            return (ingress.Port, (ILayeredConsumer)c);
        });

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 200 };
        source.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        ushort seq = 100;
        var picture = 0;
        void SendPictures(int n)
        {
            for (var end = picture + n; picture < end; picture++)
                for (var sid = 0; sid < 3; sid++)
                    source.SendTo(Vp9(seq++, picture, sid, kSvc), new IPEndPoint(IPAddress.Loopback, port));
        }
        // A key picture and a few more: the consumer forwards the top layer, and the resume's PLI is answered.
        SendPictures(4);
        Assert.Equal(2, WaitFor(() => harness.Invoke(_ => ((SvcConsumer)consumer).TargetSpatialLayer), 2));
        Plis(source, TimeSpan.FromMilliseconds(500)); // drain

        harness.Invoke(_ => consumer.SetPreferredLayers(0, -1, EngineHarness.Now));
        SendPictures(2);
        Assert.Equal(kSvc ? 1 : 0, Math.Min(1, Plis(source, TimeSpan.FromMilliseconds(700))));
    }

    /// <summary>A viewer NACKs packets of the layers it got before the consumer went down to layer 0: the
    /// layer-2 one is not resent (its decoder left that layer), the layer-0 one is.</summary>
    [Fact]
    public void After_going_down_a_nack_for_a_higher_spatial_layer_is_not_answered()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (port, egressPort, consumer) = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true));
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Svc, [new CodecMapping(98, 103, 90000, "video/VP9")],
                [new EncodingMapping(777, Ssrc: 4444, SpatialLayers: 3, TemporalLayers: 1)], null, default, default, Nack: true));
            var t = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            t.Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
            var c = e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, RtpStreamType.Svc, 5555, 103, 90000, default, "x", Nack: true));
            c.Resume(EngineHarness.Now);
            return (ingress.Port, t.Port, (ILayeredConsumer)c);
        });

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ushort seq = 100;
        for (var picture = 0; picture < 3; picture++)
            for (var sid = 0; sid < 3; sid++)
                source.SendTo(Vp9(seq++, picture, sid), new IPEndPoint(IPAddress.Loopback, port));
        var buf = new byte[2048];
        var sent = new List<(int Sid, ushort Seq)>();
        while (sent.Count < 9)
        {
            var n = sink.Receive(buf);
            if (buf[1] is >= 200 and <= 207) continue;
            Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
            sent.Add(((p.Payload[3] >> 1) & 7, p.SequenceNumber));
        }
        harness.Invoke(_ => consumer.SetPreferredLayers(0, -1, EngineHarness.Now));

        var nack = new byte[64];
        var top = sent.Last(x => x.Sid == 2).Seq;
        var len = AkkaSfu.Media.Rtcp.RtcpNack.Write(nack, senderSsrc: 1, mediaSsrc: 5555, [top]);
        sink.SendTo(nack.AsSpan(0, len), new IPEndPoint(IPAddress.Loopback, egressPort));
        Assert.Equal(1, WaitFor(() => harness.Invoke(e => e.Counters[Drop.NackForOldStream]), 1L));
        Assert.Equal(0, harness.Invoke(e => e.Counters.Retransmitted));

        len = AkkaSfu.Media.Rtcp.RtcpNack.Write(nack, senderSsrc: 1, mediaSsrc: 5555, [sent.Last(x => x.Sid == 0).Seq]);
        sink.SendTo(nack.AsSpan(0, len), new IPEndPoint(IPAddress.Loopback, egressPort));
        Assert.Equal(1, WaitFor(() => harness.Invoke(e => e.Counters.Retransmitted), 1L));
    }

    private static T WaitFor<T>(Func<T> read, T expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(3);
        T value;
        while (!Equals(value = read(), expected) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        return value;
    }

    /// <summary>PLIs (RTCP PSFB, FMT 1) the server sends the source within <paramref name="within"/>.</summary>
    private static int Plis(Socket source, TimeSpan within)
    {
        var buf = new byte[2048];
        var deadline = DateTime.UtcNow + within;
        var plis = 0;
        while (DateTime.UtcNow < deadline)
        {
            int n;
            try { n = source.Receive(buf); }
            catch (SocketException) { continue; }
            // A compound packet: walk its RTCP packets.
            for (var o = 0; o + 4 <= n; o += ((buf[o + 2] << 8) | buf[o + 3]) * 4 + 4)
                if (buf[o + 1] == 206 && (buf[o] & 0x1F) == 1) plis++;
        }
        return plis;
    }
}
