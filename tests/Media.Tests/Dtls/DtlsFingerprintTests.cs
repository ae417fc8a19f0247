using System.Security.Cryptography;
using AkkaSfu.Media.Dtls;
using FsCheck.Xunit;
using Xunit;

namespace AkkaSfu.Media.Tests.Dtls;

public class DtlsFingerprintTests
{
    private static string Colons(byte[] hash) => string.Join(":", hash.Select(b => b.ToString("X2")));

    [Fact]
    public void Certificate_fingerprints_match_System_Security_Cryptography()
    {
        var cert = DtlsPair.ServerCert;
        Assert.Equal(["sha-1", "sha-224", "sha-256", "sha-384", "sha-512"], cert.Fingerprints.Select(f => f.Algorithm));
        Assert.Equal(Colons(SHA1.HashData(cert.Der)), cert.Fingerprints[0].Value);
        Assert.Equal(Colons(SHA256.HashData(cert.Der)), cert.Fingerprints[2].Value);
        Assert.Equal(Colons(SHA384.HashData(cert.Der)), cert.Fingerprints[3].Value);
        Assert.Equal(Colons(SHA512.HashData(cert.Der)), cert.Fingerprints[4].Value);
        Assert.Equal(cert.Fingerprints[2], cert.Sha256);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", cert.Sha256.Value);
        foreach (var f in cert.Fingerprints) Assert.True(f.Matches(cert.Der), f.Algorithm);
    }

    [Theory] // FIPS 180-2 appendix vectors for "abc".
    [InlineData("sha-1", "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D")]
    [InlineData("sha-224", "23:09:7D:22:34:05:D8:22:86:42:A4:77:BD:A2:55:B3:2A:AD:BC:E4:BD:A0:B3:F7:E3:6C:9D:A7")]
    [InlineData("sha-256", "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")]
    public void Compute_matches_FIPS_vectors(string algorithm, string expected)
    {
        var f = DtlsFingerprint.Compute(algorithm, "abc"u8);
        Assert.Equal(algorithm, f.Algorithm);
        Assert.Equal(expected, f.Value);
        Assert.Equal(expected.Length, DtlsFingerprint.Compute(algorithm.ToUpperInvariant(), "abc"u8).Value.Length);
    }

    [Fact]
    public void Matches_is_case_insensitive_and_algorithm_aware()
    {
        var der = DtlsPair.ClientCert.Der;
        var sha256 = DtlsPair.ClientCert.Sha256;
        Assert.True(new DtlsFingerprint("SHA-256", sha256.Value.ToLowerInvariant()).Matches(der));
        Assert.False(sha256.Matches(DtlsPair.ServerCert.Der));
        Assert.False(new DtlsFingerprint("sha-384", sha256.Value).Matches(der)); // right value, wrong algorithm
        Assert.False(new DtlsFingerprint("md5", sha256.Value).Matches(der));
        Assert.Throws<ArgumentException>(() => DtlsFingerprint.Compute("md5", der));
    }

    [Fact]
    public void ToString_round_trips_through_TryParse()
    {
        foreach (var f in DtlsPair.ServerCert.Fingerprints)
        {
            Assert.Equal(DtlsFingerprintError.None, DtlsFingerprint.TryParse(f.ToString(), out var parsed));
            Assert.Equal(f, parsed);
        }
    }

    [Theory]
    [InlineData("sha-1 A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D", DtlsFingerprintError.None)]
    [InlineData("  SHA-1   a9:99:3e:36:47:06:81:6a:ba:3e:25:71:78:50:c2:6c:9c:d0:d8:9d ", DtlsFingerprintError.None)]
    [InlineData("", DtlsFingerprintError.MissingValue)]
    [InlineData("sha-256", DtlsFingerprintError.MissingValue)]
    [InlineData(" sha-256 ", DtlsFingerprintError.MissingValue)]
    [InlineData("md5 A9:99", DtlsFingerprintError.UnknownAlgorithm)]
    [InlineData("sha-2 A9:99", DtlsFingerprintError.UnknownAlgorithm)]
    [InlineData("sha-1 A9:99:3E", DtlsFingerprintError.WrongLength)]
    [InlineData("sha-256 A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D", DtlsFingerprintError.WrongLength)]
    [InlineData("sha-1 ZZ:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D", DtlsFingerprintError.BadHex)]
    [InlineData("sha-1 A99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D:0", DtlsFingerprintError.BadHex)]
    [InlineData("sha-1 A9-99-3E-36-47-06-81-6A-BA-3E-25-71-78-50-C2-6C-9C-D0-D8-9D", DtlsFingerprintError.BadHex)]
    [InlineData("sha-1 A9993E364706816ABA3E25717850C26C9CD0D89D", DtlsFingerprintError.BadHex)]
    [InlineData("sha-1 A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D:", DtlsFingerprintError.BadHex)]
    public void TryParse_table(string text, DtlsFingerprintError expected)
    {
        var err = DtlsFingerprint.TryParse(text, out var f);
        Assert.Equal(expected, err);
        if (expected == DtlsFingerprintError.None)
        {
            Assert.Equal("sha-1", f!.Algorithm);
            Assert.Equal("A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D", f.Value);
        }
        else
        {
            Assert.Null(f);
        }
    }

    [Fact]
    public void TryCreate_validates_dtlsParameters_pairs()
    {
        var sha = DtlsPair.ServerCert.Sha256;
        Assert.Equal(DtlsFingerprintError.None, DtlsFingerprint.TryCreate("SHA-256", sha.Value.ToLowerInvariant(), out var f));
        Assert.Equal(sha, f);
        Assert.Equal(DtlsFingerprintError.UnknownAlgorithm, DtlsFingerprint.TryCreate("sha-3", sha.Value, out _));
        Assert.Equal(DtlsFingerprintError.WrongLength, DtlsFingerprint.TryCreate("sha-1", sha.Value, out _));
    }

    [Property(MaxTest = 500)]
    public bool TryParse_never_throws_on_random_text(string? text)
    {
        var err = DtlsFingerprint.TryParse(text ?? "", out var f);
        return err == DtlsFingerprintError.None
            ? f is not null && f.Value.Length == DtlsFingerprint.Compute(f.Algorithm, []).Value.Length
            : f is null;
    }

    [Property(MaxTest = 300)]
    public bool TryParse_never_throws_on_mutated_valid_text(int position, char replacement)
    {
        var valid = DtlsPair.ServerCert.Sha256.ToString().ToCharArray();
        valid[(int)((uint)position % (uint)valid.Length)] = replacement;
        var err = DtlsFingerprint.TryParse(new string(valid), out var f);
        return (err == DtlsFingerprintError.None) == (f is not null);
    }
}

public class DtlsCertificateTests
{
    [Fact]
    public void Generate_makes_a_self_signed_P256_certificate()
    {
        var now = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var cert = DtlsCertificate.Generate("AkkaSfu", 30, now);
        var x509 = cert.ToX509();
        x509.Verify(x509.GetPublicKey()); // self-signed: throws if the signature is wrong
        Assert.Equal("CN=AkkaSfu", x509.SubjectDN.ToString());
        Assert.Equal(x509.SubjectDN.ToString(), x509.IssuerDN.ToString());
        Assert.Equal("1.2.840.10045.4.3.2", x509.SigAlgOid); // ecdsa-with-SHA256
        var key = Assert.IsType<Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters>(x509.GetPublicKey());
        Assert.Equal(256, key.Parameters.Curve.FieldSize);
        Assert.Equal(now.UtcDateTime.AddDays(-1), x509.NotBefore.ToUniversalTime());
        Assert.Equal(now.UtcDateTime.AddDays(30), x509.NotAfter.ToUniversalTime());
        Assert.Equal(cert.Der, x509.GetEncoded());

        // BCL agrees it is an ECDSA P-256 certificate.
        using var bcl = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(cert.Der);
        using var ecdsa = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPublicKey(bcl);
        Assert.NotNull(ecdsa);
        Assert.Equal(256, ecdsa!.KeySize);
    }

    [Fact]
    public void Each_generation_has_a_fresh_key_and_serial()
    {
        var a = DtlsCertificate.Generate();
        var b = DtlsCertificate.Generate();
        Assert.NotEqual(a.ToX509().SerialNumber, b.ToX509().SerialNumber);
        Assert.NotEqual(a.Sha256, b.Sha256);
        Assert.True(a.ToX509().SerialNumber.SignValue > 0);
    }
}

public class DtlsRoleTests
{
    [Theory] // mediasoup WebRtcTransport::Connect
    [InlineData(DtlsRole.Client, DtlsRole.Server)]
    [InlineData(DtlsRole.Server, DtlsRole.Client)]
    [InlineData(DtlsRole.Auto, DtlsRole.Client)]
    public void ResolveLocal_table(DtlsRole remote, DtlsRole local) => Assert.Equal(local, DtlsRoles.ResolveLocal(remote));

    [Fact]
    public void We_advertise_auto_and_wire_names_round_trip()
    {
        Assert.Equal(DtlsRole.Auto, DtlsRoles.Advertised);
        foreach (var r in new[] { DtlsRole.Auto, DtlsRole.Client, DtlsRole.Server })
        {
            Assert.True(DtlsRoles.TryParse(r.ToWire(), out var parsed));
            Assert.Equal(r, parsed);
        }
        Assert.Equal("auto", DtlsRole.Auto.ToWire());
        Assert.True(DtlsRoles.TryParse("CLIENT", out var c));
        Assert.Equal(DtlsRole.Client, c);
        Assert.False(DtlsRoles.TryParse("actpass", out _));
        Assert.False(DtlsRoles.TryParse("", out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => DtlsRoles.ResolveLocal((DtlsRole)9));
    }
}
