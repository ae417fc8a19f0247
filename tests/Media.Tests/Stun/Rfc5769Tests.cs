// RFC 5769 §2.1-2.3 test vectors (short-term credentials), pasted as hex.
using System.Net;
using System.Text;
using AkkaSfu.Media.Stun;
using Xunit;

namespace AkkaSfu.Media.Tests.Stun;

public class Rfc5769Tests
{
    internal static byte[] Hex(string s) => Convert.FromHexString(string.Concat(s.Where(Uri.IsHexDigit)));

    private const string Password = "VOkJxbRl1RmTxUk/WvJxBt";
    private static readonly byte[] Key = Encoding.ASCII.GetBytes(Password);
    private static readonly byte[] TxId = Hex("b7e7a701 bc34d686 fa87dfae");

    // §2.1 Sample Request
    internal static readonly byte[] Request = Hex(@"
        00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
        00 24 00 04 6e 00 01 ff
        80 29 00 08 93 2f f9 b1 51 26 3b 36
        00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
        00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
        80 28 00 04 e5 7a 3b cf");

    // §2.2 Sample IPv4 Response
    internal static readonly byte[] ResponseV4 = Hex(@"
        01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 08 00 01 a1 47 e1 12 a6 43
        00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
        80 28 00 04 c0 7d 4c 96");

    // §2.3 Sample IPv6 Response
    internal static readonly byte[] ResponseV6 = Hex(@"
        01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
        00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
        80 28 00 04 c8 fb 0b 4c");

    [Fact]
    public void Request_parses_and_verifies()
    {
        Assert.Equal(StunParseError.None, StunMessage.TryParse(Request, out var m));
        Assert.Equal(StunClass.Request, m.Class);
        Assert.Equal((ushort)StunMethod.Binding, m.Method);
        Assert.True(m.IsBindingRequest);
        Assert.Equal(TxId, m.TransactionId.ToArray());
        Assert.Equal("evtj:h6vY", Encoding.ASCII.GetString(m.Username));
        Assert.True(m.UsernameStartsWith("evtj"u8));
        Assert.False(m.UsernameStartsWith("h6vY"u8));
        Assert.True(m.HasPriority);
        Assert.Equal(0x6e0001ffu, m.Priority);
        Assert.True(m.HasIceControlled);
        Assert.Equal(0x932ff9b151263b36ul, m.IceControlled);
        Assert.False(m.HasIceControlling);
        Assert.False(m.UseCandidate);
        Assert.Equal(0, m.UnknownComprehensionRequiredCount);
        Assert.True(m.VerifyMessageIntegrity(Key));
        Assert.False(m.VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBT"u8));
        Assert.True(m.VerifyFingerprint());
    }

    [Fact]
    public void Request_writer_reproduces_the_bytes()
    {
        var buf = new byte[200];
        var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, TxId, paddingByte: 0x20);
        w.AddSoftware("STUN test client");
        w.AddPriority(0x6e0001ff);
        w.AddIceControlled(0x932ff9b151263b36);
        w.AddUsername("evtj", "h6vY");
        w.AddMessageIntegrity(Key);
        w.AddFingerprint();
        Assert.False(w.Overflowed);
        Assert.Equal(Convert.ToHexString(Request), Convert.ToHexString(w.Written));
    }

    [Fact]
    public void Ipv4_response_parses_verifies_and_is_reproduced()
    {
        Assert.Equal(StunParseError.None, StunMessage.TryParse(ResponseV4, out var m));
        Assert.Equal(StunClass.SuccessResponse, m.Class);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), m.GetXorMappedEndPoint());
        Assert.True(m.VerifyMessageIntegrity(Key));
        Assert.True(m.VerifyFingerprint());

        var buf = new byte[200];
        var w = new StunWriter(buf, StunClass.SuccessResponse, StunMethod.Binding, TxId, paddingByte: 0x20);
        w.AddSoftware("test vector");
        w.AddXorMappedAddress(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853).Serialize());
        w.AddMessageIntegrity(Key);
        w.AddFingerprint();
        Assert.Equal(Convert.ToHexString(ResponseV4), Convert.ToHexString(w.Written));
    }

    [Fact]
    public void Ipv6_response_parses_verifies_and_is_reproduced()
    {
        var ep = new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        Assert.Equal(StunParseError.None, StunMessage.TryParse(ResponseV6, out var m));
        Assert.Equal(ep, m.GetXorMappedEndPoint());
        Assert.True(m.VerifyMessageIntegrity(Key));
        Assert.True(m.VerifyFingerprint());

        var buf = new byte[200];
        var w = new StunWriter(buf, StunClass.SuccessResponse, StunMethod.Binding, TxId, paddingByte: 0x20);
        w.AddSoftware("test vector");
        w.AddXorMappedAddress(ep.Serialize());
        w.AddMessageIntegrity(Key);
        w.AddFingerprint();
        Assert.Equal(Convert.ToHexString(ResponseV6), Convert.ToHexString(w.Written));
    }

    [Fact]
    public void Any_flipped_bit_breaks_integrity_or_fingerprint()
    {
        for (int i = 0; i < Request.Length; i++)
        {
            var copy = (byte[])Request.Clone();
            copy[i] ^= 0x01;
            if (StunMessage.TryParse(copy, out var m) != StunParseError.None) continue;
            Assert.False(m.VerifyFingerprint() && m.VerifyMessageIntegrity(Key) && m.IsBindingRequest, $"byte {i}");
        }
    }

    [Fact]
    public void Reusable_key_matches_the_vectors_and_the_one_shot_path()
    {
        using var key = new StunIntegrityKey(Password);
        using var wrong = new StunIntegrityKey("VOkJxbRl1RmTxUk/WvJxBT");
        foreach (var v in new[] { Request, ResponseV4, ResponseV6, Request })
        {
            Assert.Equal(StunParseError.None, StunMessage.TryParse(v, out var m));
            Assert.True(m.VerifyMessageIntegrity(key));
            Assert.False(m.VerifyMessageIntegrity(wrong));
        }
        var buf = new byte[200];
        var w = new StunWriter(buf, StunClass.SuccessResponse, StunMethod.Binding, TxId, paddingByte: 0x20);
        w.AddSoftware("test vector");
        w.AddXorMappedAddress(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853).Serialize());
        w.AddMessageIntegrity(key);
        w.AddFingerprint();
        Assert.Equal(Convert.ToHexString(ResponseV4), Convert.ToHexString(w.Written));
    }

    [Fact]
    public void Crc32_check_value() => Assert.Equal(0xCBF43926u, StunCrc32.Compute("123456789"u8));
}
