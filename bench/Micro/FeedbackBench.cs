using AkkaSfu.Media.Feedback;
using BenchmarkDotNet.Attributes;

namespace AkkaSfu.Bench;

/// <summary>Per-packet costs of the feedback state machines: all must allocate 0 B in steady state.</summary>
[MemoryDiagnoser]
public class FeedbackBench
{
    private readonly RtpReceiveStats _stats = new(0x11223344, minSequential: 1);
    private readonly NackGenerator _nack = new();
    private readonly RetransmissionBuffer _rtx = new(capacity: 2500, maxAgeMs: 2000);
    private readonly TransportCcRecorder _tcc = new();
    private readonly AkkaSfu.Media.Codecs.WrappingIdMapper _seqMapper = new(16, reorderWindow: 128);
    private readonly byte[] _packet = new byte[1200];
    private readonly byte[] _feedback = new byte[1500];
    private readonly ushort[] _nacks = new ushort[64];
    private ushort _seq;
    private uint _ts;
    private long _nowMs;
    private long _nowUs;

    /// <summary>Receiver stats + NACK generator for an in-order packet.</summary>
    [Benchmark]
    public int ReceiveStatsAndNack()
    {
        _seq++; _ts += 3000; _nowMs++;
        var r = _stats.Update(_seq, _ts, _nowMs, 1100, 90000);
        var ev = _nack.ReceivePacket(_seq, false, false, _nowMs);
        return (int)r + (int)ev;
    }

    /// <summary>Same with 2 % loss: every 50th packet missing, NACKs collected when a gap appears.</summary>
    [Benchmark]
    public int ReceiveStatsAndNackLossy()
    {
        _seq++; _ts += 3000; _nowMs++;
        if (_seq % 50 == 0) _seq++;
        _stats.Update(_seq, _ts, _nowMs, 1100, 90000);
        var ev = _nack.ReceivePacket(_seq, false, false, _nowMs);
        if ((ev & NackEvent.NacksPending) != 0) return _nack.CollectNacks(_nowMs, 50, _nacks, out _);
        return 0;
    }

    /// <summary>Store a 1,200-byte packet for retransmission.</summary>
    [Benchmark]
    public bool RetransmissionInsert()
    {
        _seq++; _nowMs++;
        return _rtx.Insert(_seq, _packet, _nowMs);
    }

    /// <summary>Record a transport-wide seq; every 100th call builds a feedback packet.</summary>
    [Benchmark]
    public int TransportCcRecord()
    {
        _seq++; _nowUs += 1000;
        _tcc.Record(_seq, _nowUs);
        return _seq % 100 == 0 ? _tcc.BuildFeedback(_nowUs, 1, 2, _feedback) : 0;
    }

    /// <summary>Map a consumer seq with 1 in 10 dropped (the consumer's WrappingIdMapper).</summary>
    [Benchmark]
    public int ConsumerSeqInput()
    {
        _seq++;
        if (_seq % 10 == 0) { _seqMapper.Drop(_seq); return 0; }
        _seqMapper.Input(_seq, out var o);
        return o;
    }
}
