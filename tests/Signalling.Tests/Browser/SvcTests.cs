using Xunit.Abstractions;

namespace AkkaSfu.Signalling.Tests.Browser;

/// <summary>A VP9 SVC webcam (mediasoup-demo's forceVP9 with the K-SVC mode L3T3_KEY: one encoding, three
/// spatial layers) consumed by viewers through <c>SvcConsumer</c>.</summary>
public class SvcTests(ITestOutputHelper output)
{
    [Fact]
    public Task Vp9_L3T3_KEY_decodes_on_every_viewer_at_the_top_spatial_layer() =>
        SimulcastModesTests.EveryViewerDecodesAsync(output, "&forceVP9=1&svc=L3T3_KEY", atTopWidth: true);
}
