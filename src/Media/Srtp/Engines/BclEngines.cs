// BCL fallbacks for the SRTP primitives: correct everywhere, slower (see fast-path.md §4).
using System.Buffers.Binary;
using System.Buffers;
using System.Security.Cryptography;

namespace AkkaSfu.Media.Srtp.Engines;

/// <summary>AES-CTR from a reused ECB ICryptoTransform over arrays of counters (96 blocks per call, no allocation).</summary>
internal sealed class BclCtr : CtrCipher
{
    private const int Chunk = 96 * 16;
    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[Chunk];
    private readonly byte[] _stream = new byte[Chunk];

    public BclCtr(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    public override void Apply(ReadOnlySpan<byte> iv16, Span<byte> data)
    {
        uint ctr = BinaryPrimitives.ReadUInt32BigEndian(iv16[12..]);
        for (int off = 0; off < data.Length; off += Chunk)
        {
            int n = Math.Min(Chunk, data.Length - off);
            int blocks = (n + 15) / 16;
            for (int b = 0; b < blocks; b++)
            {
                iv16[..12].CopyTo(_counters.AsSpan(b * 16, 12));
                BinaryPrimitives.WriteUInt32BigEndian(_counters.AsSpan(b * 16 + 12, 4), ctr++);
            }
            _ecb.TransformBlock(_counters, 0, blocks * 16, _stream, 0);
            Span<byte> d = data.Slice(off, n);
            for (int i = 0; i < n; i++) d[i] ^= _stream[i];
        }
    }

    public override void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }
}

/// <summary>HMAC-SHA1 on a reused IncrementalHash.</summary>
internal sealed class BclHmacSha1 : HmacSha1
{
    private readonly IncrementalHash _h;

    public BclHmacSha1(ReadOnlySpan<byte> key) => _h = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);

    public override void Compute(ReadOnlySpan<byte> data, ReadOnlySpan<byte> suffix, Span<byte> mac20)
    {
        _h.AppendData(data);
        if (!suffix.IsEmpty) _h.AppendData(suffix);
        _h.GetHashAndReset(mac20);
    }

    public override void Dispose() => _h.Dispose();
}

/// <summary>AES-GCM on System.Security.Cryptography.AesGcm; a split AAD is joined on the stack (or a pooled array).</summary>
internal sealed class BclGcm : GcmCipher
{
    private readonly AesGcm _gcm;

    public BclGcm(ReadOnlySpan<byte> key) => _gcm = new AesGcm(key, 16);

    public override void Encrypt(ReadOnlySpan<byte> iv12, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2,
        Span<byte> data, Span<byte> tag16)
    {
        if (aad2.IsEmpty)
        {
            _gcm.Encrypt(iv12, data, data, tag16, aad1);
            return;
        }
        int n = aad1.Length + aad2.Length;
        byte[]? rented = n > 256 ? ArrayPool<byte>.Shared.Rent(n) : null;
        Span<byte> aad = rented != null ? rented : stackalloc byte[256];
        aad1.CopyTo(aad);
        aad2.CopyTo(aad[aad1.Length..]);
        _gcm.Encrypt(iv12, data, data, tag16, aad[..n]);
        if (rented != null) ArrayPool<byte>.Shared.Return(rented);
    }

    public override bool Decrypt(ReadOnlySpan<byte> iv12, ReadOnlySpan<byte> aad1, ReadOnlySpan<byte> aad2,
        Span<byte> data, ReadOnlySpan<byte> tag16)
    {
        int n = aad1.Length + aad2.Length;
        byte[]? rented = n > 256 ? ArrayPool<byte>.Shared.Rent(n) : null;
        Span<byte> aad = rented != null ? rented : stackalloc byte[256];
        aad1.CopyTo(aad);
        aad2.CopyTo(aad[aad1.Length..]);
        try
        {
            _gcm.Decrypt(iv12, data, tag16, data, aad[..n]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            if (rented != null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void Dispose() => _gcm.Dispose();
}
