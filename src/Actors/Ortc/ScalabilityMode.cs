// W3C webrtc-svc scalability modes as mediasoup parses them (node/src/scalabilityModes.ts):
// ^[LS]([1-9]\d?)T([1-9]\d?)(_KEY)? ; anything else means 1 spatial, 1 temporal layer.
using System.Text.RegularExpressions;

namespace AkkaSfu.Actors.Ortc;

/// <summary>Spatial/temporal layer counts of a scalability mode such as <c>L3T3_KEY</c>.</summary>
public readonly partial record struct ScalabilityMode(int SpatialLayers, int TemporalLayers, bool Ksvc)
{
    [GeneratedRegex(@"^[LS]([1-9]\d{0,1})T([1-9]\d{0,1})(_KEY)?")]
    private static partial Regex Pattern();

    /// <summary>Parses a mode; null or unrecognised gives L1T1.</summary>
    public static ScalabilityMode Parse(string? mode)
    {
        var m = mode is null ? null : Pattern().Match(mode);
        if (m is null || !m.Success)
            return new ScalabilityMode(1, 1, false);
        return new ScalabilityMode(int.Parse(m.Groups[1].ValueSpan), int.Parse(m.Groups[2].ValueSpan), m.Groups[3].Success);
    }
}
