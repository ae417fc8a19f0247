using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.LoadGen;

/// <summary>One broadcaster over the HTTP API of spec §7: a comedia plain transport it produces audio + video
/// through, and a second plain transport consuming every other broadcaster's producers. Optional SRTP on
/// both (AkkaSfu extension: enableSrtp + connect srtpParameters).</summary>
public sealed class PlainBroadcaster : IEmulatedPeer
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly LoadGenOptions _o;
    private readonly MediaEngine _engine;
    private string? _sendTid, _recvTid;
    private bool _created, _resumeSupported = true;

    /// <summary>A broadcaster whose HTTP calls go to <paramref name="server"/>, number <paramref name="serverIndex"/>
    /// of <see cref="LoadGenOptions.PeerServers"/>.</summary>
    public PlainBroadcaster(LoadGenOptions options, MediaEngine engine, string roomId, string peerId, Uri server, int serverIndex)
    {
        _o = options; _engine = engine; RoomId = roomId; PeerId = peerId; Server = server; ServerIndex = serverIndex;
    }

    public string RoomId { get; }
    public string PeerId { get; }
    public Uri Server { get; }
    public int ServerIndex { get; }
    public ConcurrentDictionary<string, ConsumerStream> Consumers { get; } = new();
    public Dictionary<string, ProducerStream[]> Producers { get; } = new();
    public MediaTransport? Send { get; private set; }
    public MediaTransport? Recv { get; private set; }
    private string Base => $"rooms/{Uri.EscapeDataString(RoomId)}/broadcasters/{Uri.EscapeDataString(PeerId)}";

    /// <summary>Creates the broadcaster, both transports and the producers.</summary>
    public async Task SetupAsync(CancellationToken ct)
    {
        var caps = await CallAsync(HttpMethod.Get, $"rooms/{Uri.EscapeDataString(RoomId)}", null, ct);
        await CallAsync(HttpMethod.Post, $"rooms/{Uri.EscapeDataString(RoomId)}/broadcasters", new JsonObject
        {
            ["id"] = PeerId, ["displayName"] = PeerId,
            ["device"] = new JsonObject { ["name"] = "AkkaSfu.LoadGen", ["version"] = "1" },
            ["rtpCapabilities"] = caps?.DeepClone(),
        }, ct);
        _created = true;
        (Send, _sendTid) = await CreateTransportAsync("send", ct);
        (Recv, _recvTid) = await CreateTransportAsync("recv", ct);
        // comedia: the server learns our receive address from the first packet we send it.
        SendHello(Recv);

        var list = new List<ProducerStream>();
        int mid = 0;
        if (_o.Audio) list.AddRange(await ProduceAsync("audio", RtpParams.Audio((mid++).ToString(), PeerId), ct));
        if (_o.Video) list.AddRange(await ProduceAsync("video", RtpParams.Video((mid++).ToString(), PeerId, _o.VideoKbps, _o.EffectiveVideoPps, _o.Fps, _o.Simulcast, _o.KeyFrameIntervalSec), ct));
        Send.Producers = list.ToArray();
        Send.Sending = true;
    }

    /// <summary>Consumes every producer of <paramref name="others"/> on the receive transport.</summary>
    public async Task ConsumeOthersAsync(IEnumerable<PlainBroadcaster> others, CancellationToken ct = default)
    {
        foreach (var other in others)
        foreach (var producerId in other.Producers.Keys)
        {
            // AkkaSfu extension: create paused, resume once our side knows the SSRCs; the resume also asks the
            // producer for a key frame. mediasoup-demo ignores paused=true and 404s the resume: then the
            // consumer runs from creation and video waits for a periodic key frame (--keyframe-interval).
            var r = await CallAsync(HttpMethod.Post, $"{Base}/transports/{_recvTid}/consume?producerId={Uri.EscapeDataString(producerId)}&paused=true", null, ct)
                ?? throw new StageException(Stage.Signalling, $"{PeerId}: consume answered nothing");
            var c = RtpParams.ParseConsumer(r["id"]!.GetValue<string>(), r["kind"]!.GetValue<string>(), r["rtpParameters"]!, other.PeerId, producerId);
            Consumers[c.Id] = c;
            Recv!.Consumers[c.Ssrc] = c;
            if (c.RtxSsrc is { } rtx) Recv.Consumers[rtx] = c;
            if (_resumeSupported)
            {
                try { await CallAsync(HttpMethod.Post, $"{Base}/consumers/{Uri.EscapeDataString(c.Id)}/resume", null, ct); }
                catch (StageException e) when (e.Message.Contains("HTTP 404", StringComparison.Ordinal)) { _resumeSupported = false; }
            }
        }
        SendHello(Recv!);
    }

    private async Task<ProducerStream[]> ProduceAsync(string kind, (JsonObject Params, ProducerStream[] Streams) p, CancellationToken ct)
    {
        var r = await CallAsync(HttpMethod.Post, $"{Base}/transports/{_sendTid}/producers", new JsonObject { ["kind"] = kind, ["rtpParameters"] = p.Params }, ct)
            ?? throw new StageException(Stage.Signalling, $"{PeerId}: produce answered nothing");
        foreach (var s in p.Streams) _engine.Streams.Add(s);
        Producers[r["id"]!.GetValue<string>()] = p.Streams;
        return p.Streams;
    }

    private async Task<(MediaTransport, string)> CreateTransportAsync(string name, CancellationToken ct)
    {
        var body = new JsonObject { ["type"] = "plain", ["comedia"] = true, ["rtcpMux"] = true };
        if (_o.PlainSrtp) { body["enableSrtp"] = true; body["srtpCryptoSuite"] = "AES_CM_128_HMAC_SHA1_80"; }
        var r = await CallAsync(HttpMethod.Post, $"{Base}/transports", body, ct)
            ?? throw new StageException(Stage.Signalling, $"{PeerId}: transport answered nothing");
        var id = r["id"]!.GetValue<string>();
        var remote = new IPEndPoint(IPAddress.Parse(r["ip"]!.GetValue<string>()), r["port"]!.GetValue<int>());
        var t = new MediaTransport($"{PeerId}/{name}", _o.LocalIp, remote, webRtc: false);
        if (_o.PlainSrtp)
        {
            var server = r["srtpParameters"] ?? throw new StageException(Stage.Signalling, $"{PeerId}: server ignored enableSrtp (no srtpParameters)");
            var serverKey = ToMasterKey(Convert.FromBase64String(server["keyBase64"]!.GetValue<string>()));
            var ours = RandomNumberGenerator.GetBytes(30);
            await CallAsync(HttpMethod.Post, $"{Base}/transports/{id}/connect", new JsonObject
            {
                ["srtpParameters"] = new JsonObject { ["cryptoSuite"] = "AES_CM_128_HMAC_SHA1_80", ["keyBase64"] = Convert.ToBase64String(ours) },
            }, ct);
            t.SetSrtp(send: ToMasterKey(ours), receive: serverKey);
        }
        _engine.Add(t);
        return (t, id);
    }

    private static SrtpMasterKey ToMasterKey(byte[] keyAndSalt) =>
        keyAndSalt.Length == 30
            ? new SrtpMasterKey(SrtpProfile.Aes128CmHmacSha1_80, keyAndSalt[..16], keyAndSalt[16..])
            : throw new StageException(Stage.Signalling, $"SRTP key of {keyAndSalt.Length} bytes, expected 30");

    /// <summary>An empty RR from the receive socket, so a comedia transport learns where to send.</summary>
    private static void SendHello(MediaTransport t)
    {
        Span<byte> buf = stackalloc byte[64];
        int n = AkkaSfu.Media.Rtcp.RtcpReceiverReport.Write(buf, t.RtcpSsrc, []);
        if (t.SendSrtp is { } srtp && srtp.ProtectRtcp(buf, n, out n) != SrtpError.None) return;
        t.Send(buf[..n]);
    }

    private async Task<JsonNode?> CallAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        var uri = new Uri(Server, path);
        using var req = new HttpRequestMessage(method, uri);
        if (body is not null) req.Content = JsonContent.Create(body);
        HttpResponseMessage res;
        try { res = await Http.SendAsync(req, ct); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new StageException(Stage.Signalling, $"{method} {uri}: {e.Message}", e);
        }
        using (res)
        {
            var text = await res.Content.ReadAsStringAsync(ct);
            if (!res.IsSuccessStatusCode)
                throw new StageException(Stage.Signalling, $"{method} {uri}: HTTP {(int)res.StatusCode} {text}");
            if (string.IsNullOrWhiteSpace(text)) return null;
            try { return JsonNode.Parse(text); } catch (System.Text.Json.JsonException) { return null; }
        }
    }

    /// <summary>Deletes the broadcaster (closing its transports on the server).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Send is not null) Send.Sending = false;
        if (!_created) return;
        try { await CallAsync(HttpMethod.Delete, Base, null, CancellationToken.None); } catch (StageException) { }
    }
}
