using System.Net;
using AkkaSfu.Media.Engine;
using AkkaSfu.Media.Rtp;

namespace AkkaSfu.Media.Tests.Engine;

/// <summary>Dominant speaker identification driven with synthetic RFC 6464 level sequences and explicit
/// time: 20 ms packets, a decision every 300 ms (mediasoup's default interval).</summary>
public class DominantSpeakerIdentificationTests
{
    // RFC 6464 levels are −dBov: 127 is silence, 0 is the loudest.
    private const byte Noise = 70;   // background noise between words: the speaker's floor
    private const byte Talk = 30;    // speech
    private const byte Loud = 15;    // louder speech / a cough
    private const byte Silence = 127;

    /// <summary>A room of speakers fed one packet per speaker every 20 ms; decides every 300 ms and records
    /// each change of dominant speaker with its time.</summary>
    private sealed class Room
    {
        public readonly DominantSpeakerIdentification Dsi = new();
        public long Now = 100_000;
        private long _nextDecision;
        public readonly List<(long At, string Id)> Changes = [];

        /// <summary>Speakers first send 100 ms of background noise (their floor), unless told otherwise.</summary>
        public Room(params string[] ids) : this(warmUp: true, ids) { }

        public Room(bool warmUp, params string[] ids)
        {
            foreach (var id in ids) Dsi.Add(id);
            _nextDecision = Now + 300;
            if (warmUp) Run(100, _ => Noise);
        }

        public long MsToNextDecision => _nextDecision - Now;

        /// <summary>Runs <paramref name="ms"/>: each speaker sends <paramref name="level"/>(id) every 20 ms
        /// (null: no packet).</summary>
        public void Run(int ms, Func<string, byte?> level)
        {
            var end = Now + ms;
            while (Now < end)
            {
                Now += 20;
                foreach (var s in Dsi.Speakers)
                    if (level(s.Id) is { } l) s.OnLevel(l, Now);
                if (Now < _nextDecision) continue;
                _nextDecision += 300;
                if (Dsi.Decide(Now)) Changes.Add((Now, Dsi.Dominant!));
            }
        }

        /// <summary>Everyone at <paramref name="others"/>, <paramref name="who"/> at <paramref name="level"/>.</summary>
        public void Run(int ms, string who, byte level, byte? others = Noise) => Run(ms, id => id == who ? level : others);
    }

    [Fact]
    public void A_lone_speaker_is_dominant_at_the_first_decision()
    {
        var room = new Room("a");
        room.Run((int)room.MsToNextDecision, _ => Silence);
        Assert.Equal([(room.Now, "a")], room.Changes);
        room.Run(3000, _ => null);
        Assert.Single(room.Changes); // reported once
    }

    [Fact]
    public void One_talker_among_silent_peers_becomes_dominant_and_no_one_else_is_reported()
    {
        var room = new Room("a", "b", "c");
        room.Run(2000, "b", Talk);
        Assert.Equal("b", room.Dsi.Dominant);
        Assert.Equal(["b"], room.Changes.Select(c => c.Id));
    }

    [Fact]
    public void A_second_sustained_talker_takes_over_after_a_delay_once_the_dominant_one_falls_quiet()
    {
        var room = new Room("a", "b");
        room.Run(2000, "a", Talk);
        Assert.Equal("a", room.Dsi.Dominant);
        var changes = room.Changes.Count;

        var switchAt = room.Now;
        room.Run((int)room.MsToNextDecision, "b", Loud); // first decision after the switch
        Assert.Equal("a", room.Dsi.Dominant);             // not instantly
        room.Run(1500, "b", Loud);
        Assert.Equal("b", room.Dsi.Dominant);
        var (at, id) = Assert.Single(room.Changes.Skip(changes));
        Assert.Equal("b", id);
        // b needs more fully-active 100 ms blocks in the last second than a: about half a second.
        Assert.InRange(at - switchAt, 400, 1200);
    }

    [Fact]
    public void A_louder_challenger_does_not_take_over_while_the_dominant_speaker_keeps_talking()
    {
        var room = new Room("a", "b");
        room.Run(2000, "a", Talk);
        room.Run(3000, id => id == "a" ? Talk : Loud);
        Assert.Equal(["a"], room.Changes.Select(c => c.Id));
    }

    [Fact]
    public void A_short_cough_does_not_take_over()
    {
        var room = new Room("a", "b");
        room.Run(2000, "a", Talk);
        room.Run(2000, _ => Noise); // a stopped long enough for its long-term activity to fade
        Assert.Equal("a", room.Dsi.Dominant);
        var changes = room.Changes.Count;

        // A 60 ms cough whose last frame is the one a decision looks at: b wins the immediate and medium
        // scales but not the long one (no full 100 ms of speech).
        room.Run((int)room.MsToNextDecision - 60, _ => Noise);
        room.Run(60, "b", Loud);
        Assert.Equal(0, room.MsToNextDecision % 300); // the decision ran at the cough's last frame
        room.Run(2000, _ => Noise);
        Assert.Equal("a", room.Dsi.Dominant);
        Assert.Equal(changes, room.Changes.Count);

        // The same, 200 ms long, is speech: b takes over.
        room.Run((int)room.MsToNextDecision - 200, _ => Noise);
        room.Run(200, "b", Loud);
        Assert.Equal("b", room.Dsi.Dominant);
    }

    [Fact]
    public void Silence_keeps_the_last_dominant_speaker_and_reports_nothing()
    {
        var room = new Room("a", "b", "c");
        room.Run(1500, "c", Talk);
        Assert.Equal("c", room.Dsi.Dominant);
        var changes = room.Changes.Count;

        room.Run(3000, _ => Silence);  // silent packets (RFC 6464 level 127)
        room.Run(3000, _ => null);     // no packets at all (DTX, muted)
        Assert.Equal("c", room.Dsi.Dominant);
        Assert.Equal(changes, room.Changes.Count);
    }

    [Fact]
    public void A_removed_speaker_stops_counting_and_a_new_dominant_is_chosen()
    {
        var room = new Room("a", "b", "c");
        room.Run(1500, "c", Talk);
        Assert.Equal("c", room.Dsi.Dominant);

        Assert.True(room.Dsi.Remove("c"));
        Assert.Null(room.Dsi.Dominant);
        Assert.False(room.Dsi.Remove("c"));
        room.Run(300, _ => Noise);
        Assert.Equal("a", room.Dsi.Dominant); // nominated among the silent ones
        room.Run(1500, "b", Talk);
        Assert.Equal("b", room.Dsi.Dominant);
        Assert.DoesNotContain(room.Changes.SkipWhile(c => c.Id == "c"), c => c.Id == "c");
    }

    [Fact]
    public void A_paused_speaker_cannot_challenge()
    {
        var room = new Room("a", "b");
        room.Run(1000, "a", Talk);
        room.Run(1000, _ => Noise);
        room.Dsi.Find("b")!.Paused = true;
        room.Run(2000, "b", Talk);
        Assert.Equal("a", room.Dsi.Dominant);
        room.Dsi.Find("b")!.Paused = false;
        room.Run(600, "b", Talk);
        Assert.Equal("b", room.Dsi.Dominant);
    }

    [Fact]
    public void A_loud_but_constant_background_is_that_speakers_silence()
    {
        // b's floor is its own constant level, so it never counts as speech (equal footing for noisy rooms).
        var room = new Room(warmUp: false, "a", "b");
        room.Run(100, id => id == "a" ? Noise : (byte)40);
        room.Run(1000, id => id == "a" ? Talk : (byte)40);
        room.Run(5000, id => id == "a" ? Noise : (byte)40);
        Assert.Equal(["a"], room.Changes.Select(c => c.Id));
    }

    [Fact]
    public void Late_levels_are_ignored_and_gaps_fill_frames()
    {
        var room = new Room("a", "b");
        var b = room.Dsi.Find("b")!;
        room.Run(1000, "a", Talk);
        room.Run(1000, _ => Noise);
        b.OnLevel(Loud, room.Now - 500); // late: dropped
        Assert.Equal(room.Now, b.LastLevelMs);
        // One packet after a 1 s gap fills the whole second: b looks like it spoke throughout (DTX / 60 ms ptime).
        room.Run((int)room.MsToNextDecision - 20, id => id == "a" ? Noise : null);
        room.Now += 20;
        b.OnLevel(Loud, room.Now);
        room.Dsi.Find("a")!.OnLevel(Noise, room.Now);
        Assert.True(room.Dsi.Decide(room.Now));
        Assert.Equal("b", room.Dsi.Dominant);
    }

    [Fact]
    public void Feeding_levels_and_deciding_allocate_nothing()
    {
        var room = new Room("a", "b", "c");
        room.Run(1000, "a", Talk);
        var speakers = room.Dsi.Speakers.ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var t = 0; t < 1000; t++)
        {
            room.Now += 20;
            for (var i = 0; i < speakers.Length; i++) speakers[i].OnLevel((byte)(t % 3 == i ? Talk : Noise), room.Now);
            if (t % 15 == 0) room.Dsi.Decide(room.Now);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(0, 13, 0.78)]
    [InlineData(0, 5, 24.0)]
    [InlineData(0, 10, 47.0)]
    [InlineData(3, 13, 0.78)]
    public void Inactive_scores_floor_at_the_minimum(int active, int n, double lambda) =>
        Assert.Equal(1e-10, DominantSpeakerIdentification.ActivityScore(active, n, 0.5, lambda));

    [Fact]
    public void Activity_scores_rise_with_activity_on_the_medium_and_long_scales()
    {
        for (var v = 1; v <= 5; v++)
            Assert.True(DominantSpeakerIdentification.ActivityScore(v, 5, 0.5, 24) > DominantSpeakerIdentification.ActivityScore(v - 1, 5, 0.5, 24));
        for (var v = 1; v <= 10; v++)
            Assert.True(DominantSpeakerIdentification.ActivityScore(v, 10, 0.5, 47) > DominantSpeakerIdentification.ActivityScore(v - 1, 10, 0.5, 47));
        // ln C(13,10) + 13 ln 0.5 − ln 0.78 + 7.8
        Assert.Equal(Math.Log(286) + 13 * Math.Log(0.5) - Math.Log(0.78) + 7.8, DominantSpeakerIdentification.ActivityScore(10, 13, 0.5, 0.78), 9);
    }
}

/// <summary>The observer in a real router: levels from RTP packets' ssrc-audio-level, decisions from the
/// router tick, events through <see cref="IEngineObserver.OnDominantSpeaker"/>. Runs the engine on the test
/// thread with explicit time.</summary>
public sealed class ActiveSpeakerObserverTests : IDisposable
{
    private const byte AudioLevelId = 1;

    private sealed class Recorder : NullEngineObserver
    {
        public readonly List<(string Observer, string Producer)> Dominant = [];
        public override void OnDominantSpeaker(string observerId, string producerId) => Dominant.Add((observerId, producerId));
    }

    private readonly Recorder _events = new();
    private readonly WorkerEngine _engine;
    private readonly Router _router;
    private readonly Dictionary<string, (Producer Producer, uint Ssrc)> _producers = new();
    private long _now = 50_000;
    private ushort _seq;

    public ActiveSpeakerObserverTests()
    {
        _engine = new WorkerEngine(_events, wakeup: () => { }, onBatch: b => b.Release());
        _router = _engine.CreateRouter("r");
        _engine.CreatePlainTransport("r", "in", new PlainTransportSettings(IPAddress.Loopback, null, 30000, 39999, RtcpMux: true, Comedia: true));
        foreach (var id in new[] { "a", "b", "c" }) AddAudio(id);
        _engine.Produce("in", new ProducerSettings("v", StreamKind.Video, RtpStreamType.Simple,
            [new CodecMapping(96, 101, 90000, "video/vp8")], [new EncodingMapping(700, Ssrc: 7000)], null, default, default, Nack: false));
    }

    private void AddAudio(string id)
    {
        var ssrc = 1000u + (uint)_producers.Count;
        var ids = new RtpExtensionIds { AudioLevel = AudioLevelId };
        var p = _engine.Produce("in", new ProducerSettings(id, StreamKind.Audio, RtpStreamType.Simple,
            [new CodecMapping(111, 100, 48000, "audio/opus")], [new EncodingMapping(500 + ssrc, Ssrc: ssrc)], null, ids, ids, Nack: false));
        _producers[id] = (p, ssrc);
    }

    public void Dispose() => _engine.Dispose();

    private byte[] Packet(uint ssrc, byte level)
    {
        var buf = new byte[200];
        var header = new RtpHeaderFields { PayloadType = 111, SequenceNumber = _seq++, Timestamp = _seq * 960u, Ssrc = ssrc };
        return buf[..RtpPacketWriter.Write(buf, header, [], [new RtpExtension(AudioLevelId, new[] { level })], new byte[40])];
    }

    /// <summary>Every 20 ms each producer sends a packet with level(id) (null: none), and the worker ticks.</summary>
    private void Run(int ms, Func<string, byte?> level)
    {
        var end = _now + ms;
        while (_now < end)
        {
            _now += 20;
            foreach (var (id, (producer, ssrc)) in _producers)
                if (level(id) is { } l) producer.ReceiveRtp(Packet(ssrc, l), 0, isRtx: false, _now);
            _engine.Tick(_now);
        }
    }

    private void Run(int ms, string who, byte level = 20) => Run(ms, id => id == who ? level : (byte)70);

    [Fact]
    public void A_talking_producer_is_reported_as_dominant_speaker_by_its_observer()
    {
        var observer = _engine.CreateActiveSpeakerObserver("r", "aso");
        Assert.Equal(300, observer.IntervalMs);
        observer.AddProducer("a");
        observer.AddProducer("b");
        Run(100, _ => 70);
        Run(2000, "b");
        Assert.Equal(("aso", "b"), _events.Dominant.Last());
        Assert.Equal("b", observer.DominantProducerId);
        Assert.Same(observer, _engine.GetActiveSpeakerObserver("aso"));
    }

    [Fact]
    public void An_observed_producer_packet_and_the_ticks_allocate_nothing()
    {
        var observer = _router.CreateActiveSpeakerObserver("aso");
        observer.AddProducer("a");
        observer.AddProducer("b");
        var (producer, ssrc) = _producers["a"];
        var template = Packet(ssrc, 20);
        var buffer = new byte[template.Length];
        Run(1000, "a"); // warm up (stats, first decisions)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++)
        {
            _now += 20;
            template.CopyTo(buffer);
            producer.ReceiveRtp(buffer, 0, isRtx: false, _now);
            _router.Tick(_now);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(550, producer.TotalPacketsReceived); // every packet went through the level path
        Assert.Equal("a", observer.DominantProducerId);
    }

    [Fact]
    public void Only_audio_producers_of_the_router_can_be_added_once()
    {
        var observer = _router.CreateActiveSpeakerObserver("aso", intervalMs: 10);
        Assert.Equal(100, observer.IntervalMs); // clamped as mediasoup does
        Assert.Throws<ArgumentException>(() => observer.AddProducer("v"));
        Assert.Throws<KeyNotFoundException>(() => observer.AddProducer("nope"));
        Assert.Throws<KeyNotFoundException>(() => observer.RemoveProducer("nope"));
        observer.AddProducer("a");
        Assert.Throws<InvalidOperationException>(() => observer.AddProducer("a"));
        Assert.Throws<InvalidOperationException>(() => _engine.CreateActiveSpeakerObserver("r", "aso"));
        Assert.Throws<KeyNotFoundException>(() => _engine.GetActiveSpeakerObserver("other"));
    }

    [Fact]
    public void A_producer_not_added_never_counts()
    {
        var observer = _router.CreateActiveSpeakerObserver("aso");
        observer.AddProducer("a");
        observer.AddProducer("b");
        Run(100, _ => 70);
        Run(3000, "c", 5);
        Assert.DoesNotContain(_events.Dominant, e => e.Producer == "c");
        Run(2000, "b");
        Assert.Equal("b", _events.Dominant.Last().Producer);
    }

    [Fact]
    public void A_paused_observer_ignores_levels_and_emits_nothing()
    {
        var observer = _router.CreateActiveSpeakerObserver("aso");
        observer.AddProducer("a");
        observer.AddProducer("b");
        observer.Pause();
        Run(100, _ => 70);
        Run(3000, "b");
        Assert.Empty(_events.Dominant);

        observer.Resume();
        Run(400, _ => 70);
        Assert.Equal([("aso", "a")], _events.Dominant); // the nominee; b's speech while paused did not count
        Run(2000, "b");
        Assert.Equal(("aso", "b"), _events.Dominant.Last());
    }

    [Fact]
    public void A_closed_producer_leaves_the_observer_and_another_speaker_is_chosen()
    {
        var observer = _router.CreateActiveSpeakerObserver("aso");
        observer.AddProducer("a");
        observer.AddProducer("b");
        Run(100, _ => 70);
        Run(2000, "b");
        Assert.Equal("b", observer.DominantProducerId);

        _engine.CloseProducer("b");
        _producers.Remove("b");
        Assert.Equal(["a"], observer.ProducerIds);
        Run(40, _ => 70); // decided at the next tick, not at the next interval
        Assert.Equal(("aso", "a"), _events.Dominant.Last());
    }

    [Fact]
    public void A_paused_producer_cannot_take_over()
    {
        var observer = _router.CreateActiveSpeakerObserver("aso");
        observer.AddProducer("a");
        observer.AddProducer("b");
        Run(1000, "a");
        Run(1000, _ => 70);
        _producers["b"].Producer.Pause();
        Run(2000, "b");
        Assert.Equal("a", observer.DominantProducerId);
        _producers["b"].Producer.Resume(_now);
        Run(1500, "b");
        Assert.Equal("b", observer.DominantProducerId);
    }

    [Fact]
    public void Closing_the_observer_or_its_router_detaches_it_from_its_producers()
    {
        var observer = _router.CreateActiveSpeakerObserver("aso");
        observer.AddProducer("a");
        _engine.CloseRtpObserver("aso");
        Assert.True(observer.IsClosed);
        Assert.Null(_engine.FindActiveSpeakerObserver("aso"));
        Run(1000, "a");
        Assert.Empty(_events.Dominant);

        var second = _router.CreateActiveSpeakerObserver("aso2");
        second.AddProducer("a");
        _engine.CloseRouter("r");
        Assert.True(second.IsClosed);
    }
}
