// Sharing one transport's available outgoing bitrate among its consumers, as mediasoup's
// Transport::DistributeAvailableOutgoingBitrate does: streams that cannot be shaped (audio, single-layer
// video) take what they use first; every layered (simulcast/SVC) consumer then gets its lowest live layer
// (video never stops: a frozen tile is worse than a small one); the rest goes up layer by layer in rounds,
// higher priority first, a consumer of priority p taking up to p steps per round. Layers are ordered spatial
// first, then temporal: (0,0) < (0,1) < (0,2) < (1,0) < ... A step takes the next layer above the
// consumer's that fits what is left. Going above the layer being forwarded needs UpMargin more room than the
// layer's measured bitrate (hysteresis: encoders overshoot, and a switch up that must be undone is a visible
// quality change twice).
namespace AkkaSfu.Media.Layers;

/// <summary>One consumer in an allocation: what it could take (filled by its consumer) and what it got.</summary>
public sealed class LayerDemand
{
    /// <summary>mediasoup's consumer priority: 1 (default) to 255.</summary>
    public int Priority = 1;
    /// <summary>False for audio and single-stream video: they take <see cref="FixedBitrate"/>.</summary>
    public bool Layered;
    public bool IsAudio;
    /// <summary>What a non-layered consumer sends now (bps).</summary>
    public long FixedBitrate;
    public int SpatialLayers = 1, TemporalLayers = 1;
    /// <summary>The highest layers this consumer may get now.</summary>
    public int MaxSpatial, MaxTemporal;
    /// <summary>The preferred layers, from which <see cref="Desired"/> is taken; -1: the same as the max ones.
    /// (The max ones may be held lower for now, e.g. up one layer at a time, while the wish stays.)</summary>
    public int DesiredSpatial = -1, DesiredTemporal = -1;
    /// <summary>Now forwarded (-1 when nothing): going above it needs the margin.</summary>
    public int CurrentSpatial = -1, CurrentTemporal = -1;
    private long[] _bitrates = new long[1];

    /// <summary>Sets the layer table size; bitrates start at 0 (not live).</summary>
    public void Reset(int spatialLayers, int temporalLayers)
    {
        SpatialLayers = Math.Max(1, spatialLayers);
        TemporalLayers = Math.Max(1, temporalLayers);
        var n = SpatialLayers * TemporalLayers;
        if (_bitrates.Length != n) _bitrates = new long[n];
        else Array.Clear(_bitrates);
    }

    /// <summary>Bitrate to forward layers up to (<paramref name="s"/>, <paramref name="t"/>); 0 when that layer
    /// is not being received.</summary>
    public long Bitrate(int s, int t) => _bitrates[s * TemporalLayers + t];
    public void SetBitrate(int s, int t, long bps) => _bitrates[s * TemporalLayers + t] = bps;

    // ---- results ----
    public int Spatial = -1, Temporal = -1;
    public long Allocated;
    /// <summary>Bitrate of the best live layers within the preferred ones.</summary>
    public long Desired;
}

public readonly record struct AllocationResult(long Desired, long Allocated);

public static class LayerAllocator
{
    /// <summary>Room needed above a layer's measured bitrate to switch up to it.</summary>
    public const double UpMargin = 1.15;

    /// <summary>Shares <paramref name="available"/> bps among <paramref name="demands"/> (see the file comment).</summary>
    public static AllocationResult Allocate(IReadOnlyList<LayerDemand> demands, long available) =>
        Allocate(demands, available, new List<LayerDemand>(demands.Count));

    /// <summary>As <see cref="Allocate(IReadOnlyList{LayerDemand}, long)"/>, ordering the layered demands in
    /// <paramref name="scratch"/> (cleared first): nothing is allocated once the list has grown.</summary>
    public static AllocationResult Allocate(IReadOnlyList<LayerDemand> demands, long available, List<LayerDemand> scratch)
    {
        long remaining = available, desired = 0;
        // Audio first, then the other single-stream consumers.
        for (var pass = 0; pass < 2; pass++)
            for (var i = 0; i < demands.Count; i++)
            {
                var d = demands[i];
                if (d.Layered || d.IsAudio != (pass == 0)) continue;
                d.Allocated = d.FixedBitrate;
                d.Desired = d.FixedBitrate;
                remaining -= d.FixedBitrate;
                desired += d.FixedBitrate;
            }

        // The layered ones, stable by priority, highest first (insertion sort: a transport has few consumers).
        var sorted = scratch;
        sorted.Clear();
        for (var i = 0; i < demands.Count; i++)
        {
            var d = demands[i];
            if (!d.Layered) continue;
            var j = sorted.Count;
            sorted.Add(d);
            while (j > 0 && sorted[j - 1].Priority < d.Priority) { sorted[j] = sorted[j - 1]; j--; }
            sorted[j] = d;
        }

        for (var i = 0; i < sorted.Count; i++)
        {
            var d = sorted[i];
            d.Spatial = d.Temporal = -1;
            d.Allocated = 0;
            d.Desired = 0;
            var wishS = d.DesiredSpatial >= 0 ? d.DesiredSpatial : d.MaxSpatial;
            var wishT = d.DesiredTemporal >= 0 ? d.DesiredTemporal : d.MaxTemporal;
            for (var s = 0; s <= Math.Min(wishS, d.SpatialLayers - 1); s++)
                for (var t = 0; t <= Math.Min(wishT, d.TemporalLayers - 1); t++)
                    if (d.Bitrate(s, t) > 0) d.Desired = d.Bitrate(s, t);
            desired += d.Desired;
            if (!LowestLive(d, out var s0, out var t0)) continue;
            d.Spatial = s0;
            d.Temporal = t0;
            d.Allocated = d.Bitrate(s0, t0);
            remaining -= d.Allocated;
        }

        bool changed;
        do
        {
            changed = false;
            for (var i = 0; i < sorted.Count; i++)
                for (int k = 0, steps = Math.Max(1, sorted[i].Priority); k < steps; k++)
                {
                    if (!TryStep(sorted[i], ref remaining)) break;
                    changed = true;
                }
        } while (changed);

        long allocated = 0;
        for (var i = 0; i < demands.Count; i++) allocated += demands[i].Allocated;
        return new AllocationResult(desired, allocated);
    }

    private static bool LowestLive(LayerDemand d, out int spatial, out int temporal)
    {
        for (var s = 0; s < d.SpatialLayers; s++)
            if (d.Bitrate(s, 0) > 0)
            {
                (spatial, temporal) = (s, 0);
                // The lowest live layer, even above the preferred one when nothing below it is received.
                return true;
            }
        (spatial, temporal) = (-1, -1);
        return false;
    }

    /// <summary>Moves <paramref name="d"/> to the first layer above its own that is live, preferred and fits.</summary>
    private static bool TryStep(LayerDemand d, ref long remaining)
    {
        if (d.Spatial < 0) return false;
        var maxS = Math.Min(d.MaxSpatial, d.SpatialLayers - 1);
        var maxT = Math.Min(d.MaxTemporal, d.TemporalLayers - 1);
        for (var s = d.Spatial; s <= maxS; s++)
            for (var t = s == d.Spatial ? d.Temporal + 1 : 0; t <= maxT; t++)
            {
                var bitrate = d.Bitrate(s, t);
                if (bitrate <= 0) continue;
                var above = s > d.CurrentSpatial || (s == d.CurrentSpatial && t > d.CurrentTemporal);
                var need = (above ? (long)(bitrate * UpMargin) : bitrate) - d.Allocated;
                if (need > remaining) continue;
                remaining -= bitrate - d.Allocated;
                d.Allocated = bitrate;
                d.Spatial = s;
                d.Temporal = t;
                return true;
            }
        return false;
    }
}
