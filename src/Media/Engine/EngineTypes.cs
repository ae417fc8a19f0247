// The engine's own description of producers and consumers: what the packet path needs, already resolved
// by ORTC (src/Actors/Ortc) into payload types, SSRCs and extension ids. The media stack does not know
// mediasoup's JSON shapes; the actor layer translates them into these records.
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Engine;

public enum StreamKind : byte { Audio, Video }

/// <summary>mediasoup's producer/consumer types.</summary>
public enum RtpStreamType : byte { Simple, Simulcast, Svc, Pipe }

/// <summary>One producer codec: its payload type as sent by the endpoint and as mapped into the router.</summary>
public readonly record struct CodecMapping(byte PayloadType, byte MappedPayloadType, int ClockRate, string MimeType, byte RtxPayloadType = 0);

/// <summary>One producer encoding (simulcast stream): matched by SSRC or RID, forwarded as MappedSsrc.</summary>
public sealed record EncodingMapping(uint MappedSsrc, uint? Ssrc = null, string? Rid = null, uint? RtxSsrc = null,
    int SpatialLayers = 1, int TemporalLayers = 1, bool KSvc = false);

public sealed record ProducerSettings(
    string Id,
    StreamKind Kind,
    RtpStreamType Type,
    IReadOnlyList<CodecMapping> Codecs,
    IReadOnlyList<EncodingMapping> Encodings,
    string? Mid,
    RtpExtensionIds ExtensionIds,
    RtpExtensionIds RouterExtensionIds,
    bool Nack,
    bool Paused = false);

public sealed record ConsumerSettings(
    string Id,
    string ProducerId,
    StreamKind Kind,
    RtpStreamType Type,
    uint Ssrc,
    byte PayloadType,
    int ClockRate,
    RtpExtensionIds ExtensionIds,
    string Cname,
    uint RtxSsrc = 0,
    byte RtxPayloadType = 0,
    bool Nack = false,
    bool Pli = false,
    bool Fir = false,
    bool Paused = true,
    int PreferredSpatialLayer = -1,
    int PreferredTemporalLayer = -1);

/// <summary>Where a plain or pipe transport sends to (mediasoup's PlainTransport.connect()).</summary>
public sealed record PlainRemote(System.Net.IPEndPoint Rtp, System.Net.IPEndPoint? Rtcp);
