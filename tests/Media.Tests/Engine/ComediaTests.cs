using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtp;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>Comedia learns its remote only from an allowed source (docs/security.md, "Plain transports"): a stray
/// packet from elsewhere is dropped and counted, and cannot capture a transport's media.</summary>
public class ComediaTests
{
    private const uint ProducerSsrc = 1111;
    private static readonly IPAddress Legit = IPAddress.Loopback;             // the API caller
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2"); // anyone else

    private static ProducerSettings Opus(string id) => new(id, StreamKind.Audio, RtpStreamType.Simple,
        [new CodecMapping(111, 100, 48000, "audio/opus")], [new EncodingMapping(500001, Ssrc: ProducerSsrc)],
        Mid: null, default, default, Nack: false);

    private static byte[] Packet(ushort seq, int trailer = 0)
    {
        var buf = new byte[12 + 160 + trailer];
        var header = new RtpHeaderFields { PayloadType = 111, SequenceNumber = seq, Timestamp = seq * 960u, Ssrc = ProducerSsrc };
        var n = RtpPacketWriter.Write(buf, header, [], [], new byte[160]);
        return buf[..(n + trailer)];
    }

    private static Socket From(IPAddress ip)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(ip, 0));
        return s;
    }

    private static T Poll<T>(EngineHarness h, Func<WorkerEngine, T> read, Func<T, bool> done)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            var v = h.Invoke(read);
            if (done(v) || Environment.TickCount64 > deadline) return v;
            Thread.Sleep(10);
        }
    }

    private static (long Rejected, long Unknown, IPEndPoint? Remote, long Received) State(WorkerEngine e) =>
        (e.Counters[Drop.ComediaSourceRejected], e.Counters[Drop.UnknownTuple], ((PlainTransport)e.GetTransport("in")).RemoteRtp,
            e.GetProducer("p").TotalPacketsReceived);

    private static int Ingress(EngineHarness h, PlainTransportSettings settings, Action<PlainTransport>? connect = null) => h.Invoke(e =>
    {
        e.CreateRouter("r");
        var t = e.CreatePlainTransport("r", "in", settings);
        connect?.Invoke(t);
        e.Produce("in", Opus("p"));
        return t.Port;
    });

    [Fact]
    public void A_stray_packet_from_another_address_cannot_capture_the_transport_and_the_callers_address_still_locks()
    {
        using var h = new EngineHarness();
        var port = Ingress(h, new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true, ComediaSource: Legit));
        var to = new IPEndPoint(IPAddress.Loopback, port);
        using var attacker = From(Attacker);
        using var legit = From(Legit);

        for (ushort i = 0; i < 100; i++) attacker.SendTo(Packet(i), to);
        var s = Poll(h, State, v => v.Rejected >= 100);
        Assert.Equal(100, s.Rejected);
        Assert.Null(s.Remote);
        Assert.Equal(0, s.Received);

        legit.SendTo(Packet(200), to);
        s = Poll(h, State, v => v.Remote is not null);
        Assert.Equal(legit.LocalEndPoint, s.Remote);

        attacker.SendTo(Packet(300), to); // locked: the attacker is now an unknown tuple
        legit.SendTo(Packet(201), to);
        s = Poll(h, State, v => v.Unknown >= 1 && v.Received >= 2);
        Assert.Equal((100, 1, 2L), (s.Rejected, s.Unknown, s.Received));
        Assert.Equal(legit.LocalEndPoint, s.Remote);
    }

    [Fact]
    public void An_address_given_to_connect_is_the_only_source_comedia_learns()
    {
        using var h = new EngineHarness();
        using var other = From(Legit);
        using var given = From(Legit);
        var port = Ingress(h, new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true, ComediaSource: Legit),
            t => t.Connect((IPEndPoint)given.LocalEndPoint!, null, null));
        var to = new IPEndPoint(IPAddress.Loopback, port);

        other.SendTo(Packet(1), to); // the caller's IP, but not the port connect() named
        var s = Poll(h, State, v => v.Rejected >= 1);
        Assert.Equal((1, (IPEndPoint?)null), (s.Rejected, s.Remote));

        given.SendTo(Packet(2), to);
        s = Poll(h, State, v => v.Remote is not null);
        Assert.Equal(given.LocalEndPoint, s.Remote);
    }

    [Fact]
    public void With_srtp_comedia_locks_only_on_a_packet_that_authenticates()
    {
        using var h = new EngineHarness();
        var profile = SrtpProfile.AeadAes128Gcm;
        SrtpMasterKey NewKey() => new(profile, RandomNumberGenerator.GetBytes(profile.KeyLength()), RandomNumberGenerator.GetBytes(profile.SaltLength()));
        var clientKey = NewKey();
        var port = Ingress(h, new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true, profile, ComediaSource: Legit),
            t => t.Connect(null, null, clientKey));
        var to = new IPEndPoint(IPAddress.Loopback, port);
        using var wrongKey = new SrtpSession(NewKey());
        using var rightKey = new SrtpSession(clientKey);
        using var attacker = From(Attacker);
        using var legitIpNoAuth = From(Legit);
        using var client = From(IPAddress.Parse("127.0.0.3")); // behind a NAT: not the caller's address, but has the key

        byte[] Protect(SrtpSession session, ushort seq)
        {
            var p = Packet(seq, SrtpSession.MaxTrailer);
            Assert.Equal(SrtpError.None, session.ProtectRtp(p, p.Length - SrtpSession.MaxTrailer, out var n));
            return p[..n];
        }

        attacker.SendTo(Protect(wrongKey, 1), to);
        legitIpNoAuth.SendTo(Packet(2, trailer: 16), to); // plain RTP from the caller's own address: does not authenticate
        var s = Poll(h, State, v => v.Rejected >= 2);
        Assert.Equal((2, (IPEndPoint?)null), (s.Rejected, s.Remote));

        client.SendTo(Protect(rightKey, 3), to);
        s = Poll(h, State, v => v.Remote is not null && v.Received >= 1);
        Assert.Equal(client.LocalEndPoint, s.Remote);
        Assert.Equal(1, s.Received);
    }

    [Fact]
    public void Without_a_source_the_engine_trusts_its_caller_and_learns_the_first_sender()
    {
        using var h = new EngineHarness();
        var port = Ingress(h, new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: true));
        using var anyone = From(Attacker);
        anyone.SendTo(Packet(1), new IPEndPoint(IPAddress.Loopback, port));
        var s = Poll(h, State, v => v.Remote is not null);
        Assert.Equal((anyone.LocalEndPoint, 0L), (s.Remote, s.Rejected));
    }
}
