using System.Net;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Stun;
using AkkaSfu.Media.Tests.Ice;
using FsCheck;
using FsCheck.Xunit;
using Xunit;

namespace AkkaSfu.Media.Tests.Stun;

/// <summary>Random and mutated datagrams into every STUN entry point: no throw, fields inside the input.</summary>
public class StunFuzzTests
{
    private static readonly byte[][] Seeds =
    [
        Rfc5769Tests.Request, Rfc5769Tests.ResponseV4, Rfc5769Tests.ResponseV6,
        IceServerTests.Check(new IceServerTests.Req(UseCandidate: true)),
        IceServerTests.Check(new IceServerTests.Req(Controlled: true)),
    ];

    private static bool Inside(ReadOnlySpan<byte> input, ReadOnlySpan<byte> part) =>
        part.IsEmpty || (input.Overlaps(part, out int off) && off >= 0 && off + part.Length <= input.Length);

    /// <summary>Parses and touches every accessor; true if all views lie inside the input.</summary>
    private static bool ParseAndTouch(byte[] input)
    {
        if (StunMessage.TryParse(input, out var m) != StunParseError.None) return true;
        _ = (m.Class, m.Method, m.Priority, m.UseCandidate, m.IceControlling, m.IceControlled, m.ErrorCode,
             m.UnknownComprehensionRequiredCount, m.UsernameStartsWith("abc"u8));
        _ = m.VerifyFingerprint();
        _ = m.VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBt"u8);
        Span<ushort> unknown = stackalloc ushort[8];
        m.GetUnknownComprehensionRequired(unknown);
        Span<byte> addr = stackalloc byte[16];
        bool hasAddr = m.TryGetXorMappedAddress(addr, out int n, out _);
        return Inside(input, m.Bytes) && Inside(input, m.TransactionId) && Inside(input, m.Username)
               && Inside(input, m.ErrorReason) && (!hasAddr || n is 4 or 16) && m.Bytes.Length == input.Length;
    }

    [Property(MaxTest = 2000)]
    public bool Random_bytes_never_throw(byte[] data) => ParseAndTouch(data);

    [Property(MaxTest = 2000)]
    public bool Random_bodies_behind_a_valid_header_never_throw(byte[] body, ushort type)
    {
        var len = body.Length & ~3;
        var m = new byte[20 + len];
        m[0] = (byte)((type >> 8) & 0x3F);
        m[1] = (byte)type;
        m[2] = (byte)(len >> 8);
        m[3] = (byte)len;
        m[4] = 0x21; m[5] = 0x12; m[6] = 0xA4; m[7] = 0x42;
        body.AsSpan(0, len).CopyTo(m.AsSpan(20));
        return ParseAndTouch(m);
    }

    [Property(MaxTest = 3000)]
    public bool Mutated_valid_messages_never_throw(NonNegativeInt seed, NonNegativeInt pos, byte value, NonNegativeInt cut, bool truncate)
    {
        var src = Seeds[seed.Get % Seeds.Length];
        var m = (byte[])src.Clone();
        m[pos.Get % m.Length] = value;
        if (truncate) m = m[..(cut.Get % (m.Length + 1))];
        return ParseAndTouch(m);
    }

    [Property(MaxTest = 2000)]
    public bool Ice_server_never_throws_and_writes_inside_its_buffer(NonNegativeInt seed, NonNegativeInt pos, byte value, byte[] junk, int mode)
    {
        byte[] input = (mode & 3) switch
        {
            0 => junk,
            _ => (byte[])Seeds[seed.Get % Seeds.Length].Clone(),
        };
        if ((mode & 3) == 1 && input.Length > 0) input[pos.Get % input.Length] = value;
        var server = new IceServer(IceServerTests.Ufrag, IceServerTests.Pwd) { RejectIceControlled = (mode & 8) != 0 };
        var resp = new byte[(mode >> 2 & 1) == 1 ? 48 : 512];
        var from = new IPEndPoint(IPAddress.Loopback, 1234).Serialize();
        var r = server.ProcessStun(input, from, 0, resp, out int n);
        bool answered = r is IceServerResult.Answered or IceServerResult.AnsweredBadRequest
            or IceServerResult.AnsweredUnauthorized or IceServerResult.AnsweredRoleConflict;
        if (!answered) return n == 0;
        return n > 0 && n <= resp.Length && StunMessage.TryParse(resp.AsSpan(0, n), out var m) == StunParseError.None
               && m.VerifyFingerprint();
    }

    [Property(MaxTest = 1000)]
    public bool Ice_client_never_throws(byte[] junk, NonNegativeInt seed, NonNegativeInt pos, byte value)
    {
        var c = new IceClient("a", "b", IceServerTests.Ufrag, IceServerTests.Pwd, 1);
        c.Tick(0, new byte[512], out _);
        var m = (byte[])Seeds[seed.Get % Seeds.Length].Clone();
        m[pos.Get % m.Length] = value;
        c.ProcessResponse(junk, 1);
        c.ProcessResponse(m, 2);
        return true;
    }

    [Property(MaxTest = 500)]
    public bool Writer_output_always_reparses(byte[] user, uint prio, ulong tie, bool uc)
    {
        {
            var buf = new byte[1024];
            var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, new byte[12]);
            w.AddUsername(user.AsSpan(0, Math.Min(user.Length, 500)));
            w.AddPriority(prio);
            w.AddIceControlling(tie);
            if (uc) w.AddUseCandidate();
            w.AddMessageIntegrity("k"u8);
            w.AddFingerprint();
            return StunMessage.TryParse(w.Written, out var m) == StunParseError.None && m.Priority == prio
                   && m.IceControlling == tie && m.UseCandidate == uc && m.VerifyMessageIntegrity("k"u8)
                   && m.VerifyFingerprint() && m.Username.SequenceEqual(user.AsSpan(0, Math.Min(user.Length, 500)));
        }
    }
}
