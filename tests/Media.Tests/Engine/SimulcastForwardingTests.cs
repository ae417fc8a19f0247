using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Codecs;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>Three simulcast encodings, one consumer stream: it forwards the preferred encoding, switches only
/// on a key frame of the new one, and keeps SSRC, sequence numbers and VP8 picture ids continuous.</summary>
public class SimulcastForwardingTests
{
    private static readonly uint[] Ssrcs = [1000, 2000, 3000];

    private static byte[] Vp8(int encoding, ushort seq, int pictureId, bool keyFrame)
    {
        var descriptor = new byte[] { 0x90, 0x80, (byte)(0x80 | (pictureId >> 8)), (byte)pictureId }; // X, S, I, 15-bit picture id
        byte[] frame = keyFrame ? [0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00] : [0x01, 0x00, 0x00];
        var payload = descriptor.Concat(frame).Append((byte)encoding).ToArray(); // last byte: which encoding
        var buf = new byte[64];
        var header = new RtpHeaderFields { PayloadType = 96, SequenceNumber = seq, Timestamp = (uint)pictureId * 3000, Ssrc = Ssrcs[encoding], Marker = true };
        return buf[..RtpPacketWriter.Write(buf, header, [], [], payload)];
    }

    [Fact]
    public void Switching_layers_waits_for_a_key_frame_and_keeps_the_stream_continuous()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, Comedia: true));
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Simulcast, [new CodecMapping(96, 101, 90000, "video/VP8")],
                [new EncodingMapping(801, Ssrc: 1000), new EncodingMapping(802, Ssrc: 2000), new EncodingMapping(803, Ssrc: 3000)],
                null, default, default, Nack: false));
            var egress = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            egress.Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
            e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, RtpStreamType.Simulcast, 9000, 101, 90000, default, "x",
                Paused: false, PreferredSpatialLayer: 0), EngineHarness.Now);
            return ingress.Port;
        });

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Loopback, port);
        var seq = new ushort[] { 100, 5000, 60000 };
        var pictureIds = new[] { 10, 2000, 30000 };
        void Picture(bool keyFrames) // one picture of every encoding
        {
            for (var e = 0; e < 3; e++) source.SendTo(Vp8(e, seq[e]++, pictureIds[e]++, keyFrames), to);
        }

        var buf = new byte[2048];
        var got = new List<(int Encoding, ushort Seq, int PictureId, uint Ssrc)>();
        void Expect(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (got.Count < count && DateTime.UtcNow < deadline)
            {
                var n = sink.Receive(buf);
                if (buf[1] is >= 200 and <= 207) continue;
                RtpPacket.TryParse(buf.AsSpan(0, n), out var p);
                Assert.Equal(Vp8Error.None, Vp8PayloadDescriptor.TryParse(p.Payload, out var d));
                got.Add((p.Payload[^1], p.SequenceNumber, d.PictureId, p.Ssrc));
            }
            Assert.Equal(count, got.Count);
        }

        Picture(keyFrames: true);
        for (var i = 0; i < 3; i++) Picture(keyFrames: false);
        Expect(4);
        Assert.All(got, g => Assert.Equal(0, g.Encoding)); // the preferred (lowest) layer only

        harness.Invoke(e => ((ILayeredConsumer)e.GetConsumer("c")).SetPreferredLayers(2, -1, EngineHarness.Now));
        for (var i = 0; i < 3; i++) Picture(keyFrames: false); // no key frame yet: stays on layer 0
        Picture(keyFrames: true);                              // layer 0's key frame still goes out, then layer 2's switches
        for (var i = 0; i < 2; i++) Picture(keyFrames: false);
        Expect(4 + 3 + 1 + 3);

        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2], got.Select(g => g.Encoding));
        Assert.All(got, g => Assert.Equal(9000u, g.Ssrc));
        for (var i = 1; i < got.Count; i++)
        {
            Assert.Equal((ushort)(got[i - 1].Seq + 1), got[i].Seq);
            Assert.Equal((got[i - 1].PictureId + 1) & 0x7FFF, got[i].PictureId);
        }
    }
}
