namespace AkkaSfu.Actors.Messages;

// mediasoup's router.createActiveSpeakerObserver() and the RtpObserver API, told to the router actor that
// owns the observer. Unknown observer or producer ids are answered with Status.Failure(SfuException).

/// <summary>To a router: a new ActiveSpeakerObserver deciding every <paramref name="Interval"/> ms (clamped to
/// [100, 5000]); <paramref name="ObserverId"/> null: the router picks one. Reply:
/// <see cref="ActiveSpeakerObserverCreated"/>. Its <see cref="DominantSpeaker"/> events go to the router's
/// listener.</summary>
public sealed record CreateActiveSpeakerObserver(int Interval = 300, string? ObserverId = null) : ICrossNodeMessage;

public sealed record ActiveSpeakerObserverCreated(string ObserverId, int Interval) : ICrossNodeMessage;

/// <summary>To a router: observe an audio producer of this router. Reply: Done.</summary>
public sealed record RtpObserverAddProducer(string ObserverId, string ProducerId) : ICrossNodeMessage;

/// <summary>To a router: stop observing a producer (a closed producer leaves on its own). Reply: Done.</summary>
public sealed record RtpObserverRemoveProducer(string ObserverId, string ProducerId) : ICrossNodeMessage;

/// <summary>To a router: no levels and no events until resumed. Reply: Done.</summary>
public sealed record PauseRtpObserver(string ObserverId) : ICrossNodeMessage;

/// <summary>To a router. Reply: Done.</summary>
public sealed record ResumeRtpObserver(string ObserverId) : ICrossNodeMessage;

/// <summary>To a router. Reply: Done.</summary>
public sealed record CloseRtpObserver(string ObserverId) : ICrossNodeMessage;
