using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Engine;

/// <summary>mediasoup's Router on the worker thread: its transports and producers, and the fan-out of
/// every producer packet to that producer's consumers (a plain loop: no message per consumer).</summary>
public sealed class Router
{
    private readonly Dictionary<string, Transport> _transports = new();
    private readonly Dictionary<string, Producer> _producers = new();
    private readonly Dictionary<string, ActiveSpeakerObserver> _activeSpeakerObservers = new();

    internal Router(WorkerEngine worker, string id)
    {
        Worker = worker;
        Id = id;
    }

    public string Id { get; }
    public WorkerEngine Worker { get; }
    public bool IsClosed { get; private set; }
    public IReadOnlyCollection<Transport> Transports => _transports.Values;
    public IReadOnlyCollection<Producer> Producers => _producers.Values;

    internal void Add(Transport transport) => _transports.Add(transport.Id, transport);
    internal void Remove(Transport transport) => _transports.Remove(transport.Id);
    internal void Add(Producer producer) => _producers.Add(producer.Id, producer);
    internal void Remove(Producer producer) => _producers.Remove(producer.Id);

    public Producer? FindProducer(string id) => _producers.GetValueOrDefault(id);
    public Transport? FindTransport(string id) => _transports.GetValueOrDefault(id);

    public IReadOnlyCollection<ActiveSpeakerObserver> ActiveSpeakerObservers => _activeSpeakerObservers.Values;

    /// <summary>mediasoup's router.createActiveSpeakerObserver({ interval }).</summary>
    public ActiveSpeakerObserver CreateActiveSpeakerObserver(string id, int intervalMs = ActiveSpeakerObserver.DefaultIntervalMs)
    {
        if (_activeSpeakerObservers.ContainsKey(id)) throw new InvalidOperationException($"an RtpObserver with same rtpObserverId already exists [rtpObserverId:{id}]");
        var observer = new ActiveSpeakerObserver(this, id, intervalMs);
        _activeSpeakerObservers.Add(id, observer);
        return observer;
    }

    public ActiveSpeakerObserver? FindActiveSpeakerObserver(string id) => _activeSpeakerObservers.GetValueOrDefault(id);

    public void CloseActiveSpeakerObserver(string id)
    {
        if (_activeSpeakerObservers.Remove(id, out var observer)) observer.Close();
    }

    /// <summary>Fans a mapped producer packet out to every consumer of that producer. A consumer that throws
    /// is taken out of the packet path and reported; the others still get the packet.</summary>
    internal void OnProducerRtp(Producer producer, int encoding, RtpPacket packet, bool isKeyFrame, long nowMs)
    {
        var consumers = producer.ConsumerArray;
        // Forwarding delay per copy from two clock reads per packet, not one per copy: sends cost about the
        // same each, so copy k of n left at start + (end − start)·k/n.
        var arrival = Worker.ArrivalTimestamp;
        var sentBefore = Worker.Counters.RtpSent;
        var start = arrival != 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        for (var i = 0; i < consumers.Length; i++)
        {
            var consumer = consumers[i];
            try
            {
                consumer.SendRtp(encoding, packet, isKeyFrame, nowMs);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                consumer.Transport.Count(Drop.ConsumerFault);
                Worker.Fault(consumer, e);
            }
        }
        if (arrival != 0)
            Worker.RecordFanOut(arrival, start, System.Diagnostics.Stopwatch.GetTimestamp(), Worker.Counters.RtpSent - sentBefore);
    }

    /// <summary>mediasoup's AudioLevelObserver (maxEntries 1): every <see cref="AudioLevelIntervalMs"/>, the
    /// loudest audio producer above <see cref="AudioLevelThresholdDbov"/>, or silence.</summary>
    public int AudioLevelIntervalMs { get; set; } = 800;
    public int AudioLevelThresholdDbov { get; set; } = -80;
    private long _nextAudioLevelMs;
    private bool _silent = true;

    internal void Tick(long nowMs)
    {
        foreach (var o in _activeSpeakerObservers.Values) o.Tick(nowMs);
        TickAudioLevels(nowMs);
    }

    private void TickAudioLevels(long nowMs)
    {
        if (nowMs < _nextAudioLevelMs) return;
        _nextAudioLevelMs = nowMs + AudioLevelIntervalMs;
        Producer? loudest = null;
        var loudestDbov = double.MinValue;
        foreach (var p in _producers.Values)
        {
            if (p.Kind != StreamKind.Audio || p.Paused || p.TakeAverageAudioLevel() is not { } dbov) continue;
            if (dbov < AudioLevelThresholdDbov || dbov <= loudestDbov) continue;
            loudest = p;
            loudestDbov = dbov;
        }
        if (loudest is not null)
        {
            _silent = false;
            Worker.Observer.OnAudioLevels(Id, loudest.Id, (int)Math.Round(loudestDbov));
        }
        else if (!_silent)
        {
            _silent = true;
            Worker.Observer.OnAudioLevels(Id, null, 0);
        }
    }

    /// <summary>Closes everything in the router (mediasoup: router.close() closes its transports).</summary>
    internal void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        foreach (var o in _activeSpeakerObservers.Values) o.Close();
        _activeSpeakerObservers.Clear();
        foreach (var t in _transports.Values.ToArray()) t.Close();
        _transports.Clear();
        _producers.Clear();
    }
}
