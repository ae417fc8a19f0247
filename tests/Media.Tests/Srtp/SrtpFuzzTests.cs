// Style §7: random bytes and mutated valid packets into every unprotect path never throw, and a success
// only ever reports a plaintext length inside the input.
using AkkaSfu.Media.Srtp;
using FsCheck.Xunit;
using Xunit;
using static AkkaSfu.Media.Tests.Srtp.H;

namespace AkkaSfu.Media.Tests.Srtp;

public class SrtpFuzzTests
{
    private static readonly SrtpSession[] Sessions = Profiles.Select(p => new SrtpSession(Master(p))).ToArray();
    private static readonly SrtpSession[] BclSessions = Profiles.Select(p => new SrtpSession(Master(p), B(false))).ToArray();

    [Property(MaxTest = 400)]
    public bool Random_bytes_never_throw(byte[] data, bool rtcp, bool bcl)
    {
        data ??= [];
        foreach (var s in bcl ? BclSessions : Sessions)
        {
            var buf = (byte[])data.Clone();
            var e = rtcp ? s.UnprotectRtcp(buf, out int n) : s.UnprotectRtp(buf, out n);
            if (e == SrtpError.None ? n < 0 || n > data.Length : n != 0) return false;
        }
        return true;
    }

    [Property(MaxTest = 400)]
    public bool Mutated_valid_packets_never_throw(int seed, int pos, byte xor, int cut, bool rtcp)
    {
        var r = new Random(seed);
        for (int i = 0; i < Profiles.Length; i++)
        {
            using var tx = new SrtpSession(Master(Profiles[i]));
            var wire = rtcp ? ProtectRtcp(tx, TestRtcp((uint)seed, r.Next(1, 20)))
                            : ProtectRtp(tx, TestRtp((ushort)seed, (uint)seed, r.Next(0, 200), r.Next(0, 16), r.Next(2) == 0));
            int p = (int)((uint)pos % (uint)wire.Length);
            wire[p] ^= xor;
            int len = cut % 3 == 0 ? (int)((uint)cut % (uint)(wire.Length + 1)) : wire.Length;
            var buf = wire[..len];
            var e = rtcp ? Sessions[i].UnprotectRtcp(buf, out int n) : Sessions[i].UnprotectRtp(buf, out n);
            if (e == SrtpError.None ? n < 0 || n > len : n != 0) return false;
        }
        return true;
    }

    [Property(MaxTest = 300)]
    public bool Protect_never_throws_on_random_input(byte[] data, int spare, bool rtcp)
    {
        data ??= [];
        foreach (var s in Sessions)
        {
            var buf = new byte[data.Length + (int)((uint)spare % 24)];
            data.CopyTo(buf, 0);
            var e = rtcp ? s.ProtectRtcp(buf, data.Length, out int n) : s.ProtectRtp(buf, data.Length, out n);
            if (e == SrtpError.None ? n > buf.Length || n < data.Length : n != 0) return false;
        }
        return true;
    }
}
