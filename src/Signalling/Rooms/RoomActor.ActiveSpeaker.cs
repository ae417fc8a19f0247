using Akka.Actor;
using Akka.Event;
using AkkaSfu.Actors.Messages;

namespace AkkaSfu.Signalling.Rooms;

public sealed partial class RoomActor
{
    /// <summary>mediasoup-demo's activeSpeakerObserver interval.</summary>
    public const int ActiveSpeakerInterval = 300;

    /// <summary>The room's ActiveSpeakerObserver (next to the router's audio level observer); null if its
    /// creation has not been asked yet.</summary>
    private string? _activeSpeakerObserverId;

    /// <summary>mediasoup-demo: <c>router.createActiveSpeakerObserver({ interval: 300 })</c>. Producers added
    /// afterwards reach the router after it (one sender, one mailbox), so they need not wait for the reply.</summary>
    private void CreateActiveSpeakerObserver()
    {
        var id = Guid.NewGuid().ToString();
        _activeSpeakerObserverId = id;
        var log = _log;
        var roomId = _roomId;
        Main.Router.Ask<ActiveSpeakerObserverCreated>(new CreateActiveSpeakerObserver(ActiveSpeakerInterval, id), AskTimeout)
            .ContinueWith(t => log.Warning("room {0}: could not create its active speaker observer: {1}", roomId, t.Exception?.GetBaseException().Message),
                TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>Adds an audio producer (a peer's or a broadcaster's) to the active speaker observer; a failure is
    /// only logged (mediasoup-demo: <c>.catch(() => {})</c>). Closed producers leave it on their own.</summary>
    private void ObserveAudio(string producerId)
    {
        if (_activeSpeakerObserverId is not { } observerId) return;
        var log = _log;
        var roomId = _roomId;
        // A producer on another router of the room is piped to the main one, for as long as it lives.
        var piped = PipedTo(producerId, _routers.Main);
        async Task Observe() => await (await piped()).Router.Ask<Done>(new RtpObserverAddProducer(observerId, producerId), AskTimeout);
        Observe().ContinueWith(t => log.Debug("room {0}: active speaker observer refused producer {1}: {2}", roomId, producerId, t.Exception?.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>mediasoup-demo logs "dominantspeaker" and notifies nobody (signalling.md has no such notification).</summary>
    private void OnDominantSpeaker(DominantSpeaker d)
    {
        var peerId = _state.SetDominantSpeaker(d.ProducerId);
        _log.Debug("room {0}: activeSpeakerObserver \"dominantspeaker\" event [producerId:{1}, peerId:{2}]", _roomId, d.ProducerId, peerId);
    }
}
