namespace AkkaSfu.Media.Engine;

/// <summary>mediasoup's ActiveSpeakerObserver on the worker thread: the dominant speaker among the audio
/// producers added to it (<see cref="DominantSpeakerIdentification"/>, fed by the RFC 6464 level of each
/// packet), decided every <see cref="IntervalMs"/> from <see cref="Router"/>'s tick and reported through
/// <see cref="IEngineObserver.OnDominantSpeaker"/> only when it changes (never on silence). Paused: levels
/// are ignored and nothing is decided.</summary>
public sealed class ActiveSpeakerObserver
{
    public const int DefaultIntervalMs = 300;

    /// <summary>One producer in one observer: what the producer's packet path writes levels into.</summary>
    internal sealed class Entry(ActiveSpeakerObserver observer, Producer producer, DominantSpeakerIdentification.Speaker speaker)
    {
        public readonly ActiveSpeakerObserver Observer = observer;
        public readonly Producer Producer = producer;
        public readonly DominantSpeakerIdentification.Speaker Speaker = speaker;
    }

    private readonly DominantSpeakerIdentification _identification = new();
    private readonly Dictionary<string, Entry> _entries = new();
    private long _nextDecisionMs = -1;   // -1: schedule from the next tick
    private bool _decideNow;

    /// <param name="intervalMs">Clamped to [100, 5000] as in mediasoup.</param>
    internal ActiveSpeakerObserver(Router router, string id, int intervalMs)
    {
        Router = router;
        Id = id;
        IntervalMs = Math.Clamp(intervalMs, 100, 5000);
    }

    public string Id { get; }
    public Router Router { get; }
    public int IntervalMs { get; }
    public bool Paused { get; private set; }
    public bool IsClosed { get; private set; }

    /// <summary>The producer last reported as dominant speaker (null: none yet).</summary>
    public string? DominantProducerId => _identification.Dominant;

    public IReadOnlyCollection<string> ProducerIds => _entries.Keys;

    /// <summary>Starts observing an audio producer of this router (mediasoup's addProducer). Throws
    /// <see cref="KeyNotFoundException"/> for an unknown producer, <see cref="ArgumentException"/> for a
    /// video one, <see cref="InvalidOperationException"/> if it is already observed.</summary>
    public void AddProducer(string producerId)
    {
        var producer = Router.FindProducer(producerId) ?? throw new KeyNotFoundException($"Producer not found [producerId:{producerId}]");
        if (producer.Kind != StreamKind.Audio) throw new ArgumentException($"not an audio Producer [producerId:{producerId}]");
        if (_entries.ContainsKey(producerId)) throw new InvalidOperationException($"Producer already in map [producerId:{producerId}]");
        var entry = new Entry(this, producer, _identification.Add(producerId));
        _entries.Add(producerId, entry);
        producer.AddSpeakerEntry(entry);
    }

    /// <summary>Stops observing a producer (mediasoup's removeProducer); a producer of the router that is not
    /// observed is ignored. If it was the dominant speaker, a new decision runs at the next tick.</summary>
    public void RemoveProducer(string producerId)
    {
        if (Router.FindProducer(producerId) is null && !_entries.ContainsKey(producerId))
            throw new KeyNotFoundException($"Producer not found [producerId:{producerId}]");
        Remove(producerId);
    }

    /// <summary>No more levels nor decisions until <see cref="Resume"/>.</summary>
    public void Pause() => Paused = true;

    /// <summary>Decisions restart one interval after the next tick.</summary>
    public void Resume()
    {
        if (!Paused) return;
        Paused = false;
        _nextDecisionMs = -1;
    }

    /// <summary>The producer closed (or left the router): it leaves the observer.</summary>
    internal void OnProducerClosed(Producer producer) => Remove(producer.Id);

    private void Remove(string producerId)
    {
        if (!_entries.Remove(producerId, out var entry)) return;
        entry.Producer.RemoveSpeakerEntry(entry);
        var wasDominant = _identification.Dominant == producerId;
        _identification.Remove(producerId);
        if (wasDominant) _decideNow = true;
    }

    /// <summary>Called by <see cref="Router"/> every tick; decides every <see cref="IntervalMs"/>.</summary>
    internal void Tick(long nowMs)
    {
        if (Paused || IsClosed) return;
        if (_nextDecisionMs < 0) _nextDecisionMs = nowMs + IntervalMs;
        if (nowMs >= _nextDecisionMs)
        {
            _nextDecisionMs += IntervalMs;
            if (_nextDecisionMs <= nowMs) _nextDecisionMs = nowMs + IntervalMs; // late ticks: no catch-up burst
        }
        else if (!_decideNow)
        {
            return;
        }
        _decideNow = false;
        foreach (var e in _entries.Values) e.Speaker.Paused = e.Producer.Paused;
        if (_identification.Decide(nowMs) && _identification.Dominant is { } dominant)
            Router.Worker.Observer.OnDominantSpeaker(Id, dominant);
    }

    /// <summary>Closes the observer (router closed, or mediasoup's rtpObserver.close()).</summary>
    internal void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        foreach (var e in _entries.Values) e.Producer.RemoveSpeakerEntry(e);
        _entries.Clear();
    }
}
