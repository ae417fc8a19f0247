// RFC 3711 Appendix B.2 (AES-CM keystream), B.3 (key derivation), libsrtp's srtp_driver known answers
// (RFC 3711 B.3 master key, AES_CM_128_HMAC_SHA1_80/32, SRTCP index 1), RFC 7714 §16–17 (AEAD 128/256).
using AkkaSfu.Media.Srtp;
using Xunit;
using AkkaSfu.Media.Srtp.Engines;
using static AkkaSfu.Media.Tests.Srtp.H;

namespace AkkaSfu.Media.Tests.Srtp;

public class SrtpVectorTests
{
    // RFC 3711 B.3
    private static readonly byte[] B3MasterKey = X("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] B3MasterSalt = X("0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void Kdf_matches_rfc3711_b3()
    {
        var key = new byte[16];
        var salt = new byte[14];
        var auth = new byte[20];
        SrtpKdf.Derive(B3MasterKey, B3MasterSalt, SrtpKdf.LabelRtpCipher, key);
        SrtpKdf.Derive(B3MasterKey, B3MasterSalt, SrtpKdf.LabelRtpSalt, salt);
        SrtpKdf.Derive(B3MasterKey, B3MasterSalt, SrtpKdf.LabelRtpAuth, auth);
        Assert.Equal("c61e7a93744f39ee10734afe3ff7a087", S(key));
        Assert.Equal("30cbbc08863d8c85d49db34a9ae1", S(salt));
        Assert.Equal("cebe321f6ff7716b6fd4ab49af256a156d38baa4", S(auth));
    }

    [Fact]
    public void Kdf_for_aead_left_aligns_the_12_byte_salt()
    {
        var m = Master(SrtpProfile.AeadAes128Gcm);
        var (rtp, rtcp) = SrtpKdf.DeriveAll(m);
        var padded = new byte[14];
        m.Salt.CopyTo(padded, 0);
        var k = new byte[16];
        var s = new byte[12];
        SrtpKdf.Derive(m.Key, padded, SrtpKdf.LabelRtcpCipher, k);
        SrtpKdf.Derive(m.Key, padded, SrtpKdf.LabelRtcpSalt, s);
        Assert.Equal(k, rtcp.CipherKey);
        Assert.Equal(s, rtcp.Salt);
        Assert.Empty(rtp.AuthKey);
        Assert.Equal(12, rtp.Salt.Length);
    }

    [Theory, MemberData(nameof(Backends), MemberType = typeof(H))]
    public void Aes_cm_keystream_matches_rfc3711_b2(bool fast)
    {
        using var ctr = CtrCipher.Create(X("2B7E151628AED2A6ABF7158809CF4F3C"), B(fast));
        var ks = new byte[0xff02 * 16];
        ctr.Apply(X("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), ks);
        Assert.Equal("e03ead0935c95e80e166b16dd92b4eb4", S(ks.AsSpan(0x0000 * 16, 16)));
        Assert.Equal("d23513162b02d0f72a43a2fe4a5f97ab", S(ks.AsSpan(0x0001 * 16, 16)));
        Assert.Equal("41e95b3bb0a2e8dd477901e4fca894c0", S(ks.AsSpan(0x0002 * 16, 16)));
        Assert.Equal("ec8cdf7398607cb0f2d21675ea9ea1e4", S(ks.AsSpan(0xfeff * 16, 16)));
        Assert.Equal("362b7c3c6773516318a077d7fc5073ae", S(ks.AsSpan(0xff00 * 16, 16)));
        Assert.Equal("6a2cc3787889374fbeb4c81b17ba6c44", S(ks.AsSpan(0xff01 * 16, 16)));
    }

    [Theory, MemberData(nameof(Backends), MemberType = typeof(H))]
    public void Session_iv_for_ssrc0_seq0_gives_the_b2_keystream(bool fast)
    {
        var keys = new SrtpSessionKeys(X("2B7E151628AED2A6ABF7158809CF4F3C"), new byte[20], X("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"));
        using var s = new SrtpSession(SrtpProfile.Aes128CmHmacSha1_80, (keys, keys), B(fast));
        var plain = new byte[12 + 48];
        plain[0] = 0x80;
        var wire = ProtectRtp(s, plain);
        Assert.Equal("e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0",
            S(wire.AsSpan(12, 48)));
    }

    // libsrtp test/srtp_driver.c srtp_validate(): RFC 3711 B.3 master key, SSRC 0xcafebabe.
    private const string LibsrtpRtp = "800f1234 decafbad cafebabe abababab abababab abababab abababab";
    private const string LibsrtpSrtp80 = "800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402 b78d6acc 99ea179b 8dbb";
    private const string LibsrtpSrtp32 = "800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402 b78d6acc";
    private const string LibsrtpRtcp = "81c8000b cafebabe abababab abababab abababab abababab";
    private const string LibsrtpSrtcp = "81c8000b cafebabe 7128035b e487b9bd bef89041 f977a5a8 80000001 993e08cd 54d6c123 0798";

    [Theory, MemberData(nameof(Backends), MemberType = typeof(H))]
    public void Aes_cm_80_matches_libsrtp_known_answer(bool fast)
    {
        var m = new SrtpMasterKey(SrtpProfile.Aes128CmHmacSha1_80, B3MasterKey, B3MasterSalt);
        using var tx = new SrtpSession(m, B(fast));
        using var rx = new SrtpSession(m, B(fast));
        Assert.Equal(X(LibsrtpSrtp80), ProtectRtp(tx, X(LibsrtpRtp)));
        Assert.Equal(X(LibsrtpSrtcp), ProtectRtcp(tx, X(LibsrtpRtcp))); // first SRTCP index is 1
        var (e1, rtp) = UnprotectRtp(rx, X(LibsrtpSrtp80));
        Assert.Equal(SrtpError.None, e1);
        Assert.Equal(X(LibsrtpRtp), rtp);
        var (e2, rtcp) = UnprotectRtcp(rx, X(LibsrtpSrtcp));
        Assert.Equal(SrtpError.None, e2);
        Assert.Equal(X(LibsrtpRtcp), rtcp);
    }

    [Theory, MemberData(nameof(Backends), MemberType = typeof(H))]
    public void Aes_cm_32_truncates_the_rtp_tag_but_not_the_rtcp_tag(bool fast)
    {
        var m = new SrtpMasterKey(SrtpProfile.Aes128CmHmacSha1_32, B3MasterKey, B3MasterSalt);
        using var tx = new SrtpSession(m, B(fast));
        Assert.Equal(X(LibsrtpSrtp32), ProtectRtp(tx, X(LibsrtpRtp)));
        Assert.Equal(X(LibsrtpSrtcp), ProtectRtcp(tx, X(LibsrtpRtcp))); // RFC 5764 §4.1.2: SRTCP keeps 80 bits
        using var rx = new SrtpSession(m, B(fast));
        Assert.Equal((SrtpError.None, S(X(LibsrtpRtp))), Str(UnprotectRtp(rx, X(LibsrtpSrtp32))));
    }

    // RFC 7714 §16 (SRTP) and §17 (SRTCP): session key/salt given directly; RTP ROC 0; SRTCP index 0x5d4.
    private const string GcmSalt = "51 75 69 64 20 70 72 6f 20 71 75 6f";
    private const string GcmRtp = "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573";
    private const string GcmRtcp = "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";

    public static IEnumerable<object[]> GcmCases()
    {
        foreach (var b in new[] { false, true })
        {
            yield return
            [
                b, SrtpProfile.AeadAes128Gcm, "000102030405060708090a0b0c0d0e0f",
                "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce",
                "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4",
                "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790 125f62b3 000005d4",
            ];
            yield return
            [
                b, SrtpProfile.AeadAes256Gcm, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13",
                "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4",
                "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 91db4afb feee5a97 8fab4393 ed2615fe 000005d4",
            ];
        }
    }

    private static SrtpSession GcmSession(bool b, SrtpProfile p, string key)
    {
        var keys = new SrtpSessionKeys(X(key), [], X(GcmSalt));
        return new SrtpSession(p, (keys, keys), B(b));
    }

    [Theory, MemberData(nameof(GcmCases))]
    public void Aead_matches_rfc7714_16_and_17(bool b, SrtpProfile p, string key, string srtp, string srtcp, string srtcpAuthOnly)
    {
        using var tx = GcmSession(b, p, key);
        Assert.Equal(S(X(srtp)), S(ProtectRtp(tx, X(GcmRtp))));
        tx.SetRtcpSendIndex(0x4d617273, 0x5d3);
        Assert.Equal(S(X(srtcp)), S(ProtectRtcp(tx, X(GcmRtcp))));

        using var rx = GcmSession(b, p, key);
        Assert.Equal((SrtpError.None, S(X(GcmRtp))), Str(UnprotectRtp(rx, X(srtp))));
        Assert.Equal((SrtpError.None, S(X(GcmRtcp))), Str(UnprotectRtcp(rx, X(srtcp))));

        using var rx2 = GcmSession(b, p, key); // E = 0: authenticated, not encrypted (§17.2)
        Assert.Equal((SrtpError.None, S(X(GcmRtcp))), Str(UnprotectRtcp(rx2, X(srtcpAuthOnly))));
    }

    private static (SrtpError, string) Str((SrtpError e, byte[] b) r) => (r.e, S(r.b));
}
