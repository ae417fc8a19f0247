using AkkaSfu.Media.Rtcp;
using AkkaSfu.Media.Rtp;
using BenchmarkDotNet.Attributes;

namespace AkkaSfu.Bench;

/// <summary>Per-packet hot path of the RTP/RTCP views: must allocate 0 B.</summary>
[MemoryDiagnoser]
public class RtpBench
{
    private byte[] _rtp = [];
    private byte[] _nack = [];
    private byte[] _tcc = [];
    private TransportCcArrival[] _arrivals = [];
    private byte[] _tccOut = new byte[1500];
    private RtpExtensionIds _ids;
    private ushort _seq;

    [GlobalSetup]
    public void Setup()
    {
        _ids = new RtpExtensionIds { Mid = 1, AbsSendTime = 2, TransportWideCc01 = 3 };
        var header = new RtpHeaderFields { PayloadType = 96, SequenceNumber = 1, Timestamp = 90000, Ssrc = 0x11223344 };
        RtpExtension[] exts = [new(1, "0"u8.ToArray()), new(2, new byte[3]), new(3, new byte[2])];
        var payload = new byte[1200 - RtpPacketWriter.GetSize(0, exts, 0, 0)];
        _rtp = new byte[1200];
        RtpPacketWriter.Write(_rtp, header, [], exts, payload);

        _nack = new byte[64];
        int n = RtcpNack.Write(_nack, 1, 2, [100, 101, 105, 116, 200, 230, 231]);
        _nack = _nack[..n];

        _arrivals = new TransportCcArrival[100];
        for (int i = 0; i < _arrivals.Length; i++)
            _arrivals[i] = i % 10 == 3 ? TransportCcArrival.Lost((ushort)i) : new TransportCcArrival((ushort)i, 1_000_000 + i * 3_000L);
        _tcc = new byte[1500];
        n = TransportCc.Write(_tcc, 1, 2, 0, _arrivals, out _);
        _tcc = _tcc[..n];
    }

    /// <summary>Parse a 1,200-byte packet with 3 extensions, rewrite SSRC/PT/seq/ts, stamp a transport-wide seq.</summary>
    [Benchmark]
    public int ParseRewriteRtp()
    {
        if (RtpPacket.TryParse(_rtp, out var p) != RtpParseError.None) return -1;
        p.SetSsrc(0xCAFEBABE);
        p.SetPayloadType(100);
        p.SetSequenceNumber(++_seq);
        p.SetTimestamp(p.Timestamp + 3000);
        p.WriteTransportWideCc01(_ids, _seq);
        p.ReadMid(_ids, out var mid);
        return p.PayloadLength + mid.Length;
    }

    /// <summary>Parse a NACK and expand its lost sequence numbers.</summary>
    [Benchmark]
    public int ParseNack()
    {
        if (RtcpNack.TryParse(_nack, out var nack) != RtcpError.None) return -1;
        int sum = 0;
        foreach (ushort s in nack) sum += s;
        return sum;
    }

    /// <summary>Parse a 100-packet transport-cc feedback and walk every entry.</summary>
    [Benchmark]
    public long ParseTransportCc()
    {
        if (TransportCc.TryParse(_tcc, out var tcc) != RtcpError.None) return -1;
        long sum = 0;
        foreach (var p in tcc) sum += p.ArrivalUs;
        return sum;
    }

    /// <summary>Build a 100-packet transport-cc feedback.</summary>
    [Benchmark]
    public int BuildTransportCc() => TransportCc.Write(_tccOut, 1, 2, 0, _arrivals, out _);
}
