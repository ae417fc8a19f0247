using Akka.Actor;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Actors.Router;

/// <summary>A router's pipes to other routers (mediasoup's router.pipeToRouter()), one job for one child of the
/// router: one pair of connected pipe transports per (other router, options), reused by every producer piped
/// between the two, and one pipe (a pipe consumer here, a pipe producer there) per (producer, router), made once.
/// Requests are handled one at a time, so a second request for a pipe being made waits for it and gets the same
/// answer. The other router may be on another worker of this node, on another node (every message here crosses
/// nodes; the media goes over the pipe's UDP sockets), or on this same worker (the pipe producer then needs a new
/// id: ids are unique within a worker, as in mediasoup).</summary>
internal sealed class PipesActor : ReceiveActor
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>From a pipe's relay: its pipe consumer closed, so the pipe is gone.</summary>
    internal sealed record PipeGone(string ProducerId, IActorRef Router, IActorRef Relay);

    private sealed record PairKey(IActorRef Router, bool Srtp, bool Rtx);
    private sealed record Pair(PipeTransportCreated Local, PipeTransportCreated Remote);
    private sealed record Pipe(PipedToRouter Result, IActorRef Relay);

    private readonly IActorRef _router;
    private readonly Dictionary<PairKey, Pair> _pairs = new();
    private readonly Dictionary<(string ProducerId, IActorRef Router), Pipe> _pipes = new();

    public PipesActor(IActorRef router)
    {
        _router = router;
        ReceiveAsync<PipeToRouter>(async r => Sender.Tell(await PipeAsync(r)));
        Receive<ClosePipe>(c =>
        {
            if (_pipes.Remove((c.ProducerId, c.Router), out var pipe))
            {
                pipe.Result.PipeConsumer.Consumer.Tell(CloseConsumer.Instance);
                pipe.Relay.Tell(PipeRelay.Close.Instance);
            }
            Sender.Tell(Done.Instance);
        });
        Receive<PipeGone>(g =>
        {
            if (_pipes.TryGetValue((g.ProducerId, g.Router), out var pipe) && pipe.Relay.Equals(g.Relay)) _pipes.Remove((g.ProducerId, g.Router));
        });
        Receive<TransportClosed>(t =>
        {
            // One of our pipe transports closed (its other end went): its pipes closed with it.
            foreach (var key in _pairs.Where(kv => kv.Value.Local.TransportId == t.TransportId).Select(kv => kv.Key).ToArray()) _pairs.Remove(key);
        });
        ReceiveAny(_ => { });
    }

    public static Props Props(IActorRef router) => Akka.Actor.Props.Create(() => new PipesActor(router));

    private async Task<object> PipeAsync(PipeToRouter r)
    {
        if (_pipes.TryGetValue((r.ProducerId, r.Router), out var existing)) return existing.Result;
        if (r.Router.Equals(_router)) return Fail("cannot pipe a producer to its own router");
        var sameWorker = r.Router.Path.Parent.Equals(_router.Path.Parent);
        var keepId = r.KeepId ?? !sameWorker;
        if (keepId && sameWorker)
            return Fail("cannot keep the producer id: both routers are on the same worker, where ids are unique (use KeepId = false)");

        IActorRef? relay = null;
        ConsumerCreated? consumer = null;
        try
        {
            var pair = await PairAsync(new PairKey(r.Router, r.EnableSrtp, r.EnableRtx));
            relay = Context.ActorOf(PipeRelay.Props(r.ProducerId, r.Router));
            consumer = await _router.Ask<ConsumerCreated>(new Consume(pair.Local.TransportId, Guid.NewGuid().ToString(), r.ProducerId,
                new RtpCapabilities(), Paused: false, Listener: relay, EnableRtx: r.EnableRtx, Pipe: true), Timeout);
            var piped = await pair.Remote.Transport.Ask<ProducerCreated>(new Produce(keepId ? r.ProducerId : Guid.NewGuid().ToString(), consumer.Kind,
                consumer.RtpParameters with { Mid = null }, Paused: consumer.ProducerPaused), Timeout);
            relay.Tell(new PipeRelay.Attach(piped.Producer));
            var result = new PipedToRouter(consumer, piped);
            _pipes[(r.ProducerId, r.Router)] = new Pipe(result, relay);
            return result;
        }
        catch (Exception e)
        {
            consumer?.Consumer.Tell(CloseConsumer.Instance);
            if (relay is not null) Context.Stop(relay);
            return new Status.Failure(e is SfuException ? e : new SfuException(e is AskTimeoutException ? "pipeToRouter timed out" : e.Message));
        }
    }

    /// <summary>The pipe transports between this router and another (mediasoup keeps one pair per router pair):
    /// each side created, told where the other listens (and its SRTP key), and watching the other.</summary>
    private async Task<Pair> PairAsync(PairKey key)
    {
        if (_pairs.TryGetValue(key, out var pair)) return pair;
        var local = await _router.Ask<PipeTransportCreated>(new CreatePipeTransport("pipe-" + Guid.NewGuid(), key.Srtp, key.Rtx, Self), Timeout);
        try
        {
            var remote = await key.Router.Ask<PipeTransportCreated>(new CreatePipeTransport("pipe-" + Guid.NewGuid(), key.Srtp, key.Rtx), Timeout);
            try
            {
                await local.Transport.Ask<Done>(new ConnectPipeTransport(remote.Ip, remote.Port, remote.SrtpParameters, remote.Transport), Timeout);
                await remote.Transport.Ask<Done>(new ConnectPipeTransport(local.Ip, local.Port, local.SrtpParameters, local.Transport), Timeout);
            }
            catch
            {
                remote.Transport.Tell(CloseTransport.Instance);
                throw;
            }
            pair = new Pair(local, remote);
            _pairs[key] = pair;
            return pair;
        }
        catch
        {
            local.Transport.Tell(CloseTransport.Instance);
            throw;
        }
    }

    private static Status.Failure Fail(string message) => new(new SfuException(message));
}
