using AkkaSfu.Media.Rtcp;
using Xunit;
using static AkkaSfu.Media.Tests.Rtp.SpanAssert;

namespace AkkaSfu.Media.Tests.Rtcp;

public class RtcpReportTests
{
    // A Chromium-style sender compound built by hand: SR (no blocks) + SDES CNAME (16 chars).
    internal static readonly byte[] SrSdes = Hex(
        "80c80006 11223344 e9f0a1b2 c3d4e5f6 00015f90 00000064 0000c350" +
        "81ca0006 11223344 0110 6162636465666768696a6b6c6d6e6f70 0000");

    // A receiver compound: RR with one block + SDES.
    internal static readonly byte[] RrSdes = Hex(
        "81c90007 55667788 11223344 10fffffe 00010203 00000010 a1b2c3d4 00010000" +
        "81ca0003 55667788 01027878 00000000");

    [Fact]
    public void Compound_reader_walks_sr_and_sdes()
    {
        var r = new RtcpCompoundReader(SrSdes);
        Assert.True(r.MoveNext());
        Assert.Equal(RtcpPacketType.SenderReport, r.Current.PacketType);
        Assert.Equal(28, r.Current.Length);
        Assert.Equal(RtcpError.None, RtcpSenderReport.TryParse(r.Current.Packet, out var sr));
        Assert.Equal(new RtcpSenderInfo(0x11223344, 0xe9f0a1b2c3d4e5f6, 90000, 100, 50000), sr.Info);
        Assert.Equal(0, sr.ReportCount);
        Assert.True(r.MoveNext());
        Assert.Equal(28, r.CurrentOffset);
        Assert.Equal(RtcpError.None, RtcpSdes.TryParse(r.Current.Packet, out var sdes));
        Assert.True(sdes.TryGetCname(out uint ssrc, out var cname));
        Assert.Equal(0x11223344u, ssrc);
        Assert.Equal("abcdefghijklmnop"u8.ToArray(), cname.ToArray());
        Assert.False(r.MoveNext());
        Assert.Equal(RtcpError.None, r.Error);
    }

    [Fact]
    public void Rr_block_fields_including_negative_cumulative_loss()
    {
        Assert.Equal(RtcpError.None, RtcpCompoundReader.Validate(RrSdes));
        Assert.Equal(RtcpError.None, RtcpReceiverReport.TryParse(RrSdes, out var rr));
        Assert.Equal(0x55667788u, rr.Ssrc);
        Assert.Equal(1, rr.ReportCount);
        Assert.Equal(new RtcpReportBlock(0x11223344, 0x10, -2, 0x00010203, 16, 0xa1b2c3d4, 0x10000), rr.GetReportBlock(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => { RtcpReceiverReport.TryParse(RrSdes, out var x); x.GetReportBlock(1); });
    }

    [Fact]
    public void Sr_and_rr_builders_round_trip()
    {
        var blocks = new[]
        {
            new RtcpReportBlock(1, 2, 3, 4, 5, 6, 7),
            new RtcpReportBlock(0xFFFFFFFF, 255, -0x800000, 0xFFFFFFFF, 1, 2, 3),
        };
        var buf = new byte[200];
        var info = new RtcpSenderInfo(9, 0x0102030405060708, 10, 11, 12);
        int n = RtcpSenderReport.Write(buf, info, blocks);
        Assert.Equal(RtcpSenderReport.GetSize(2), n);
        Assert.Equal(RtcpError.None, RtcpSenderReport.TryParse(buf.AsSpan(0, n), out var sr));
        Assert.Equal(info, sr.Info);
        Assert.Equal(blocks[0], sr.GetReportBlock(0));
        Assert.Equal(blocks[1], sr.GetReportBlock(1));
        Assert.Equal(0, RtcpSenderReport.Write(buf.AsSpan(0, n - 1), info, blocks));

        n = RtcpReceiverReport.Write(buf, 77, blocks);
        Assert.Equal(RtcpError.None, RtcpReceiverReport.TryParse(buf.AsSpan(0, n), out var rr));
        Assert.Equal(77u, rr.Ssrc);
        Assert.Equal(blocks[1], rr.GetReportBlock(1));
        Assert.Equal(RtcpError.None, RtcpCompoundReader.Validate(buf.AsSpan(0, n)));
    }

    [Fact]
    public void Cumulative_loss_is_clamped_to_24_bits_on_write()
    {
        var buf = new byte[64];
        int n = RtcpReceiverReport.Write(buf, 1, [new RtcpReportBlock(1, 0, 10_000_000, 0, 0, 0, 0)]);
        RtcpReceiverReport.TryParse(buf.AsSpan(0, n), out var rr);
        Assert.Equal(0x7FFFFF, rr.GetReportBlock(0).CumulativeLost);
    }

    [Fact]
    public void Sdes_builder_round_trips_and_enumerates_all_items()
    {
        var buf = new byte[100];
        int n = RtcpSdes.WriteCname(buf, [1u, 2u], "user@host"u8);
        Assert.Equal(RtcpSdes.GetSize(2, 9), n);
        Assert.Equal(0, n % 4);
        Assert.Equal(RtcpError.None, RtcpSdes.TryParse(buf.AsSpan(0, n), out var sdes));
        Assert.Equal(2, sdes.ChunkCount);
        var ssrcs = new List<uint>();
        foreach (var item in sdes)
        {
            Assert.Equal(RtcpSdesType.Cname, item.Type);
            Assert.Equal("user@host"u8.ToArray(), item.Value.ToArray());
            ssrcs.Add(item.Ssrc);
        }
        Assert.Equal([1u, 2u], ssrcs);

        // Several items in one chunk, and an empty chunk.
        var multi = Hex("82ca0005 00000001 0101 61 0602 7474 00 00000002 00000000");
        Assert.Equal(RtcpError.None, RtcpSdes.TryParse(multi, out var m));
        int count = 0;
        foreach (var item in m) { count++; Assert.Equal(1u, item.Ssrc); }
        Assert.Equal(2, count);
    }

    [Fact]
    public void Bye_round_trips_with_and_without_reason()
    {
        var buf = new byte[64];
        int n = RtcpBye.Write(buf, [5u, 6u], "bye now"u8);
        Assert.Equal(RtcpBye.GetSize(2, 7), n);
        Assert.Equal(RtcpError.None, RtcpBye.TryParse(buf.AsSpan(0, n), out var bye));
        Assert.Equal(2, bye.SsrcCount);
        Assert.Equal(6u, bye.GetSsrc(1));
        Assert.Equal("bye now"u8.ToArray(), bye.Reason.ToArray());
        n = RtcpBye.Write(buf, [5u]);
        Assert.Equal(8, n);
        RtcpBye.TryParse(buf.AsSpan(0, n), out bye);
        Assert.True(bye.Reason.IsEmpty);
    }

    [Fact]
    public void App_is_recognised_and_skipped()
    {
        var compound = Hex("84cc0003 00000001 74657374 deadbeef" + "81cb0001 00000001");
        var r = new RtcpCompoundReader(compound);
        Assert.True(r.MoveNext());
        Assert.Equal(RtcpError.None, RtcpApp.TryParse(r.Current.Packet, out var app));
        Assert.Equal(4, app.Subtype);
        Assert.Equal("test"u8.ToArray(), app.Name.ToArray());
        Assert.Equal(Hex("deadbeef"), app.Data.ToArray());
        Assert.True(r.MoveNext());
        Assert.Equal(RtcpPacketType.Bye, r.Current.PacketType);
        Assert.False(r.MoveNext());
    }

    public static TheoryData<string, RtcpError> Malformed => new()
    {
        // header-level
        { "80c8", RtcpError.TooShort },
        { "40c80000", RtcpError.BadVersion },
        { "80c80001 000000", RtcpError.LengthExceedsBuffer },
        { "a0c90001 00000000", RtcpError.BadPadding },
        { "a0c90001 00000005", RtcpError.BadPadding },
        { "80c90000", RtcpError.TruncatedBody },           // RR without reporter SSRC
        { "81c90001 00000001", RtcpError.TruncatedBody },  // RR declaring a block it lacks
        { "80c80001 00000001", RtcpError.TruncatedBody },  // SR without sender info
        { "80c90000 ", RtcpError.TruncatedBody },
        { "81c80001 00000001", RtcpError.TruncatedBody },
        { "80ca0000", RtcpError.None },                    // SDES with SC=0 is fine
        { "81ca0001 00000001", RtcpError.TruncatedBody },  // chunk without null item
        { "81ca0002 00000001 01056162", RtcpError.TruncatedBody }, // item runs past end
        { "81cb0000", RtcpError.TruncatedBody },           // BYE declaring one SSRC
        { "81cb0002 00000001 05616263", RtcpError.TruncatedBody }, // reason too long
        { "80cc0001 00000001", RtcpError.TruncatedBody },  // APP without name
    };

    [Theory, MemberData(nameof(Malformed))]
    public void Malformed_input_maps_to_exact_error(string hex, RtcpError expected)
    {
        var b = Hex(hex);
        var err = RtcpHeader.TryParse(b, out var h);
        if (err == RtcpError.None)
        {
            err = h.PacketType switch
            {
                RtcpPacketType.SenderReport => RtcpSenderReport.TryParse(b, out _),
                RtcpPacketType.ReceiverReport => RtcpReceiverReport.TryParse(b, out _),
                RtcpPacketType.SourceDescription => RtcpSdes.TryParse(b, out _),
                RtcpPacketType.Bye => RtcpBye.TryParse(b, out _),
                RtcpPacketType.App => RtcpApp.TryParse(b, out _),
                _ => RtcpError.None,
            };
        }
        Assert.Equal(expected, err);
    }

    [Fact]
    public void Views_reject_other_packet_types()
    {
        Assert.Equal(RtcpError.WrongType, RtcpReceiverReport.TryParse(SrSdes, out _));
        Assert.Equal(RtcpError.WrongType, RtcpSdes.TryParse(SrSdes, out _));
        Assert.Equal(RtcpError.WrongType, RtcpBye.TryParse(SrSdes, out _));
    }

    [Fact]
    public void Compound_reader_stops_at_bad_length_and_reports_it()
    {
        var bad = SrSdes.AsSpan(0, SrSdes.Length - 4).ToArray();
        var r = new RtcpCompoundReader(bad);
        Assert.True(r.MoveNext());
        Assert.False(r.MoveNext());
        Assert.Equal(RtcpError.LengthExceedsBuffer, r.Error);
        Assert.Equal(RtcpError.TooShort, RtcpCompoundReader.Validate([]));
    }

    [Fact]
    public void Padding_is_excluded_from_body()
    {
        var b = Hex("a0cb0002 00000000 00000004"); // BYE SC=0 with 4 bytes padding... plus a zero word body
        Assert.Equal(RtcpError.None, RtcpHeader.TryParse(b, out var h));
        Assert.Equal(4, h.PaddingLength);
        Assert.Equal(4, h.Body.Length);
        Assert.True(Inside(b, h.Body));
    }
}

public class RtcpNtpTests
{
    [Fact]
    public void Unix_epoch_is_ntp_2208988800()
    {
        Assert.Equal(0x83AA7E80ul << 32, RtcpNtp.FromUnixMs(0));
        Assert.Equal((0x83AA7E80ul + 1) << 32 | 0x80000000ul, RtcpNtp.FromUnixMs(1500));
        Assert.Equal(1500, RtcpNtp.ToUnixMs(RtcpNtp.FromUnixMs(1500)));
        Assert.Equal(1_764_000_000_123, RtcpNtp.ToUnixMs(RtcpNtp.FromUnixMs(1_764_000_000_123)));
    }

    [Fact]
    public void Round_trip_time_from_lsr_and_dlsr()
    {
        // RFC 3550 §6.4.1's example: A sends SR at 0xb705:2000, B holds it 5.25 s (DLSR 0x0005:4000),
        // A receives the RR at 0xb710:8000 -> RTT 0x0006:2000 = 6.125 s.
        Assert.Equal(6125, RtcpNtp.RoundTripMs(0xb7108000, 0xb7052000, 0x00054000));
        Assert.Equal(-1, RtcpNtp.RoundTripMs(0xb7108000, 0, 0));
        Assert.Equal(-1, RtcpNtp.RoundTripMs(0xb7050000, 0xb7052000, 0));
        Assert.Equal(0x00054000u, RtcpNtp.CompactFromMs(5250));
        Assert.Equal(0xb7052000u, RtcpNtp.ToCompact(0x0000b7052000_0000ul));
    }
}
