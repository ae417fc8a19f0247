// RFC 3711 §3.3.1 and Appendix A: estimating the 48-bit packet index (ROC || SEQ) from a 16-bit SEQ.
namespace AkkaSfu.Media.Srtp;

/// <summary>Wrap-aware SRTP packet index math: index = ROC * 65536 + SEQ.</summary>
internal static class SrtpIndex
{
    /// <summary>Largest valid index: ROC is 32 bits.</summary>
    public const ulong Max = 0xFFFF_FFFF_FFFFUL;

    /// <summary>RFC 3711 Appendix A: the index v*65536+SEQ closest to <paramref name="highest"/> (s_l and ROC).
    /// False when the guess would need ROC = -1 or ROC = 2^32.</summary>
    public static bool TryEstimate(ulong highest, ushort seq, out ulong index)
    {
        long roc = (long)(highest >> 16);
        int sl = (ushort)highest;
        long v;
        if (sl < 32768)
            v = seq - sl > 32768 ? roc - 1 : roc;
        else
            v = sl - 32768 > seq ? roc + 1 : roc;
        if (v < 0 || v > uint.MaxValue)
        {
            index = 0;
            return false;
        }
        index = ((ulong)v << 16) | seq;
        return true;
    }
}
