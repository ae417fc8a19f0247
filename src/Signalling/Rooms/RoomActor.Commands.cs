using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Signalling.Broadcasters;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>The broadcaster API: a command run as the broadcaster it names (404 if there is none), or by the
    /// room itself (GET room, create broadcaster). Broadcasters are joined members without a socket.</summary>
    private void OnBroadcasterCommand(BroadcasterCommand c)
    {
        var replyTo = ReplyTo.Asker(Sender);
        if (c.BroadcasterId is not { } id)
        {
            switch (c.Command)
            {
                case RoomCommands.GetRouterRtpCapabilities:
                    Reply(replyTo, new RoomReplies.RouterRtpCapabilities(Main.RtpCapabilities));
                    break;
                case CreateBroadcaster create:
                {
                    var taken = _state.Find(create.Id) is not null;
                    Apply(_state.CreateBroadcaster(create), replyTo);
                    if (!taken) _log.Info("room {0}: broadcaster {1} created ({2})", _roomId, create.Id, create.DisplayName);
                    break;
                }
                case RoomCommands.GetRouters:
                    Reply(replyTo, RoutersInfo());
                    break;
                default:
                    Reply(replyTo, new RoomReplies.Failed(RoomErrorKind.Failed, $"unknown broadcaster request {c.Command.GetType().Name}"));
                    break;
            }
            return;
        }
        if (_state.FindBroadcaster(id) is { } broadcaster) Execute(broadcaster, c.Command, replyTo);
        else Reply(replyTo, RoomState.NoBroadcaster(id));
    }

    /// <summary>Runs <paramref name="command"/> as <paramref name="peer"/>: the state's checks first (the demo's
    /// error texts), then the state's decision or the media actors' work.</summary>
    private void Execute(PeerState peer, IRoomCommand command, ReplyTo replyTo)
    {
        try
        {
            if (_state.Check(peer, command) is { } error)
            {
                Reply(replyTo, error);
                return;
            }
            switch (command)
            {
                case RoomCommands.GetRouterRtpCapabilities:
                    Reply(replyTo, new RoomReplies.RouterRtpCapabilities(Main.RtpCapabilities));
                    break;
                case RoomCommands.Join join:
                    Apply(_state.Join(peer, join), replyTo);
                    _log.Info("room {0}: peer {1} joined ({2})", _roomId, peer.Id, join.DisplayName);
                    break;
                case RoomCommands.ChangeDisplayName change:
                    Apply(_state.ChangeDisplayName(peer, change), replyTo);
                    break;
                case RoomCommands.DeleteBroadcaster:
                    Apply(_state.DeleteBroadcaster(peer), replyTo);
                    break;
                case RoomCommands.CreateWebRtcTransport create:
                {
                    var slot = Place(peer);
                    var request = new CreateWebRtcTransport(Guid.NewGuid().ToString(), _self);
                    _state.BeginTransport(peer);
                    Run(peer, replyTo, async () => await (await slot.Ready).Router.Ask<WebRtcTransportCreated>(request, AskTimeout), t =>
                    {
                        _state.AddTransport(peer, new TransportEntry(t.TransportId, t.Transport, TransportKind.WebRtc, create.Producing, create.Consuming));
                        return [new RoomEffect.Reply(new RoomReplies.WebRtcTransport(t.TransportId, t.IceParameters, t.IceCandidates, t.DtlsParameters))];
                    }, () => _state.EndTransport(peer));
                    break;
                }
                case RoomCommands.CreatePlainTransport create:
                {
                    var slot = Place(peer);
                    var request = new CreatePlainTransport(Guid.NewGuid().ToString(), create.RtcpMux, create.Comedia, create.EnableSrtp, create.SrtpCryptoSuite, _self,
                        create.CallerIp);
                    _state.BeginTransport(peer);
                    Run(peer, replyTo, async () => await (await slot.Ready).Router.Ask<PlainTransportCreated>(request, AskTimeout), p =>
                    {
                        _state.AddTransport(peer, new TransportEntry(p.TransportId, p.Transport, TransportKind.Plain, Producing: true, Consuming: true));
                        return [new RoomEffect.Reply(new RoomReplies.PlainTransport(p.TransportId, p.Ip, p.Port, p.RtcpPort, p.SrtpParameters))];
                    }, () => _state.EndTransport(peer));
                    break;
                }
                case RoomCommands.ConnectWebRtcTransport connect:
                    RunDone(peer, replyTo, peer.Transports[connect.TransportId].Ref, new ConnectWebRtcTransport(connect.DtlsParameters));
                    break;
                case RoomCommands.ConnectPlainTransport connect:
                    RunDone(peer, replyTo, peer.Transports[connect.TransportId].Ref,
                        new ConnectPlainTransport(connect.Ip, connect.Port, connect.RtcpPort, connect.SrtpParameters));
                    break;
                case RoomCommands.RestartIce restart:
                {
                    var transport = peer.Transports[restart.TransportId].Ref;
                    Run(peer, replyTo, () => transport.Ask<IceParameters>(RestartIce.Instance, AskTimeout),
                        ice => [new RoomEffect.Reply(new RoomReplies.IceRestarted(ice))]);
                    break;
                }
                case RoomCommands.Produce produce:
                    Produce(peer, produce, replyTo);
                    break;
                case RoomCommands.Consume consume:
                {
                    var request = new Consume(consume.TransportId, Guid.NewGuid().ToString(), consume.ProducerId, peer.RtpCapabilities!, Paused: consume.Paused, Listener: _self);
                    _state.BeginConsumer(peer, consume.TransportId);
                    Run(peer, replyTo, ConsumeOn(SlotOf(peer), consume.ProducerId, request), created =>
                    {
                        _state.AddConsumer(peer, new ConsumerEntry(created.ConsumerId, created.Consumer, consume.ProducerId, consume.TransportId));
                        return [new RoomEffect.Reply(new RoomReplies.Consumed(created.ConsumerId, consume.ProducerId, created.Kind, created.RtpParameters, created.Type))];
                    }, () => _state.EndConsumer(peer, consume.TransportId));
                    break;
                }
                case RoomCommands.CloseProducer close:
                {
                    var producer = peer.Producers[close.ProducerId].Ref;
                    _state.RemoveProducer(peer, close.ProducerId);
                    ForgetProducer(close.ProducerId); // closed on request, it sends no ProducerClosed
                    RunDone(peer, replyTo, producer, CloseProducer.Instance);
                    break;
                }
                case RoomCommands.PauseProducer pause:
                    RunDone(peer, replyTo, peer.Producers[pause.ProducerId].Ref, PauseProducer.Instance);
                    break;
                case RoomCommands.ResumeProducer resume:
                    RunDone(peer, replyTo, peer.Producers[resume.ProducerId].Ref, ResumeProducer.Instance);
                    break;
                case RoomCommands.PauseConsumer pause:
                    RunDone(peer, replyTo, peer.Consumers[pause.ConsumerId].Ref, PauseConsumer.Instance);
                    break;
                case RoomCommands.ResumeConsumer resume:
                    RunDone(peer, replyTo, peer.Consumers[resume.ConsumerId].Ref, ResumeConsumer.Instance);
                    break;
                case RoomCommands.RequestConsumerKeyFrame keyFrame:
                    RunDone(peer, replyTo, peer.Consumers[keyFrame.ConsumerId].Ref, RequestConsumerKeyFrame.Instance);
                    break;
                case RoomCommands.SetConsumerPreferredLayers layers:
                    RunDone(peer, replyTo, peer.Consumers[layers.ConsumerId].Ref, new SetConsumerPreferredLayers(layers.SpatialLayer, layers.TemporalLayer));
                    break;
                case RoomCommands.SetConsumerPriority priority:
                    RunDone(peer, replyTo, peer.Consumers[priority.ConsumerId].Ref, new SetConsumerPriority(priority.Priority));
                    break;
                case RoomCommands.GetTransportStats stats:
                {
                    var transport = peer.Transports[stats.TransportId].Ref;
                    Run(peer, replyTo, () => transport.Ask<TransportStats>(GetTransportStats.Instance, AskTimeout),
                        s => [new RoomEffect.Reply(new RoomReplies.TransportStats(s))]);
                    break;
                }
                case RoomCommands.GetProducerStats stats:
                    RunStreamStats(peer, replyTo, peer.Producers[stats.ProducerId].Ref);
                    break;
                case RoomCommands.GetConsumerStats stats:
                    RunStreamStats(peer, replyTo, peer.Consumers[stats.ConsumerId].Ref);
                    break;
                default:
                    Reply(replyTo, new RoomReplies.Failed(RoomErrorKind.Failed, $"unknown room command {command.GetType().Name}"));
                    break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours: answer it, log it, and keep the room (and every other peer) going.
            _log.Error(e, "room {0}: command {1} from {2} failed", _roomId, command.GetType().Name, peer.Id);
            Reply(replyTo, new RoomReplies.Failed(RoomErrorKind.Failed, e.Message));
        }
    }

    /// <summary>produce: <c>appData = {...appData, peerId}</c>; once the transport made it, the state decides who
    /// consumes it.</summary>
    private void Produce(PeerState peer, RoomCommands.Produce produce, ReplyTo replyTo)
    {
        var transport = peer.Transports[produce.TransportId].Ref;
        var appData = (JsonObject)produce.AppData.DeepClone();
        appData["peerId"] = peer.Id;
        var request = new Produce(Guid.NewGuid().ToString(), produce.Kind, produce.RtpParameters, Listener: _self);
        _state.BeginProducer(peer, produce.TransportId);
        Run(peer, replyTo, () => transport.Ask<ProducerCreated>(request, AskTimeout), created =>
        {
            if (peer.IsBroadcaster) _log.Info("room {0}: broadcaster {1} produces {2} ({3})", _roomId, peer.Id, produce.Kind, created.ProducerId);
            return _state.AddProducer(peer, new ProducerEntry(created.ProducerId, created.Producer, produce.Kind, appData, produce.TransportId));
        }, () => _state.EndProducer(peer, produce.TransportId));
    }

    private void RunStreamStats(PeerState peer, ReplyTo replyTo, IActorRef target) =>
        Run(peer, replyTo, () => target.Ask<RtpStreamStats>(GetRtpStreamStats.Instance, AskTimeout),
            s => [new RoomEffect.Reply(new RoomReplies.RtpStreamStats(s))]);
}
