// Temporal-layer filter driven by the Dependency Descriptor (AV1 RTP spec, Appendix A): each packet's temporal id
// is its frame's template's (frame_dependency_template_id → template index → TemplateTemporalId, A.8.3), read by
// DependencyDescriptorReader against the template structure the last key frame carried. Used where the payload
// has no temporal id of its own (H264) or where the DD is the reference (AV1 L1T2/L1T3).
//
// Rule (L1Tn structures, A.10.2: a T(k) frame references only frames of T0..T(k)):
//   - decisions are taken at the start of a frame (start_of_frame) and hold for all its packets;
//   - a key frame restarts at the target (everything it is the base of comes after it);
//   - going down happens at once: frames above the new layer are dropped from the next frame on;
//   - going up happens one layer at a time, at the first frame of the next layer: every frame it can reference
//     (the layers below) was forwarded.
namespace AkkaSfu.Media.Codecs;

/// <summary>
/// Drops whole frames whose temporal id is above the chosen layer. One per consumer stream; owned by one thread;
/// allocates nothing.
/// </summary>
public sealed class DdTemporalFilter
{
    private bool _droppingFrame;

    /// <summary>The temporal layer forwarded now; -1 before the first frame.</summary>
    public int CurrentTemporalLayer { get; private set; } = -1;

    /// <summary>Starts again (a stream switch or a resume): the next frame decides.</summary>
    public void Reset()
    {
        CurrentTemporalLayer = -1;
        _droppingFrame = false;
    }

    /// <summary>True to forward this packet of a frame of temporal layer <paramref name="temporalId"/>, with
    /// <paramref name="target"/> the highest layer wanted (any value ≥ the stream's top layer means all).</summary>
    public bool Process(bool startOfFrame, int temporalId, bool isKeyFrame, int target)
    {
        if (target < 0) target = 0;
        if (startOfFrame)
        {
            if (isKeyFrame) CurrentTemporalLayer = target;
            else if (CurrentTemporalLayer > target) CurrentTemporalLayer = target;
            else if (temporalId == CurrentTemporalLayer + 1 && temporalId <= target) CurrentTemporalLayer = temporalId;
            _droppingFrame = temporalId > CurrentTemporalLayer;
        }
        return !_droppingFrame;
    }
}
