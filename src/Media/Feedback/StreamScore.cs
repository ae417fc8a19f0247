// Stream quality score 0..10 from a loss ratio (the idea of mediasoup's RtpStreamRecv/RtpStreamSend
// UpdateScore: the delivered ratio raised to the 4th power, scaled to 0..10).
namespace AkkaSfu.Media.Feedback;

/// <summary>Maps packet loss to mediasoup-style 0..10 scores.</summary>
public static class StreamScore
{
    /// <summary>Best score.</summary>
    public const byte Max = 10;

    /// <summary>round(10 · (1 − lossRatio)^4), with lossRatio clamped to [0, 1]. 0 % loss → 10, 5 % → 8,
    /// 10 % → 7, 20 % → 4, 50 % → 1 (0.625 rounds up), 60 % and more → 0.</summary>
    public static byte FromLossRatio(double lossRatio)
    {
        if (double.IsNaN(lossRatio) || lossRatio <= 0) return Max;
        if (lossRatio >= 1) return 0;
        double delivered = 1 - lossRatio;
        double d2 = delivered * delivered;
        return (byte)Math.Round(d2 * d2 * Max, MidpointRounding.AwayFromZero);
    }

    /// <summary>Score from an RTCP "fraction lost" byte (loss = fraction / 256).</summary>
    public static byte FromFractionLost(byte fractionLost) => FromLossRatio(fractionLost / 256.0);
}
