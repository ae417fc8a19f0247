// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2) and the master key/salt a session uses.
namespace AkkaSfu.Media.Srtp;

/// <summary>SRTP protection profile, valued as its IANA DTLS-SRTP profile number.</summary>
public enum SrtpProfile : ushort
{
    None = 0,
    Aes128CmHmacSha1_80 = 0x0001,
    Aes128CmHmacSha1_32 = 0x0002,
    AeadAes128Gcm = 0x0007,
    AeadAes256Gcm = 0x0008,
}

public static class SrtpProfiles
{
    /// <summary>Master key length in bytes.</summary>
    public static int KeyLength(this SrtpProfile p) => p switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.Aes128CmHmacSha1_32 or SrtpProfile.AeadAes128Gcm => 16,
        SrtpProfile.AeadAes256Gcm => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "unknown SRTP profile"),
    };

    /// <summary>Master salt length in bytes (14 for AES-CM, 12 for AEAD).</summary>
    public static int SaltLength(this SrtpProfile p) => p switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.Aes128CmHmacSha1_32 => 14,
        SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "unknown SRTP profile"),
    };

    /// <summary>mediasoup's name for the profile (srtpParameters.cryptoSuite).</summary>
    public static string CryptoSuiteName(this SrtpProfile p) => p switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
        SrtpProfile.Aes128CmHmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        SrtpProfile.AeadAes128Gcm => "AEAD_AES_128_GCM",
        SrtpProfile.AeadAes256Gcm => "AEAD_AES_256_GCM",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "unknown SRTP profile"),
    };
}

/// <summary>One direction's SRTP master key and salt, as exported by DTLS-SRTP or signalled for plain SRTP.</summary>
public sealed record SrtpMasterKey(SrtpProfile Profile, byte[] Key, byte[] Salt)
{
    /// <summary>Splits DTLS-SRTP keying material (RFC 5764 §4.2: client key | server key | client salt |
    /// server salt) into (local, remote) keys for the given DTLS role.</summary>
    public static (SrtpMasterKey Local, SrtpMasterKey Remote) FromDtlsExport(
        SrtpProfile profile, ReadOnlySpan<byte> material, bool isDtlsClient)
    {
        int k = profile.KeyLength(), s = profile.SaltLength();
        if (material.Length != 2 * (k + s))
            throw new ArgumentException($"keying material is {material.Length} bytes, want {2 * (k + s)}", nameof(material));
        var client = new SrtpMasterKey(profile, material[..k].ToArray(), material.Slice(2 * k, s).ToArray());
        var server = new SrtpMasterKey(profile, material.Slice(k, k).ToArray(), material.Slice(2 * k + s, s).ToArray());
        return isDtlsClient ? (client, server) : (server, client);
    }
}
