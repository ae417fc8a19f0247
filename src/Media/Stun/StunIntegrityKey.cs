// Reusable HMAC-SHA1 for MESSAGE-INTEGRITY (RFC 8489 §14.5) with a short-term key (the ICE password).
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AkkaSfu.Media.Stun;

/// <summary>
/// A MESSAGE-INTEGRITY key with its HMAC state kept between messages: cheaper than a one-shot HMAC per
/// message and allocation-free. Not thread-safe: one per owner (e.g. per IceServer).
/// </summary>
public sealed class StunIntegrityKey : IDisposable
{
    private readonly IncrementalHash _hmac;

    /// <summary>Creates the key from raw bytes (short-term credential: the password's UTF-8 bytes).</summary>
    public StunIntegrityKey(ReadOnlySpan<byte> key)
    {
        Key = key.ToArray();
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Key);
    }

    /// <summary>Creates the key from a password (ICE passwords are ASCII ice-chars).</summary>
    public StunIntegrityKey(string password) : this(Encoding.UTF8.GetBytes(password)) { }

    /// <summary>The raw key bytes.</summary>
    public byte[] Key { get; }

    /// <summary>HMAC-SHA1 over <paramref name="prefix"/> (header and attributes before MESSAGE-INTEGRITY) with the
    /// header length patched to end after a MESSAGE-INTEGRITY attribute; no copy of the message.</summary>
    internal void Compute(ReadOnlySpan<byte> prefix, Span<byte> mac)
    {
        Span<byte> head = stackalloc byte[4];
        prefix[..2].CopyTo(head);
        BinaryPrimitives.WriteUInt16BigEndian(head[2..], (ushort)(prefix.Length - StunConst.HeaderLength + 4 + StunConst.IntegrityLength));
        _hmac.AppendData(head);
        _hmac.AppendData(prefix[4..]);
        _hmac.GetHashAndReset(mac);
    }

    public void Dispose() => _hmac.Dispose();
}
