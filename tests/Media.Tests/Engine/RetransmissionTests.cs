using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>A consumer's endpoint NACKs a packet: the engine resends it from the producer's buffer as RTX
/// (RFC 4588: RTX SSRC and PT, the original sequence number first in the payload).</summary>
public class RetransmissionTests
{
    private static byte[] Vp8(ushort seq, bool keyFrame)
    {
        // Payload descriptor S=1 PID=0, then a VP8 frame header (P bit = !keyFrame) and the key-frame start code.
        byte[] payload = keyFrame ? [0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0, 0, 0] : [0x10, 0x01, 0, 0, 0, 0];
        var buf = new byte[64];
        var header = new RtpHeaderFields { PayloadType = 96, SequenceNumber = seq, Timestamp = seq * 3000u, Ssrc = 3333, Marker = true };
        return buf[..RtpPacketWriter.Write(buf, header, [], [], payload)];
    }

    [Fact]
    public void A_nacked_packet_is_resent_as_rtx_with_its_original_sequence_number()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (ingressPort, egressPort) = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, Comedia: true));
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Simple, [new CodecMapping(96, 101, 90000, "video/VP8", 97)],
                [new EncodingMapping(888, Ssrc: 3333, RtxSsrc: 3334)], null, default, default, Nack: true));
            var egress = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            egress.Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
            e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, RtpStreamType.Simple, 7000, 101, 90000, default, "x",
                RtxSsrc: 7001, RtxPayloadType: 102, Nack: true, Paused: false), EngineHarness.Now);
            return (ingress.Port, egress.Port);
        });

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (ushort s = 0; s < 5; s++) source.SendTo(Vp8((ushort)(500 + s), keyFrame: s == 0), new IPEndPoint(IPAddress.Loopback, ingressPort));

        var buf = new byte[2048];
        var sent = new List<ushort>();
        while (sent.Count < 5)
        {
            var n = sink.Receive(buf);
            if (buf[1] is >= 200 and <= 207) continue;
            Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
            Assert.Equal(7000u, p.Ssrc);
            sent.Add(p.SequenceNumber);
        }

        // The consumer's endpoint lost the third packet.
        var nack = new byte[64];
        var len = RtcpNack.Write(nack, senderSsrc: 1, mediaSsrc: 7000, [sent[2]]);
        sink.SendTo(nack.AsSpan(0, len), new IPEndPoint(IPAddress.Loopback, egressPort));

        while (true)
        {
            var n = sink.Receive(buf);
            if (buf[1] is >= 200 and <= 207) continue;
            Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var rtx));
            Assert.Equal(7001u, rtx.Ssrc);
            Assert.Equal(102, rtx.PayloadType);
            Assert.Equal(sent[2], BinaryPrimitives.ReadUInt16BigEndian(rtx.Payload));
            Assert.Equal(Vp8(502, false)[12..], rtx.Payload[2..].ToArray());
            break;
        }
        Assert.Equal(1, harness.Invoke(e => e.Counters.Retransmitted));
    }
}
