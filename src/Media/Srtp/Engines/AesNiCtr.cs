// AES-CTR (RFC 3711 §4.1.1 AES-CM keystream) on X86 AES-NI, 8 blocks in flight; FIPS-197 key expansion in software.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace AkkaSfu.Media.Srtp.Engines;

/// <summary>Managed AES-128/256 CTR on AES-NI. Counter = last 4 bytes of the IV, big-endian.</summary>
internal sealed class AesNiCtr : CtrCipher
{
    public static bool IsSupported => X86Aes.IsSupported && !ForceDisabled;

    /// <summary>Test hook: pretend AES-NI is missing.</summary>
    internal static bool ForceDisabled;

    private readonly Vector128<byte>[] _rk;
    private readonly int _rounds;

    public AesNiCtr(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16 && key.Length != 32) throw new ArgumentException("AES-NI CTR takes 16 or 32 byte keys", nameof(key));
        _rounds = key.Length == 16 ? 10 : 14;
        byte[] w = AesKeySchedule.Expand(key);
        _rk = new Vector128<byte>[_rounds + 1];
        for (int i = 0; i <= _rounds; i++) _rk[i] = Vector128.Create(w, i * 16);
    }

    public override void Apply(ReadOnlySpan<byte> iv16, Span<byte> data)
    {
        Vector128<uint> baseIv = Vector128.Create(iv16).AsUInt32();
        uint ctr = BinaryPrimitives.ReadUInt32BigEndian(iv16[12..]);
        ref byte d = ref MemoryMarshal.GetReference(data);
        nuint len = (nuint)data.Length, off = 0;
        Vector128<byte>[] rk = _rk;
        int rounds = _rounds;
        Vector128<byte> k0 = rk[0], kl = rk[rounds];

        while (len - off >= 128)
        {
            Vector128<byte> b0 = Block(baseIv, ctr) ^ k0, b1 = Block(baseIv, ctr + 1) ^ k0;
            Vector128<byte> b2 = Block(baseIv, ctr + 2) ^ k0, b3 = Block(baseIv, ctr + 3) ^ k0;
            Vector128<byte> b4 = Block(baseIv, ctr + 4) ^ k0, b5 = Block(baseIv, ctr + 5) ^ k0;
            Vector128<byte> b6 = Block(baseIv, ctr + 6) ^ k0, b7 = Block(baseIv, ctr + 7) ^ k0;
            ctr += 8;
            for (int r = 1; r < rounds; r++)
            {
                Vector128<byte> k = rk[r];
                b0 = X86Aes.Encrypt(b0, k); b1 = X86Aes.Encrypt(b1, k);
                b2 = X86Aes.Encrypt(b2, k); b3 = X86Aes.Encrypt(b3, k);
                b4 = X86Aes.Encrypt(b4, k); b5 = X86Aes.Encrypt(b5, k);
                b6 = X86Aes.Encrypt(b6, k); b7 = X86Aes.Encrypt(b7, k);
            }
            (X86Aes.EncryptLast(b0, kl) ^ Vector128.LoadUnsafe(ref d, off)).StoreUnsafe(ref d, off);
            (X86Aes.EncryptLast(b1, kl) ^ Vector128.LoadUnsafe(ref d, off + 16)).StoreUnsafe(ref d, off + 16);
            (X86Aes.EncryptLast(b2, kl) ^ Vector128.LoadUnsafe(ref d, off + 32)).StoreUnsafe(ref d, off + 32);
            (X86Aes.EncryptLast(b3, kl) ^ Vector128.LoadUnsafe(ref d, off + 48)).StoreUnsafe(ref d, off + 48);
            (X86Aes.EncryptLast(b4, kl) ^ Vector128.LoadUnsafe(ref d, off + 64)).StoreUnsafe(ref d, off + 64);
            (X86Aes.EncryptLast(b5, kl) ^ Vector128.LoadUnsafe(ref d, off + 80)).StoreUnsafe(ref d, off + 80);
            (X86Aes.EncryptLast(b6, kl) ^ Vector128.LoadUnsafe(ref d, off + 96)).StoreUnsafe(ref d, off + 96);
            (X86Aes.EncryptLast(b7, kl) ^ Vector128.LoadUnsafe(ref d, off + 112)).StoreUnsafe(ref d, off + 112);
            off += 128;
        }
        while (off < len)
        {
            Vector128<byte> b = Block(baseIv, ctr++) ^ k0;
            for (int r = 1; r < rounds; r++) b = X86Aes.Encrypt(b, rk[r]);
            b = X86Aes.EncryptLast(b, kl);
            if (len - off >= 16)
            {
                (b ^ Vector128.LoadUnsafe(ref d, off)).StoreUnsafe(ref d, off);
                off += 16;
            }
            else
            {
                for (int i = 0; off < len; i++, off++) Unsafe.Add(ref d, off) ^= b.GetElement(i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Block(Vector128<uint> iv, uint ctr) =>
        iv.WithElement(3, BinaryPrimitives.ReverseEndianness(ctr)).AsByte();
}

/// <summary>FIPS-197 §5.2 key expansion for 128- and 256-bit keys; round keys as bytes in order.</summary>
internal static class AesKeySchedule
{
    private static readonly byte[] Sbox = BuildSbox();

    public static byte[] Expand(ReadOnlySpan<byte> key)
    {
        int nk = key.Length / 4, nr = nk + 6, total = 4 * (nr + 1);
        byte[] w = new byte[total * 4];
        key.CopyTo(w);
        byte rcon = 1;
        Span<byte> t = stackalloc byte[4];
        for (int i = nk; i < total; i++)
        {
            w.AsSpan((i - 1) * 4, 4).CopyTo(t);
            if (i % nk == 0)
            {
                byte t0 = t[0];
                t[0] = (byte)(Sbox[t[1]] ^ rcon); t[1] = Sbox[t[2]]; t[2] = Sbox[t[3]]; t[3] = Sbox[t0];
                rcon = (byte)((rcon << 1) ^ ((rcon & 0x80) != 0 ? 0x1b : 0));
            }
            else if (nk > 6 && i % nk == 4)
            {
                for (int j = 0; j < 4; j++) t[j] = Sbox[t[j]];
            }
            for (int j = 0; j < 4; j++) w[i * 4 + j] = (byte)(w[(i - nk) * 4 + j] ^ t[j]);
        }
        return w;
    }

    private static byte[] BuildSbox()
    {
        var s = new byte[256];
        byte p = 1, q = 1;
        do
        {
            p = (byte)(p ^ (p << 1) ^ ((p & 0x80) != 0 ? 0x1b : 0));
            q ^= (byte)(q << 1); q ^= (byte)(q << 2); q ^= (byte)(q << 4);
            if ((q & 0x80) != 0) q ^= 0x09;
            byte x = (byte)(q ^ Rotl(q, 1) ^ Rotl(q, 2) ^ Rotl(q, 3) ^ Rotl(q, 4));
            s[p] = (byte)(x ^ 0x63);
        } while (p != 1);
        s[0] = 0x63;
        return s;
    }

    private static byte Rotl(byte x, int n) => (byte)((x << n) | (x >> (8 - n)));
}
