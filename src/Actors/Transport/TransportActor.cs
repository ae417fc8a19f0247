using System.Net;
using Akka.Actor;
using AkkaSfu.Actors.Consumer;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Actors.Producer;
using AkkaSfu.Actors.Router;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Actors.Worker;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Srtp;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Transport;

/// <summary>mediasoup's WebRtcTransport or PlainTransport: creates its engine transport when it starts,
/// answers the creation request, then handles connect, restartIce and produce (ORTC) and creates its
/// producers and consumers as children. Closing it closes them (and the consumers of its producers).</summary>
public sealed class TransportActor : SfuObjectActor
{
    /// <summary>From the router: create a consumer on this transport (parameters already computed).</summary>
    internal sealed record CreateConsumer(ConsumerSettings Settings, RtpParameters RtpParameters, MediaKind Kind, RtpType Type,
        bool ProducerPaused, IActorRef? Listener, IActorRef ReplyTo);

    private readonly string _routerId;
    private readonly RtpCapabilities _caps;
    private readonly SfuSettings _settings;
    private readonly IActorRef _requester;
    private readonly object _request;
    private string? _cname;
    private bool _isPipe;
    private IActorRef? _pipeRemote;

    /// <summary>mediasoup's pipe transports use AEAD_AES_256_GCM when SRTP is enabled.</summary>
    private const SrtpProfile PipeSrtpProfile = SrtpProfile.AeadAes256Gcm;
    private int _nextMid;

    public TransportActor(string transportId, string routerId, RtpCapabilities caps, IActorRef worker, SfuSettings settings,
        IActorRef? listener, IActorRef requester, object request)
        : base(transportId, worker, listener, parentCloseReason: "routerclose")
    {
        _routerId = routerId;
        _caps = caps;
        _settings = settings;
        _requester = requester;
        _request = request;
        Creating();
    }

    public static Props Props(string transportId, string routerId, RtpCapabilities caps, IActorRef worker, SfuSettings settings,
        IActorRef? listener, IActorRef requester, object request) =>
        Akka.Actor.Props.Create(() => new TransportActor(transportId, routerId, caps, worker, settings, listener, requester, request));

    protected override void PreStart()
    {
        var s = _settings;
        switch (_request)
        {
            case CreateWebRtcTransport w:
                Engine(new EngineCreateWebRtcTransport(_routerId, Id, new WebRtcTransportSettings(s.ListenIp, s.AnnouncedIp, s.TransportMinPort, s.RtcMaxPort,
                    ConsentTimeoutMs: (long)s.ConsentTimeout.TotalMilliseconds, OwnPort: w.OwnPort), Self));
                break;
            case CreatePipeTransport p:
                _isPipe = true;
                Engine(new EngineCreatePipeTransport(_routerId, Id, new PlainTransportSettings(s.PipeListenIp, s.PipeAnnouncedIp, s.TransportMinPort, s.RtcMaxPort,
                    RtcpMux: true, Comedia: false, p.EnableSrtp ? PipeSrtpProfile : SrtpProfile.None), Self));
                break;
            case CreatePlainTransport p:
                SrtpProfile profile;
                try { profile = p.EnableSrtp ? ParseCryptoSuite(p.SrtpCryptoSuite ?? "AES_CM_128_HMAC_SHA1_80") : SrtpProfile.None; }
                catch (SfuException e)
                {
                    _requester.Tell(new Status.Failure(e));
                    CloseSelf(null);
                    return;
                }
                IPAddress? source = null;
                if (p.ComediaSourceIp is { } ip && !IPAddress.TryParse(ip, out source))
                {
                    _requester.Tell(new Status.Failure(new SfuException($"invalid comedia source ip \"{ip}\"")));
                    CloseSelf(null);
                    return;
                }
                if (source is { IsIPv4MappedToIPv6: true }) source = source.MapToIPv4();
                Engine(new EngineCreatePlainTransport(_routerId, Id, new PlainTransportSettings(s.ListenIp, s.AnnouncedIp, s.TransportMinPort, s.RtcMaxPort,
                    p.RtcpMux, p.Comedia, profile, source), Self));
                break;
        }
    }

    private void Creating()
    {
        Receive<WebRtcTransportCreated>(Ready);
        Receive<PlainTransportCreated>(Ready);
        Receive<PipeTransportCreated>(Ready);
        Receive<Status.Failure>(f =>
        {
            _requester.Tell(f);
            CloseSelf(null);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready(object created)
    {
        _requester.Tell(created);
        Become(Running);
        Stash.UnstashAll();
    }

    private void Running()
    {
        Receive<ConnectWebRtcTransport>(Connect);
        Receive<ConnectPlainTransport>(Connect);
        Receive<ConnectPipeTransport>(Connect);
        Receive<Terminated>(t =>
        {
            // The other end of this pipe is gone (closed, or its node left the cluster): so is the pipe.
            if (t.ActorRef.Equals(_pipeRemote)) CloseSelf(t.AddressTerminated ? "remote node lost" : "remote closed");
        });
        Receive<RestartIce>(_ => EngineAndReply(new EngineRestartIce(Id), Sender));
        Receive<Produce>(HandleProduce);
        Receive<CreateConsumer>(c =>
        {
            var rtp = c.RtpParameters with { Mid = (_nextMid++ % 100_000_000).ToString() };
            if (!Context.Child("consumer-" + c.Settings.Id).IsNobody())
            {
                c.ReplyTo.Tell(new Status.Failure(new SfuException($"a Consumer with same consumerId already exists [consumerId:{c.Settings.Id}]")));
                return;
            }
            Context.ActorOf(ConsumerActor.Props(c.Settings, rtp, c.Kind, c.Type, c.ProducerPaused, Worker, c.Listener, c.ReplyTo), "consumer-" + c.Settings.Id);
        });
        Receive<GetTransportStats>(_ => EngineAndReply(new EngineGetTransportStats(Id), Sender));
        Receive<SetMaxIncomingBitrate>(b => EngineAndReply(new EngineSetTransportBitrates(Id, b.Bitrate, null, null), Sender));
        Receive<SetMaxOutgoingBitrate>(b => EngineAndReply(new EngineSetTransportBitrates(Id, null, b.Bitrate, null), Sender));
        Receive<SetMinOutgoingBitrate>(b => EngineAndReply(new EngineSetTransportBitrates(Id, null, null, b.Bitrate), Sender));
        Receive<CloseTransport>(_ => { Sender.Tell(Done.Instance); CloseSelf(null); });
        ReceiveCommon();
    }

    private void Connect(ConnectWebRtcTransport c)
    {
        try
        {
            if (!DtlsRoles.TryParse(c.DtlsParameters.Role ?? "auto", out var role)) throw new SfuException($"invalid dtlsParameters.role \"{c.DtlsParameters.Role}\"");
            var first = c.DtlsParameters.Fingerprints?.FirstOrDefault() ?? throw new SfuException("missing dtlsParameters.fingerprints");
            if (DtlsFingerprint.TryCreate(first.Algorithm, first.Value, out var fingerprint) != DtlsFingerprintError.None)
                throw new SfuException($"invalid fingerprint [algorithm:{first.Algorithm}]");
            EngineAndReply(new EngineConnectWebRtcTransport(Id, role, fingerprint!), Sender);
        }
        catch (SfuException e)
        {
            Sender.Tell(new Status.Failure(e));
        }
    }

    private void Connect(ConnectPlainTransport c)
    {
        try
        {
            IPEndPoint? rtp = null, rtcp = null;
            if (c.Ip is not null)
            {
                if (!IPAddress.TryParse(c.Ip, out var ip)) throw new SfuException($"invalid ip \"{c.Ip}\"");
                if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
                // With comedia, ip (and port when given) is the one source the transport may learn from.
                var comedia = _request is CreatePlainTransport { Comedia: true };
                if (c.Port is not (> 0 and < 65536) && !(comedia && c.Port is null)) throw new SfuException("missing or invalid port");
                rtp = new IPEndPoint(ip, c.Port ?? 0);
                if (c.RtcpPort is { } rp) rtcp = new IPEndPoint(ip, rp);
            }
            SrtpMasterKey? key = null;
            if (c.SrtpParameters is { } sp)
            {
                var profile = ParseCryptoSuite(sp.CryptoSuite);
                var bytes = Convert.FromBase64String(sp.KeyBase64);
                if (bytes.Length != profile.KeyLength() + profile.SaltLength()) throw new SfuException("invalid srtpParameters.keyBase64 length");
                key = new SrtpMasterKey(profile, bytes[..profile.KeyLength()], bytes[profile.KeyLength()..]);
            }
            EngineAndReply(new EngineConnectPlainTransport(Id, rtp, rtcp, key), Sender);
        }
        catch (Exception e) when (e is SfuException or FormatException)
        {
            Sender.Tell(new Status.Failure(new SfuException(e.Message)));
        }
    }

    /// <summary>mediasoup's pipeTransport.connect({ip, port, srtpParameters}), and a death watch on the other end.</summary>
    private void Connect(ConnectPipeTransport c)
    {
        if (!_isPipe)
        {
            Sender.Tell(new Status.Failure(new SfuException("not a pipe transport")));
            return;
        }
        if (c.Remote is { } remote && _pipeRemote is null)
        {
            _pipeRemote = remote;
            Context.Watch(remote);
        }
        Connect(new ConnectPlainTransport(c.Ip, c.Port, null, c.SrtpParameters));
    }

    private void HandleProduce(Produce p)
    {
        try
        {
            if (!Context.Child("producer-" + p.ProducerId).IsNobody())
                throw new SfuException($"a Producer with same producerId already exists [producerId:{p.ProducerId}]");
            var prepared = OrtcRules.PrepareProducer(p.Kind, p.RtpParameters, _caps, _cname, pipeTransport: _isPipe);
            _cname = prepared.Cname;
            var settings = EngineParameters.ForProducer(p.ProducerId, p.Kind, prepared, p.Paused);
            Context.ActorOf(ProducerActor.Props(settings, prepared, p.Kind, Context.Parent, Worker, p.Listener, Sender), "producer-" + p.ProducerId);
        }
        catch (Exception e) when (e is SfuException or OrtcException)
        {
            Sender.Tell(new Status.Failure(e as SfuException ?? new SfuException(e.Message)));
        }
    }

    private static SrtpProfile ParseCryptoSuite(string suite) => suite switch
    {
        "AES_CM_128_HMAC_SHA1_80" => SrtpProfile.Aes128CmHmacSha1_80,
        "AES_CM_128_HMAC_SHA1_32" => SrtpProfile.Aes128CmHmacSha1_32,
        "AEAD_AES_128_GCM" => SrtpProfile.AeadAes128Gcm,
        "AEAD_AES_256_GCM" => SrtpProfile.AeadAes256Gcm,
        _ => throw new SfuException($"invalid srtpCryptoSuite \"{suite}\""),
    };

    protected override IEngineClose CloseEngineObject() => new EngineCloseTransport(Id);

    protected override ISfuEvent Closed(string reason) => new TransportClosed(Id, reason);
}
