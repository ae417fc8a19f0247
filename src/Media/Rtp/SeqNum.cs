// Wrap-aware RTP sequence number (16-bit, RFC 3550 §5.1) and timestamp (32-bit) arithmetic,
// plus unwrappers to 64-bit extended values (RFC 3550 Appendix A.1). All seq/ts comparisons go through here.
namespace AkkaSfu.Media.Rtp;

/// <summary>Wrap-aware math on 16-bit RTP sequence numbers. Never compare raw ushorts with &lt;.</summary>
public static class SeqNum
{
    /// <summary>True when <paramref name="a"/> comes after <paramref name="b"/> (modulo 2^16).
    /// At the ambiguous distance 0x8000 the numerically larger one is newer, so exactly one of
    /// IsNewer(a,b), IsNewer(b,a) holds for any a != b.</summary>
    public static bool IsNewer(ushort a, ushort b)
    {
        ushort d = (ushort)(a - b);
        if (d == 0x8000) return a > b;
        return d != 0 && d < 0x8000;
    }

    /// <summary>True when <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool IsOlder(ushort a, ushort b) => IsNewer(b, a);

    /// <summary>True when a is b or newer.</summary>
    public static bool IsNewerOrEqual(ushort a, ushort b) => a == b || IsNewer(a, b);

    /// <summary>Signed distance a − b, consistent with <see cref="IsNewer"/>: positive when a is newer.
    /// At distance 0x8000 it is +32768 when a is numerically larger, else -32768.</summary>
    public static int Diff(ushort a, ushort b)
    {
        ushort d = (ushort)(a - b);
        if (d == 0x8000) return a > b ? 0x8000 : -0x8000;
        return (short)d;
    }

    /// <summary>The newer of the two.</summary>
    public static ushort Max(ushort a, ushort b) => IsNewer(a, b) ? a : b;

    /// <summary>The older of the two.</summary>
    public static ushort Min(ushort a, ushort b) => IsNewer(a, b) ? b : a;
}

/// <summary>Extends 16-bit sequence numbers to a monotonic 64-bit space, following the nearest
/// interpretation of each new value relative to the last one seen. Mutable struct: keep it in a field.</summary>
public struct SeqUnwrapper
{
    private long _last;
    private bool _has;

    /// <summary>The last unwrapped value (undefined before the first call).</summary>
    public readonly long Last => _last;

    /// <summary>True once a value has been unwrapped.</summary>
    public readonly bool HasValue => _has;

    /// <summary>Unwraps <paramref name="seq"/> and remembers it as the new reference point.
    /// The first value maps to itself; later values may go below 0 if they step back past it.</summary>
    public long Unwrap(ushort seq)
    {
        long v = PeekUnwrap(seq);
        _last = v;
        _has = true;
        return v;
    }

    /// <summary>Unwraps without updating the reference point.</summary>
    public readonly long PeekUnwrap(ushort seq)
    {
        if (!_has) return seq;
        return _last + SeqNum.Diff(seq, (ushort)_last);
    }

    /// <summary>Forgets all state.</summary>
    public void Reset() => this = default;
}

/// <summary>Wrap-aware math on 32-bit RTP timestamps.</summary>
public static class TsNum
{
    /// <summary>True when a comes after b (modulo 2^32); at distance 2^31 the numerically larger wins.</summary>
    public static bool IsNewer(uint a, uint b)
    {
        uint d = a - b;
        if (d == 0x8000_0000u) return a > b;
        return d != 0 && d < 0x8000_0000u;
    }

    /// <summary>True when a comes before b.</summary>
    public static bool IsOlder(uint a, uint b) => IsNewer(b, a);

    /// <summary>True when a is b or newer.</summary>
    public static bool IsNewerOrEqual(uint a, uint b) => a == b || IsNewer(a, b);

    /// <summary>Signed distance a − b as a long, consistent with <see cref="IsNewer"/>.</summary>
    public static long Diff(uint a, uint b)
    {
        uint d = a - b;
        if (d == 0x8000_0000u) return a > b ? 0x8000_0000L : -0x8000_0000L;
        return (int)d;
    }

    /// <summary>The newer of the two.</summary>
    public static uint Max(uint a, uint b) => IsNewer(a, b) ? a : b;

    /// <summary>The older of the two.</summary>
    public static uint Min(uint a, uint b) => IsNewer(a, b) ? b : a;
}

/// <summary>Extends 32-bit RTP timestamps to 64 bits; same rules as <see cref="SeqUnwrapper"/>.</summary>
public struct TsUnwrapper
{
    private long _last;
    private bool _has;

    /// <summary>The last unwrapped value.</summary>
    public readonly long Last => _last;

    /// <summary>True once a value has been unwrapped.</summary>
    public readonly bool HasValue => _has;

    /// <summary>Unwraps <paramref name="ts"/> and remembers it.</summary>
    public long Unwrap(uint ts)
    {
        long v = PeekUnwrap(ts);
        _last = v;
        _has = true;
        return v;
    }

    /// <summary>Unwraps without updating the reference point.</summary>
    public readonly long PeekUnwrap(uint ts)
    {
        if (!_has) return ts;
        return _last + TsNum.Diff(ts, (uint)_last);
    }

    /// <summary>Forgets all state.</summary>
    public void Reset() => this = default;
}
