// RFC 3711 §3.3.2: replay list as a sliding bitmap over the highest accepted index (128 wide, as libsrtp).
namespace AkkaSfu.Media.Srtp;

/// <summary>Sliding replay window of <see cref="Size"/> indices below and including the highest accepted one.
/// <see cref="Check"/> before authenticating, <see cref="Commit"/> only after authentication passed.</summary>
internal struct SrtpReplayWindow
{
    public const int Size = 128;

    private ulong _highest;
    private ulong _lo; // bit i: index _highest - i seen, i in 0..63
    private ulong _hi; // bit i: index _highest - 64 - i seen

    /// <summary>Highest accepted index.</summary>
    public readonly ulong Highest => _highest;

    /// <summary>Starts the window at the first authenticated index.</summary>
    public void Init(ulong index)
    {
        _highest = index;
        _lo = 1;
        _hi = 0;
    }

    /// <summary><see cref="SrtpError.None"/> if the index is new, else Replayed or TooOld. Does not change state.</summary>
    public readonly SrtpError Check(ulong index)
    {
        if (index > _highest) return SrtpError.None;
        ulong d = _highest - index;
        if (d >= Size) return SrtpError.TooOld;
        bool seen = d < 64 ? ((_lo >> (int)d) & 1) != 0 : ((_hi >> (int)(d - 64)) & 1) != 0;
        return seen ? SrtpError.Replayed : SrtpError.None;
    }

    /// <summary>Marks an index (that passed <see cref="Check"/> and authentication) as seen.</summary>
    public void Commit(ulong index)
    {
        if (index > _highest)
        {
            ulong s = index - _highest;
            if (s >= 128) { _lo = 0; _hi = 0; }
            else if (s >= 64) { _hi = _lo << (int)(s - 64); _lo = 0; }
            else { _hi = (_hi << (int)s) | (_lo >> (int)(64 - s)); _lo <<= (int)s; }
            _highest = index;
            _lo |= 1;
            return;
        }
        ulong d = _highest - index;
        if (d < 64) _lo |= 1UL << (int)d;
        else if (d < 128) _hi |= 1UL << (int)(d - 64);
    }
}
