// One fuzz target per input surface a client reaches above the packet level (plus the packet parsers). Each
// calls the entry the server calls with the raw bytes, then what the server does with the result (ServerPath).
// A target returns when the input was accepted or answered with a clear error; any exception escaping it is a
// finding (AFL counts it as a crash; FuzzTargetTests fail on it).
using System.Text.Json;
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;
using AkkaSfu.Media.Stun;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Fuzz;

public static class FuzzTargets
{
    /// <summary>Target name → entry, in the order scripts/fuzz.sh lists them.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["protoo"] = ProtooMessage,
        ["rtp-parameters"] = RtpParametersJson,
        ["rtp-capabilities"] = RtpCapabilitiesJson,
        ["broadcaster"] = BroadcasterBody,
        ["packets"] = Packets,
    };

    /// <summary>A WebSocket text message: the protoo envelope (ProtooConnection), the request's command
    /// (PeerActor) and what the room and actors do with join caps, produce parameters and dtlsParameters.</summary>
    public static void ProtooMessage(byte[] input)
    {
        if (Protoo.TryParse(input, out _) is not { Kind: ProtooKind.Request } request) return;
        var command = ProtooCommands.Parse(request, out _);
        switch (command)
        {
            case RoomCommands.Join join:
                ServerPath.Echo(join.DisplayName, join.Device);
                if (join.RtpCapabilities is { } caps) ServerPath.Join(caps);
                break;
            case RoomCommands.Produce produce:
                ServerPath.Produce(produce.Kind, produce.RtpParameters, produce.AppData);
                break;
            case RoomCommands.ConnectWebRtcTransport connect:
                Connect(connect.DtlsParameters);
                break;
            case RoomCommands.ChangeDisplayName name:
                ServerPath.Echo(name.DisplayName, new JsonObject());
                break;
        }
    }

    /// <summary>produce's rtpParameters (as a protoo or broadcaster body carries them), as audio and as video.</summary>
    public static void RtpParametersJson(byte[] input)
    {
        if (Element(input) is not { } element) return;
        RtpParameters rtp;
        try { rtp = OrtcJson.Deserialize<RtpParameters>(element); }
        catch (OrtcException) { return; }
        ServerPath.Produce(MediaKind.Audio, rtp, null);
        ServerPath.Produce(MediaKind.Video, rtp, null);
    }

    /// <summary>join's / a broadcaster's rtpCapabilities: read, validated, then matched against every producer.</summary>
    public static void RtpCapabilitiesJson(byte[] input)
    {
        if (Element(input) is not { } element) return;
        RtpCapabilities caps;
        try { caps = OrtcRules.ValidateRtpCapabilities(OrtcJson.Deserialize<RtpCapabilities>(element)); }
        catch (OrtcException) { return; }
        ServerPath.Join(caps);
    }

    /// <summary>A broadcaster HTTP body, read as each route reads it (create, transport, connect, produce).</summary>
    public static void BroadcasterBody(byte[] input)
    {
        if (BroadcasterRequests.TryParseBody(input, out var body) is not null) return;
        if (BroadcasterRequests.TryParseCreateBroadcaster(body, out var create) is null)
        {
            ServerPath.Echo(create.DisplayName, new JsonObject { ["flag"] = "broadcaster", ["name"] = create.DeviceName, ["version"] = create.DeviceVersion });
            if (create.RtpCapabilities is { } caps) ServerPath.Join(caps);
        }
        BroadcasterRequests.TryParseCreateTransport("b", body, out _);
        if (BroadcasterRequests.TryParseConnect("b", "t", body, out var connect) is null && connect.DtlsParameters is { } dtls)
            Connect(dtls);
        if (BroadcasterRequests.TryParseProduce("b", "t", body, out var produce) is null)
            ServerPath.Produce(produce.Kind, produce.RtpParameters, null);
    }

    /// <summary>A datagram into every packet parser the transports run (RTP, RTCP compound, STUN).</summary>
    public static void Packets(byte[] input)
    {
        var copy = (byte[])input.Clone();
        if (RtpPacket.TryParse(copy, out var rtp) == RtpParseError.None)
        {
            _ = rtp.Payload.Length;
            for (byte id = 1; id < 15; id++) rtp.TryGetExtension(id, out _);
        }
        foreach (var header in new RtcpCompoundReader(input)) _ = header.Body.Length;
        if (StunMessage.TryParse(input, out var stun) == StunParseError.None)
        {
            _ = stun.Username.Length + stun.ErrorReason.Length + stun.ErrorCode;
            stun.VerifyFingerprint();
            stun.GetXorMappedEndPoint();
        }
    }

    /// <summary>The transport actor's connect checks (TransportActor.Connect): role, first fingerprint.</summary>
    private static void Connect(DtlsParameters dtls)
    {
        try
        {
            if (!DtlsRoles.TryParse(dtls.Role ?? "auto", out _)) throw new SfuException("invalid dtlsParameters.role");
            var first = dtls.Fingerprints?.FirstOrDefault() ?? throw new SfuException("missing dtlsParameters.fingerprints");
            DtlsFingerprint.TryCreate(first.Algorithm, first.Value, out _);
        }
        catch (SfuException)
        {
        }
    }

    /// <summary>The bytes as the JSON object a protoo message or HTTP body would carry, or null.</summary>
    private static JsonElement? Element(byte[] input)
    {
        try
        {
            using var doc = JsonDocument.Parse(input);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
