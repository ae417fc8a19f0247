using AkkaSfu.LoadGen;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Signalling.Tests.LoadGen;

/// <summary>The generator's own accounting: probe trailer, sequence tracker, histogram, sweep spec, options.</summary>
public sealed class LoadGenPartsTests
{
    [Fact]
    public void Probe_round_trips_at_the_end_of_a_payload()
    {
        var payload = new byte[100];
        payload[0] = 0x10;
        new Probe(77, 2, 123456, 987654321).WriteTo(payload);
        Assert.Equal(ProbeError.None, Probe.TryRead(payload, out var p));
        Assert.Equal(new Probe(77, 2, 123456, 987654321), p);
        Assert.Equal(0x10, payload[0]); // codec header untouched
    }

    [Theory]
    [InlineData(0, ProbeError.TooShort)]
    [InlineData(19, ProbeError.TooShort)]
    [InlineData(20, ProbeError.BadMagic)]
    [InlineData(200, ProbeError.BadMagic)]
    public void Probe_rejects_short_or_foreign_payloads(int length, ProbeError expected)
    {
        Assert.Equal(expected, Probe.TryRead(new byte[length], out _));
    }

    [Fact]
    public void Server_forwarding_delay_is_read_from_the_prometheus_histogram_summed_over_workers()
    {
        static string Exposition(int w0Fast, int w1Fast, int slow) => $$"""
            # HELP akkasfu_worker_forwarding_delay_seconds Time from a packet's arrival to its send.
            # TYPE akkasfu_worker_forwarding_delay_seconds histogram
            akkasfu_worker_forwarding_delay_seconds_sum{worker="0"} 1.5
            akkasfu_worker_forwarding_delay_seconds_count{worker="0"} {{w0Fast + slow}}
            akkasfu_worker_forwarding_delay_seconds_bucket{worker="0",le="2.5e-05"} 0
            akkasfu_worker_forwarding_delay_seconds_bucket{worker="0",le="5e-05"} {{w0Fast}}
            akkasfu_worker_forwarding_delay_seconds_bucket{worker="0",le="0.002"} {{w0Fast}}
            akkasfu_worker_forwarding_delay_seconds_bucket{worker="0",le="0.0025"} {{w0Fast + slow}}
            akkasfu_worker_forwarding_delay_seconds_bucket{worker="0",le="+Inf"} {{w0Fast + slow}}
            akkasfu_worker_forwarding_delay_seconds_bucket{worker="1",le="5e-05"} {{w1Fast}}
            akkasfu_worker_forwarding_delay_seconds_bucket{worker="1",le="+Inf"} {{w1Fast}}
            akkasfu_worker_rtp_sent_total{worker="0"} 42
            """;
        var before = ServerMetrics.ParseForwardingDelay(Exposition(10, 5, 0));
        var after = ServerMetrics.ParseForwardingDelay(Exposition(60, 55, 100));
        Assert.NotNull(before);
        // Between the readings: 50 + 50 copies in (25, 50] µs, 100 in (2, 2.5] ms.
        Assert.Equal(0.05, ServerMetrics.QuantileMs(before, after, 0.5));
        Assert.Equal(2.495, ServerMetrics.QuantileMs(before, after, 0.99));
        Assert.Null(ServerMetrics.ParseForwardingDelay("up 1\n"));
        Assert.Null(ServerMetrics.QuantileMs(null, after, 0.5));
    }

    [Fact]
    public void SeqTracker_counts_loss_reorder_and_duplicates()
    {
        var t = new SeqTracker();
        Assert.Equal(SeqVerdict.InOrder, t.Add(10));
        Assert.Equal(SeqVerdict.InOrder, t.Add(11));
        Assert.Equal(SeqVerdict.InOrder, t.Add(14));   // 12, 13 missing
        Assert.Equal(SeqVerdict.Reordered, t.Add(12)); // late
        Assert.Equal(SeqVerdict.Duplicate, t.Add(12));
        Assert.Equal(SeqVerdict.Duplicate, t.Add(14));
        Assert.Equal(SeqVerdict.TooOld, t.Add(5));     // before the first arrival
        Assert.Equal(4, t.Unique);
        Assert.Equal(1, t.Lost(lastSent: -1));        // 13
        Assert.Equal(3, t.Lost(lastSent: 16));        // 13, 15, 16 (tail)
        Assert.Equal(7, t.Expected(lastSent: 16));
        Assert.Equal(1, t.Reordered);
        Assert.Equal(2, t.Duplicates);
    }

    [Fact]
    public void SeqTracker_window_forgets_slots_it_moved_past()
    {
        var t = new SeqTracker();
        t.Add(0);
        t.Add(65_536);  // same slot as 0, a whole window later
        Assert.Equal(SeqVerdict.TooOld, t.Add(0));
        Assert.Equal(SeqVerdict.Reordered, t.Add(65_535 + 1 - 1)); // 65 535: slot was cleared by the jump
        Assert.Equal(65_537 - 3, t.Lost(-1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void SeqTracker_agrees_with_a_set_model_on_random_drops_duplicates_and_local_reordering(int seed)
    {
        var rng = new Random(seed);
        int sent = 5_000 + rng.Next(5_000);
        var arrivals = new List<uint>();
        for (uint s = 0; s < sent; s++)
        {
            if (rng.NextDouble() < 0.05) continue;                 // lost
            arrivals.Add(s);
            if (rng.NextDouble() < 0.02) arrivals.Add(s);          // duplicated
        }
        for (var i = 1; i < arrivals.Count; i++)                    // swap neighbours: local reordering
            if (rng.NextDouble() < 0.05) (arrivals[i - 1], arrivals[i]) = (arrivals[i], arrivals[i - 1]);

        var t = new SeqTracker();
        var seen = new HashSet<uint>();
        long dups = 0;
        foreach (var a in arrivals)
        {
            if (a < arrivals[0] && !seen.Contains(a)) { t.Add(a); continue; } // before the first arrival: TooOld
            if (!seen.Add(a)) dups++;
            t.Add(a);
        }
        var first = arrivals[0];
        long expected = sent - 1 - first + 1;
        long unique = seen.Count(x => x >= first);
        Assert.Equal(unique, t.Unique);
        Assert.Equal(dups, t.Duplicates);
        Assert.Equal(expected - unique, t.Lost(lastSent: sent - 1));
        Assert.Equal(expected, t.Expected(lastSent: sent - 1));
    }

    [Fact]
    public void Histogram_percentiles()
    {
        var h = new Histogram();
        Assert.Equal(-1, h.Percentile(50));
        for (var i = 1; i <= 100; i++) h.Add(i * 100); // 100 µs .. 10 ms
        Assert.InRange(h.Percentile(50), 5_000, 5_010);
        Assert.InRange(h.Percentile(99), 9_900, 9_910);
        Assert.Equal(10_000, h.MaxUs);
        h.Add(2_000_000);
        Assert.Equal(2_000_000, h.Percentile(100));
    }

    [Theory]
    [InlineData("peers=2..10:4", "peers", new[] { 2, 6, 10 })]
    [InlineData("rooms=1..3", "rooms", new[] { 1, 2, 3 })]
    public void Sweep_spec_parses(string spec, string axis, int[] values)
    {
        var (a, v) = Sweep.ParseSpec(spec);
        Assert.Equal(axis, a);
        Assert.Equal(values, v);
    }

    [Theory]
    [InlineData("peers")]
    [InlineData("workers=1..2")]
    [InlineData("peers=5..2")]
    [InlineData("peers=1-4")]
    public void Sweep_spec_rejects_bad_input(string spec) => Assert.Throws<ArgumentException>(() => Sweep.ParseSpec(spec));

    [Fact]
    public void Options_parse_and_reject()
    {
        var o = LoadGenOptions.Parse(["--server", "http://h:1", "--peers", "7", "--rooms", "3", "--simulcast", "--mode", "plain", "--no-audio", "--video-kbps", "500"]);
        Assert.Equal(7, o.Peers);
        Assert.Equal(3, o.Rooms);
        Assert.True(o.Simulcast);
        Assert.Equal(Mode.Plain, o.Mode);
        Assert.Equal(1, o.ProducersPerPeer);
        Assert.Equal(57, o.EffectiveVideoPps); // 500 kbps / 1100-byte payloads
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--bogus"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--no-audio", "--no-video"]));
    }

    [Fact]
    public void Servers_option_spreads_the_peers_of_a_room_round_robin()
    {
        var o = LoadGenOptions.Parse(["--servers", "http://127.0.0.1:3001, http://127.0.0.1:3002,https://node3:443/"]);
        Assert.Equal([new Uri("http://127.0.0.1:3001"), new Uri("http://127.0.0.1:3002"), new Uri("https://node3/")], o.Servers);
        Assert.Equal(new Uri("http://127.0.0.1:3001"), o.Server); // the first, for /metrics and --rtt
        Assert.Equal([0, 1, 2, 0, 1], Enumerable.Range(0, 5).Select(o.ServerIndexOf));

        var one = LoadGenOptions.Parse(["--server", "http://h:1"]);
        Assert.Equal([new Uri("http://h:1")], one.Servers);
        Assert.Equal([0, 0, 0], Enumerable.Range(0, 3).Select(one.ServerIndexOf));
        var none = LoadGenOptions.Parse([]);                 // as before: the default server for everyone
        Assert.Empty(none.Servers);
        Assert.Equal([new Uri("http://127.0.0.1:3000")], none.PeerServers);
        Assert.Equal(new Uri("http://h:2"), (none with { Server = new Uri("http://h:2") }).PeerServers.Single());
    }

    [Theory]
    [InlineData("--servers", "http://a:1,not a url", "'not a url' is not an absolute http")]
    [InlineData("--servers", "http://a:1,,http://b:2", "empty entry")]
    [InlineData("--servers", "ftp://a:1", "'ftp://a:1' is not an absolute http")]
    [InlineData("--servers", "/rooms", "'/rooms' is not an absolute http")]
    [InlineData("--server", "127.0.0.1:3000", "--server: '127.0.0.1:3000' is not an absolute http")]
    public void Servers_option_rejects_bad_urls_by_name(string option, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse([option, value]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Servers_option_refuses_a_single_server_pid_or_a_started_server()
    {
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--servers", "http://a:1,http://b:2", "--server-pid", "42"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["--servers", "http://a:1,http://b:2", "--start-server", "x.dll"]));
        Assert.Equal(42, LoadGenOptions.Parse(["--servers", "http://a:1", "--server-pid", "42"]).ServerPid);
    }

    [Fact]
    public void Server_processes_are_the_listeners_of_the_loopback_servers_each_once()
    {
        var asked = new List<int>();
        int Find(int port) { asked.Add(port); return port switch { 3001 => 11, 3002 => 22, 3004 => 11, _ => 0 }; }
        Uri[] servers =
        [
            new("http://127.0.0.1:3001"), new("http://localhost:3002/"), new("http://127.0.0.1:3001"),
            new("http://10.1.2.3:3003"), new("http://[::1]:3004"), new("http://127.0.0.1:3005"),
        ];
        Assert.Equal([11, 22], ProcStats.FindListeners(servers, Find)); // 3004 is 11 again; 3005 nobody's
        Assert.Equal([3001, 3002, 3004, 3005], asked);                   // never the remote one, each port once
    }

    /// <summary>A consumer of <paramref name="producer"/> that received <paramref name="arrived"/> (probe sequences).</summary>
    private static ConsumerStream Consumer(string id, ProducerStream? producer, params uint[] arrived)
    {
        var c = new ConsumerStream(id, MediaKind.Video, (uint)id.GetHashCode(), null, 96, null, "peer") { ProducerId = "prod-" + id };
        foreach (var seq in arrived) c.Trackers[0].Add(seq);
        if (arrived.Length > 0) { c.Sources[0] = producer; c.LastEncoding = 0; }
        return c;
    }

    private static ProducerStream Sent(long lastSeq) =>
        new(MediaKind.Video, 1, 96, "1", null, 0, packetsPerSecond: 100, payloadBytes: 100) { LastProbeSeq = lastSeq };

    private static uint[] Seqs(int from, int to, params int[] except) =>
        Enumerable.Range(from, to - from + 1).Except(except).Select(x => (uint)x).ToArray();

    [Fact]
    public void Loss_by_server_pair_splits_the_run_totals_with_the_same_loss_definition()
    {
        // Three nodes; node 2 died in the window: its producers' consumers on node 0 starve or stop early.
        var p9 = Sent(9); var p11 = Sent(11); var p9b = Sent(9); var dead = Sent(150); var p9c = Sent(9);
        var sentAtStart = new Dictionary<ProducerStream, long> { [p9] = 0, [p11] = 0, [p9b] = 0, [dead] = 100, [p9c] = 0 };
        AccountedConsumer[] consumers =
        [
            new(Consumer("a", p9, Seqs(0, 9)), ToServer: 0, [p9], FromServer: 0),               // 10 expected, none lost
            new(Consumer("b", p11, Seqs(0, 9, except: 4)), ToServer: 1, [p11], FromServer: 0),  // 12 expected: 4, 10, 11 lost (tail)
            new(Consumer("c", p9b, Seqs(5, 9)), ToServer: 0, [p9b], FromServer: 1),             // from its first arrival: 5
            new(Consumer("d", null), ToServer: 0, [dead], FromServer: 2),                        // nothing: all 50 sent in the window
            new(Consumer("e", p9c, Seqs(0, 4)), ToServer: 0, [p9c], FromServer: 2),             // stopped after 4: 5 lost
            new(Consumer("f", null), ToServer: 1, null, FromServer: -1),                         // not our producer: counted, nothing to charge
        ];

        var t = LossAccounting.Tally(consumers, sentAtStart);

        Assert.Equal(
        [
            new ServerPairLoss(-1, 1, 1, 0, 0),
            new ServerPairLoss(0, 0, 1, 10, 0),
            new ServerPairLoss(0, 1, 1, 12, 3),
            new ServerPairLoss(1, 0, 1, 5, 0),
            new ServerPairLoss(2, 0, 2, 60, 55),
        ], t.ByServerPair);
        Assert.Equal((6, 4), (t.Consumers, t.WithMedia));
        Assert.Equal(t.ByServerPair.Sum(x => x.Expected), t.Expected);
        Assert.Equal(t.ByServerPair.Sum(x => x.Lost), t.Lost);
        foreach (var c in consumers)                          // the per-consumer figures are the ones the totals use
        {
            var l = LossAccounting.Of(c.Consumer, c.Producer, sentAtStart);
            var tr = c.Consumer.Trackers[0];
            if (l.HadMedia) Assert.Equal((tr.Expected(c.Producer![0].LastProbeSeq), tr.Lost(c.Producer[0].LastProbeSeq)), (l.Expected, l.Lost));
        }
        // What a failover test asserts: the peers of the survivors (0, 1) lost only what b lost.
        Assert.Equal(3, t.ByServerPair.Where(x => x.FromServer is 0 or 1 && x.ToServer is 0 or 1).Sum(x => x.Lost));
    }

    [Fact]
    public void Result_json_carries_servers_and_loss_by_server_pair()
    {
        var r = new RunResult { Servers = ["http://a:1/", "http://b:2/"], LossByServerPair = [new ServerPairLoss(0, 1, 4, 400, 2)] };
        var line = r.ToJson();
        Assert.Contains("\"lossByServerPair\":[{\"fromServer\":0,\"toServer\":1,\"consumers\":4,\"expected\":400,\"lost\":2}]", line);
        var back = RunResult.FromJson(line)!;
        Assert.Equal(r.Servers, back.Servers);
        Assert.Equal(r.LossByServerPair, back.LossByServerPair);
    }

    [Fact]
    public void Video_starts_with_a_vp8_key_frame_then_inter_frames_and_honours_requests()
    {
        var s = new ProducerStream(MediaKind.Video, 1234, 96, "1", null, 0, packetsPerSecond: 60, payloadBytes: 500, framesPerSecond: 30);
        var buf = new byte[1500];
        byte[] Payload(int n) { Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p)); return p.Payload.ToArray(); }

        var first = Payload(s.WriteNext(buf, 1000));
        Assert.Equal(0x10, first[0]);                        // S=1, PID 0
        Assert.Equal(0, first[1] & 1);                       // P=0: key frame
        Assert.Equal(new byte[] { 0x9d, 0x01, 0x2a }, first[4..7]);
        Assert.Equal(ProbeError.None, Probe.TryRead(first, out var probe));
        Assert.Equal(0u, probe.Seq);
        var second = Payload(s.WriteNext(buf, 2000));        // same frame (2 packets per frame)
        Assert.Equal(0x00, second[0]);
        var third = Payload(s.WriteNext(buf, 3000));         // next frame: inter
        Assert.Equal(0x10, third[0]);
        Assert.Equal(1, third[1] & 1);
        s.WriteNext(buf, 4000);
        s.KeyFrameRequested = true;                          // PLI
        var fifth = Payload(s.WriteNext(buf, 5000));
        Assert.Equal(0, fifth[1] & 1);
        Assert.Equal(2, s.KeyFramesSent);
    }

    [Fact]
    public void Retransmission_is_rtx_wrapped_with_the_original_sequence()
    {
        var s = new ProducerStream(MediaKind.Video, 1000, 96, "1", null, 0, 60, 300) { RtxSsrc = 1001, RtxPayloadType = 97 };
        var buf = new byte[1500];
        int n = s.WriteNext(buf, 1);
        RtpPacket.TryParse(buf.AsSpan(0, n), out var orig);
        ushort seq = orig.SequenceNumber;
        var origPayload = orig.Payload.ToArray();

        var rtx = new byte[1500];
        int m = s.WriteRetransmission(seq, rtx);
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(rtx.AsSpan(0, m), out var p));
        Assert.Equal(1001u, p.Ssrc);
        Assert.Equal(97, p.PayloadType);
        Assert.Equal(seq, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(p.Payload));
        Assert.Equal(origPayload, p.Payload[2..].ToArray());
        Assert.Equal(0, s.WriteRetransmission((ushort)(seq + 1), rtx)); // never sent
        Assert.Equal(1, s.RetransmitMisses);
    }

    [Fact]
    public void Result_json_round_trips()
    {
        var r = new RunResult { Mode = "webrtc", Peers = 4, LossPct = 0.5, FailedStage = "ice", Error = "x" };
        var line = r.ToJson();
        Assert.DoesNotContain('\n', line);
        Assert.Contains("\"failedStage\":\"ice\"", line);
        Assert.Equal(r, RunResult.FromJson(line));
    }
}
