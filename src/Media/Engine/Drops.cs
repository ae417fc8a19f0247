namespace AkkaSfu.Media.Engine;

/// <summary>Why the engine dropped a datagram or packet. Every early return on the packet path counts one.</summary>
public enum Drop : byte
{
    UnknownDatagram,
    /// <summary>A datagram from a source no valid check (WebRTC) or connect/comedia (plain) made known; on a
    /// worker's shared WebRTC port, a non-STUN datagram from a tuple no valid STUN check mapped.</summary>
    UnknownTuple,
    /// <summary>A STUN request on a worker's shared WebRTC port whose USERNAME names no transport's local ufrag:
    /// dropped unanswered (as mediasoup's WebRtcServer).</summary>
    UnknownUfrag,
    StunRejected,
    DtlsNotReady,
    /// <summary>A packet to a comedia plain transport that has not learnt its remote yet, from a source it may not
    /// learn (not the API caller's address or the connect() ip/port; with SRTP, one that did not authenticate).</summary>
    ComediaSourceRejected,
    SrtpNotReady,
    SrtpFailed,
    MalformedRtp,
    MalformedRtcp,
    UnknownSsrc,
    UnknownPayloadType,
    RtxMalformed,
    /// <summary>An RTX packet for a packet we already have (late NACK answer, or the sender's probing).</summary>
    RtxDuplicate,
    /// <summary>A dependency descriptor (AV1, H264) did not parse (the packet is forwarded, unfiltered).</summary>
    MalformedDependencyDescriptor,
    /// <summary>A dependency descriptor came before any template structure: the first packet of the key frame that
    /// carries one was lost (e.g. before SRTP was ready). Not malformed; the packet is forwarded, unfiltered,
    /// until the next key frame's structure.</summary>
    DependencyDescriptorWithoutStructure,
    ProducerPaused,
    ConsumerInactive,
    WaitingForKeyFrame,
    LayerFiltered,
    NotConnected,
    SendFailed,
    NoRetransmission,
    /// <summary>A NACK for a packet of a simulcast stream the consumer has switched away from, or of a VP9 spatial
    /// layer above its target: the viewer's decoder starts again at the new layer's key frame, resending the
    /// old one only clogs the downlink.</summary>
    NackForOldStream,
    /// <summary>A retransmission over the transport's budget (a share of its estimate, see BandwidthController).</summary>
    RetransmissionLimited,
    /// <summary>A video packet the pacer could not hold (the worker's pool of slots is used up): sent at once,
    /// so not a loss, but pacing is off for it.</summary>
    PacerFull,
    /// <summary>The oldest packet of a full pacer queue (500 ms at the pacing rate, or 128 packets).</summary>
    PacerOverflow,
    ConsumerFault,
}

/// <summary>Counts per <see cref="Drop"/> reason, and a few totals. Written on the worker thread only;
/// read from anywhere (a racy read is a slightly old value).</summary>
public sealed class EngineCounters
{
    /// <summary>Every reason, in order.</summary>
    public static readonly Drop[] Reasons = Enum.GetValues<Drop>();
    public static readonly int DropReasons = Reasons.Length;

    private readonly long[] _drops = new long[DropReasons];

    public long RtpReceived, RtcpReceived, RtpSent, RtcpSent, Retransmitted, KeyFrameRequestsSent, ProbationSent, PaddingReceived;

    /// <summary>Transports not created because the port range had no free port.</summary>
    public long NoFreePort;

    public void Count(Drop reason) => _drops[(int)reason]++;

    public long this[Drop reason] => Volatile.Read(ref _drops[(int)reason]);

    public long TotalDrops => _drops.Sum();

    public override string ToString() =>
        $"rtp in {RtpReceived} out {RtpSent}, rtcp in {RtcpReceived} out {RtcpSent}, drops: " +
        string.Join(", ", Enum.GetValues<Drop>().Where(d => this[d] > 0).Select(d => $"{d}={this[d]}"));
}
