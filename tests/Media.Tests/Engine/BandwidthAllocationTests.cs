using Xunit.Abstractions;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>The whole loop on one engine: a three-stream simulcast VP8 producer, a consumer whose endpoint
/// (this test) receives through an emulated bottleneck and answers with real transport-cc feedback. The
/// consumer's layer must follow the bottleneck down and back up.</summary>
public class BandwidthAllocationTests(ITestOutputHelper output)
{
    private const byte EndpointTwccId = 3, RouterTwccId = 5;
    private static readonly uint[] Ssrcs = [1000, 2000, 3000];
    // Bytes per packet and packets per frame at 30 fps, temporal layers 0-2-1-2, layer-0 frames twice as big
    // (as encoders make them): ~300, ~720 and ~1,440 kbps; layer 0 alone ~120, ~290 and ~580 kbps.
    private static readonly (int Size, int Count)[] Frames = [(1000, 1), (1200, 2), (1200, 4)];

    private static byte[] Vp8(int encoding, ushort seq, ushort twcc, int pictureId, int tl0, int tid, bool keyFrame, bool marker)
    {
        var (size, _) = Frames[encoding];
        var payload = new byte[size];
        payload[0] = 0x90;                               // X, S
        payload[1] = 0xE0;                               // I, L, T
        payload[2] = (byte)(0x80 | (pictureId >> 8) & 0x7F);
        payload[3] = (byte)pictureId;
        payload[4] = (byte)tl0;
        payload[5] = (byte)(tid << 6 | (tid > 0 ? 0x20 : 0)); // every upper-layer picture is a layer sync: simple for the test
        byte[] frame = keyFrame ? [0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00] : [0x01, 0x00, 0x00];
        frame.CopyTo(payload, 6);
        var buf = new byte[size + 64];
        var header = new RtpHeaderFields { PayloadType = 96, SequenceNumber = seq, Timestamp = (uint)pictureId * 3000, Ssrc = Ssrcs[encoding], Marker = marker };
        var ext = new byte[] { (byte)(twcc >> 8), (byte)twcc };
        return buf[..RtpPacketWriter.Write(buf, header, [], [new RtpExtension(EndpointTwccId, ext)], payload)];
    }

    /// <param name="queueMs">The bottleneck's queue in ms of its rate: 300 ms as a home router, 50 ms as the
    /// browser tests' tc tbf (a shallow queue: bursts are lost rather than delayed).</param>
    [Theory]
    [InlineData(300)]
    [InlineData(50)]
    public async Task A_consumer_follows_its_downlink_down_to_the_lowest_layer_and_back_up(int queueMs)
    {
        using var harness = new EngineHarness();
        using var endpoint = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        endpoint.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var (ingressPort, egressPort) = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var ingress = e.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999, Comedia: true));
            e.Produce("in", new ProducerSettings("p", StreamKind.Video, RtpStreamType.Simulcast, [new CodecMapping(96, 101, 90000, "video/VP8")],
                Ssrcs.Select((s, i) => new EncodingMapping(801 + (uint)i, Ssrc: s, TemporalLayers: 3)).ToArray(),
                null, new RtpExtensionIds { TransportWideCc01 = EndpointTwccId }, new RtpExtensionIds { TransportWideCc01 = RouterTwccId }, Nack: false));
            var egress = e.CreatePlainTransport("r", "out", new PlainTransportSettings(IPAddress.Loopback, null, 20000, 29999));
            egress.Connect((IPEndPoint)endpoint.LocalEndPoint!, null, null);
            e.Consume("out", new ConsumerSettings("c", "p", StreamKind.Video, RtpStreamType.Simulcast, 9000, 101, 90000,
                new RtpExtensionIds { TransportWideCc01 = RouterTwccId }, "x", Paused: false), EngineHarness.Now);
            return (ingress.Port, egress.Port);
        });

        using var stop = new CancellationTokenSource();
        var link = new EmulatedLink { CapacityBps = 5_000_000, QueueUs = queueMs * 1000 };
        // The receiver first: a sender that starts alone overflows the endpoint's socket buffer.
        var receiver = Task.Run(() => Receive(endpoint, new IPEndPoint(IPAddress.Loopback, egressPort), link, stop.Token));
        var sender = Task.Run(() => Send(ingressPort, stop.Token));
        bool Active() => harness.Invoke(e => e.GetTransport("out").Bandwidth.IsActive);
        int Layer() => harness.Invoke(e => ((SimulcastConsumer)e.GetConsumer("c")).CurrentSpatialLayer);
        string State() => harness.Invoke(e =>
        {
            var t = e.GetTransport("out");
            var c = (SimulcastConsumer)e.GetConsumer("c");
            return $"available {t.AvailableOutgoingBitrate / 1000} kbps, desired {t.DesiredOutgoingBitrate / 1000}, layer {c.CurrentSpatialLayer}/{c.CurrentTemporalLayer}, target {c.TargetSpatialLayer}/{c.TargetTemporalLayer}, probes {t.ProbationPacketsSent}, link drops {link.Dropped}"
                + (t.Bandwidth.Estimator is { } b ? $", delay {b.DelayBasedBps / 1000} ({b.DelayState}/{b.RateControlState}), loss {b.LossBasedBps / 1000} ({b.LossRatio:P1}), acked {b.AckedBitrateBps / 1000}, probe {b.LastProbeResultBps / 1000}" : "");
        });
        async Task WaitFor(Func<bool> condition, int seconds, string what)
        {
            var deadline = Stopwatch.StartNew();
            var polls = 0;
            while (!condition())
            {
                if (polls++ % 5 == 0) output.WriteLine($"{deadline.ElapsedMilliseconds,6} ms {what}: {State()}");
                Assert.True(deadline.Elapsed.TotalSeconds < seconds, $"{what} within {seconds} s: {State()}");
                await Task.Delay(100);
            }
        }

        try
        {
            // Before feedback nothing limits: wait for the estimate itself to carry the top layer.
            await WaitFor(() => Active() && Layer() == 2, 15, "top layer on a 5 Mbps link, by the estimate");
            // 250 kbps carries layer 0 (all temporal layers: ~310 kbps on the wire; T0+T1 ~190) but not
            // layer 1's base (~300 kbps on the wire).
            link.CapacityBps = 250_000;
            await WaitFor(() => Layer() == 0, 6, "lowest layer on a 250 kbps link");
            var downAt = Stopwatch.StartNew();
            while (downAt.Elapsed.TotalSeconds < 4)
            {
                Assert.True(Layer() == 0, $"stays on the lowest layer: {State()}");
                await Task.Delay(200);
            }
            link.CapacityBps = 5_000_000;
            await WaitFor(() => Layer() == 2, 20, "back on the top layer when the link is 5 Mbps again");
            output.WriteLine($"done: {State()}");
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(sender, receiver).WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    private static void Send(int port, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Loopback, port);
        var seq = new ushort[3];
        ushort twcc = 0;
        var clock = Stopwatch.StartNew();
        for (var frame = 0; !stop.IsCancellationRequested; frame++)
        {
            var tid = (frame % 4) switch { 0 => 0, 2 => 1, _ => 2 };
            var key = frame % 30 == 0;
            for (var e = 0; e < 3; e++)
            {
                var count = Frames[e].Count * (tid == 0 || key ? 2 : 1);
                for (var k = 0; k < count; k++)
                    socket.SendTo(Vp8(e, seq[e]++, twcc++, frame & 0x7FFF, frame / 4 & 0xFF, key ? 0 : tid, key, k == count - 1), to);
            }
            var next = (frame + 1) * 1000 / 30;
            var wait = next - clock.ElapsedMilliseconds;
            if (wait > 0) Thread.Sleep((int)wait);
        }
    }

    /// <summary>A bottleneck queue: a packet leaves when the ones before it have, at the capacity; one that
    /// would wait more than <see cref="QueueUs"/> is dropped (tc tbf's "latency").</summary>
    private sealed class EmulatedLink
    {
        public volatile int CapacityBps;
        public long QueueUs = 300_000;
        public long Dropped;
        private long _lastDepartureUs;

        /// <summary>Arrival time of a packet offered at <paramref name="nowUs"/>, or −1 when dropped.</summary>
        public long Offer(int bytes, long nowUs)
        {
            var start = Math.Max(nowUs, _lastDepartureUs);
            var departure = start + (bytes + 28) * 8L * 1_000_000 / CapacityBps;
            if (departure - nowUs > QueueUs) { Dropped++; return -1; }
            _lastDepartureUs = departure;
            return departure + 20_000; // 20 ms propagation
        }
    }

    private static void Receive(Socket endpoint, IPEndPoint transport, EmulatedLink link, CancellationToken stop)
    {
        var recorder = new TransportCcRecorder { FeedbackIntervalUs = 50_000 };
        var ids = new RtpExtensionIds { TransportWideCc01 = RouterTwccId };
        var buf = new byte[2048];
        var feedback = new byte[1500];
        var clock = Stopwatch.StartNew();
        long NowUs() => clock.ElapsedTicks * 1_000_000 / Stopwatch.Frequency;
        while (!stop.IsCancellationRequested)
        {
            if (endpoint.Poll(10_000, SelectMode.SelectRead))
            {
                var n = endpoint.Receive(buf);
                if (n >= 2 && buf[1] is not (>= 200 and <= 207)
                    && RtpPacket.TryParse(buf.AsSpan(0, n), out var p) == RtpParseError.None && p.ReadTransportWideCc01(ids, out var twcc))
                {
                    var arrival = link.Offer(n, NowUs());
                    if (arrival >= 0) recorder.Record(twcc, arrival);
                }
            }
            var now = NowUs();
            if (!recorder.ShouldSendFeedback(now)) continue;
            for (var i = 0; i < 4 && recorder.PendingCount > 0; i++)
            {
                var len = recorder.BuildFeedback(now, 1, 9000, feedback);
                if (len <= 0) break;
                endpoint.SendTo(feedback.AsSpan(0, len), transport);
            }
        }
    }
}
