using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Rtcp;
using FsCheck.Xunit;

namespace AkkaSfu.Media.Tests.Feedback;

/// <summary>FsCheck properties: random inputs never throw and keep each component's invariants.</summary>
public class FeedbackPropertyTests
{
    [Property(MaxTest = 300)]
    public bool Recorder_never_throws_and_feedback_parses(ushort[] seqs, int[] deltas, ushort start)
    {
        seqs ??= [];
        deltas ??= [];
        var r = new TransportCcRecorder(capacity: 256);
        var buf = new byte[1200];
        long t = 1_000_000;
        var recorded = new HashSet<ushort>();
        for (int i = 0; i < seqs.Length; i++)
        {
            t += deltas.Length == 0 ? 1000 : Math.Abs(deltas[i % deltas.Length] % 200_000);
            ushort s = (ushort)(start + seqs[i] % 600 - 300);
            if (r.Record(s, t)) recorded.Add(s);
            if (r.PendingCount < 0 || r.PendingCount > r.Capacity) return false;
            if (i % 7 == 6)
            {
                int n = r.BuildFeedback(t, 1, 2, buf);
                if (n == 0) continue;
                if (TransportCc.TryParse(buf.AsSpan(0, n), out var tcc) != RtcpError.None) return false;
                foreach (var p in tcc) if (p.Received && !recorded.Contains(p.Sequence)) return false;
            }
        }
        return true;
    }

    [Property(MaxTest = 300)]
    public bool Nack_generator_never_throws_and_stays_bounded(ushort[] seqs, bool[] flags, ushort start)
    {
        seqs ??= [];
        flags ??= [];
        var g = new NackGenerator();
        var buf = new ushort[64];
        long t = 0;
        for (int i = 0; i < seqs.Length; i++)
        {
            bool f = flags.Length > 0 && flags[i % flags.Length];
            ushort s = (ushort)(start + i * 3 + seqs[i] % 40 - 20);
            if (i % 11 == 10) s = seqs[i]; // wild jumps now and then
            g.ReceivePacket(s, f && i % 5 == 0, f && i % 3 == 0, t);
            t += 7;
            if (g.Count > NackGenerator.MaxNackPackets) return false;
            if (i % 4 == 3)
            {
                var before = new HashSet<ushort>();
                int n = g.CollectNacks(t, 30, buf, out _);
                for (int k = 0; k < n; k++) if (!before.Add(buf[k])) return false; // no seq twice per batch
            }
        }
        return true;
    }

    [Property(MaxTest = 300)]
    public bool Receive_stats_never_throw(ushort[] seqs, uint[] timestamps)
    {
        seqs ??= [];
        timestamps ??= [];
        var s = new RtpReceiveStats(1);
        long t = 0;
        for (int i = 0; i < seqs.Length; i++)
        {
            s.Update(seqs[i], timestamps.Length == 0 ? 0 : timestamps[i % timestamps.Length], t += 5, 100, 90000);
            if (i % 9 == 0)
            {
                var rb = s.FillReportBlock(t);
                if (rb.CumulativeLost is < -0x800000 or > 0x7FFFFF) return false;
            }
        }
        return s.Expected >= 0;
    }

    [Property(MaxTest = 300)]
    public bool Retransmission_buffer_returns_what_was_last_stored(ushort[] ops, ushort start)
    {
        ops ??= [];
        var b = new RetransmissionBuffer(capacity: 32, maxAgeMs: 1_000_000, slotSize: 64) { RttMs = 0 };
        var model = new Dictionary<ushort, byte>();
        long t = 1;
        byte version = 0;
        ushort head = start;
        foreach (ushort op in ops)
        {
            t++;
            ushort seq = (ushort)(head - op % 40);
            if (op % 3 != 0)
            {
                if (op % 2 == 0) head++;
                seq = op % 2 == 0 ? head : seq;
                var pkt = new byte[1 + op % 60];
                pkt[0] = ++version;
                if (b.Insert(seq, pkt, t)) model[seq] = version;
            }
            else if (b.TryGet(seq, t, out var data, out _))
            {
                if (!model.TryGetValue(seq, out byte v) || data[0] != v) return false;
            }
        }
        return true;
    }
}
