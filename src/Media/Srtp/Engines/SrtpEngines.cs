// The three primitives SRTP needs (RFC 3711 §4.1.1 AES-CM, §4.2.1 HMAC-SHA1; RFC 7714 AES-GCM), each with a
// BCL implementation and a faster one (managed AES-NI CTR, OpenSSL libcrypto.so.3 via function pointers).
namespace AkkaSfu.Media.Srtp.Engines;

/// <summary>Which implementations a session uses. Tests run every vector on both.</summary>
internal enum SrtpBackend
{
    /// <summary>System.Security.Cryptography only (Aes ECB keystream, IncrementalHash, AesGcm).</summary>
    Bcl,
    /// <summary>AES-NI CTR when supported, OpenSSL HMAC and GCM when libcrypto.so.3 loads; BCL otherwise.</summary>
    Fast,
}

/// <summary>AES in counter mode: XORs data with E(k, iv), E(k, iv+1), ... (the low 32 bits count, big-endian).</summary>
internal abstract class CtrCipher : IDisposable
{
    public abstract void Apply(ReadOnlySpan<byte> iv16, Span<byte> data);
    public virtual void Dispose() { }

    public static CtrCipher Create(ReadOnlySpan<byte> key, SrtpBackend backend) =>
        backend == SrtpBackend.Fast && AesNiCtr.IsSupported ? new AesNiCtr(key) : new BclCtr(key);
}

/// <summary>HMAC-SHA1 over data || suffix (suffix = ROC for SRTP, empty for SRTCP), 20-byte output.</summary>
internal abstract class HmacSha1 : IDisposable
{
    public abstract void Compute(ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> mac20);
    public virtual void Dispose() { }

    public static HmacSha1 Create(ReadOnlySpan<byte> key, SrtpBackend backend) =>
        backend == SrtpBackend.Fast && OpenSsl.IsAvailable ? new OpenSslHmacSha1(key) : new BclHmacSha1(key);
}

/// <summary>AES-GCM with a 12-byte IV and 16-byte tag, in place; AAD may come in two pieces.</summary>
internal abstract class GcmCipher : IDisposable
{
    public abstract void Encrypt(ReadOnlySpan<byte> iv12, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2,
        Span<byte> data, Span<byte> tag16);

    /// <summary>False if the tag does not verify; data is then undefined.</summary>
    public abstract bool Decrypt(ReadOnlySpan<byte> iv12, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2,
        Span<byte> data, ReadOnlySpan<byte> tag16);

    public virtual void Dispose() { }

    public static GcmCipher Create(ReadOnlySpan<byte> key, SrtpBackend backend) =>
        backend == SrtpBackend.Fast && OpenSsl.IsAvailable ? new OpenSslGcm(key) : new BclGcm(key);
}
