using AkkaSfu.Media.Rtcp;
using Xunit;
using static AkkaSfu.Media.Tests.Rtp.SpanAssert;

namespace AkkaSfu.Media.Tests.Rtcp;

/// <summary>Random and mutated input into the compound reader and every view: never throws, and every
/// span handed out lies inside the input.</summary>
public class RtcpFuzzTests
{
    private static readonly byte[][] Valid = BuildValid();

    private static byte[][] BuildValid()
    {
        var list = new List<byte[]> { RtcpReportTests.SrSdes, RtcpReportTests.RrSdes };
        var buf = new byte[512];
        int n = RtcpNack.Write(buf, 1, 2, [1, 2, 5, 40, 41]); list.Add(buf[..n]);
        n = RtcpPli.Write(buf, 1, 2); list.Add(buf[..n]);
        n = RtcpFir.Write(buf, 1, [new RtcpFirEntry(3, 4)]); list.Add(buf[..n]);
        n = RtcpRemb.Write(buf, 1, 1_500_000, [2u, 3u]); list.Add(buf[..n]);
        n = RtcpBye.Write(buf, [1u], "x"u8); list.Add(buf[..n]);
        TransportCcArrival[] arr = [new(1, 0), TransportCcArrival.Lost(2), new(3, 90_000), new(4, 89_000), new(20, 100_000)];
        n = TransportCc.Write(buf, 1, 2, 0, arr, out _); list.Add(buf[..n]);
        list.Add(Hex("84cc0003 00000001 74657374 deadbeef"));
        return list.ToArray();
    }

    private static bool CheckAll(byte[] input)
    {
        ReadOnlySpan<byte> all = input;
        var r = new RtcpCompoundReader(input);
        int guard = 0;
        while (r.MoveNext())
        {
            if (++guard > input.Length) return false;
            var h = r.Current;
            if (!Inside(all, h.Packet) || !Inside(h.Packet, h.Body)) return false;
            if (!CheckPacket(h.Packet)) return false;
        }
        return CheckPacket(input);
    }

    private static bool CheckPacket(ReadOnlySpan<byte> p)
    {
        if (RtcpSenderReport.TryParse(p, out var sr) == RtcpError.None)
        {
            _ = sr.Info;
            for (int i = 0; i < sr.ReportCount; i++) sr.GetReportBlock(i);
        }
        if (RtcpReceiverReport.TryParse(p, out var rr) == RtcpError.None)
            for (int i = 0; i < rr.ReportCount; i++) rr.GetReportBlock(i);
        if (RtcpSdes.TryParse(p, out var sdes) == RtcpError.None)
        {
            foreach (var item in sdes) if (!Inside(p, item.Value)) return false;
            if (sdes.TryGetCname(out _, out var cname) && !Inside(p, cname)) return false;
        }
        if (RtcpBye.TryParse(p, out var bye) == RtcpError.None)
        {
            for (int i = 0; i < bye.SsrcCount; i++) bye.GetSsrc(i);
            if (!Inside(p, bye.Reason)) return false;
        }
        if (RtcpApp.TryParse(p, out var app) == RtcpError.None && (!Inside(p, app.Name) || !Inside(p, app.Data))) return false;
        if (RtcpNack.TryParse(p, out var nack) == RtcpError.None)
        {
            int count = 0;
            foreach (ushort _ in nack) if (++count > 17 * nack.ItemCount) return false;
        }
        RtcpPli.TryParse(p, out _);
        if (RtcpFir.TryParse(p, out var fir) == RtcpError.None)
            for (int i = 0; i < fir.EntryCount; i++) fir.GetEntry(i);
        if (RtcpRemb.TryParse(p, out var remb) == RtcpError.None)
            for (int i = 0; i < remb.SsrcCount; i++) remb.GetSsrc(i);
        if (TransportCc.TryParse(p, out var tcc) == RtcpError.None)
        {
            int count = 0;
            foreach (var _ in tcc) count++;
            if (count != tcc.PacketStatusCount) return false;
        }
        return true;
    }

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public bool Random_bytes_never_throw(byte[] input) => CheckAll(input ?? []);

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public bool Random_bodies_behind_valid_headers_never_throw(byte[] body, byte first, byte type)
    {
        body ??= [];
        int words = body.Length / 4;
        var b = new byte[4 + 4 * words];
        b[0] = (byte)(0x80 | (first & 0x3F));
        b[1] = (byte)(200 + type % 8);
        b[2] = (byte)(words >> 8); b[3] = (byte)words;
        body.AsSpan(0, 4 * words).CopyTo(b.AsSpan(4));
        return CheckAll(b);
    }

    [FsCheck.Xunit.Property(MaxTest = 5000)]
    public bool Mutated_valid_packets_never_throw(int which, int index, byte xor, int cut)
        => CheckAll(Mutate(Valid[(int)((uint)which % (uint)Valid.Length)], index, xor, cut));

    [Fact]
    public void Valid_corpus_parses()
    {
        foreach (var v in Valid) Assert.Equal(RtcpError.None, RtcpCompoundReader.Validate(v));
        Assert.All(Valid, v => Assert.True(CheckAll(v)));
    }
}
