using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Actors.Worker;

/// <summary>The one place where an <see cref="IEngineCommand"/> becomes engine calls. Runs on the worker
/// thread; pure apart from the engine it is given, so it is tested without an ActorSystem.</summary>
public static class EngineCommandHandler
{
    /// <summary>Runs <paramref name="command"/> against <paramref name="engine"/> and returns the reply: the
    /// command's result, <see cref="Done"/>, or Status.Failure(SfuException) when it failed (an unknown id,
    /// the wrong kind of object, an engine error or an unknown command).</summary>
    public static object Run(WorkerEngine engine, IEngineCommand command, long nowMs)
    {
        try
        {
            return Apply(engine, command, nowMs) ?? Done.Instance;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new Status.Failure(e is SfuException ? e : new SfuException(e.Message));
        }
    }

    private static object? Apply(WorkerEngine e, IEngineCommand command, long nowMs)
    {
        switch (command)
        {
            case EngineCloseRouter c: e.CloseRouter(c.RouterId); return null;

            case EngineCreateWebRtcTransport c:
            {
                if (!e.TryCreateWebRtcTransport(c.RouterId, c.TransportId, c.Settings, out var t, out var error))
                    return new Status.Failure(new SfuException(error));
                var address = t.AnnouncedAddress.ToString();
                return new WebRtcTransportCreated(c.TransportId, c.Transport,
                    new IceParameters(t.UsernameFragment, t.Password),
                    [new IceCandidate("udpcandidate", 1076302079, address, address, "udp", t.Port, "host")],
                    new DtlsParameters("auto", t.Fingerprints.Select(f => new DtlsFingerprintParameters(f.Algorithm, f.Value)).ToArray()));
            }
            case EngineCreatePlainTransport c:
            {
                if (!e.TryCreatePlainTransport(c.RouterId, c.TransportId, c.Settings, out var t, out var error))
                    return new Status.Failure(new SfuException(error));
                return new PlainTransportCreated(c.TransportId, c.Transport, t.AnnouncedAddress.ToString(), t.Port, t.RtcpPort,
                    SrtpOf(t));
            }
            case EngineCreatePipeTransport c:
            {
                if (!e.TryCreatePlainTransport(c.RouterId, c.TransportId, c.Settings, out var t, out var error))
                    return new Status.Failure(new SfuException(error));
                return new PipeTransportCreated(c.TransportId, c.Transport, t.AnnouncedAddress.ToString(), t.Port, SrtpOf(t));
            }
            case EngineConnectWebRtcTransport c: WebRtc(e, c.TransportId).Connect(c.Role, c.Fingerprint); return null;
            case EngineConnectPlainTransport c: Plain(e, c.TransportId).Connect(c.Rtp, c.Rtcp, c.SrtpKey); return null;
            case EngineRestartIce c:
            {
                var (ufrag, pwd) = WebRtc(e, c.TransportId).RestartIce();
                return new IceParameters(ufrag, pwd);
            }
            case EngineGetTransportStats c:
            {
                var t = e.GetTransport(c.TransportId);
                var (ice, dtls) = t is WebRtcTransport w ? (w.IceState.ToString().ToLowerInvariant(), w.DtlsState.ToString().ToLowerInvariant()) : ("", "");
                return new TransportStats(c.TransportId, ice, dtls, null, t.Producers.Sum(p => p.TotalPacketsReceived), t.Consumers.Sum(x => x.PacketsSent),
                    t.AvailableOutgoingBitrate, t.DesiredOutgoingBitrate, t.MaxIncomingBitrate, t.MaxOutgoingBitrate, t.MinOutgoingBitrate, t.ProbationPacketsSent,
                    t.DropsByReason());
            }
            case EngineSetTransportBitrates c:
            {
                var t = e.GetTransport(c.TransportId);
                if (c.MaxIncoming is { } maxIn) t.SetMaxIncomingBitrate(maxIn);
                if (c.MaxOutgoing is not null || c.MinOutgoing is not null) t.SetOutgoingBitrateBounds(c.MinOutgoing, c.MaxOutgoing);
                return null;
            }
            case EngineSetConsumerPriority c: e.GetConsumer(c.ConsumerId).SetPriority(c.Priority); return null;
            case EngineCloseTransport c: e.CloseTransport(c.TransportId); return null;

            case EngineProduce c: e.Produce(c.TransportId, c.Settings); return null;
            case EnginePauseProducer c: e.GetProducer(c.ProducerId).Pause(); return null;
            case EngineResumeProducer c: e.GetProducer(c.ProducerId).Resume(nowMs); return null;
            case EngineGetProducerStats c:
            {
                var p = e.GetProducer(c.ProducerId);
                return new RtpStreamStats(c.ProducerId, "inbound-rtp", Enumerable.Range(0, p.Settings.Encodings.Count).Sum(i => p.PacketsReceived(i)), 0);
            }
            case EngineCloseProducer c: e.CloseProducer(c.ProducerId); return null;

            case EngineConsume c: e.Consume(c.TransportId, c.Settings, nowMs); return null;
            case EnginePauseConsumer c: e.GetConsumer(c.ConsumerId).Pause(); return null;
            case EngineResumeConsumer c: e.GetConsumer(c.ConsumerId).Resume(nowMs); return null;
            case EngineRequestConsumerKeyFrame c: e.GetConsumer(c.ConsumerId).RequestKeyFrame(nowMs); return null;
            case EngineSetConsumerPreferredLayers c:
                if (e.GetConsumer(c.ConsumerId) is ILayeredConsumer layered) layered.SetPreferredLayers(c.SpatialLayer, c.TemporalLayer ?? -1, nowMs);
                return null;
            case EngineGetConsumerStats c:
            {
                var x = e.GetConsumer(c.ConsumerId);
                return new RtpStreamStats(c.ConsumerId, "outbound-rtp", x.PacketsSent, x.BytesSent);
            }
            case EngineCloseConsumer c: e.CloseConsumer(c.ConsumerId); return null;
            case EngineInjectConsumerFault c:
                e.GetConsumer(c.ConsumerId).FailNextPacket(new InvalidOperationException($"injected fault in {c.ConsumerId}: {c.Reason}"));
                return null;

            case EngineCreateActiveSpeakerObserver c:
                return new ActiveSpeakerObserverCreated(e.CreateActiveSpeakerObserver(c.RouterId, c.ObserverId, c.IntervalMs).Id, c.IntervalMs);
            case EngineRtpObserverAddProducer c: e.GetActiveSpeakerObserver(c.ObserverId).AddProducer(c.ProducerId); return null;
            case EngineRtpObserverRemoveProducer c: e.GetActiveSpeakerObserver(c.ObserverId).RemoveProducer(c.ProducerId); return null;
            case EnginePauseRtpObserver c: e.GetActiveSpeakerObserver(c.ObserverId).Pause(); return null;
            case EngineResumeRtpObserver c: e.GetActiveSpeakerObserver(c.ObserverId).Resume(); return null;
            case EngineCloseRtpObserver c:
            {
                var o = e.GetActiveSpeakerObserver(c.ObserverId);
                o.Router.CloseActiveSpeakerObserver(o.Id);
                return null;
            }

            default: throw new SfuException($"unknown engine command {command.GetType().Name} [id:{command.Id}]");
        }
    }

    private static SrtpParameters? SrtpOf(PlainTransport t) =>
        t.LocalSrtpKey is { } k ? new SrtpParameters(k.Profile.CryptoSuiteName(), Convert.ToBase64String([.. k.Key, .. k.Salt])) : null;

    private static WebRtcTransport WebRtc(WorkerEngine e, string id) =>
        e.GetTransport(id) as WebRtcTransport ?? throw new SfuException($"transport with id \"{id}\" is not a WebRtcTransport");

    private static PlainTransport Plain(WorkerEngine e, string id) =>
        e.GetTransport(id) as PlainTransport ?? throw new SfuException($"transport with id \"{id}\" is not a PlainTransport");
}
