namespace AkkaSfu.LoadGen;

/// <summary>Loss of the consumers whose producer's peer used server <see cref="FromServer"/> and whose own peer used
/// <see cref="ToServer"/> (indices into <see cref="RunResult.Servers"/>; −1: the producer's peer is not ours).</summary>
public sealed record ServerPairLoss(int FromServer, int ToServer, int Consumers, long Expected, long Lost);

/// <summary>One consumer at the end of a run: its streams, the server of its own peer, and its producer's
/// streams and server (null and −1 when the producer is not one of ours).</summary>
public readonly record struct AccountedConsumer(ConsumerStream Consumer, int ToServer, ProducerStream[]? Producer, int FromServer);

/// <summary>What one consumer lost (see <see cref="LossAccounting.Of"/>).</summary>
public readonly record struct ConsumerLoss(long Expected, long Lost, long Duplicates, long Reordered, bool HadMedia);

/// <summary>The run's consumer figures: totals and the same loss split by server pair.</summary>
public sealed record LossTally(int Consumers, int WithMedia, long Expected, long Lost, long Duplicates, long Reordered,
    long Recovered, long NacksSent, ServerPairLoss[] ByServerPair);

/// <summary>The one loss definition of a run (README "What is measured"): per consumer and encoding, the probes
/// its producer sent from the consumer's first arrival to the last send, minus unique arrivals; a consumer that
/// got nothing loses everything its producer sent during the window.</summary>
public static class LossAccounting
{
    /// <summary>Loss of <paramref name="c"/>; <paramref name="producer"/> are its producer's streams (the last one
    /// is what a silent consumer is charged for, from its sequence in <paramref name="sentAtStart"/>).</summary>
    public static ConsumerLoss Of(ConsumerStream c, ProducerStream[]? producer, IReadOnlyDictionary<ProducerStream, long> sentAtStart,
        TextWriter? debug = null)
    {
        long expected = 0, lost = 0, dups = 0, reord = 0;
        bool any = false;
        for (var e = 0; e < c.Trackers.Length; e++)
        {
            var tr = c.Trackers[e];
            if (tr.First < 0) continue;
            any = true;
            long lastSent = e == c.LastEncoding && c.Sources[e] is { } src ? src.LastProbeSeq : -1;
            expected += tr.Expected(lastSent);
            lost += tr.Lost(lastSent);
            if (debug is not null && tr.Lost(lastSent) > 0)
                debug.WriteLine($"debug: consumer {c.Id} {c.Kind} enc {e}: first {tr.First} max {tr.Max} lastSent {lastSent} unique {tr.Unique} reordered {tr.Reordered} tooOld {tr.TooOld}");
            dups += tr.Duplicates;
            reord += tr.Reordered;
        }
        if (!any && producer is { Length: > 0 })
        {
            // Nothing arrived: everything its producer sent in the window is lost.
            var s = producer[^1];
            var n = s.LastProbeSeq - sentAtStart[s];
            expected += n; lost += n;
        }
        return new ConsumerLoss(expected, lost, dups, reord, any);
    }

    /// <summary>Sums <see cref="Of"/> over <paramref name="consumers"/>, in total and per (from, to) server pair
    /// (ordered by from, then to), so the pairs add up to the totals.</summary>
    public static LossTally Tally(IEnumerable<AccountedConsumer> consumers, IReadOnlyDictionary<ProducerStream, long> sentAtStart,
        TextWriter? debug = null)
    {
        int count = 0, withMedia = 0;
        long expected = 0, lost = 0, dups = 0, reord = 0, recovered = 0, nacks = 0;
        var pairs = new Dictionary<(int From, int To), (int Consumers, long Expected, long Lost)>();
        foreach (var a in consumers)
        {
            var l = Of(a.Consumer, a.Producer, sentAtStart, debug);
            count++;
            if (l.HadMedia) withMedia++;
            expected += l.Expected; lost += l.Lost; dups += l.Duplicates; reord += l.Reordered;
            recovered += a.Consumer.Recovered;
            nacks += a.Consumer.NacksSent;
            var key = (a.FromServer, a.ToServer);
            var p = pairs.GetValueOrDefault(key);
            pairs[key] = (p.Consumers + 1, p.Expected + l.Expected, p.Lost + l.Lost);
        }
        var byPair = pairs.OrderBy(kv => kv.Key.From).ThenBy(kv => kv.Key.To)
            .Select(kv => new ServerPairLoss(kv.Key.From, kv.Key.To, kv.Value.Consumers, kv.Value.Expected, kv.Value.Lost))
            .ToArray();
        return new LossTally(count, withMedia, expected, lost, dups, reord, recovered, nacks, byPair);
    }
}
