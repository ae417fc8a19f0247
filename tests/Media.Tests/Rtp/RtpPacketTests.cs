using AkkaSfu.Media.Rtp;
using Xunit;
using static AkkaSfu.Media.Tests.Rtp.SpanAssert;

namespace AkkaSfu.Media.Tests.Rtp;

public class RtpPacketTests
{
    // pion/rtp packet_test.go's raw packet: M=1, PT=96, opaque extension profile 0x0001.
    private static readonly byte[] PionPacket = Hex(
        "90e0698f d9c293da 1c642782 00010001 ffffffff 9836be889e");

    // A hand-built Chromium-style packet: one-byte extensions mid(1)="0", tcc(3)=5, audio-level(2)=V|30,
    // then 8 bytes of payload.
    private static readonly byte[] OneByte = Hex(
        "906f1234 00000001 11223344 bede0002 1030 310005 209e 00 0102030405060708");

    [Fact]
    public void Parses_pion_vector()
    {
        var b = (byte[])PionPacket.Clone();
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(b, out var p));
        Assert.Equal(2, p.Version);
        Assert.True(p.Marker);
        Assert.Equal(96, p.PayloadType);
        Assert.Equal(27023, p.SequenceNumber);
        Assert.Equal(3653407706u, p.Timestamp);
        Assert.Equal(476325762u, p.Ssrc);
        Assert.True(p.HasExtension);
        Assert.Equal((ushort)1, p.ExtensionProfile);
        Assert.Equal(Hex("ffffffff"), p.ExtensionData.ToArray());
        Assert.Equal(20, p.HeaderLength);
        Assert.Equal(Hex("9836be889e"), p.Payload.ToArray());
        Assert.False(p.Extensions.MoveNext()); // opaque profile: no elements
        Assert.False(p.TryGetExtension(1, out _));
    }

    [Fact]
    public void Parses_one_byte_extensions_and_typed_accessors()
    {
        var b = (byte[])OneByte.Clone();
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(b, out var p));
        Assert.False(p.Marker);
        Assert.Equal(111, p.PayloadType);
        Assert.Equal(0x1234, p.SequenceNumber);
        Assert.Equal(1u, p.Timestamp);
        Assert.Equal(0x11223344u, p.Ssrc);
        Assert.True(p.HasOneByteExtensions);
        Assert.Equal(24, p.HeaderLength);
        Assert.Equal(8, p.PayloadLength);
        var ids = new RtpExtensionIds { Mid = 1, AudioLevel = 2, TransportWideCc01 = 3 };
        Assert.True(p.ReadMid(ids, out var mid));
        Assert.Equal("0"u8.ToArray(), mid.ToArray());
        Assert.True(p.ReadTransportWideCc01(ids, out ushort tcc));
        Assert.Equal(5, tcc);
        Assert.True(p.ReadAudioLevel(ids, out bool voice, out byte level));
        Assert.True(voice);
        Assert.Equal(30, level);
        Assert.False(p.ReadRid(ids, out _)); // not negotiated
        Assert.True(p.WriteTransportWideCc01(ids, 0xBEEF));
        Assert.Equal(Hex("be ef"), b.AsSpan(19, 2).ToArray());
        Assert.True(p.ReadTransportWideCc01(ids, out tcc));
        Assert.Equal(0xBEEF, tcc);
        Assert.False(p.WriteAbsSendTime(ids, 1)); // absent
    }

    [Fact]
    public void Setters_rewrite_in_place_without_touching_neighbours()
    {
        var b = (byte[])OneByte.Clone();
        RtpPacket.TryParse(b, out var p);
        p.SetSsrc(0xCAFEBABE);
        p.SetPayloadType(96);
        p.SetSequenceNumber(65535);
        p.SetTimestamp(0xFFFFFFFE);
        p.SetMarker(true);
        Assert.Equal(Hex("90e0ffff fffffffe cafebabe"), b.AsSpan(0, 12).ToArray());
        Assert.Equal(OneByte.AsSpan(12).ToArray(), b.AsSpan(12).ToArray());
        p.SetMarker(false);
        Assert.Equal(0x60, b[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => { RtpPacket.TryParse(b, out var q); q.SetPayloadType(128); });
    }

    public static TheoryData<string, RtpParseError> Malformed => new()
    {
        { "", RtpParseError.TooShort },
        { "8060 0001 00000000 000000", RtpParseError.TooShort },
        { "4060 0001 00000000 00000000", RtpParseError.BadVersion },
        { "c060 0001 00000000 00000000", RtpParseError.BadVersion },
        { "8260 0001 00000000 00000000 11111111", RtpParseError.TruncatedCsrcs },
        { "9060 0001 00000000 00000000 bede", RtpParseError.TruncatedExtensionHeader },
        { "9060 0001 00000000 00000000 bede0002 10300000", RtpParseError.TruncatedExtension },
        { "a060 0001 00000000 00000000 aabbcc00", RtpParseError.ZeroPadding },
        { "a060 0001 00000000 00000000 aabbcc05", RtpParseError.PaddingTooLong },
        { "a060 0001 00000000 00000000", RtpParseError.PaddingTooLong },
        { "b060 0001 00000000 00000000 bede0001 10300000 02", RtpParseError.PaddingTooLong },
    };

    [Theory, MemberData(nameof(Malformed))]
    public void Malformed_input_maps_to_exact_error(string hex, RtpParseError expected)
    {
        var b = Hex(hex);
        Assert.Equal(expected, RtpPacket.TryParse(b, out var p));
        Assert.True(p.IsEmpty);
    }

    [Fact]
    public void Padding_only_packet_is_valid_and_flagged()
    {
        var b = Hex("a07f 0001 00000000 00000000 00000004");
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(b, out var p));
        Assert.True(p.IsPaddingOnly);
        Assert.Equal(0, p.PayloadLength);
        Assert.Equal(4, p.PaddingLength);

        var c = Hex("a07f 0001 00000000 00000000 aa000002");
        RtpPacket.TryParse(c, out var q);
        Assert.False(q.IsPaddingOnly);
        Assert.Equal(Hex("aa00"), q.Payload.ToArray());
    }

    [Fact]
    public void Csrcs_are_read()
    {
        var b = Hex("8260 0001 00000000 00000000 11111111 22222222 ff");
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(b, out var p));
        Assert.Equal(2, p.CsrcCount);
        Assert.Equal(0x22222222u, p.GetCsrc(1));
        Assert.Equal(20, p.HeaderLength);
        Assert.Equal(Hex("ff"), p.Payload.ToArray());
    }

    [Fact]
    public void Two_byte_form_with_padding_and_empty_value()
    {
        // 0x1000 profile: padding byte, id 16 len 0, id 1 len 3 "abc", padding.
        var b = Hex("9060 0001 00000000 00000000 10000002 00 1000 0103616263 00 ee");
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(b, out var p));
        Assert.True(p.HasTwoByteExtensions);
        Assert.True(p.TryGetExtension(16, out var empty));
        Assert.True(empty.IsEmpty);
        Assert.True(p.TryGetExtension(1, out var abc));
        Assert.Equal("abc"u8.ToArray(), abc.ToArray());
        var ids = new RtpExtensionIds { Rid = 1 };
        Assert.True(p.ReadRid(ids, out var rid));
        Assert.Equal("abc"u8.ToArray(), rid.ToArray());
    }

    [Fact]
    public void One_byte_id_15_stops_parsing_and_truncated_element_is_malformed()
    {
        var b = Hex("9060 0001 00000000 00000000 bede0002 1030 f0 2061 000000 ee");
        RtpPacket.TryParse(b, out var p);
        Assert.True(p.TryGetExtension(1, out _));
        Assert.False(p.TryGetExtension(2, out _));

        var c = Hex("9060 0001 00000000 00000000 bede0001 10 30 23 61 ee");
        RtpPacket.TryParse(c, out var q);
        var e = q.Extensions;
        Assert.True(e.MoveNext());
        Assert.False(e.MoveNext());
        Assert.True(e.Malformed);
    }

    [Fact]
    public void Extension_ids_can_be_rewritten_blanked_and_remapped()
    {
        var b = (byte[])OneByte.Clone();
        RtpPacket.TryParse(b, out var p);
        Assert.True(p.SetExtensionId(3, 5));
        Assert.False(p.SetExtensionId(1, 15)); // does not fit one-byte form
        Assert.True(p.TryGetExtension(5, out var tcc));
        Assert.Equal(Hex("0005"), tcc.ToArray());
        Assert.True(p.RemoveExtension(1));
        Assert.False(p.TryGetExtension(1, out _));
        Assert.Equal(Hex("0000"), b.AsSpan(16, 2).ToArray());
        Assert.True(p.TryGetExtension(2, out _)); // later elements still found

        // Remap: swap 5 <-> 2 in one pass; everything else blanked.
        var map = new byte[16];
        map[5] = 2; map[2] = 5;
        Assert.Equal(2, p.RemapExtensions(map));
        Assert.True(p.TryGetExtension(2, out var v2));
        Assert.Equal(Hex("0005"), v2.ToArray());
        Assert.True(p.TryGetExtension(5, out var v5));
        Assert.Equal(Hex("9e"), v5.ToArray());
        map[2] = 0;
        Assert.Equal(1, p.RemapExtensions(map));
        Assert.False(p.TryGetExtension(2, out _) && p.TryGetExtension(5, out _));
        Assert.Equal(OneByte.AsSpan(24).ToArray(), b.AsSpan(24).ToArray()); // payload untouched
    }

    [Fact]
    public void Typed_extensions_decode()
    {
        var exts = new RtpExtension[]
        {
            new(1, Hex("123456")),          // abs-send-time
            new(2, Hex("0d")),              // video orientation: back camera, flip, 90°
            new(3, Hex("fffffe")),          // toffset = -2
            new(4, Hex("00a0c8")),          // playout delay min 10 (100ms) max 200
            new(5, Hex("0102030405060708")),// abs capture time
            new(6, "r1"u8.ToArray()),       // repaired rid
        };
        var buf = new byte[200];
        var h = new RtpHeaderFields { PayloadType = 97, SequenceNumber = 1, Ssrc = 2 };
        int n = RtpPacketWriter.Write(buf, h, [], exts, [9]);
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
        var ids = new RtpExtensionIds { AbsSendTime = 1, VideoOrientation = 2, Toffset = 3, PlayoutDelay = 4, AbsCaptureTime = 5, RepairedRid = 6 };
        Assert.True(p.ReadAbsSendTime(ids, out uint ast));
        Assert.Equal(0x123456u, ast);
        Assert.True(p.WriteAbsSendTime(ids, RtpExtensionAccessors.AbsSendTimeFromMs(1000)));
        Assert.True(p.ReadAbsSendTime(ids, out ast));
        Assert.Equal(1u << 18, ast);
        Assert.True(p.ReadVideoOrientation(ids, out bool camera, out bool flip, out ushort rot));
        Assert.True(camera); Assert.True(flip); Assert.Equal(90, rot);
        Assert.True(p.ReadToffset(ids, out int toff));
        Assert.Equal(-2, toff);
        Assert.True(p.ReadPlayoutDelay(ids, out ushort min, out ushort max));
        Assert.Equal(10, min); Assert.Equal(200, max);
        Assert.True(p.ReadAbsCaptureTime(ids, out ulong ntp));
        Assert.Equal(0x0102030405060708ul, ntp);
        Assert.True(p.ReadRepairedRid(ids, out var rrid));
        Assert.Equal("r1"u8.ToArray(), rrid.ToArray());
    }

    // ---- fuzz / property tests ----

    private static bool CheckParse(byte[] input)
    {
        var err = RtpPacket.TryParse(input, out var p);
        if (err != RtpParseError.None) return p.IsEmpty;
        ReadOnlySpan<byte> all = input;
        if (!Inside(all, p.Payload) || !Inside(all, p.ExtensionData)) return false;
        if (p.HeaderLength + p.PayloadLength + p.PaddingLength != input.Length) return false;
        var e = p.Extensions;
        while (e.MoveNext())
            if (!Inside(p.ExtensionData, e.Current.Value)) return false;
        for (int i = 0; i < p.CsrcCount; i++) p.GetCsrc(i);
        var ids = new RtpExtensionIds { Mid = 1, Rid = 2, TransportWideCc01 = 3, AbsSendTime = 4, AudioLevel = 5, VideoOrientation = 6 };
        p.ReadMid(ids, out var mid);
        p.ReadRid(ids, out _);
        p.ReadTransportWideCc01(ids, out _);
        p.WriteTransportWideCc01(ids, 7);
        p.ReadAbsSendTime(ids, out _);
        p.ReadAudioLevel(ids, out _, out _);
        p.ReadVideoOrientation(ids, out _, out _, out _);
        p.RemapExtensions([0, 2, 1, 3]);
        return Inside(all, mid);
    }

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public bool Random_bytes_never_throw(byte[] input) => CheckParse(input ?? []);

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public bool Random_bytes_with_version_2_never_throw(byte[] input, byte first)
    {
        input ??= [];
        if (input.Length > 0) input[0] = (byte)(0x80 | (first & 0x3F));
        return CheckParse(input);
    }

    [FsCheck.Xunit.Property(MaxTest = 3000)]
    public bool Mutated_valid_packets_never_throw(int index, byte xor, int cut, bool twoByte)
    {
        var valid = twoByte ? Hex("b060 0001 00000000 00000000 10000002 00 1000 0103616263 00 ee 0002") : OneByte;
        return CheckParse(Mutate(valid, index, xor, cut));
    }
}
