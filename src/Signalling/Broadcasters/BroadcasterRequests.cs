// signalling.md §7: the broadcaster HTTP bodies, validated into room messages. mediasoup-demo v3
// server/lib/Room.js createBroadcaster / createBroadcasterTransport / connectBroadcasterTransport /
// createBroadcasterProducer / createBroadcasterConsumer. Pure functions: no actors, no HTTP.
using System.Text.Json;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Protocol;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Signalling.Broadcasters;

/// <summary>Parsers for the broadcaster API bodies. Each returns null on success, else the 400 message
/// (answered as <c>TypeError: message</c>); none throws on any input.</summary>
public static class BroadcasterRequests
{
    /// <summary>Largest body accepted (as a protoo message).</summary>
    public const int MaxBodyBytes = 960_000;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The request body as a JSON object; an empty body is <c>{}</c>.</summary>
    public static string? TryParseBody(ReadOnlyMemory<byte> utf8, out JsonElement body)
    {
        body = EmptyObject;
        if (utf8.Span.Trim(" \t\r\n"u8).IsEmpty) return null;
        // JsonDocument checks string bytes only when read: invalid UTF-8 would throw later, in GetString.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span)) return "malformed JSON body";
        try
        {
            using var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return "body is not a JSON object";
            if (!JsonStrings.AllReadable(doc.RootElement)) return "malformed JSON body";
            body = doc.RootElement.Clone();
            return null;
        }
        catch (JsonException)
        {
            return "malformed JSON body";
        }
    }

    /// <summary><c>{id, displayName, device:{name, version?}, rtpCapabilities?}</c>.</summary>
    public static string? TryParseCreateBroadcaster(JsonElement body, out CreateBroadcaster request)
    {
        request = null!;
        var id = NonEmptyString(body, "id");
        if (id is null) return "missing body.id";
        var displayName = NonEmptyString(body, "displayName");
        if (displayName is null) return "missing body.displayName";
        if (!body.TryGetProperty("device", out var device) || device.ValueKind != JsonValueKind.Object || NonEmptyString(device, "name") is not { } name)
            return "missing body.device.name";
        var version = device.TryGetProperty("version", out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
        RtpCapabilities? caps = null;
        if (body.TryGetProperty("rtpCapabilities", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.Object) return "wrong body.rtpCapabilities";
            try { caps = OrtcRules.ValidateRtpCapabilities(OrtcJson.Deserialize<RtpCapabilities>(c)); }
            catch (Exception e) when (IsInputError(e)) { return "wrong body.rtpCapabilities: " + e.Message; }
        }
        request = new CreateBroadcaster(id, displayName, name, version, caps);
        return null;
    }

    /// <summary><c>{type:"plain"|"webrtc", rtcpMux=false, comedia=true, enableSrtp=false, srtpCryptoSuite?}</c>
    /// (sctpCapabilities is ignored: no SCTP here). Comedia learns its remote only from the caller's IP, from the
    /// ip/port a later connect gives, or with SRTP from an authenticating packet; the safe default is
    /// <c>comedia:false</c> and connect with ip/port (docs/security.md, "Plain transports").</summary>
    public static string? TryParseCreateTransport(string broadcasterId, JsonElement body, out CreateBroadcasterTransport request)
    {
        request = null!;
        var type = body.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        BroadcasterTransportType kind;
        switch (type)
        {
            case "plain": kind = BroadcasterTransportType.Plain; break;
            case "webrtc": kind = BroadcasterTransportType.WebRtc; break;
            default: return "invalid type";
        }
        if (OptionalBool(body, "rtcpMux", false, out var rtcpMux) is { } e1) return e1;
        if (OptionalBool(body, "comedia", true, out var comedia) is { } e2) return e2;
        if (OptionalBool(body, "enableSrtp", false, out var enableSrtp) is { } e3) return e3;
        string? suite = null;
        if (body.TryGetProperty("srtpCryptoSuite", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.String) return "wrong body.srtpCryptoSuite";
            suite = s.GetString();
        }
        request = new CreateBroadcasterTransport(broadcasterId, kind, rtcpMux, comedia, enableSrtp, suite);
        return null;
    }

    /// <summary><c>{dtlsParameters}</c> for WebRTC; <c>{ip?, port?, rtcpPort?, srtpParameters?}</c> for plain.</summary>
    public static string? TryParseConnect(string broadcasterId, string transportId, JsonElement body, out ConnectBroadcasterTransport request)
    {
        request = null!;
        DtlsParameters? dtls = null;
        if (body.TryGetProperty("dtlsParameters", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.Object) return "wrong body.dtlsParameters";
            try { dtls = OrtcJson.Deserialize<DtlsParameters>(d); }
            catch (Exception e) when (IsInputError(e)) { return "wrong body.dtlsParameters"; }
            if (dtls.Fingerprints is null || dtls.Fingerprints.Count == 0 || dtls.Fingerprints.Any(f => f?.Algorithm is null || f.Value is null))
                return "wrong body.dtlsParameters.fingerprints";
        }
        string? ip = null;
        if (body.TryGetProperty("ip", out var i) && i.ValueKind != JsonValueKind.Null)
        {
            if (i.ValueKind != JsonValueKind.String) return "wrong body.ip";
            ip = i.GetString();
        }
        if (OptionalPort(body, "port", out var port) is { } e1) return e1;
        if (OptionalPort(body, "rtcpPort", out var rtcpPort) is { } e2) return e2;
        if (ip is not null && port is null) return "missing body.port";
        SrtpParameters? srtp = null;
        if (body.TryGetProperty("srtpParameters", out var sp) && sp.ValueKind != JsonValueKind.Null)
        {
            if (sp.ValueKind != JsonValueKind.Object || NonEmptyString(sp, "cryptoSuite") is not { } suite || NonEmptyString(sp, "keyBase64") is not { } key)
                return "wrong body.srtpParameters";
            srtp = new SrtpParameters(suite, key);
        }
        request = new ConnectBroadcasterTransport(broadcasterId, transportId, dtls, ip, port, rtcpPort, srtp);
        return null;
    }

    /// <summary><c>{kind, rtpParameters}</c>; the RTP parameters are checked by the transport (ORTC).</summary>
    public static string? TryParseProduce(string broadcasterId, string transportId, JsonElement body, out CreateBroadcasterProducer request)
    {
        request = null!;
        var kind = body.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        MediaKind mediaKind;
        try { mediaKind = MediaKinds.Parse(kind); }
        catch (OrtcException e) { return e.Message; }
        if (!body.TryGetProperty("rtpParameters", out var r) || r.ValueKind != JsonValueKind.Object) return "missing rtpParameters";
        RtpParameters rtp;
        try { rtp = OrtcJson.Deserialize<RtpParameters>(r); }
        catch (Exception e) when (IsInputError(e)) { return e.Message; }
        request = new CreateBroadcasterProducer(broadcasterId, transportId, mediaKind, rtp);
        return null;
    }

    /// <summary>Query <c>producerId=P</c> (required) and <c>paused=true</c> (AkkaSfu extension).</summary>
    public static string? TryParseConsume(string broadcasterId, string transportId, string? producerId, string? paused, out CreateBroadcasterConsumer request)
    {
        request = null!;
        if (string.IsNullOrEmpty(producerId)) return "missing producerId";
        bool isPaused;
        switch (paused)
        {
            case null or "" or "false" or "0": isPaused = false; break;
            case "true" or "1": isPaused = true; break;
            default: return "wrong paused";
        }
        request = new CreateBroadcasterConsumer(broadcasterId, transportId, producerId, isPaused);
        return null;
    }

    /// <summary>What deserializing or validating client JSON may throw (converters included).</summary>
    private static bool IsInputError(Exception e) =>
        e is OrtcException or JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException or OverflowException;

    private static string? NonEmptyString(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static string? OptionalBool(JsonElement o, string name, bool fallback, out bool value)
    {
        value = fallback;
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return $"wrong body.{name}";
        value = v.ValueKind == JsonValueKind.True;
        return null;
    }

    private static string? OptionalPort(JsonElement o, string name, out int? port)
    {
        port = null;
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var p) || p is < 1 or > 65535) return $"wrong body.{name}";
        port = p;
        return null;
    }
}
