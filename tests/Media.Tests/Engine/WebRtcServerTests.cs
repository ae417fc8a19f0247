using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>The worker's shared WebRTC port (mediasoup's WebRtcServer): STUN by ufrag, the rest by source tuple.
/// The routing rules are checked with datagrams injected on the worker thread (deterministic, no network); then
/// real peers (ICE, DTLS, SRTP over loopback) share one port.</summary>
public class WebRtcServerTests
{
    private const int MinPort = 23000, MaxPort = 23999;
    private static readonly WebRtcTransportSettings Settings = new(IPAddress.Loopback, null, MinPort, MaxPort);
    // A loopback address the test does not listen on: answers to it are sent (and lost), not refused.
    private static SocketAddress Tuple(int port) => new IPEndPoint(IPAddress.Parse("127.0.0.3"), port).Serialize();

    private static EngineHarness Start(out WebRtcServer server)
    {
        var harness = new EngineHarness();
        server = harness.Invoke(e =>
        {
            Assert.True(e.TryStartWebRtcServer(IPAddress.Loopback, null, MinPort, MaxPort, out var error), error);
            e.CreateRouter("r");
            return e.WebRtcServer!;
        });
        return harness;
    }

    /// <summary>Delivers one datagram to the shared port from <paramref name="from"/>, as the receive thread would.</summary>
    private static void Inject(WorkerEngine e, byte[] datagram, SocketAddress from, long? nowMs = null)
    {
        var batch = new DatagramBatch();
        Assert.True(batch.Add(e.WebRtcServer!.Socket, datagram, from));
        e.OnBatch(batch, nowMs ?? EngineHarness.Now);
    }

    /// <summary>A browser's first Binding request to a server with <paramref name="ufrag"/>/<paramref name="password"/>.</summary>
    private static byte[] Check(string ufrag, string password)
    {
        using var client = new IceClient("cliUfrag", "cliPasswordAbcdefghijklm", ufrag, password, 7);
        var buf = new byte[512];
        Assert.True(client.Tick(0, buf, out var n));
        return buf[..n];
    }

    private static byte[] Check(WebRtcTransport t) => Check(t.UsernameFragment, t.Password);

    private static readonly byte[] FakeRtp = [0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 4, 87, 1, 2, 3, 4];
    private static readonly byte[] FakeDtls = [22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    [Fact]
    public void Transports_on_the_shared_port_announce_it_and_own_port_ones_bind_their_own()
    {
        using var h = Start(out var server);
        var (a, b, own) = h.Invoke(e => (e.CreateWebRtcTransport("r", "a", Settings), e.CreateWebRtcTransport("r", "b", Settings),
            e.CreateWebRtcTransport("r", "own", Settings with { OwnPort = true })));
        Assert.Equal(server.Port, a.Port);
        Assert.Equal(server.Port, b.Port);
        Assert.True(a.IsOnSharedPort);
        Assert.False(own.IsOnSharedPort);
        Assert.NotEqual(server.Port, own.Port);
        Assert.InRange(own.Port, MinPort, MaxPort);
        Assert.Equal(2, h.Invoke(_ => server.UfragCount));
        Assert.Same(a, h.Invoke(_ => server.TransportOfUfrag(a.UsernameFragment)));
    }

    [Fact]
    public void Valid_checks_map_each_tuple_to_the_transport_of_its_ufrag_and_later_datagrams_follow_the_tuple()
    {
        using var h = Start(out var server);
        var (a, b) = h.Invoke(e => (e.CreateWebRtcTransport("r", "a", Settings), e.CreateWebRtcTransport("r", "b", Settings)));
        var sent = server.Socket.Sent;
        h.Invoke(e => { Inject(e, Check(a), Tuple(5000)); Inject(e, Check(b), Tuple(5001)); });
        Assert.Equal(sent + 2, server.Socket.Sent); // both answered, from the shared socket
        Assert.Same(a, h.Invoke(_ => server.TransportOf(Tuple(5000))));
        Assert.Same(b, h.Invoke(_ => server.TransportOf(Tuple(5001))));
        Assert.Equal(2, h.Invoke(_ => server.TupleCount));
        Assert.Equal(IceState.Connected, h.Invoke(_ => a.IceState));
        Assert.Equal(IceState.Connected, h.Invoke(_ => b.IceState));

        // SRTP before DTLS reached transport a (counted there as not ready), not "unknown".
        var drops = h.Invoke(e => { Inject(e, FakeRtp, Tuple(5000)); return (e.Counters[Drop.SrtpNotReady], e.Counters[Drop.UnknownTuple]); });
        Assert.Equal((1L, 0L), drops);
    }

    [Fact]
    public void A_datagram_from_an_unknown_tuple_is_dropped_and_counted_and_reaches_no_transport()
    {
        using var h = Start(out var server);
        var a = h.Invoke(e => e.CreateWebRtcTransport("r", "a", Settings));
        h.Invoke(e => Inject(e, Check(a), Tuple(5000)));
        var (unknown, notReady, total) = h.Invoke(e =>
        {
            Inject(e, FakeRtp, Tuple(6000));
            Inject(e, FakeDtls, Tuple(6000));
            Inject(e, FakeRtp, Tuple(5001)); // same IP as a's tuple, other port: another tuple
            return (e.Counters[Drop.UnknownTuple], e.Counters[Drop.SrtpNotReady] + e.Counters[Drop.DtlsNotReady], e.Counters.TotalDrops);
        });
        Assert.Equal(3, unknown);
        Assert.Equal(0, notReady);
        Assert.Equal(3, total);
        Assert.Equal(1, h.Invoke(_ => server.TupleCount));
    }

    [Fact]
    public void A_stun_request_with_an_unknown_ufrag_is_dropped_unanswered_and_counted()
    {
        using var h = Start(out var server);
        var a = h.Invoke(e => e.CreateWebRtcTransport("r", "a", Settings));
        var sent = server.Socket.Sent;
        var dropped = h.Invoke(e =>
        {
            Inject(e, Check("NoSuchUfrag01234", a.Password), Tuple(5000));
            return e.Counters[Drop.UnknownUfrag];
        });
        Assert.Equal(1, dropped);
        Assert.Equal(sent, server.Socket.Sent);
        Assert.Equal(0, h.Invoke(_ => server.TupleCount));
        Assert.Equal(IceState.New, h.Invoke(_ => a.IceState));
    }

    [Fact]
    public void A_check_that_fails_integrity_is_answered_401_and_maps_no_tuple()
    {
        using var h = Start(out var server);
        var a = h.Invoke(e => e.CreateWebRtcTransport("r", "a", Settings));
        var sent = server.Socket.Sent;
        h.Invoke(e => Inject(e, Check(a.UsernameFragment, "wrongPasswordAbcdefghijklmnopqr"), Tuple(5000)));
        Assert.Equal(sent + 1, server.Socket.Sent); // the 401, as on a port of its own
        Assert.Equal(0, h.Invoke(_ => server.TupleCount));
        Assert.Null(h.Invoke(_ => server.TransportOf(Tuple(5000))));
        // ... so its DTLS is still unknown
        Assert.Equal(1, h.Invoke(e => { Inject(e, FakeDtls, Tuple(5000)); return e.Counters[Drop.UnknownTuple]; }));
    }

    [Fact]
    public void A_tuple_that_passes_another_transports_check_moves_to_it()
    {
        using var h = Start(out var server);
        var (a, b) = h.Invoke(e => (e.CreateWebRtcTransport("r", "a", Settings), e.CreateWebRtcTransport("r", "b", Settings)));
        h.Invoke(e => { Inject(e, Check(a), Tuple(5000)); Inject(e, Check(a), Tuple(5002)); });
        Assert.Same(a, h.Invoke(_ => server.TransportOf(Tuple(5000))));

        h.Invoke(e => Inject(e, Check(b), Tuple(5000)));
        Assert.Same(b, h.Invoke(_ => server.TransportOf(Tuple(5000))));
        Assert.Same(a, h.Invoke(_ => server.TransportOf(Tuple(5002))));
        Assert.Equal(2, h.Invoke(_ => server.TupleCount));
        // a forgot it: its other tuple is selected now
        Assert.False(h.Invoke(_ => a.IceState == IceState.Disconnected));

        // a's last tuple moves too: a has none left
        h.Invoke(e => Inject(e, Check(b), Tuple(5002)));
        Assert.Equal(IceState.Disconnected, h.Invoke(_ => a.IceState));
        Assert.Equal(2, h.Invoke(_ => server.TupleCount));
        Assert.All([Tuple(5000), Tuple(5002)], t => Assert.Same(b, h.Invoke(_ => server.TransportOf(t))));
    }

    [Fact]
    public void Ice_restart_rekeys_the_ufrag_map_and_the_old_ufrag_stops_once_the_new_one_is_used()
    {
        using var h = Start(out var server);
        var a = h.Invoke(e => e.CreateWebRtcTransport("r", "a", Settings));
        var oldUfrag = a.UsernameFragment;
        var oldPassword = a.Password;
        var (ufrag, password) = h.Invoke(_ => a.RestartIce());
        Assert.NotEqual(oldUfrag, ufrag);
        // until the peer uses the new credentials, both are answered
        Assert.Same(a, h.Invoke(_ => server.TransportOfUfrag(oldUfrag)));
        Assert.Same(a, h.Invoke(_ => server.TransportOfUfrag(ufrag)));
        h.Invoke(e => Inject(e, Check(oldUfrag, oldPassword), Tuple(5000)));
        Assert.Same(a, h.Invoke(_ => server.TransportOf(Tuple(5000))));

        h.Invoke(e => Inject(e, Check(ufrag, password), Tuple(5001)));
        Assert.Null(h.Invoke(_ => server.TransportOfUfrag(oldUfrag)));
        Assert.Same(a, h.Invoke(_ => server.TransportOfUfrag(ufrag)));
        Assert.Equal(1, h.Invoke(_ => server.UfragCount));
        Assert.Equal(1, h.Invoke(e => { Inject(e, Check(oldUfrag, oldPassword), Tuple(5002)); return e.Counters[Drop.UnknownUfrag]; }));

        // a second restart before the first is used drops the one before
        var (u2, _) = h.Invoke(_ => a.RestartIce());
        var (u3, _) = h.Invoke(_ => a.RestartIce());
        Assert.Null(h.Invoke(_ => server.TransportOfUfrag(ufrag)));
        Assert.Same(a, h.Invoke(_ => server.TransportOfUfrag(u2)));
        Assert.Same(a, h.Invoke(_ => server.TransportOfUfrag(u3)));
        Assert.Equal(2, h.Invoke(_ => server.UfragCount));
    }

    [Fact]
    public void Closing_a_transport_frees_its_ufrag_and_every_tuple()
    {
        using var h = Start(out var server);
        var (a, b) = h.Invoke(e => (e.CreateWebRtcTransport("r", "a", Settings), e.CreateWebRtcTransport("r", "b", Settings)));
        h.Invoke(e => { Inject(e, Check(a), Tuple(5000)); Inject(e, Check(a), Tuple(5001)); Inject(e, Check(b), Tuple(5002)); });
        Assert.Equal(3, h.Invoke(_ => server.TupleCount));
        var aUfrag = a.UsernameFragment;
        h.Invoke(e => e.CloseTransport("a"));
        Assert.Equal(1, h.Invoke(_ => server.TupleCount));
        Assert.Equal(1, h.Invoke(_ => server.UfragCount));
        Assert.Null(h.Invoke(_ => server.TransportOfUfrag(aUfrag)));
        Assert.Same(b, h.Invoke(_ => server.TransportOf(Tuple(5002))));
        var drops = h.Invoke(e =>
        {
            Inject(e, FakeRtp, Tuple(5000));
            Inject(e, Check(a), Tuple(5000));
            return (e.Counters[Drop.UnknownTuple], e.Counters[Drop.UnknownUfrag]);
        });
        Assert.Equal((1L, 1L), drops);
    }

    [Fact]
    public void Consent_expiry_unmaps_the_tuple()
    {
        using var h = Start(out var server);
        var a = h.Invoke(e => e.CreateWebRtcTransport("r", "a", Settings with { ConsentTimeoutMs = 5_000 }));
        var now = EngineHarness.Now;
        h.Invoke(e => Inject(e, Check(a), Tuple(5000), now));
        Assert.Equal(1, h.Invoke(_ => server.TupleCount));
        h.Invoke(e => e.Tick(now + 5_001));
        Assert.Equal(0, h.Invoke(_ => server.TupleCount));
        Assert.Equal(IceState.Disconnected, h.Invoke(_ => a.IceState));
        Assert.Equal(1, h.Invoke(e => { Inject(e, FakeRtp, Tuple(5000)); return e.Counters[Drop.UnknownTuple]; }));
    }

    [Fact]
    public void Tuples_per_transport_are_bounded()
    {
        using var h = Start(out var server);
        var a = h.Invoke(e => e.CreateWebRtcTransport("r", "a", Settings));
        var now = EngineHarness.Now;
        h.Invoke(e => { for (var i = 0; i < 50; i++) Inject(e, Check(a), Tuple(5000 + i), now + i); });
        Assert.Equal(IceServer.MaxTuples, h.Invoke(_ => server.TupleCount));
        Assert.Same(a, h.Invoke(_ => server.TransportOf(Tuple(5049)))); // the newest kept,
        Assert.Same(a, h.Invoke(_ => server.TransportOf(Tuple(5000)))); // the selected one kept,
        Assert.Null(h.Invoke(_ => server.TransportOf(Tuple(5001))));    // the least recently checked others evicted
    }

    [Fact]
    public void Routing_by_tuple_allocates_nothing()
    {
        using var h = Start(out var server);
        var a = h.Invoke(e => e.CreateWebRtcTransport("r", "a", Settings));
        var from = Tuple(5000);
        h.Invoke(e => Inject(e, Check(a), from));
        var allocated = h.Invoke(_ =>
        {
            server.Route(FakeRtp, from);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++) server.Route(FakeRtp, from);
            server.Route(FakeRtp, Tuple(6000)); // unknown: counted, no allocation either (the SocketAddress is made outside)
            return GC.GetAllocatedBytesForCurrentThread() - before;
        });
        Assert.True(allocated < 200, $"{allocated} bytes"); // Tuple(6000) above allocates its SocketAddress
    }

    [Fact]
    public void Tuple_keys_equal_for_equal_addresses_and_differ_by_port_ip_and_family()
    {
        TupleKey Key(string ip, int port) { Assert.True(TupleKey.TryCreate(new IPEndPoint(IPAddress.Parse(ip), port).Serialize(), out var k)); return k; }
        Assert.Equal(Key("10.0.0.1", 4000), Key("10.0.0.1", 4000));
        Assert.NotEqual(Key("10.0.0.1", 4000), Key("10.0.0.1", 4001));
        Assert.NotEqual(Key("10.0.0.1", 4000), Key("10.0.0.2", 4000));
        Assert.NotEqual(Key("10.0.0.1", 4000), Key("::ffff:10.0.0.1", 4000));
        Assert.Equal(Key("2001:db8::1", 4000), Key("2001:db8::1", 4000));
        Assert.NotEqual(Key("2001:db8::1", 4000), Key("2001:db8::2", 4000));
        Assert.Equal(Key("10.0.0.1", 4000).GetHashCode(), Key("10.0.0.1", 4000).GetHashCode());
        Assert.Equal("10.0.0.1:4000", Key("10.0.0.1", 4000).ToString());
        Assert.Equal("[2001:db8::1]:4000", Key("2001:db8::1", 4000).ToString());
        Assert.False(TupleKey.TryCreate(new SocketAddress(AddressFamily.Unix, 16), out _));
    }

    // ---- real peers over loopback ---------------------------------------------------------------------

    private const uint ProducerSsrc = 1111;

    private static ProducerSettings Opus(string id) => new(id, StreamKind.Audio, RtpStreamType.Simple,
        [new CodecMapping(111, 100, 48000, "audio/opus")], [new EncodingMapping(500001, Ssrc: ProducerSsrc)],
        Mid: null, default, default, Nack: false);

    private static ConsumerSettings OpusConsumer(string id, uint ssrc) =>
        new(id, "p", StreamKind.Audio, RtpStreamType.Simple, ssrc, 100, 48000, default, "cname");

    private static byte[] Packet(ushort seq)
    {
        var buf = new byte[200];
        var body = new byte[100];
        BinaryPrimitives.WriteUInt16BigEndian(body, seq);
        var header = new RtpHeaderFields { PayloadType = 111, SequenceNumber = seq, Timestamp = seq * 960u, Ssrc = ProducerSsrc };
        return buf[..RtpPacketWriter.Write(buf, header, [], [], body)];
    }

    /// <summary>ICE then DTLS for <paramref name="peer"/> against <paramref name="t"/>.</summary>
    private static async Task ConnectAsync(EngineHarness h, WebRtcTestPeer peer, WebRtcTransport t)
    {
        h.Invoke(_ => t.Connect(DtlsRole.Client, WebRtcTestPeer.Fingerprint));
        peer.ConnectIce(t.UsernameFragment, t.Password);
        await peer.ConnectDtlsAsync(t.Fingerprints[0]);
        var deadline = Environment.TickCount64 + 20_000;
        while (!h.Invoke(_ => t.IsConnected))
        {
            Assert.True(Environment.TickCount64 < deadline, $"transport {t.Id} not connected: DTLS {t.DtlsState}");
            await Task.Delay(10);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Transports_on_one_port_each_get_their_own_ice_dtls_and_srtp_while_junk_arrives(int consumers)
    {
        using var h = Start(out var server);
        var shared = new IPEndPoint(IPAddress.Loopback, server.Port);
        var ingress = h.Invoke(e =>
        {
            var t = e.CreateWebRtcTransport("r", "in", Settings);
            e.Produce("in", Opus("p"));
            return t;
        });
        var outs = h.Invoke(e => Enumerable.Range(0, consumers).Select(i => e.CreateWebRtcTransport("r", $"out{i}", Settings)).ToArray());
        using var producer = new WebRtcTestPeer(shared);
        var viewers = outs.Select(_ => new WebRtcTestPeer(shared)).ToArray();
        try
        {
            await ConnectAsync(h, producer, ingress);
            await Task.WhenAll(outs.Select((t, i) => Task.Run(() => ConnectAsync(h, viewers[i], t))));
            Assert.All(outs.Append(ingress), t => Assert.Equal(server.Port, t.Port));
            Assert.Equal(consumers + 1, h.Invoke(_ => server.TupleCount));
            h.Invoke(e =>
            {
                for (var i = 0; i < consumers; i++) e.Consume($"out{i}", OpusConsumer($"c{i}", 9000u + (uint)i)).Resume(EngineHarness.Now);
            });

            using var junk = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            junk.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            const int count = 100;
            for (var i = 0; i < count; i++)
            {
                producer.SendRtp(Packet((ushort)(1000 + i)));
                junk.SendTo(FakeRtp, shared);                                   // unknown tuple
                junk.SendTo(FakeDtls, shared);                                  // unknown tuple
                junk.SendTo(Check("NoSuchUfrag01234", ingress.Password), shared); // unknown ufrag
                if (i % 10 == 0) Thread.Sleep(1);
            }

            for (var v = 0; v < viewers.Length; v++)
            {
                var deadline = Environment.TickCount64 + 20_000;
                while (viewers[v].Received.Count < count && Environment.TickCount64 < deadline) await Task.Delay(10);
                var got = viewers[v].Received.ToArray();
                Assert.Equal(count, got.Length);
                for (var i = 0; i < count; i++)
                {
                    Assert.Equal(RtpParseError.None, RtpPacket.TryParse(got[i], out var p));
                    Assert.Equal(9000u + (uint)v, p.Ssrc);
                    Assert.Equal((ushort)(1000 + i), BinaryPrimitives.ReadUInt16BigEndian(p.Payload));
                }
                Assert.Equal(0, viewers[v].SrtpErrors);
            }
            var deadline2 = Environment.TickCount64 + 20_000;
            while (h.Invoke(e => e.Counters[Drop.UnknownUfrag]) < count && Environment.TickCount64 < deadline2) await Task.Delay(10);
            var (unknownTuple, unknownUfrag, srtpFailed) = h.Invoke(e => (e.Counters[Drop.UnknownTuple], e.Counters[Drop.UnknownUfrag], e.Counters[Drop.SrtpFailed]));
            Assert.Equal(2 * count, unknownTuple);
            Assert.Equal(count, unknownUfrag);
            Assert.Equal(0, srtpFailed);
            Assert.Equal(0, junk.Available); // junk got no answer
        }
        finally
        {
            foreach (var v in viewers) v.Dispose();
        }
    }
}
