using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AkkaSfu.Signalling.Hosting;

/// <summary>The self-signed certificate the server makes for itself when HTTPS is on without a certificate
/// file: ECDSA P-256, SHA-256, a server-auth leaf (not a CA) for the given names, valid 30 days from one hour
/// before <c>now</c> (clocks differ). Kept in memory only: each start makes a new key, so a browser that
/// accepted the last one asks again (compare the fingerprint the server logs).</summary>
public static class DevelopmentCertificate
{
    public static readonly TimeSpan Validity = TimeSpan.FromDays(30);
    public static readonly TimeSpan Backdate = TimeSpan.FromHours(1);
    public const string Subject = "CN=AkkaSfu development certificate";
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>A certificate with its private key for <paramref name="dnsNames"/> and <paramref name="addresses"/>
    /// (the subject alternative names; duplicates and the unspecified addresses 0.0.0.0 and :: are left out).</summary>
    public static X509Certificate2 Create(IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTimeOffset now)
    {
        var names = dnsNames.Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var ips = addresses.Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)).Distinct().ToArray();
        if (names.Length == 0 && ips.Length == 0) throw new ArgumentException("a certificate needs at least one name or address");

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names) san.AddDnsName(n);
        foreach (var ip in ips) san.AddIpAddress(ip);
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var certificate = request.CreateSelfSigned(now - Backdate, now + Validity);
        if (!OperatingSystem.IsWindows()) return certificate;
        // Windows' TLS (SChannel) cannot use an ephemeral key: give it one it imported.
        using (certificate) return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The SHA-256 fingerprint of the certificate's DER encoding as browsers show it: 32 upper-case hex
    /// byte pairs separated by colons.</summary>
    public static string Fingerprint(X509Certificate certificate) =>
        string.Join(':', Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(p => new string(p)));
}
