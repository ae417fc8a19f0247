// Certificate fingerprints for DTLS-SRTP (RFC 8122 §5, "a=fingerprint:"; mediasoup dtlsParameters.fingerprints).
using Org.BouncyCastle.Security;

namespace AkkaSfu.Media.Dtls;

/// <summary>Why a fingerprint string did not parse.</summary>
public enum DtlsFingerprintError : byte
{
    None = 0,
    /// <summary>No space between algorithm and value.</summary>
    MissingValue,
    /// <summary>Hash function is not one of sha-1, sha-224, sha-256, sha-384, sha-512.</summary>
    UnknownAlgorithm,
    /// <summary>Value is not hex byte pairs joined by ':'.</summary>
    BadHex,
    /// <summary>Value has the wrong number of bytes for the algorithm.</summary>
    WrongLength,
}

/// <summary>A certificate fingerprint in mediasoup's shape: <c>Algorithm</c> like "sha-256", <c>Value</c> as
/// uppercase hex bytes joined by ':'.</summary>
public sealed record DtlsFingerprint(string Algorithm, string Value)
{
    /// <summary>The algorithms we compute and accept, strongest last (RFC 8122 §5 / IANA hash names).</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["sha-1", "sha-224", "sha-256", "sha-384", "sha-512"];

    /// <summary>Fingerprint of <paramref name="der"/> with the given algorithm (e.g. "sha-256").</summary>
    /// <exception cref="ArgumentException">unknown algorithm (a setup bug).</exception>
    public static DtlsFingerprint Compute(string algorithm, ReadOnlySpan<byte> der)
    {
        var canonical = CanonicalAlgorithm(algorithm) ?? throw new ArgumentException($"unknown fingerprint algorithm '{algorithm}'", nameof(algorithm));
        return new DtlsFingerprint(canonical, Format(Hash(canonical, der)));
    }

    /// <summary>True when <paramref name="der"/> hashes (with this fingerprint's algorithm) to this value;
    /// case-insensitive; false for an unknown algorithm.</summary>
    public bool Matches(ReadOnlySpan<byte> der)
    {
        var canonical = CanonicalAlgorithm(Algorithm);
        if (canonical is null) return false;
        var actual = Format(Hash(canonical, der));
        return string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Parses an SDP-style "sha-256 AB:CD:..." (RFC 8122 §5 fingerprint-attribute value). The
    /// value is kept as uppercase hex; the algorithm in lowercase.</summary>
    public static DtlsFingerprintError TryParse(ReadOnlySpan<char> text, out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        text = text.Trim();
        int sp = text.IndexOf(' ');
        if (sp <= 0) return DtlsFingerprintError.MissingValue;
        var algo = CanonicalAlgorithm(text[..sp]);
        if (algo is null) return DtlsFingerprintError.UnknownAlgorithm;
        var value = text[(sp + 1)..].Trim();
        var err = TryParseValue(algo, value, out var upper);
        if (err != DtlsFingerprintError.None) return err;
        fingerprint = new DtlsFingerprint(algo, upper!);
        return DtlsFingerprintError.None;
    }

    /// <summary>Validates a (algorithm, value) pair as received in dtlsParameters.</summary>
    public static DtlsFingerprintError TryCreate(string algorithm, string value, out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        var algo = CanonicalAlgorithm(algorithm);
        if (algo is null) return DtlsFingerprintError.UnknownAlgorithm;
        var err = TryParseValue(algo, value.AsSpan().Trim(), out var upper);
        if (err != DtlsFingerprintError.None) return err;
        fingerprint = new DtlsFingerprint(algo, upper!);
        return DtlsFingerprintError.None;
    }

    /// <summary>"sha-256 AB:CD:..." as in SDP.</summary>
    public override string ToString() => Algorithm + " " + Value;

    internal static int DigestLength(string canonical) => canonical switch
    {
        "sha-1" => 20, "sha-224" => 28, "sha-256" => 32, "sha-384" => 48, "sha-512" => 64, _ => 0,
    };

    internal static string? CanonicalAlgorithm(ReadOnlySpan<char> name)
    {
        foreach (var a in Algorithms)
            if (name.Equals(a, StringComparison.OrdinalIgnoreCase)) return a;
        return null;
    }

    private static DtlsFingerprintError TryParseValue(string algo, ReadOnlySpan<char> value, out string? upper)
    {
        upper = null;
        int n = DigestLength(algo);
        // n bytes = 2n hex digits + (n-1) colons.
        if (value.Length == 0) return DtlsFingerprintError.MissingValue;
        if ((value.Length + 1) % 3 != 0) return DtlsFingerprintError.BadHex;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool ok = i % 3 == 2 ? c == ':' : char.IsAsciiHexDigit(c);
            if (!ok) return DtlsFingerprintError.BadHex;
        }
        if ((value.Length + 1) / 3 != n) return DtlsFingerprintError.WrongLength;
        upper = value.ToString().ToUpperInvariant();
        return DtlsFingerprintError.None;
    }

    private static byte[] Hash(string canonical, ReadOnlySpan<byte> der)
    {
        var digest = DigestUtilities.GetDigest(canonical switch
        {
            "sha-1" => "SHA-1", "sha-224" => "SHA-224", "sha-256" => "SHA-256", "sha-384" => "SHA-384", _ => "SHA-512",
        });
        digest.BlockUpdate(der);
        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output);
        return output;
    }

    internal static string Format(ReadOnlySpan<byte> hash) =>
        hash.Length == 0 ? "" : string.Create(hash.Length * 3 - 1, hash.ToArray(), static (dst, h) =>
        {
            const string hex = "0123456789ABCDEF";
            for (int i = 0; i < h.Length; i++)
            {
                if (i > 0) dst[i * 3 - 1] = ':';
                dst[i * 3] = hex[h[i] >> 4];
                dst[i * 3 + 1] = hex[h[i] & 0xF];
            }
        });
}
