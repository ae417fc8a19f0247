// Per-consumer VP9 SVC layer selection (RFC 9628 §4.2 fields P, B, E, TID, U, SID, D). Model: mediasoup
// SvcConsumer + VP9 PayloadDescriptorHandler::Process:
//  - spatial up-switch only at a key frame;
//  - spatial down-switch at the end (E) of a target-layer frame (full SVC) or at a key frame (K-SVC);
//  - temporal up-switch at a start of frame (B) with U=1, never above the target (mediasoup may overshoot);
//  - temporal down-switch at the end of a target-layer frame.
// Reordered (older picture id) packets never move the layers but, unlike mediasoup, are still filtered.
namespace AkkaSfu.Media.Codecs;

/// <summary>Decision of <see cref="Vp9SvcFilter.Process"/>.</summary>
public enum Vp9FilterResult : byte
{
    /// <summary>Forward unchanged.</summary>
    Forward = 0,
    /// <summary>Forward and set the RTP marker bit: last packet of the highest forwarded spatial layer.</summary>
    ForwardSetMarker,
    /// <summary>Dropped: no target layer (consumer paused or no layers chosen yet).</summary>
    DropNoTarget,
    /// <summary>Dropped: spatial or temporal layer beyond what the producer announced.</summary>
    DropLayerNotAnnounced,
    /// <summary>Dropped: spatial layer above the current one (or another layer in K-SVC).</summary>
    DropSpatialLayer,
    /// <summary>Dropped: temporal layer above the current one.</summary>
    DropTemporalLayer,
}

/// <summary>
/// One per consumer of a VP9 SVC producer (e.g. L1T2, L3T3, L3T3_KEY). The layer policy sets
/// <see cref="TargetSpatialLayer"/>/<see cref="TargetTemporalLayer"/>; each packet's descriptor then gets a
/// forward/drop decision, moving the current layers toward the targets only at points where the decoder can
/// follow. Not thread-safe.
/// </summary>
public sealed class Vp9SvcFilter
{
    private int _maxPictureId;
    private bool _hasPicture;

    /// <param name="spatialLayers">Spatial layers the producer announced (1-8).</param>
    /// <param name="temporalLayers">Temporal layers the producer announced (1-8).</param>
    /// <param name="kSvc">K-SVC (e.g. L3T3_KEY): spatial layers only depend on each other at key frames.</param>
    public Vp9SvcFilter(int spatialLayers, int temporalLayers, bool kSvc)
    {
        if (spatialLayers is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(spatialLayers));
        if (temporalLayers is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(temporalLayers));
        SpatialLayers = spatialLayers;
        TemporalLayers = temporalLayers;
        IsKSvc = kSvc;
    }

    /// <summary>Announced spatial layers.</summary>
    public int SpatialLayers { get; }
    /// <summary>Announced temporal layers.</summary>
    public int TemporalLayers { get; }
    /// <summary>K-SVC mode.</summary>
    public bool IsKSvc { get; }
    /// <summary>Spatial layer wanted (-1: none).</summary>
    public int TargetSpatialLayer { get; set; } = -1;
    /// <summary>Temporal layer wanted (-1: none).</summary>
    public int TargetTemporalLayer { get; set; } = -1;
    /// <summary>Spatial layer being forwarded (-1: none yet).</summary>
    public int CurrentSpatialLayer { get; private set; } = -1;
    /// <summary>Temporal layer being forwarded (-1: none yet).</summary>
    public int CurrentTemporalLayer { get; private set; } = -1;

    /// <summary>Forget the current layers and picture history (e.g. on consumer resume); the next key frame
    /// starts forwarding again.</summary>
    public void Reset()
    {
        CurrentSpatialLayer = CurrentTemporalLayer = -1;
        _hasPicture = false;
    }

    /// <summary>Decides whether to forward the packet described by <paramref name="d"/>; on
    /// <see cref="Vp9FilterResult.ForwardSetMarker"/> the caller sets the RTP marker bit on its copy.</summary>
    public Vp9FilterResult Process(in Vp9PayloadDescriptor d)
    {
        if (TargetSpatialLayer < 0 || TargetTemporalLayer < 0) return Vp9FilterResult.DropNoTarget;
        int sid = d.SpatialLayer, tid = d.TemporalLayer;
        if (sid >= SpatialLayers || tid >= TemporalLayers) return Vp9FilterResult.DropLayerNotAnnounced;

        var targetS = Math.Min(TargetSpatialLayer, SpatialLayers - 1);
        var targetT = Math.Min(TargetTemporalLayer, TemporalLayers - 1);
        int curS = CurrentSpatialLayer, curT = CurrentTemporalLayer;
        int tmpS = curS, tmpT = curT;

        // An old (reordered) packet never moves the current layers; it is only filtered against them.
        var picDelta = 0;
        if (d.HasPictureId && _hasPicture)
        {
            var m = (1 << d.PictureIdBits) - 1;
            picDelta = (d.PictureId - _maxPictureId) & m;
            if (picDelta > m / 2) picDelta -= m + 1;
        }
        var isOld = picDelta < 0;

        if (targetS > curS)
        {
            if (d.IsKeyFrame)
            {
                tmpS = targetS;
                tmpT = 0;
            }
            // A P=0 frame one layer up would also be decodable, but the marker already went out on the end of
            // the layer below; like mediasoup, wait for a key frame.
        }
        else if (targetS < curS)
        {
            if (IsKSvc ? d.IsKeyFrame : sid == targetS && d.EndOfFrame)
            {
                tmpS = targetS;
                if (IsKSvc) tmpT = 0;
            }
        }

        if (isOld) { tmpS = curS; tmpT = curT; }
        if (sid > tmpS || (IsKSvc && d.InterPicturePredicted && sid != tmpS)) return Vp9FilterResult.DropSpatialLayer;

        if (!isOld)
        {
            if (targetT > tmpT)
            {
                if (tid > tmpT && tid <= targetT && (tmpT == -1 || d.SwitchingUpPoint) && d.StartOfFrame) tmpT = tid;
            }
            else if (targetT < tmpT)
            {
                if (tid == targetT && d.EndOfFrame) tmpT = targetT;
            }
        }
        if (tid > tmpT) return Vp9FilterResult.DropTemporalLayer;

        if (d.HasPictureId)
        {
            // Picture ids of one stream keep one width; store in that width.
            _maxPictureId = _hasPicture ? (_maxPictureId + Math.Max(picDelta, 0)) & ((1 << d.PictureIdBits) - 1) : d.PictureId;
            _hasPicture = true;
        }
        CurrentSpatialLayer = tmpS;
        CurrentTemporalLayer = tmpT;
        return sid == tmpS && d.EndOfFrame ? Vp9FilterResult.ForwardSetMarker : Vp9FilterResult.Forward;
    }
}
