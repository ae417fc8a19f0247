using AkkaSfu.Media.Rtp;
using Xunit;
using static AkkaSfu.Media.Tests.Rtp.SpanAssert;

namespace AkkaSfu.Media.Tests.Rtp;

public class RtpWriterAndRtxTests
{
    private static readonly RtpHeaderFields Header = new()
    {
        Marker = true, PayloadType = 96, SequenceNumber = 0xFFFE, Timestamp = 0x01020304, Ssrc = 0xA1B2C3D4,
    };

    [Fact]
    public void Writes_one_byte_form_when_possible_and_round_trips()
    {
        var buf = new byte[100];
        RtpExtension[] exts = [new(1, "0"u8.ToArray()), new(3, Hex("0005"))];
        int n = RtpPacketWriter.Write(buf, Header, [7u], exts, Hex("aabbcc"), paddingLength: 3);
        // 12 + 4 csrc + 4 block hdr + 8 (2+3 bytes padded) + 3 payload + 3 padding
        Assert.Equal(34, n);
        Assert.Equal(n, RtpPacketWriter.GetSize(1, exts, 3, 3));
        Assert.Equal(Hex("b1e0fffe 01020304 a1b2c3d4 00000007 bede0002 1030 310005 000000 aabbcc 000003"), buf.AsSpan(0, n).ToArray());
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
        Assert.True(p.Marker);
        Assert.Equal(96, p.PayloadType);
        Assert.Equal(0xFFFE, p.SequenceNumber);
        Assert.Equal(0x01020304u, p.Timestamp);
        Assert.Equal(0xA1B2C3D4u, p.Ssrc);
        Assert.Equal(7u, p.GetCsrc(0));
        Assert.Equal(3, p.PaddingLength);
        Assert.Equal(Hex("aabbcc"), p.Payload.ToArray());
        Assert.True(p.TryGetExtension(3, out var v));
        Assert.Equal(Hex("0005"), v.ToArray());
    }

    [Theory]
    [InlineData(15, 1)]
    [InlineData(1, 17)]
    [InlineData(1, 0)]
    public void Writes_two_byte_form_when_needed(int id, int length)
    {
        var buf = new byte[100];
        RtpExtension[] exts = [new(2, Hex("01")), new((byte)id, new byte[length])];
        int n = RtpPacketWriter.Write(buf, Header, [], exts, Hex("aa"));
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, n), out var p));
        Assert.True(p.HasTwoByteExtensions);
        Assert.True(p.TryGetExtension((byte)id, out var v));
        Assert.Equal(length, v.Length);
        Assert.True(p.TryGetExtension(2, out _));
        Assert.Equal(Hex("aa"), p.Payload.ToArray());
    }

    [Fact]
    public void Too_small_buffer_returns_zero_and_bad_arguments_throw()
    {
        Assert.Equal(0, RtpPacketWriter.Write(new byte[14], Header, [], [], Hex("aabbcc")));
        Assert.Equal(15, RtpPacketWriter.Write(new byte[15], Header, [], [], Hex("aabbcc")));
        Assert.Throws<ArgumentException>(() => RtpPacketWriter.Write(new byte[64], Header, [], [new(0, Hex("00"))], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtpPacketWriter.Write(new byte[64], Header, [], [], [], 256));
    }

    [Fact]
    public void Rtx_round_trip_restores_original()
    {
        var orig = new byte[100];
        RtpExtension[] exts = [new(1, "0"u8.ToArray()), new(3, Hex("0005"))];
        int n = RtpPacketWriter.Write(orig, Header, [], exts, Hex("0102030405"), paddingLength: 4);
        RtpPacket.TryParse(orig.AsSpan(0, n), out var p);

        var rtx = new byte[100];
        Assert.Equal(RtxError.BufferTooSmall, Rtx.Encapsulate(p, rtx.AsSpan(0, n - 4 + 1), 97, 0x5555, 10, out _));
        Assert.Equal(RtxError.None, Rtx.Encapsulate(p, rtx, 97, 0x5555, 10, out int m));
        Assert.Equal(n - 4 + 2, m);
        RtpPacket.TryParse(rtx.AsSpan(0, m), out var r);
        Assert.Equal(97, r.PayloadType);
        Assert.Equal(0x5555u, r.Ssrc);
        Assert.Equal(10, r.SequenceNumber);
        Assert.True(r.Marker);
        Assert.Equal(Hex("fffe 0102030405"), r.Payload.ToArray());
        Assert.True(Rtx.TryReadOsn(r, out ushort osn));
        Assert.Equal(0xFFFE, osn);

        Assert.Equal(RtxError.None, Rtx.DecapsulateInPlace(rtx.AsSpan(0, m), 96, 0xA1B2C3D4, out var back));
        Assert.Equal(m - 2, back.Length);
        // Same as the original minus its padding (P bit cleared).
        var expected = orig.AsSpan(0, n - 4).ToArray();
        expected[0] &= 0xDF;
        Assert.Equal(expected, back.Buffer.ToArray());
    }

    [Fact]
    public void Rtx_decapsulation_errors()
    {
        var padOnly = Hex("a07f 0001 00000000 00000000 00000004");
        Assert.Equal(RtxError.NoOsn, Rtx.DecapsulateInPlace(padOnly, 96, 1, out _));
        Assert.Equal(RtxError.Malformed, Rtx.DecapsulateInPlace(Hex("8060"), 96, 1, out _));
        var oneByte = Hex("8061 0001 00000000 00000000 ab");
        Assert.Equal(RtxError.NoOsn, Rtx.DecapsulateInPlace(oneByte, 96, 1, out _));
    }

    [Fact]
    public void Rtx_decapsulation_keeps_padding()
    {
        var b = Hex("a061 0009 00000000 00000005 0007 aa 0002");
        Assert.Equal(RtxError.None, Rtx.DecapsulateInPlace(b, 96, 1, out var p));
        Assert.Equal(7, p.SequenceNumber);
        Assert.Equal(Hex("aa"), p.Payload.ToArray());
        Assert.Equal(2, p.PaddingLength);
    }

    [Fact]
    public void Rtx_decapsulate_into_buffer_leaves_rtx_untouched()
    {
        var rtx = Hex("a061 0009 00000000 00000005 0007 aabb 0002");
        var copy = (byte[])rtx.Clone();
        RtpPacket.TryParse(rtx, out var r);
        var dst = new byte[32];
        Assert.Equal(RtxError.BufferTooSmall, Rtx.Decapsulate(r, dst.AsSpan(0, 13), 96, 9, out _));
        Assert.Equal(RtxError.None, Rtx.Decapsulate(r, dst, 96, 9, out int n));
        Assert.Equal(Hex("8060 0007 00000000 00000009 aabb"), dst.AsSpan(0, n).ToArray());
        Assert.Equal(copy, rtx);
    }

    [Fact]
    public void ReplaceExtensions_grows_shrinks_and_removes_the_block()
    {
        var buf = new byte[64];
        int n = RtpPacketWriter.Write(buf, Header, [7u], [new(1, "0"u8.ToArray())], Hex("0102030405"), paddingLength: 2);
        Assert.Equal(31, n); // 12 + 4 CSRC + 8 block + 5 payload + 2 padding

        // Grow: add tcc + abs-send-time; payload and padding move.
        int m = RtpPacketWriter.ReplaceExtensions(buf, n, [new(1, "0"u8.ToArray()), new(2, Hex("000000")), new(3, Hex("0000"))]);
        Assert.Equal(n + 8, m); // block grows from 8 to 16 bytes
        Assert.Equal(RtpParseError.None, RtpPacket.TryParse(buf.AsSpan(0, m), out var p));
        var ids = new RtpExtensionIds { Mid = 1, AbsSendTime = 2, TransportWideCc01 = 3 };
        Assert.True(p.WriteTransportWideCc01(ids, 42));
        Assert.True(p.ReadMid(ids, out var mid));
        Assert.Equal("0"u8.ToArray(), mid.ToArray());
        Assert.Equal(7u, p.GetCsrc(0));
        Assert.Equal(Hex("0102030405"), p.Payload.ToArray());
        Assert.Equal(2, p.PaddingLength);

        // Two-byte form when an id needs it.
        m = RtpPacketWriter.ReplaceExtensions(buf, m, [new(20, Hex("01"))]);
        RtpPacket.TryParse(buf.AsSpan(0, m), out p);
        Assert.True(p.HasTwoByteExtensions);
        Assert.Equal(Hex("0102030405"), p.Payload.ToArray());

        // Remove entirely: X bit cleared.
        m = RtpPacketWriter.ReplaceExtensions(buf, m, []);
        Assert.Equal(n - 8, m);
        RtpPacket.TryParse(buf.AsSpan(0, m), out p);
        Assert.False(p.HasExtension);
        Assert.Equal(16, p.HeaderLength);
        Assert.Equal(Hex("0102030405"), p.Payload.ToArray());

        // No room: returns 0 and leaves the packet alone.
        var before = buf.AsSpan(0, m).ToArray();
        Assert.Equal(0, RtpPacketWriter.ReplaceExtensions(buf.AsSpan(0, m + 3), m, [new(1, "0"u8.ToArray())]));
        Assert.Equal(before, buf.AsSpan(0, m).ToArray());
        Assert.Equal(0, RtpPacketWriter.ReplaceExtensions(buf, 5, []));
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public bool Writer_round_trips_random_fields(ushort seq, uint ts, uint ssrc, byte pt, bool marker, byte[] payload, byte pad, byte extId, byte extLen)
    {
        payload ??= [];
        byte id = (byte)(extId == 0 ? 1 : extId);
        var h = new RtpHeaderFields { Marker = marker, PayloadType = (byte)(pt & 0x7F), SequenceNumber = seq, Timestamp = ts, Ssrc = ssrc };
        RtpExtension[] exts = [new(id, new byte[extLen])];
        var buf = new byte[RtpPacketWriter.GetSize(0, exts, payload.Length, pad)];
        int n = RtpPacketWriter.Write(buf, h, [], exts, payload, pad);
        return n == buf.Length
            && RtpPacket.TryParse(buf, out var p) == RtpParseError.None
            && p.Marker == marker && p.PayloadType == (pt & 0x7F) && p.SequenceNumber == seq
            && p.Timestamp == ts && p.Ssrc == ssrc && p.Payload.SequenceEqual(payload) && p.PaddingLength == pad
            && p.TryGetExtension(id, out var v) && v.Length == extLen;
    }
}
