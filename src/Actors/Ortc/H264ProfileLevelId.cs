// RFC 6184 §8.1 profile-level-id (profile_idc, profile-iop, level_idc) and the offer/answer rules of
// RFC 6184 §8.2.2 as mediasoup applies them through the h264-profile-level-id package:
// same profile required; with level-asymmetry-allowed=1 on both sides the answer keeps the first
// side's level, else the lower level.
using System.Globalization;

namespace AkkaSfu.Actors.Ortc;

/// <summary>H.264 profiles distinguished by the ORTC rules.</summary>
public enum H264Profile
{
    /// <summary>42e0.., 4d8x.., 58cx..</summary>
    ConstrainedBaseline,
    /// <summary>4200.., 588x..</summary>
    Baseline,
    /// <summary>4d0x..</summary>
    Main,
    /// <summary>640c..</summary>
    ConstrainedHigh,
    /// <summary>6400..</summary>
    High,
    /// <summary>f400..</summary>
    PredictiveHigh444,
}

/// <summary>A parsed profile-level-id: profile plus level_idc (level 1b is <see cref="Level1b"/>).</summary>
public readonly record struct H264ProfileLevelId(H264Profile Profile, int Level)
{
    /// <summary>Level 1b (level_idc 11 with constraint_set3 in Baseline/Main).</summary>
    public const int Level1b = 0;

    /// <summary>The default when profile-level-id is absent: 42e01f (Constrained Baseline 3.1).</summary>
    public static readonly H264ProfileLevelId Default = new(H264Profile.ConstrainedBaseline, 31);

    private static readonly int[] ValidLevels = [10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52];

    // (profile_idc, mask over profile-iop, value after masking, profile) from RFC 6184 table 5.
    private static readonly (int Idc, int Mask, int Value, H264Profile Profile)[] Patterns =
    [
        (0x42, 0b0100_1111, 0b0100_0000, H264Profile.ConstrainedBaseline),
        (0x4D, 0b1000_1111, 0b1000_0000, H264Profile.ConstrainedBaseline),
        (0x58, 0b1100_1111, 0b1100_0000, H264Profile.ConstrainedBaseline),
        (0x42, 0b0100_1111, 0b0000_0000, H264Profile.Baseline),
        (0x58, 0b1100_1111, 0b1000_0000, H264Profile.Baseline),
        (0x4D, 0b1010_1111, 0b0000_0000, H264Profile.Main),
        (0x64, 0b1111_1111, 0b0000_0000, H264Profile.High),
        (0x64, 0b1111_1111, 0b0000_1100, H264Profile.ConstrainedHigh),
        (0xF4, 0b1111_1111, 0b0000_0000, H264Profile.PredictiveHigh444),
    ];

    /// <summary>Parses a 6-hex-digit profile-level-id; false when malformed or not a known profile/level.</summary>
    public static bool TryParse(string? text, out H264ProfileLevelId value)
    {
        value = default;
        if (text is null || text.Length != 6 ||
            !int.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var numeric) || numeric == 0)
            return false;
        var levelIdc = numeric & 0xFF;
        var iop = (numeric >> 8) & 0xFF;
        var idc = (numeric >> 16) & 0xFF;
        int level;
        if (levelIdc == 11)
            level = (iop & 0x10) != 0 ? Level1b : 11;
        else if (Array.IndexOf(ValidLevels, levelIdc) >= 0)
            level = levelIdc;
        else
            return false;
        foreach (var p in Patterns)
        {
            if (p.Idc == idc && (iop & p.Mask) == p.Value)
            {
                value = new H264ProfileLevelId(p.Profile, level);
                return true;
            }
        }
        return false;
    }

    /// <summary>From codec parameters: absent profile-level-id → <see cref="Default"/>; a non-string or malformed one → false.</summary>
    public static bool TryFromParameters(ParameterMap parameters, out H264ProfileLevelId value)
    {
        if (!parameters.TryGetValue("profile-level-id", out var v))
        {
            value = Default;
            return true;
        }
        return TryParse(v.AsString, out value);
    }

    /// <summary>The 6-hex-digit string, or null when not representable (level 1b of a High profile).</summary>
    public string? ToProfileLevelIdString()
    {
        if (Level == Level1b)
        {
            return Profile switch
            {
                H264Profile.ConstrainedBaseline => "42f00b",
                H264Profile.Baseline => "42100b",
                H264Profile.Main => "4d100b",
                _ => null,
            };
        }
        var prefix = Profile switch
        {
            H264Profile.ConstrainedBaseline => "42e0",
            H264Profile.Baseline => "4200",
            H264Profile.Main => "4d00",
            H264Profile.ConstrainedHigh => "640c",
            H264Profile.High => "6400",
            _ => "f400",
        };
        return prefix + Level.ToString("x2", CultureInfo.InvariantCulture);
    }

    /// <summary>True when both parameter sets parse and name the same profile.</summary>
    public static bool IsSameProfile(ParameterMap a, ParameterMap b) =>
        TryFromParameters(a, out var pa) && TryFromParameters(b, out var pb) && pa.Profile == pb.Profile;

    /// <summary>
    /// The profile-level-id for an answer to <paramref name="remote"/> from <paramref name="local"/>:
    /// null when neither side gives one (or it is not representable); false when either is invalid or the
    /// profiles differ.
    /// </summary>
    public static bool TryGenerateAnswer(ParameterMap local, ParameterMap remote, out string? answer)
    {
        answer = null;
        if (!local.ContainsKey("profile-level-id") && !remote.ContainsKey("profile-level-id"))
            return true;
        if (!TryFromParameters(local, out var l) || !TryFromParameters(remote, out var r) || l.Profile != r.Profile)
            return false;
        var level = LevelAsymmetryAllowed(local) && LevelAsymmetryAllowed(remote) ? l.Level : MinLevel(l.Level, r.Level);
        answer = new H264ProfileLevelId(l.Profile, level).ToProfileLevelIdString();
        return true;
    }

    private static bool LevelAsymmetryAllowed(ParameterMap p) =>
        p.TryGetValue("level-asymmetry-allowed", out var v) && (v == ParamValue.Of(1) || v == ParamValue.Of("1"));

    private static bool IsLess(int a, int b)
    {
        if (a == Level1b) return b != 10 && b != Level1b;
        if (b == Level1b) return a == 10;
        return a < b;
    }

    private static int MinLevel(int a, int b) => IsLess(a, b) ? a : b;
}
