using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>A VP9 SVC webcam (mediasoup-demo's forceVP9 with the K-SVC mode L3T3_KEY: one encoding, three
/// spatial layers) consumed by viewers through <c>SvcConsumer</c>.</summary>
public class SvcTests(ITestOutputHelper output)
{
    [Fact]
    public Task Vp9_L3T3_KEY_decodes_on_every_viewer_at_the_top_spatial_layer() =>
        // Capped at 1.5 Mbps (under mediasoup-demo's 5 Mbps cap Chromium's fake camera sends several Mbps): on 2 busy
        // cores the viewers' estimates did not confirm all of it within 20 s, and they got T0+T1 (10 of 20 fps).
        SimulcastModesTests.EveryViewerDecodesAsync(output, "&forceVP9=1&svc=L3T3_KEY&maxBitrate=1500000", atTopWidth: true);
}
