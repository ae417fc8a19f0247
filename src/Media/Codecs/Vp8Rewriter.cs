// Per-consumer VP8 rewriting for simulcast (RFC 7741 §4.2 fields PictureID, TL0PICIDX, TID, Y): one continuous
// PictureID/TL0PICIDX sequence across switches between simulcast streams, and a temporal-layer filter.
// Model: mediasoup VP8 EncodingContext + PayloadDescriptorHandler::Encode, but the PictureID keeps its
// 7/15-bit width instead of being widened.
namespace AkkaSfu.Media.Codecs;

/// <summary>Decision of <see cref="Vp8Rewriter.Process(Span{byte}, in Vp8PayloadDescriptor, int, bool)"/>.</summary>
public enum Vp8RewriteResult : byte
{
    /// <summary>Forward; PictureID/TL0PICIDX were rewritten in place.</summary>
    Forward = 0,
    /// <summary>Dropped: the picture's temporal layer is above the target.</summary>
    DropAboveTargetLayer,
    /// <summary>Dropped: a higher temporal layer than the current one, without the Y (layer sync) bit.</summary>
    DropAwaitingLayerSync,
    /// <summary>Dropped: a later packet of a picture already dropped.</summary>
    DropDroppedPicture,
    /// <summary>Dropped: PictureID far older than the newest one (cannot be mapped safely).</summary>
    DropTooOld,
    /// <summary>Dropped: the payload did not parse.</summary>
    DropMalformed,
}

/// <summary>
/// One per consumer of a VP8 producer. Decides forward/drop per packet and rewrites PictureID and TL0PICIDX in
/// place so that the consumer sees one continuous sequence, whatever simulcast stream the packet came from.
/// Not thread-safe; lives on the consumer's worker thread.
/// </summary>
public sealed class Vp8Rewriter
{
    private readonly WrappingIdMapper _pictureIds = new(15);
    private readonly WrappingIdMapper _tl0 = new(8);
    private int _currentTemporalLayer = -1;

    /// <summary>Temporal layer currently forwarded (-1 before the first key frame / layer-0 picture).</summary>
    public int CurrentTemporalLayer => _currentTemporalLayer;

    /// <summary>Parses and processes <paramref name="payload"/>; see the overload taking a descriptor.</summary>
    public Vp8RewriteResult Process(Span<byte> payload, int targetTemporalLayer, bool switchingStream)
    {
        if (Vp8PayloadDescriptor.TryParse(payload, out var d) != Vp8Error.None) return Vp8RewriteResult.DropMalformed;
        return Process(payload, in d, targetTemporalLayer, switchingStream);
    }

    /// <summary>
    /// Decides whether to forward the packet and, if so, rewrites its PictureID and TL0PICIDX in place.
    /// </summary>
    /// <param name="payload">RTP payload the descriptor was parsed from (rewritten in place).</param>
    /// <param name="d">Its parsed descriptor.</param>
    /// <param name="targetTemporalLayer">Highest temporal layer to forward (negative means 0).</param>
    /// <param name="switchingStream">This is the first packet forwarded from a different simulcast stream
    /// (normally its key frame): re-anchor the id sequences so they continue from the last output.</param>
    public Vp8RewriteResult Process(Span<byte> payload, in Vp8PayloadDescriptor d, int targetTemporalLayer, bool switchingStream)
    {
        if (targetTemporalLayer < 0) targetTemporalLayer = 0;
        var picId = d.HasPictureId ? _pictureIds.Extend(d.PictureId, d.PictureIdBits) : 0;

        if (switchingStream)
        {
            if (d.HasPictureId) _pictureIds.Sync(picId);
            if (d.HasTl0PicIdx) _tl0.Sync(d.Tl0PicIdx);
        }

        // A key frame resets the temporal layer: everything up to the target may follow.
        if (d.IsKeyFrame) _currentTemporalLayer = int.MaxValue;

        if (d.HasTemporalLayer)
        {
            var tid = d.TemporalLayer;
            var newPicture = !d.HasPictureId || !_pictureIds.HasInput || _pictureIds.IsNewer(picId, _pictureIds.MaxInput);
            if (newPicture)
            {
                var reason = Vp8RewriteResult.Forward;
                if (tid > targetTemporalLayer) reason = Vp8RewriteResult.DropAboveTargetLayer;
                else if (tid > 0 && tid > _currentTemporalLayer && !d.LayerSync) reason = Vp8RewriteResult.DropAwaitingLayerSync;
                if (reason != Vp8RewriteResult.Forward)
                {
                    if (d.HasPictureId) _pictureIds.Drop(picId);
                    return reason;
                }
            }
        }

        var outPicId = 0;
        if (d.HasPictureId)
        {
            var r = _pictureIds.Input(picId, out outPicId);
            if (r == IdMapResult.WasDropped) return Vp8RewriteResult.DropDroppedPicture;
            if (r == IdMapResult.TooOld) return Vp8RewriteResult.DropTooOld;
        }

        var outTl0 = 0;
        if (d.HasTl0PicIdx && _tl0.Input(d.Tl0PicIdx, out outTl0) != IdMapResult.Mapped)
            return Vp8RewriteResult.DropTooOld;

        if (d.HasTemporalLayer)
        {
            if (d.TemporalLayer > _currentTemporalLayer) _currentTemporalLayer = d.TemporalLayer;
            else if (_currentTemporalLayer > targetTemporalLayer) _currentTemporalLayer = targetTemporalLayer;
        }
        else if (_currentTemporalLayer > targetTemporalLayer)
        {
            _currentTemporalLayer = targetTemporalLayer;
        }

        d.Write(payload, outPicId, (byte)outTl0);
        return Vp8RewriteResult.Forward;
    }
}
