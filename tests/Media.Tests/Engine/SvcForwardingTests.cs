using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>VP9 SVC (L3T1 here): a consumer that prefers spatial layer 1 gets layers 0 and 1 of every
/// picture, with the marker moved to the end of its highest layer; key frames are found in VP9 payloads.</summary>
public class SvcForwardingTests
{
    private static byte[] Vp9(ushort seq, int picture, int sid)
    {
        var keyPicture = picture == 0;
        byte b0 = 0x80 | 0x20 | 0x08 | 0x04;              // I, L, B, E (one packet per layer frame)
        if (!keyPicture) b0 |= 0x40;                      // P: inter-picture predicted
        var descriptor = new byte[]
        {
            b0, (byte)(0x80 | (picture >> 8)), (byte)picture,  // 15-bit picture id
            (byte)((sid << 1) | (sid > 0 ? 1 : 0)),           // TID 0, U 0, SID, D
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
}
