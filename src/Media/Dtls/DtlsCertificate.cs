// Self-signed ECDSA P-256 certificate for DTLS-SRTP (RFC 5763 §5: self-signed, identified by fingerprint).
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;
using Org.BouncyCastle.X509;

namespace AkkaSfu.Media.Dtls;

/// <summary>Our DTLS certificate: an ECDSA P-256 key pair, its self-signed X.509 DER, and its fingerprints.
/// Immutable; one per worker is typical and may be shared by all its transports.</summary>
public sealed class DtlsCertificate
{
    /// <summary>The key pair (private key signs the handshake).</summary>
    public AsymmetricCipherKeyPair KeyPair { get; }

    /// <summary>The certificate, DER encoded.</summary>
    public byte[] Der { get; }

    /// <summary>Fingerprints for sha-1, sha-224, sha-256, sha-384, sha-512 (mediasoup's dtlsParameters.fingerprints).</summary>
    public IReadOnlyList<DtlsFingerprint> Fingerprints { get; }

    /// <summary>The sha-256 fingerprint (what browsers put in a=fingerprint).</summary>
    public DtlsFingerprint Sha256 => Fingerprints[2];

    private DtlsCertificate(AsymmetricCipherKeyPair keyPair, byte[] der)
    {
        KeyPair = keyPair;
        Der = der;
        Fingerprints = DtlsFingerprint.Algorithms.Select(a => DtlsFingerprint.Compute(a, der)).ToArray();
    }

    /// <summary>Generates a new P-256 key and a self-signed certificate (random serial, CN=<paramref name="commonName"/>,
    /// valid from <paramref name="now"/> − 1 day to <paramref name="now"/> + <paramref name="validDays"/> days).</summary>
    public static DtlsCertificate Generate(string commonName = "AkkaSfu", int validDays = 30, DateTimeOffset? now = null)
    {
        var random = new SecureRandom();
        var gen = new ECKeyPairGenerator("EC");
        gen.Init(new ECKeyGenerationParameters(X9ObjectIdentifiers.Prime256v1, random));
        var keyPair = gen.GenerateKeyPair();

        var t = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        var name = new X509Name("CN=" + commonName);
        var certGen = new X509V3CertificateGenerator();
        certGen.SetSerialNumber(BigIntegers.CreateRandomInRange(BigInteger.One, BigInteger.One.ShiftLeft(63), random));
        certGen.SetIssuerDN(name);
        certGen.SetSubjectDN(name);
        certGen.SetNotBefore(t.AddDays(-1));
        certGen.SetNotAfter(t.AddDays(validDays));
        certGen.SetPublicKey(keyPair.Public);
        var cert = certGen.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keyPair.Private, random));
        return new DtlsCertificate(keyPair, cert.GetEncoded());
    }

    /// <summary>Parsed certificate (for tests and diagnostics).</summary>
    public X509Certificate ToX509() => new(Der);

    /// <summary>The private key as BC's EC parameters.</summary>
    internal ECPrivateKeyParameters PrivateKey => (ECPrivateKeyParameters)KeyPair.Private;
}
