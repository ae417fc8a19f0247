// Interop sanity: our protect output equals an independent SRTP/SRTCP written here on BouncyCastle's
// SicBlockCipher (AES-CTR), HMac(SHA-1) and GcmBlockCipher, straight from RFC 3711 §3.3/§3.4/§4 and RFC 7714 §8–9.
using System.Buffers.Binary;
using AkkaSfu.Media.Srtp;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit;
using static AkkaSfu.Media.Tests.Srtp.H;

namespace AkkaSfu.Media.Tests.Srtp;

public class SrtpCrossCheckTests
{
    private static byte[] Rand(Random r, int n) { var b = new byte[n]; r.NextBytes(b); return b; }

    [Theory, MemberData(nameof(ProfilesAndBackends), MemberType = typeof(H))]
    public void Protect_equals_bouncycastle_reference(SrtpProfile p, bool fast)
    {
        var r = new Random((int)p * 31 + (fast ? 1 : 0));
        bool aead = p is SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm;
        int keyLen = p == SrtpProfile.AeadAes256Gcm ? 32 : 16, saltLen = aead ? 12 : 14;
        var rtpKeys = new SrtpSessionKeys(Rand(r, keyLen), aead ? [] : Rand(r, 20), Rand(r, saltLen));
        var rtcpKeys = new SrtpSessionKeys(Rand(r, keyLen), aead ? [] : Rand(r, 20), Rand(r, saltLen));
        int tagLen = p == SrtpProfile.Aes128CmHmacSha1_32 ? 4 : aead ? 16 : 10;

        for (int i = 0; i < 200; i++)
        {
            using var s = new SrtpSession(p, (rtpKeys, rtcpKeys), B(fast));
            uint ssrc = (uint)r.NextInt64(0, 1L << 32), roc = (uint)r.Next(0, 3) * (uint)r.Next(0, 70000);
            ushort seq = (ushort)r.Next(0, 65536);
            var plain = TestRtp(seq, ssrc, r.Next(0, 1300), r.Next(0, 4), r.Next(2) == 0, i);
            int hl = 12 + 4 * (plain[0] & 0x0F) + ((plain[0] & 0x10) != 0 ? 8 : 0);
            s.SetRtpSendIndex(ssrc, ((ulong)roc << 16) | seq);
            Assert.Equal(S(RefRtp(aead, rtpKeys, tagLen, plain, hl, ssrc, roc, seq)), S(ProtectRtp(s, plain)));

            var rtcp = TestRtcp(ssrc, r.Next(1, 60));
            uint index = (uint)r.Next(1, int.MaxValue);
            s.SetRtcpSendIndex(ssrc, index - 1);
            Assert.Equal(S(RefRtcp(aead, rtcpKeys, rtcp, ssrc, index)), S(ProtectRtcp(s, rtcp)));
        }
    }

    private static byte[] RefRtp(bool aead, SrtpSessionKeys k, int tagLen, byte[] plain, int hl, uint ssrc, uint roc, ushort seq)
    {
        if (aead)
        {
            var iv = new byte[12];
            BinaryPrimitives.WriteUInt32BigEndian(iv.AsSpan(2), ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(iv.AsSpan(6), roc);
            BinaryPrimitives.WriteUInt16BigEndian(iv.AsSpan(10), seq);
            for (int i = 0; i < 12; i++) iv[i] ^= k.Salt[i];
            return Gcm(k.CipherKey, iv, plain[..hl], plain[..hl], plain[hl..], []);
        }
        var ctrIv = new byte[16];
        k.Salt.CopyTo(ctrIv, 0);
        var x = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(x.AsSpan(4), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(x.AsSpan(8), roc);
        BinaryPrimitives.WriteUInt16BigEndian(x.AsSpan(12), seq);
        for (int i = 0; i < 16; i++) ctrIv[i] ^= x[i];
        var body = Ctr(k.CipherKey, ctrIv, plain[hl..]);
        var pkt = plain[..hl].Concat(body).ToArray();
        var rocB = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocB, roc);
        return pkt.Concat(Hmac(k.AuthKey, pkt.Concat(rocB).ToArray())[..tagLen]).ToArray();
    }

    private static byte[] RefRtcp(bool aead, SrtpSessionKeys k, byte[] plain, uint ssrc, uint index)
    {
        var ei = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(ei, 0x8000_0000 | index);
        if (aead)
        {
            var iv = new byte[12];
            BinaryPrimitives.WriteUInt32BigEndian(iv.AsSpan(2), ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(iv.AsSpan(8), index);
            for (int i = 0; i < 12; i++) iv[i] ^= k.Salt[i];
            return Gcm(k.CipherKey, iv, plain[..8].Concat(ei).ToArray(), plain[..8], plain[8..], ei);
        }
        var ctrIv = new byte[16];
        k.Salt.CopyTo(ctrIv, 0);
        var x = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(x.AsSpan(4), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(x.AsSpan(10), index);
        for (int i = 0; i < 16; i++) ctrIv[i] ^= x[i];
        var pkt = plain[..8].Concat(Ctr(k.CipherKey, ctrIv, plain[8..])).Concat(ei).ToArray();
        return pkt.Concat(Hmac(k.AuthKey, pkt)[..10]).ToArray();
    }

    private static byte[] Gcm(byte[] key, byte[] iv, byte[] aad, byte[] head, byte[] body, byte[] tail)
    {
        var g = new GcmBlockCipher(new AesEngine());
        g.Init(true, new AeadParameters(new KeyParameter(key), 128, iv, aad));
        var outp = new byte[g.GetOutputSize(body.Length)];
        int n = g.ProcessBytes(body, 0, body.Length, outp, 0);
        g.DoFinal(outp, n);
        return head.Concat(outp).Concat(tail).ToArray();
    }

    private static byte[] Ctr(byte[] key, byte[] iv, byte[] data)
    {
        var c = new SicBlockCipher(new AesEngine());
        c.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
        var outp = new byte[data.Length];
        var blockIn = new byte[16];
        var blockOut = new byte[16];
        for (int off = 0; off < data.Length; off += 16)
        {
            int n = Math.Min(16, data.Length - off);
            Array.Clear(blockIn);
            Array.Copy(data, off, blockIn, 0, n);
            c.ProcessBlock(blockIn, 0, blockOut, 0);
            Array.Copy(blockOut, 0, outp, off, n);
        }
        return outp;
    }

    private static byte[] Hmac(byte[] key, byte[] data)
    {
        var h = new HMac(new Sha1Digest());
        h.Init(new KeyParameter(key));
        h.BlockUpdate(data, 0, data.Length);
        var mac = new byte[20];
        h.DoFinal(mac, 0);
        return mac;
    }
}
