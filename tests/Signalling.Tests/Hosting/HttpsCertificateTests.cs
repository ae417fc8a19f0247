using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Akka.Configuration;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Hosting;

namespace AkkaSfu.Signalling.Tests.Hosting;

/// <summary>The self-signed development certificate, its fingerprint, and loading PEM files (no server).</summary>
public sealed class HttpsCertificateTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("akkasfu-https-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SfuSettings Sfu(IPAddress listen, IPAddress? announced) =>
        new(1, listen, announced, 40000, 49999, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30));

    private static X509SubjectAlternativeNameExtension San(X509Certificate2 c) =>
        c.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();

    [Fact]
    public void The_development_certificate_is_an_ecdsa_p256_server_leaf_for_its_names_valid_30_days()
    {
        using var c = DevelopmentCertificate.Create(["localhost", "sfu.example.test"], [IPAddress.Loopback, IPAddress.Parse("192.0.2.10"), IPAddress.Any], Now);

        Assert.True(c.HasPrivateKey);
        Assert.Equal(c.SubjectName.Name, c.IssuerName.Name); // self-signed
        using var key = c.GetECDsaPublicKey()!;
        Assert.Equal("1.2.840.10045.3.1.7", key.ExportParameters(false).Curve.Oid.Value); // P-256 (secp256r1)
        Assert.Equal("1.2.840.10045.4.3.2", c.SignatureAlgorithm.Value); // ecdsa-with-SHA256

        Assert.Equal(["localhost", "sfu.example.test"], San(c).EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.Parse("192.0.2.10")], San(c).EnumerateIPAddresses()); // 0.0.0.0 left out

        var usage = c.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        var eku = c.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value)); // serverAuth
        Assert.False(c.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);

        Assert.Equal(Now.UtcDateTime - TimeSpan.FromHours(1), c.NotBefore.ToUniversalTime());
        Assert.Equal(Now.UtcDateTime + TimeSpan.FromDays(30), c.NotAfter.ToUniversalTime());
    }

    [Fact]
    public void Each_development_certificate_has_its_own_key()
    {
        using var a = DevelopmentCertificate.Create(["localhost"], [], Now);
        using var b = DevelopmentCertificate.Create(["localhost"], [], Now);
        Assert.NotEqual(DevelopmentCertificate.Fingerprint(a), DevelopmentCertificate.Fingerprint(b));
        Assert.Throws<ArgumentException>(() => DevelopmentCertificate.Create([], [IPAddress.Any], Now));
    }

    [Fact]
    public void The_fingerprint_is_the_sha256_of_the_der_as_colon_separated_hex_pairs()
    {
        using var c = DevelopmentCertificate.Create(["localhost"], [], Now);
        var f = DevelopmentCertificate.Fingerprint(c);
        Assert.Matches(new Regex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"), f);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(c.RawData)), f.Replace(":", ""));
    }

    [Fact]
    public void The_generated_certificate_names_localhost_the_host_the_media_addresses_and_the_url_hosts()
    {
        var https = HttpsHosting.Generate(Sfu(IPAddress.Any, IPAddress.Parse("203.0.113.7")),
            ["https://+:5443", "https://sfu.example.test:5443", "https://[::]:5444", "https://192.0.2.20:5445"], Now);
        var c = https.Certificate;
        Assert.True(https.Generated);
        Assert.Empty(https.Chain);
        var dns = San(c).EnumerateDnsNames().ToArray();
        Assert.Contains("localhost", dns);
        Assert.Contains("sfu.example.test", dns);
        if (Uri.CheckHostName(Dns.GetHostName()) == UriHostNameType.Dns) Assert.Contains(Dns.GetHostName(), dns, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("+", dns);
        var ips = San(c).EnumerateIPAddresses().ToArray();
        Assert.Equal(
            new[] { IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("203.0.113.7"), IPAddress.Parse("192.0.2.20") }.Order(new ByText()),
            ips.Order(new ByText()));
        Assert.Equal(dns.Concat(ips.Select(i => i.ToString())).Order(), https.Names.Order());

        var listening = HttpsHosting.Generate(Sfu(IPAddress.Parse("192.0.2.30"), null), [HttpsHosting.DefaultHttpsUrl], Now);
        Assert.Contains(IPAddress.Parse("192.0.2.30"), San(listening.Certificate).EnumerateIPAddresses());
    }

    private sealed class ByText : IComparer<IPAddress>
    {
        public int Compare(IPAddress? x, IPAddress? y) => string.CompareOrdinal(x?.ToString(), y?.ToString());
    }

    [Fact]
    public void A_pem_certificate_loads_with_its_key_from_a_separate_file_or_the_same_one_and_keeps_its_chain()
    {
        using var leaf = DevelopmentCertificate.Create(["sfu.example.test"], [], Now);
        using var intermediate = DevelopmentCertificate.Create(["intermediate.example.test"], [], Now);
        var (cert, key, both) = (Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"), Path.Combine(_dir, "both.pem"));
        File.WriteAllText(cert, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem());
        File.WriteAllText(key, leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(both, leaf.ExportCertificatePem() + "\n" + leaf.GetECDsaPrivateKey()!.ExportECPrivateKeyPem());

        var loaded = HttpsHosting.Load(cert, key);
        Assert.False(loaded.Generated);
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(leaf.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.Equal(DevelopmentCertificate.Fingerprint(leaf), loaded.Fingerprint);
        Assert.Equal([intermediate.Thumbprint], loaded.Chain.Select(c => c.Thumbprint));

        var single = HttpsHosting.Load(both, null);
        Assert.True(single.Certificate.HasPrivateKey);
        Assert.Equal(leaf.Thumbprint, single.Certificate.Thumbprint);
        Assert.Empty(single.Chain);
    }

    [Fact]
    public void A_certificate_that_does_not_load_is_a_clear_error()
    {
        using var leaf = DevelopmentCertificate.Create(["sfu.example.test"], [], Now);
        using var other = DevelopmentCertificate.Create(["other.example.test"], [], Now);
        var (cert, wrongKey, garbage) = (Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "wrong.pem"), Path.Combine(_dir, "garbage.pem"));
        File.WriteAllText(cert, leaf.ExportCertificatePem());
        File.WriteAllText(wrongKey, other.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        Assert.Contains("could not load the certificate", Assert.Throws<ConfigurationException>(() => HttpsHosting.Load(cert, wrongKey)).Message);
        Assert.Contains("could not load the certificate", Assert.Throws<ConfigurationException>(() => HttpsHosting.Load(garbage, wrongKey)).Message);
        Assert.Contains("could not load the certificate", Assert.Throws<ConfigurationException>(() => HttpsHosting.Load(cert, null)).Message); // no key in it
    }

    [Fact]
    public void The_https_flag_is_taken_out_of_the_arguments()
    {
        Assert.Equal(["--urls", "https://0.0.0.0:5443"], HttpsHosting.TakeFlag(["--https", "--urls", "https://0.0.0.0:5443"], out var on));
        Assert.True(on);
        Assert.Equal(["--urls", "http://localhost:5000"], HttpsHosting.TakeFlag(["--urls", "http://localhost:5000"], out var off));
        Assert.False(off);
    }
}
