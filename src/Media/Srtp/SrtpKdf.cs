// RFC 3711 §4.3 key derivation with key_derivation_rate = 0 (§4.3.1, AES-CM PRF §4.3.3); RFC 7714 §11 for
// AEAD (12-byte master salt, left-aligned in the 14-byte field: verified on Chromium, dtls.md §8); RFC 6188
// §6 for 256-bit master keys (AES-256 PRF).
using AkkaSfu.Media.Srtp.Engines;

namespace AkkaSfu.Media.Srtp;

/// <summary>Session keys for one of RTP or RTCP: cipher key, auth key (empty for AEAD), salt (14 or 12 bytes).</summary>
internal sealed record SrtpSessionKeys(byte[] CipherKey, byte[] AuthKey, byte[] Salt);

/// <summary>The SRTP key derivation function.</summary>
internal static class SrtpKdf
{
    public const byte LabelRtpCipher = 0, LabelRtpAuth = 1, LabelRtpSalt = 2;
    public const byte LabelRtcpCipher = 3, LabelRtcpAuth = 4, LabelRtcpSalt = 5;

    /// <summary>PRF_n(k_master, x) with x = (label at byte 7) XOR master salt (zero-padded to 14 bytes), r = 0.</summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterSalt.Length > 14) throw new ArgumentException("master salt longer than 14 bytes", nameof(masterSalt));
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        output.Clear();
        using var ctr = new BclCtr(masterKey);
        ctr.Apply(iv, output);
    }

    /// <summary>Derives (RTP, RTCP) session keys for the profile from a master key.</summary>
    public static (SrtpSessionKeys Rtp, SrtpSessionKeys Rtcp) DeriveAll(SrtpMasterKey master)
    {
        SrtpProfile p = master.Profile;
        int keyLen = p.KeyLength(), saltLen = p.SaltLength();
        if (master.Key.Length != keyLen || master.Salt.Length != saltLen)
            throw new ArgumentException($"{p}: key/salt are {master.Key.Length}/{master.Salt.Length} bytes, want {keyLen}/{saltLen}", nameof(master));
        int authLen = p is SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm ? 0 : 20;
        return (Make(master, keyLen, authLen, saltLen, LabelRtpCipher, LabelRtpAuth, LabelRtpSalt),
                Make(master, keyLen, authLen, saltLen, LabelRtcpCipher, LabelRtcpAuth, LabelRtcpSalt));
    }

    private static SrtpSessionKeys Make(SrtpMasterKey m, int keyLen, int authLen, int saltLen, byte lk, byte la, byte ls)
    {
        var k = new byte[keyLen];
        var a = new byte[authLen];
        var s = new byte[saltLen];
        Derive(m.Key, m.Salt, lk, k);
        if (authLen > 0) Derive(m.Key, m.Salt, la, a);
        Derive(m.Key, m.Salt, ls, s);
        return new SrtpSessionKeys(k, a, s);
    }
}
