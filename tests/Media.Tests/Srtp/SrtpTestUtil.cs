using AkkaSfu.Media.Srtp;
using Xunit;
using AkkaSfu.Media.Srtp.Engines;

namespace AkkaSfu.Media.Tests.Srtp;

internal static class H
{
    public static byte[] X(string hex) => Convert.FromHexString(string.Concat(hex.Where(Uri.IsHexDigit)));
    public static string S(ReadOnlySpan<byte> b) => Convert.ToHexString(b).ToLowerInvariant();

    public static readonly SrtpProfile[] Profiles =
    [
        SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.Aes128CmHmacSha1_32,
        SrtpProfile.AeadAes128Gcm, SrtpProfile.AeadAes256Gcm,
    ];

    public static IEnumerable<object[]> Backends() => [[false], [true]];

    /// <summary>Test parameter 'fast' (public tests cannot take the internal enum).</summary>
    public static SrtpBackend B(bool fast) => fast ? SrtpBackend.Fast : SrtpBackend.Bcl;

    public static IEnumerable<object[]> ProfilesAndBackends() =>
        from p in Profiles from b in new[] { false, true } select new object[] { p, b };

    public static SrtpMasterKey Master(SrtpProfile p, int seed = 1)
    {
        var rnd = new Random(seed);
        var k = new byte[p.KeyLength()];
        var s = new byte[p.SaltLength()];
        rnd.NextBytes(k);
        rnd.NextBytes(s);
        return new SrtpMasterKey(p, k, s);
    }

    /// <summary>RTP packet: V=2, PT 96, given seq/ssrc, optional CSRCs and one-byte extension, payload of n bytes.</summary>
    public static byte[] TestRtp(ushort seq, uint ssrc, int payload, int csrcs = 0, bool ext = false, int seed = 0)
    {
        int hl = 12 + 4 * csrcs + (ext ? 8 : 0);
        var p = new byte[hl + payload];
        p[0] = (byte)(0x80 | (ext ? 0x10 : 0) | csrcs);
        p[1] = 96;
        p[2] = (byte)(seq >> 8); p[3] = (byte)seq;
        p[4] = 0x12; p[5] = 0x34; p[6] = 0x56; p[7] = 0x78;
        p[8] = (byte)(ssrc >> 24); p[9] = (byte)(ssrc >> 16); p[10] = (byte)(ssrc >> 8); p[11] = (byte)ssrc;
        for (int i = 0; i < csrcs; i++) p[12 + 4 * i + 3] = (byte)(i + 1);
        if (ext)
        {
            int e = 12 + 4 * csrcs;
            p[e] = 0xBE; p[e + 1] = 0xDE; p[e + 3] = 1; p[e + 4] = 0x10; p[e + 5] = 0xAA;
        }
        new Random(seed + seq).NextBytes(p.AsSpan(hl));
        return p;
    }

    /// <summary>An RTCP receiver report with no blocks plus n bytes of padding-free filler.</summary>
    public static byte[] TestRtcp(uint ssrc, int words = 6)
    {
        var p = new byte[4 * (words + 1)];
        p[0] = 0x81; p[1] = 200; p[3] = (byte)words;
        p[4] = (byte)(ssrc >> 24); p[5] = (byte)(ssrc >> 16); p[6] = (byte)(ssrc >> 8); p[7] = (byte)ssrc;
        for (int i = 8; i < p.Length; i++) p[i] = (byte)i;
        return p;
    }

    /// <summary>Protects a copy; returns the wire bytes.</summary>
    public static byte[] ProtectRtp(SrtpSession s, byte[] plain)
    {
        var buf = new byte[plain.Length + SrtpSession.MaxTrailer];
        plain.CopyTo(buf, 0);
        Assert.Equal(SrtpError.None, s.ProtectRtp(buf, plain.Length, out int n));
        return buf[..n];
    }

    public static byte[] ProtectRtcp(SrtpSession s, byte[] plain)
    {
        var buf = new byte[plain.Length + SrtpSession.MaxTrailer];
        plain.CopyTo(buf, 0);
        Assert.Equal(SrtpError.None, s.ProtectRtcp(buf, plain.Length, out int n));
        return buf[..n];
    }

    /// <summary>Unprotects a copy; returns error and plaintext.</summary>
    public static (SrtpError, byte[]) UnprotectRtp(SrtpSession s, byte[] wire)
    {
        var buf = (byte[])wire.Clone();
        var e = s.UnprotectRtp(buf, out int n);
        return (e, buf[..n]);
    }

    public static (SrtpError, byte[]) UnprotectRtcp(SrtpSession s, byte[] wire)
    {
        var buf = (byte[])wire.Clone();
        var e = s.UnprotectRtcp(buf, out int n);
        return (e, buf[..n]);
    }
}
