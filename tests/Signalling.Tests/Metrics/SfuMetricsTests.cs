using System.Text;
using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Media.Engine;
using AkkaSfu.Signalling.Metrics;

namespace AkkaSfu.Signalling.Tests.Metrics;

/// <summary>What /metrics exports from the workers' cumulative counters, with stand-in worker actors.</summary>
public sealed class SfuMetricsTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("metrics-test");

    private sealed class FakeWorker : ReceiveActor
    {
        public FakeWorker(Queue<WorkerMetrics> replies) => Receive<GetWorkerMetrics>(_ => Sender.Tell(replies.Dequeue()));
    }

    private sealed class FakeWorkers : ReceiveActor
    {
        public FakeWorkers(IActorRef worker) =>
            Receive<GetWorkers>(_ => Sender.Tell(new WorkersStatus([new WorkerStatus(0, worker, 1, 0, 0)])));
    }

    private static WorkerMetrics Metrics(long rtpSent, long dropsUnknownSsrc, params (int Bucket, long Count)[] delays)
    {
        var buckets = new long[ForwardingDelay.BucketCount];
        foreach (var (b, c) in delays) buckets[b] = c;
        return new WorkerMetrics(0, 1, 2, 3, 4, RtpReceived: 50, rtpSent, RtcpReceived: 5, RtcpSent: 6, Retransmitted: 7,
            new Dictionary<string, long> { ["UnknownSsrc"] = dropsUnknownSsrc, ["SendFailed"] = 0 }, IngressDropped: 0,
            RxOverflowed: 0, buckets, ForwardingDelaySumUs: 0);
    }

    private static async Task<string> ScrapeAsync(SfuMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Line(string text, string prefix) =>
        text.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task Counters_keep_rising_when_a_worker_is_replaced_and_the_delay_histogram_follows_its_buckets()
    {
        var replies = new Queue<WorkerMetrics>([
            Metrics(rtpSent: 100, dropsUnknownSsrc: 3, (1, 10)),          // 10 copies in (25, 50] µs
            Metrics(rtpSent: 160, dropsUnknownSsrc: 3, (1, 12), (40, 1)), // +2 there, +1 in (1, 1.25] ms
            Metrics(rtpSent: 30, dropsUnknownSsrc: 1, (1, 1)),            // a replaced worker starts from zero
        ]);
        var worker = _system.ActorOf(Props.Create(() => new FakeWorker(replies)));
        var metrics = new SfuMetrics(_system.ActorOf(Props.Create(() => new FakeWorkers(worker))));

        var first = await ScrapeAsync(metrics);
        Assert.Equal("akkasfu_worker_rtp_sent_total{worker=\"0\"} 100", Line(first, "akkasfu_worker_rtp_sent_total{"));
        Assert.Equal("akkasfu_worker_consumers{worker=\"0\"} 4", Line(first, "akkasfu_worker_consumers{"));
        Assert.Equal("akkasfu_worker_drops_total{worker=\"0\",reason=\"UnknownSsrc\"} 3", Line(first, "akkasfu_worker_drops_total{"));
        Assert.Equal("akkasfu_worker_forwarding_delay_seconds_bucket{worker=\"0\",le=\"5e-05\"} 10",
            Line(first, "akkasfu_worker_forwarding_delay_seconds_bucket{worker=\"0\",le=\"5e-05\"}"));

        var second = await ScrapeAsync(metrics);
        Assert.Equal("akkasfu_worker_rtp_sent_total{worker=\"0\"} 160", Line(second, "akkasfu_worker_rtp_sent_total{"));
        Assert.Equal("akkasfu_worker_forwarding_delay_seconds_bucket{worker=\"0\",le=\"5e-05\"} 12",
            Line(second, "akkasfu_worker_forwarding_delay_seconds_bucket{worker=\"0\",le=\"5e-05\"}"));
        Assert.Equal("akkasfu_worker_forwarding_delay_seconds_count{worker=\"0\"} 13", Line(second, "akkasfu_worker_forwarding_delay_seconds_count{"));

        var third = await ScrapeAsync(metrics);
        Assert.Equal("akkasfu_worker_rtp_sent_total{worker=\"0\"} 190", Line(third, "akkasfu_worker_rtp_sent_total{"));
        Assert.Equal("akkasfu_worker_drops_total{worker=\"0\",reason=\"UnknownSsrc\"} 4", Line(third, "akkasfu_worker_drops_total{"));
        Assert.Equal("akkasfu_worker_forwarding_delay_seconds_count{worker=\"0\"} 14", Line(third, "akkasfu_worker_forwarding_delay_seconds_count{"));
        Assert.DoesNotContain("reason=\"SendFailed\"", third); // reasons that never happened are not exported
    }

    [Fact]
    public async Task Port_exhaustion_and_dtls_handshake_limits_are_exported()
    {
        var replies = new Queue<WorkerMetrics>([Metrics(rtpSent: 1, dropsUnknownSsrc: 0) with
        {
            NoFreePort = 2, DtlsHandshakesRunning = 32, DtlsHandshakesQueued = 7, DtlsHandshakesRefused = 3, DtlsHandshakeThreads = 32,
        }]);
        var worker = _system.ActorOf(Props.Create(() => new FakeWorker(replies)));
        var text = await ScrapeAsync(new SfuMetrics(_system.ActorOf(Props.Create(() => new FakeWorkers(worker)))));
        Assert.Equal("akkasfu_worker_no_free_port_total{worker=\"0\"} 2", Line(text, "akkasfu_worker_no_free_port_total{"));
        Assert.Equal("akkasfu_worker_dtls_handshakes_refused_total{worker=\"0\"} 3", Line(text, "akkasfu_worker_dtls_handshakes_refused_total{"));
        Assert.Equal("akkasfu_worker_dtls_handshakes_running{worker=\"0\"} 32", Line(text, "akkasfu_worker_dtls_handshakes_running{"));
        Assert.Equal("akkasfu_worker_dtls_handshakes_queued{worker=\"0\"} 7", Line(text, "akkasfu_worker_dtls_handshakes_queued{"));
        Assert.Equal("akkasfu_worker_dtls_handshake_threads{worker=\"0\"} 32", Line(text, "akkasfu_worker_dtls_handshake_threads{"));
    }

    [Fact]
    public async Task The_shared_webrtc_port_its_tuples_and_its_unknown_tuple_and_ufrag_drops_are_exported_per_worker()
    {
        var m = Metrics(rtpSent: 1, dropsUnknownSsrc: 0) with
        {
            Drops = new Dictionary<string, long> { ["UnknownTuple"] = 9, ["UnknownUfrag"] = 4 },
            WebRtcServerPort = 40000, WebRtcServerTuples = 3,
        };
        var replies = new Queue<WorkerMetrics>([m]);
        var worker = _system.ActorOf(Props.Create(() => new FakeWorker(replies)));
        var text = await ScrapeAsync(new SfuMetrics(_system.ActorOf(Props.Create(() => new FakeWorkers(worker)))));
        Assert.Equal("akkasfu_worker_webrtc_server_port{worker=\"0\"} 40000", Line(text, "akkasfu_worker_webrtc_server_port{"));
        Assert.Equal("akkasfu_worker_webrtc_server_tuples{worker=\"0\"} 3", Line(text, "akkasfu_worker_webrtc_server_tuples{"));
        Assert.Equal("akkasfu_worker_drops_total{worker=\"0\",reason=\"UnknownTuple\"} 9", Line(text, "akkasfu_worker_drops_total{worker=\"0\",reason=\"UnknownTuple\"}"));
        Assert.Equal("akkasfu_worker_drops_total{worker=\"0\",reason=\"UnknownUfrag\"} 4", Line(text, "akkasfu_worker_drops_total{worker=\"0\",reason=\"UnknownUfrag\"}"));
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _system.Terminate();
}
