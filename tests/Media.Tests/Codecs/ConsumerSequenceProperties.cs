using AkkaSfu.Media.Codecs;
using FsCheck.Xunit;

namespace AkkaSfu.Media.Tests.Codecs;

/// <summary>The consumer's 16-bit sequence mapping (<see cref="WrappingIdMapper"/>, as the engine's consumers
/// use it): gap-free output over drops and source switches, distinct outputs under reordering.</summary>
public class ConsumerSequenceProperties
{
    [Property(MaxTest = 500)]
    public bool Output_is_gap_free_over_random_drops_and_syncs(ushort start, bool[] drops, byte[] jumps)
    {
        drops ??= [];
        jumps ??= [];
        var m = new WrappingIdMapper(16, reorderWindow: 128);
        ushort input = start;
        int? last = null;
        for (int i = 0; i < drops.Length; i++)
        {
            if (jumps.Length > 0 && i % 17 == 16)
            {
                // A source switch: the input jumps, the consumer syncs, output must still be continuous.
                input = (ushort)(input + jumps[i % jumps.Length] * 251);
                m.Sync(input);
            }
            if (drops[i]) m.Drop(input);
            else
            {
                if (m.Input(input, out var o) != IdMapResult.Mapped) return false;
                if (last is int l && o != (ushort)(l + 1)) return false;
                last = o;
            }
            input++;
        }
        return true;
    }

    [Property(MaxTest = 300)]
    public bool Reordered_inputs_keep_distinct_outputs(ushort start, bool[] drops)
    {
        // Shuffle within small windows: outputs of distinct accepted inputs stay distinct.
        drops ??= [];
        var m = new WrappingIdMapper(16, reorderWindow: 128);
        int n = drops.Length;
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i + 3 < n; i += 3) (order[i], order[i + 2]) = (order[i + 2], order[i]);
        var seen = new Dictionary<int, ushort>();
        foreach (int k in order)
        {
            ushort input = (ushort)(start + k);
            if (drops[k]) { m.Drop(input); continue; }
            if (m.Input(input, out var o) != IdMapResult.Mapped) continue;
            if (seen.TryGetValue(o, out ushort other) && other != input) return false;
            seen[o] = input;
        }
        return true;
    }
}
