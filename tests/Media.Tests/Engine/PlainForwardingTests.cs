using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

public class PlainForwardingTests
{
    private const uint ProducerSsrc = 1111;
    private const uint MappedSsrc = 500001;

    private static readonly PlainTransportSettings Comedia = new(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true);
    private static readonly PlainTransportSettings Sink = new(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: false);

    private static ProducerSettings Opus(string id) => new(id, StreamKind.Audio, RtpStreamType.Simple,
        [new CodecMapping(111, 100, 48000, "audio/opus")], [new EncodingMapping(MappedSsrc, Ssrc: ProducerSsrc)],
        Mid: null, default, default, Nack: false);

    private static ConsumerSettings OpusConsumer(string id, string producerId, uint ssrc) =>
        new(id, producerId, StreamKind.Audio, RtpStreamType.Simple, ssrc, 100, 48000, default, "cname");

    private static byte[] Packet(ushort seq, uint ts, int payload = 160)
    {
        var buf = new byte[12 + payload];
        var body = new byte[payload];
        BinaryPrimitives.WriteUInt16BigEndian(body, seq); // payload carries the input seq for the check
        var header = new RtpHeaderFields { PayloadType = 111, SequenceNumber = seq, Timestamp = ts, Ssrc = ProducerSsrc };
        return buf[..RtpPacketWriter.Write(buf, header, [], [], body)];
    }

    /// <summary>Router "r": comedia transport "in" producing opus "p", and transport "out" sending to
    /// <paramref name="sink"/> (for the test's consumers). Returns the ingress port.</summary>
    private static int OpusRoute(WorkerEngine e, Socket sink)
    {
        e.CreateRouter("r");
        var ingress = e.CreatePlainTransport("r", "in", Comedia);
        e.Produce("in", Opus("p"));
        e.CreatePlainTransport("r", "out", Sink).Connect((IPEndPoint)sink.LocalEndPoint!, null, null);
        return ingress.Port;
    }

    [Fact]
    public void One_producer_to_fifty_plain_consumers_every_sink_gets_every_packet_rewritten()
    {
        using var harness = new EngineHarness();
        var sinks = Enumerable.Range(0, 50).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToArray();

        var ingressPort = harness.Invoke(e =>
        {
            e.CreateRouter("r1");
            var ingress = e.CreatePlainTransport("r1", "in", Comedia);
            ingress.Connect(null, null, null);
            e.Produce("in", Opus("p1"));
            for (var i = 0; i < sinks.Length; i++)
            {
                var t = e.CreatePlainTransport("r1", $"out{i}", Sink);
                t.Connect((IPEndPoint)sinks[i].LocalEndPoint!, null, null);
                var c = e.Consume($"out{i}", OpusConsumer($"c{i}", "p1", 9000u + (uint)i));
                c.Resume(EngineHarness.Now);
            }
            return ingress.Port;
        });

        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            source.SendTo(Packet((ushort)(65500 + i), (uint)(i * 960)), new IPEndPoint(IPAddress.Loopback, ingressPort));
            if (i % 20 == 0) Thread.Sleep(1); // paced like a real source
        }

        var buf = new byte[2048];
        for (var s = 0; s < sinks.Length; s++)
        {
            sinks[s].ReceiveTimeout = 5000;
            ushort? previous = null;
            for (var i = 0; i < count; i++)
            {
                var n = sinks[s].Receive(buf);
                if (IsRtcp(buf.AsSpan(0, n)))
                {
                    i--; // a sender report (rtcp-mux): on a slow run the consumers' report timer fires meanwhile
                    continue;
                }
                Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
                Assert.Equal(9000u + (uint)s, p.Ssrc);
                Assert.Equal(100, p.PayloadType);
                Assert.Equal((ushort)(65500 + i), BinaryPrimitives.ReadUInt16BigEndian(p.Payload));
                if (previous is { } prev) Assert.Equal((ushort)(prev + 1), p.SequenceNumber);
                previous = p.SequenceNumber;
            }
        }
        var drops = harness.Invoke(e => e.Counters.TotalDrops);
        Assert.Equal(0, drops);
        // Every copy was timed from its kernel arrival to its send: one sample per consumer per packet.
        var delays = harness.Invoke(e => e.ForwardingDelay.Snapshot());
        Assert.Equal(count * sinks.Length, delays.Sum());
        foreach (var s in sinks) s.Dispose();
    }

    /// <summary>RFC 5761 §4: on a muxed port, a second byte of 192-223 is an RTCP packet type.</summary>
    private static bool IsRtcp(ReadOnlySpan<byte> datagram) => datagram.Length >= 2 && datagram[1] is >= 192 and <= 223;

    [Fact]
    public void Sender_reports_of_many_consumers_are_packed_into_a_few_compounds()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        const int consumers = 40;
        var port = harness.Invoke(e =>
        {
            var ingressPort = OpusRoute(e, sink);
            for (var i = 0; i < consumers; i++) e.Consume("out", OpusConsumer($"c{i}", "p", 7000u + (uint)i)).Resume(EngineHarness.Now);
            return ingressPort;
        });
        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        source.SendTo(Packet(1, 960), new IPEndPoint(IPAddress.Loopback, port));
        var buf = new byte[2048];
        for (var i = 0; i < consumers; i++) sink.Receive(buf); // every consumer has sent: reports are due

        harness.Invoke(e => e.Tick(EngineHarness.Now + 2_000));
        var reported = new HashSet<uint>();
        var datagrams = 0;
        while (reported.Count < consumers)
        {
            var n = sink.Receive(buf);
            if (RtcpHeader.TryParse(buf.AsSpan(0, n), out var first) != RtcpError.None || first.PacketType != RtcpPacketType.SenderReport) continue;
            datagrams++;
            Assert.InRange(n, 1, Transport.ReportCompoundBudget);
            var sdes = 0;
            foreach (var h in new RtcpCompoundReader(buf.AsSpan(0, n)))
            {
                if (h.PacketType == RtcpPacketType.SourceDescription) sdes++;
                if (h.PacketType != RtcpPacketType.SenderReport) continue;
                Assert.Equal(RtcpError.None, RtcpSenderReport.TryParse(h.Packet, out var sr));
                Assert.True(reported.Add(sr.Ssrc), $"one SR per consumer, {sr.Ssrc} twice");
            }
            Assert.True(sdes > 0, "every compound carries the CNAMEs");
        }
        Assert.Equal(Enumerable.Range(7000, consumers).Select(i => (uint)i).ToHashSet(), reported);
        Assert.InRange(datagrams, 2, 4); // ~20 SR+SDES pairs fit in one compound
    }

    /// <summary>The next RTP datagram, skipping the transport's RTCP (RFC 5761 §4: second byte 192..223).</summary>
    private static int ReceiveRtp(Socket sink, byte[] buf)
    {
        while (true)
        {
            var n = sink.Receive(buf);
            if (n < 2 || buf[1] is < 192 or > 223) return n;
        }
    }

    [Fact]
    public void A_paused_consumer_sends_nothing_and_resumes_with_a_continuous_sequence()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = harness.Invoke(e =>
        {
            var ingressPort = OpusRoute(e, sink);
            e.Consume("out", OpusConsumer("c", "p", 4242)); // created paused, as mediasoup does
            return ingressPort;
        });
        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Loopback, port);
        void Send(int from, int n) { for (var i = from; i < from + n; i++) source.SendTo(Packet((ushort)i, (uint)i * 960), to); }

        Send(0, 10);
        harness.Invoke(e => e.GetConsumer("c").PacketsSent); // let the batch through
        Assert.Equal(0, harness.Invoke(e => e.GetConsumer("c").PacketsSent));

        harness.Invoke(e => e.GetConsumer("c").Resume(EngineHarness.Now));
        Send(10, 5);
        var buf = new byte[2048];
        var seqs = Enumerable.Range(0, 5).Select(_ => { var n = ReceiveRtp(sink, buf); RtpPacket.TryParse(buf.AsSpan(0, n), out var p); return p.SequenceNumber; }).ToList();

        harness.Invoke(e => e.GetConsumer("c").Pause());
        Send(15, 20); // input jumps 20 while paused
        harness.Invoke(e => e.GetConsumer("c").Resume(EngineHarness.Now));
        Send(35, 5);
        seqs.AddRange(Enumerable.Range(0, 5).Select(_ => { var n = ReceiveRtp(sink, buf); RtpPacket.TryParse(buf.AsSpan(0, n), out var p); return p.SequenceNumber; }));

        for (var i = 1; i < seqs.Count; i++) Assert.Equal((ushort)(seqs[i - 1] + 1), seqs[i]);
    }

    [Fact]
    public void Closing_the_producer_closes_its_consumers()
    {
        using var harness = new EngineHarness();
        harness.Invoke(e =>
        {
            e.CreateRouter("r");
            e.CreatePlainTransport("r", "in", Comedia);
            e.Produce("in", Opus("p"));
            e.CreatePlainTransport("r", "out", Sink);
            var c = e.Consume("out", OpusConsumer("c", "p", 1));
            e.CloseProducer("p");
            Assert.True(c.IsClosed);
            Assert.True(c.ClosedByProducer);
            Assert.Null(e.FindConsumer("c"));
            Assert.Null(e.FindProducer("p"));
        });
    }

    [Fact]
    public void Garbage_on_a_plain_port_is_counted_and_the_stream_keeps_flowing()
    {
        using var harness = new EngineHarness();
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = harness.Invoke(e =>
        {
            var ingressPort = OpusRoute(e, sink);
            e.Consume("out", OpusConsumer("c", "p", 77)).Resume(EngineHarness.Now);
            return ingressPort;
        });
        using var source = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Loopback, port);
        source.SendTo(Packet(1, 0), to);
        source.SendTo(new byte[] { 0x80, 0x6f, 1 }, to);              // truncated RTP
        source.SendTo(new byte[] { 0x90, 0x6f, 0, 2, 0, 0, 0, 0, 0, 0, 4, 0x57, 0xBE, 0xDE, 0, 9 }, to); // extension overruns
        source.SendTo(new byte[] { 0x00, 0x01, 0x00, 0x00 }, to);      // STUN-looking junk
        source.SendTo(new byte[] { 0x80, 200, 0x00, 0x10, 0, 0, 0, 1 }, to); // RTCP SR whose length overruns
        source.SendTo(Packet(2, 960), to);
        var buf = new byte[2048];
        Assert.True(sink.Receive(buf) > 12);
        Assert.True(sink.Receive(buf) > 12);
        var counters = harness.Invoke(e => (Malformed: e.Counters[Drop.MalformedRtp], Unknown: e.Counters[Drop.UnknownDatagram], Rtcp: e.Counters[Drop.MalformedRtcp]));
        Assert.Equal(2, counters.Malformed);
        Assert.Equal(1, counters.Unknown);
        Assert.Equal(1, counters.Rtcp);

        // The same drops on the transport that got the garbage, none on the other (getTransportStats' "drops").
        var (inDrops, outDrops) = harness.Invoke(e => (e.GetTransport("in").DropsByReason(), e.GetTransport("out").DropsByReason()));
        Assert.Equal(2, inDrops["MalformedRtp"]);
        Assert.Equal(1, inDrops["MalformedRtcp"]);
        Assert.False(inDrops.ContainsKey("SendFailed"));
        Assert.Empty(outDrops);
    }
}
