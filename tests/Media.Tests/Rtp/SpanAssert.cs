namespace AkkaSfu.Media.Tests.Rtp;

/// <summary>Helpers for "every span a parser returns lies inside its input".</summary>
internal static class SpanAssert
{
    public static bool Inside(ReadOnlySpan<byte> outer, ReadOnlySpan<byte> inner)
    {
        if (inner.IsEmpty) return true;
        return outer.Overlaps(inner, out int off) && off >= 0 && off + inner.Length <= outer.Length;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace("\n", "").Replace("\r", ""));

    /// <summary>A copy of <paramref name="valid"/> with one byte xor-ed and optionally truncated.</summary>
    public static byte[] Mutate(byte[] valid, int index, byte xor, int cut)
    {
        var b = (byte[])valid.Clone();
        if (b.Length > 0) b[(int)((uint)index % (uint)b.Length)] ^= xor;
        int len = b.Length - (int)((uint)cut % (uint)(b.Length + 1));
        return b.AsSpan(0, cut < 0 ? b.Length : len).ToArray();
    }
}
