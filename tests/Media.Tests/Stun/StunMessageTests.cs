using System.Buffers.Binary;
using AkkaSfu.Media.Stun;
using Xunit;

namespace AkkaSfu.Media.Tests.Stun;

public class StunMessageTests
{
    private static readonly byte[] TxId = Rfc5769Tests.Hex("000102030405060708090a0b");

    /// <summary>Header + raw attribute bytes with the length field set to match.</summary>
    private static byte[] Msg(string attrsHex, ushort type = 0x0001)
    {
        var attrs = Rfc5769Tests.Hex(attrsHex);
        var m = new byte[20 + attrs.Length];
        BinaryPrimitives.WriteUInt16BigEndian(m, type);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), (ushort)attrs.Length);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(4), StunConst.MagicCookie);
        TxId.CopyTo(m, 8);
        attrs.CopyTo(m, 20);
        return m;
    }

    public static TheoryData<string, byte[], StunParseError> Malformed()
    {
        var ok = Msg("");
        var d = new TheoryData<string, byte[], StunParseError>
        {
            { "empty", [], StunParseError.TooShort },
            { "19 bytes", ok[..19], StunParseError.TooShort },
            { "top bits set", Patch(ok, 0, 0x40), StunParseError.NotStun },
            { "RTP-looking", Patch(ok, 0, 0x80), StunParseError.NotStun },
            { "length 2", Patch(ok, 3, 0x02), StunParseError.LengthNotMultipleOf4 },
            { "bad cookie", Patch(ok, 4, 0x22), StunParseError.BadMagicCookie },
            { "length says 4, no body", Patch(ok, 3, 0x04), StunParseError.LengthMismatch },
            { "trailing bytes", [.. ok, 0, 0, 0, 0], StunParseError.LengthMismatch },
            { "attr value past end", Msg("0006 0005 61626364"), StunParseError.AttributeTruncated },
            { "attr header without value", Msg("0025 0000 0006 0001"), StunParseError.AttributeTruncated },
            { "priority len 3", Msg("0024 0003 01020300"), StunParseError.BadAttributeLength },
            { "use-candidate len 4", Msg("0025 0004 00000000"), StunParseError.BadAttributeLength },
            { "ice-controlling len 4", Msg("802a 0004 00000000"), StunParseError.BadAttributeLength },
            { "ice-controlled len 12", Msg("8029 000c 000000000000000000000000"), StunParseError.BadAttributeLength },
            { "integrity len 16", Msg("0008 0010 00000000000000000000000000000000"), StunParseError.BadAttributeLength },
            { "fingerprint len 8", Msg("8028 0008 0000000000000000"), StunParseError.BadAttributeLength },
            { "xor-mapped family 3", Msg("0020 0008 00030000 00000000"), StunParseError.BadAddressFamily },
            { "xor-mapped v4 len 20", Msg("0020 0014 00010000 00000000000000000000000000000000"), StunParseError.BadAttributeLength },
            { "xor-mapped v6 len 8", Msg("0020 0008 00020000 00000000"), StunParseError.BadAttributeLength },
            { "xor-mapped len 2", Msg("0020 0002 00010000"), StunParseError.BadAttributeLength },
            { "error-code len 2", Msg("0009 0002 00000000"), StunParseError.BadAttributeLength },
            { "fingerprint not last", Msg("8028 0004 00000000 0025 0000"), StunParseError.FingerprintNotLast },
        };
        return d;
    }

    private static byte[] Patch(byte[] src, int i, byte v)
    {
        var c = (byte[])src.Clone();
        c[i] = v;
        return c;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_inputs_map_to_their_error(string name, byte[] input, StunParseError expected)
    {
        Assert.Equal(expected, StunMessage.TryParse(input, out _));
        Assert.NotNull(name);
    }

    [Fact]
    public void Minimal_header_parses()
    {
        Assert.Equal(StunParseError.None, StunMessage.TryParse(Msg(""), out var m));
        Assert.True(m.IsBindingRequest);
        Assert.False(m.HasUsername || m.HasMessageIntegrity || m.HasFingerprint || m.HasPriority || m.UseCandidate);
        Assert.False(m.VerifyFingerprint());
        Assert.False(m.VerifyMessageIntegrity("x"u8));
        Assert.Null(m.GetXorMappedEndPoint());
    }

    [Theory]
    [InlineData((ushort)0x0001, StunClass.Request, 1)]
    [InlineData((ushort)0x0011, StunClass.Indication, 1)]
    [InlineData((ushort)0x0101, StunClass.SuccessResponse, 1)]
    [InlineData((ushort)0x0111, StunClass.ErrorResponse, 1)]
    [InlineData((ushort)0x0003, StunClass.Request, 3)]         // TURN Allocate
    [InlineData((ushort)0x3EEF, StunClass.Request, 0xFFF)]     // all method bits
    [InlineData((ushort)0x3FFF, StunClass.ErrorResponse, 0xFFF)]
    public void Message_type_round_trips(ushort type, StunClass cls, int method)
    {
        Assert.Equal(StunParseError.None, StunMessage.TryParse(Msg("", type), out var m));
        Assert.Equal(cls, m.Class);
        Assert.Equal(method, m.Method);
        Assert.Equal(type, StunConst.MessageType(cls, (ushort)method));
    }

    [Fact]
    public void Unknown_comprehension_required_are_reported_optional_and_goog_ignored()
    {
        var m0 = Msg("c057 0004 00010005  7777 0001 01000000  8999 0000  0006 0003 612d6200  7778 0000");
        Assert.Equal(StunParseError.None, StunMessage.TryParse(m0, out var m));
        Assert.Equal(2, m.UnknownComprehensionRequiredCount);
        Assert.Equal(0x7777, m.FirstUnknownComprehensionRequired);
        Span<ushort> types = stackalloc ushort[4];
        Assert.Equal(2, m.GetUnknownComprehensionRequired(types));
        Assert.Equal(0x7778, types[1]);
        Assert.Equal("a-b"u8.ToArray(), m.Username.ToArray());
    }

    [Fact]
    public void First_occurrence_wins_and_attributes_after_integrity_are_ignored()
    {
        var bytes = Msg("0024 0004 00000001  0024 0004 00000002  0008 0014 " + new string('0', 40) + " 0025 0000");
        Assert.Equal(StunParseError.None, StunMessage.TryParse(bytes, out var m));
        Assert.Equal(1u, m.Priority);
        Assert.True(m.HasMessageIntegrity);
        Assert.False(m.UseCandidate);
    }

    [Fact]
    public void Error_code_accessors()
    {
        var buf = new byte[100];
        var w = new StunWriter(buf, StunClass.ErrorResponse, StunMethod.Binding, TxId);
        w.AddErrorCode(487, "Role Conflict");
        w.AddFingerprint();
        Assert.Equal(StunParseError.None, StunMessage.TryParse(w.Written, out var m));
        Assert.Equal(StunClass.ErrorResponse, m.Class);
        Assert.Equal(487, m.ErrorCode);
        Assert.Equal("Role Conflict"u8.ToArray(), m.ErrorReason.ToArray());
        Assert.True(m.VerifyFingerprint());
    }

    [Fact]
    public void Writer_overflow_is_reported_not_thrown()
    {
        var buf = new byte[40];
        var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, TxId);
        w.AddPriority(1);
        Assert.False(w.Overflowed);
        w.AddMessageIntegrity("key"u8);
        Assert.True(w.Overflowed);
        Assert.Equal(0, w.Length);
        w.AddFingerprint();
        Assert.True(w.Overflowed);
        var tiny = new StunWriter(new byte[10], StunClass.Request, StunMethod.Binding, TxId);
        Assert.True(tiny.Overflowed);
    }

    [Fact]
    public void Large_message_integrity_uses_pooled_path()
    {
        var buf = new byte[1400];
        var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, TxId);
        w.AddAttribute(0x8050, new byte[1000]);
        w.AddMessageIntegrity("pw"u8);
        w.AddFingerprint();
        Assert.Equal(StunParseError.None, StunMessage.TryParse(w.Written, out var m));
        Assert.True(m.VerifyMessageIntegrity("pw"u8));
        Assert.False(m.VerifyMessageIntegrity("pX"u8));
        Assert.True(m.VerifyFingerprint());
    }
}
