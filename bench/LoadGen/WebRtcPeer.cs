using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using AkkaSfu.Media.Dtls;

namespace AkkaSfu.LoadGen;

/// <summary>One emulated browser peer over protoo: a send and a recv WebRTC transport (ICE controlling, DTLS
/// client, SRTP), an audio and a video producer, and a consumer for every other peer's producer.</summary>
public sealed class WebRtcPeer : IEmulatedPeer
{
    private readonly LoadGenOptions _o;
    private readonly MediaEngine _engine;
    private readonly DtlsCertificate _cert;
    private ProtooPeer? _protoo;

    /// <summary>A peer whose protoo socket goes to <paramref name="server"/>, number <paramref name="serverIndex"/>
    /// of <see cref="LoadGenOptions.PeerServers"/>.</summary>
    public WebRtcPeer(LoadGenOptions options, MediaEngine engine, DtlsCertificate cert, string roomId, string peerId, Uri server, int serverIndex)
    {
        _o = options; _engine = engine; _cert = cert; RoomId = roomId; PeerId = peerId; Server = server; ServerIndex = serverIndex;
    }

    public string RoomId { get; }
    public string PeerId { get; }
    public Uri Server { get; }
    public int ServerIndex { get; }
    public MediaTransport? Send { get; private set; }
    public MediaTransport? Recv { get; private set; }
    /// <summary>Consumers announced by newConsumer.</summary>
    public ConcurrentDictionary<string, ConsumerStream> Consumers { get; } = new();
    /// <summary>Our producers: server id → streams.</summary>
    public Dictionary<string, ProducerStream[]> Producers { get; } = new();
    /// <summary>Consumers closed by the server (consumerClosed / peerClosed) during the run.</summary>
    public int ConsumersClosed;

    /// <summary>Connects, creates and connects both transports (ICE then DTLS), joins and produces.</summary>
    public async Task SetupAsync(CancellationToken ct)
    {
        _protoo = await ProtooPeer.ConnectAsync(Server, RoomId, PeerId, ct);
        _protoo.OnServerRequest = OnServerRequest;
        _protoo.OnNotification = (m, _) => { if (m == "consumerClosed") Interlocked.Increment(ref ConsumersClosed); };
        var caps = await _protoo.RequestAsync("getRouterRtpCapabilities");
        Send = await CreateTransportAsync("send", producing: true);
        Recv = await CreateTransportAsync("recv", producing: false);
        await Task.WhenAll(AwaitStage(Send.IceCompleted, Stage.Ice, Send), AwaitStage(Recv.IceCompleted, Stage.Ice, Recv));
        foreach (var t in new[] { Send, Recv }) t.StartDtls(_cert, _serverFingerprints[t], DtlsRole.Client);
        await Task.WhenAll(AwaitStage(Send.DtlsConnected, Stage.Dtls, Send), AwaitStage(Recv.DtlsConnected, Stage.Dtls, Recv));

        await _protoo.RequestAsync("join", new JsonObject
        {
            ["displayName"] = PeerId,
            ["device"] = new JsonObject { ["flag"] = "loadgen", ["name"] = "AkkaSfu.LoadGen", ["version"] = "1" },
            ["rtpCapabilities"] = caps.DeepClone(),
        });
        var cname = PeerId;
        var list = new List<ProducerStream>();
        int mid = 0;
        if (_o.Audio) list.AddRange(await ProduceAsync("audio", RtpParams.Audio((mid++).ToString(), cname)));
        if (_o.Video) list.AddRange(await ProduceAsync("video", RtpParams.Video((mid++).ToString(), cname, _o.VideoKbps, _o.EffectiveVideoPps, _o.Fps, _o.Simulcast, _o.KeyFrameIntervalSec)));
        Send.Producers = list.ToArray();
        Send.Sending = true;
    }

    private async Task<ProducerStream[]> ProduceAsync(string kind, (JsonObject Params, ProducerStream[] Streams) p)
    {
        var r = await _protoo!.RequestAsync("produce", new JsonObject
        {
            ["transportId"] = _transportIds[Send!], ["kind"] = kind, ["rtpParameters"] = p.Params, ["appData"] = new JsonObject(),
        });
        foreach (var s in p.Streams) _engine.Streams.Add(s);
        Producers[r["id"]!.GetValue<string>()] = p.Streams;
        return p.Streams;
    }

    private readonly Dictionary<MediaTransport, string> _transportIds = new();
    private readonly Dictionary<MediaTransport, DtlsFingerprint> _serverFingerprints = new();

    private async Task<MediaTransport> CreateTransportAsync(string name, bool producing)
    {
        var r = await _protoo!.RequestAsync("createWebRtcTransport", new JsonObject
        {
            ["forceTcp"] = false, ["producing"] = producing, ["consuming"] = !producing,
        });
        var id = r["id"]!.GetValue<string>();
        var cand = r["iceCandidates"]!.AsArray().FirstOrDefault(c => c!["protocol"]?.GetValue<string>() == "udp")
            ?? throw new StageException(Stage.Signalling, $"{PeerId}: transport {id} offers no UDP candidate");
        var ip = IPAddress.Parse((cand["address"] ?? cand["ip"])!.GetValue<string>());
        var remote = new IPEndPoint(ip, cand["port"]!.GetValue<int>());
        var fps = r["dtlsParameters"]!["fingerprints"]!.AsArray();
        var fpNode = fps.FirstOrDefault(f => f!["algorithm"]?.GetValue<string>() == "sha-256") ?? fps[^1]!;
        if (DtlsFingerprint.TryCreate(fpNode["algorithm"]!.GetValue<string>(), fpNode["value"]!.GetValue<string>(), out var fp) != DtlsFingerprintError.None)
            throw new StageException(Stage.Signalling, $"{PeerId}: transport {id} has an unusable fingerprint {fpNode}");
        var t = new MediaTransport($"{PeerId}/{name}", _o.LocalIp, remote, webRtc: true);
        _transportIds[t] = id;
        _serverFingerprints[t] = fp!;
        _engine.Add(t);
        await _protoo.RequestAsync("connectWebRtcTransport", new JsonObject
        {
            ["transportId"] = id,
            ["dtlsParameters"] = new JsonObject
            {
                ["role"] = "client",
                ["fingerprints"] = new JsonArray(new JsonObject { ["algorithm"] = "sha-256", ["value"] = _cert.Sha256.Value }),
            },
        });
        var ice = r["iceParameters"]!;
        t.StartIce(ice["usernameFragment"]!.GetValue<string>(), ice["password"]!.GetValue<string>());
        return t;
    }

    private static async Task AwaitStage(Task task, Stage stage, MediaTransport t)
    {
        var timeout = TimeSpan.FromSeconds(stage == Stage.Ice ? 10 : 20);
        try { await task.WaitAsync(timeout); }
        catch (TimeoutException)
        {
            throw new StageException(stage, stage == Stage.Ice
                ? $"{t.Name}: no ICE success from {t.RemoteEndPoint} in {timeout.TotalSeconds:0} s ({t.StunIn} STUN datagrams in)"
                : $"{t.Name}: DTLS not connected with {t.RemoteEndPoint} in {timeout.TotalSeconds:0} s ({t.DtlsIn} DTLS datagrams in)");
        }
    }

    private Task<JsonNode?> OnServerRequest(string method, JsonNode data)
    {
        if (method == "newConsumer")
        {
            var c = RtpParams.ParseConsumer(data["id"]!.GetValue<string>(), data["kind"]!.GetValue<string>(), data["rtpParameters"]!,
                data["peerId"]?.GetValue<string>() ?? "?", data["producerId"]?.GetValue<string>() ?? "");
            Consumers[c.Id] = c;
            Recv!.Consumers[c.Ssrc] = c;
            if (c.RtxSsrc is { } rtx) Recv.Consumers[rtx] = c;
            return Task.FromResult<JsonNode?>(null);
        }
        if (method == "newDataConsumer") throw new InvalidOperationException("no data channels");
        throw new InvalidOperationException($"unknown method {method}");
    }

    /// <summary>Stops sending and closes the signalling socket (the server then closes our transports).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Send is not null) Send.Sending = false;
        if (_protoo is not null) await _protoo.DisposeAsync();
    }
}
