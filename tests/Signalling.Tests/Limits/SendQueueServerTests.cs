using System.Text;
using AkkaSfu.Signalling.Tests.Metrics;
using AkkaSfu.Signalling.Tests.Protoo;

namespace AkkaSfu.Signalling.Tests.Limits;

/// <summary>A client that sends requests and never reads their answers, against a server whose send queue holds 20
/// messages / 64 KiB (and whose request rate is out of the way).</summary>
public sealed class SendQueueServerTests() : LimitsServer("send-queue", "send-queue-messages = 20, send-queue-bytes = 64KiB, requests-per-second = 1000000, request-burst = 1000000, flood-close-after = 1000000")
{
    [Fact]
    public async Task A_client_that_does_not_read_is_closed_and_its_queue_released_while_others_are_served()
    {
        var room = "s" + Guid.NewGuid().ToString("N")[..8];
        await using var normal = await ProtooClient.ConnectAsync(Server.BaseAddress, room, "normal");
        await using var deaf = await ProtooClient.ConnectAsync(Server.BaseAddress, room, "deaf", read: false);
        var hit = false;
        // Each answer is a few kB: the kernel's buffers fill, then the socket's queue. Bounded: 100 rounds of 200.
        for (var round = 0; round < 100 && !hit; round++)
        {
            try
            {
                for (var i = 0; i < 200; i++)
                    await deaf.SendRawAsync("""{"request":true,"id":1,"method":"getRouterRtpCapabilities","data":{}}""");
            }
            catch (System.Net.WebSockets.WebSocketException) { }
            hit = await MetricsPage.MetricAsync(Http, "akkasfu_limit_hits_total", "limit=\"send_queue\"") >= 1;
        }
        Assert.True(hit, "the send queue filled");

        // Closed (1008; it reads nothing, so after the close grace it is cut off) and nothing stays queued.
        await MetricsPage.UntilAsync(Http, m => MetricsPage.Value(m, "akkasfu_websocket_connections") == 1
            && MetricsPage.Value(m, "akkasfu_websocket_send_queue_bytes") == 0
            && MetricsPage.Value(m, "akkasfu_websocket_send_queue_messages") == 0, "the deaf socket closed and its queue was released", "akkasfu_websocket");
        Assert.Equal(1, await MetricsPage.MetricAsync(Http, "akkasfu_limit_hits_total", "limit=\"send_queue\""));
        Assert.True((await normal.RequestAsync("getRouterRtpCapabilities"))["ok"]!.GetValue<bool>());
    }
}
