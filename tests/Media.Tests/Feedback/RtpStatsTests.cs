using AkkaSfu.Media.Feedback;
using AkkaSfu.Media.Rtcp;

namespace AkkaSfu.Media.Tests.Feedback;

public class RtpReceiveStatsTests
{
    private static RtpSeqResult Feed(RtpReceiveStats s, int seq, long arrivalMs = 0, uint ts = 0, int bytes = 100)
        => s.Update((ushort)seq, ts, arrivalMs, bytes, 90000);

    [Fact]
    public void Probation_needs_two_in_sequence_then_counts_from_the_second()
    {
        var s = new RtpReceiveStats(0x1234);
        Assert.Equal(RtpSeqResult.Probation, Feed(s, 100));
        Assert.Equal(RtpSeqResult.Valid, Feed(s, 101));
        Assert.Equal(1, s.PacketsReceived);
        Assert.Equal(1, s.Expected);
        Assert.Equal(1, s.PacketsDiscarded);
        Assert.Equal(100, s.BytesReceived);
    }

    [Fact]
    public void Probation_restarts_on_a_non_sequential_packet()
    {
        var s = new RtpReceiveStats(1);
        Assert.Equal(RtpSeqResult.Probation, Feed(s, 100));
        Assert.Equal(RtpSeqResult.Probation, Feed(s, 200));
        Assert.Equal(RtpSeqResult.Valid, Feed(s, 201));
        Assert.Equal(201u, s.ExtendedHighestSequence);
    }

    [Fact]
    public void Loss_expected_and_fraction_as_rfc3550_a3()
    {
        var s = new RtpReceiveStats(7, minSequential: 1);
        for (int seq = 1; seq <= 10; seq++) if (seq != 5) Feed(s, seq);
        Assert.Equal(10, s.Expected);
        Assert.Equal(9, s.PacketsReceived);
        Assert.Equal(1, s.CumulativeLost);
        var rb = s.FillReportBlock(0);
        Assert.Equal(7u, rb.Ssrc);
        Assert.Equal((256 * 1) / 10, rb.FractionLost); // 25
        Assert.Equal(1, rb.CumulativeLost);
        Assert.Equal(10u, rb.ExtendedHighestSequence);
        Assert.Equal(7, s.Score); // 10 % loss: round(10·0.9⁴) = round(6.56)

        // Next interval: 11..30 with 4 lost => fraction 4·256/20 = 51.
        for (int seq = 11; seq <= 30; seq++) if (seq % 5 != 2) Feed(s, seq); // 12, 17, 22, 27 lost
        rb = s.FillReportBlock(0);
        Assert.Equal(51, rb.FractionLost);
        Assert.Equal(5, rb.CumulativeLost);
        Assert.Equal(4, s.Score); // 20 %: round(4.096)

        // Empty interval: fraction 0, score unchanged.
        rb = s.FillReportBlock(0);
        Assert.Equal(0, rb.FractionLost);
        Assert.Equal(4, s.Score);
    }

    [Fact]
    public void Wrap_increments_cycles()
    {
        var s = new RtpReceiveStats(1, minSequential: 1);
        foreach (int seq in new[] { 65534, 65535, 0, 1 }) Assert.Equal(RtpSeqResult.Valid, Feed(s, seq));
        Assert.Equal(65536u + 1, s.ExtendedHighestSequence);
        Assert.Equal(4, s.Expected);
        Assert.Equal(0, s.CumulativeLost);
    }

    [Fact]
    public void Reordered_and_duplicate_packets_are_counted_but_do_not_move_the_highest()
    {
        var s = new RtpReceiveStats(1, minSequential: 1);
        Assert.Equal(RtpSeqResult.Valid, Feed(s, 10));
        Assert.Equal(RtpSeqResult.Valid, Feed(s, 11));
        Assert.Equal(RtpSeqResult.Valid, Feed(s, 13));
        Assert.Equal(RtpSeqResult.Reordered, Feed(s, 12));
        Assert.Equal(RtpSeqResult.Reordered, Feed(s, 12));
        Assert.Equal(13u, s.ExtendedHighestSequence);
        Assert.Equal(5, s.PacketsReceived);
        Assert.Equal(-1, s.CumulativeLost); // duplicates make loss negative, as in RFC 3550
        Assert.Equal(0, s.FillReportBlock(0).FractionLost);
    }

    [Fact]
    public void Big_jump_is_discarded_once_then_restarts_the_sequence()
    {
        var s = new RtpReceiveStats(1, minSequential: 1);
        Feed(s, 1); Feed(s, 2); Feed(s, 3);
        Assert.Equal(RtpSeqResult.BadJump, Feed(s, 20000));
        Assert.Equal(3u, s.ExtendedHighestSequence);
        Assert.Equal(RtpSeqResult.Restarted, Feed(s, 20001));
        Assert.Equal(20001u, s.ExtendedHighestSequence);
        Assert.Equal(1, s.PacketsReceived);
        Assert.Equal(1, s.Expected);
    }

    [Fact]
    public void Backward_step_beyond_misorder_is_a_bad_jump_and_small_one_is_reordered()
    {
        var s = new RtpReceiveStats(1, minSequential: 1);
        for (int seq = 900; seq <= 1000; seq++) Feed(s, seq);
        Assert.Equal(RtpSeqResult.Reordered, Feed(s, 1000 - RtpReceiveStats.MaxMisorder + 1));
        Assert.Equal(RtpSeqResult.BadJump, Feed(s, 800));
        Assert.Equal(RtpSeqResult.BadJump, Feed(s, 850)); // not 801: no restart
        Assert.Equal(RtpSeqResult.Valid, Feed(s, 1001));
        Assert.Equal(1001u, s.ExtendedHighestSequence);
    }

    [Fact]
    public void Jitter_follows_rfc3550_a8_by_hand()
    {
        // 90 kHz, 20 ms frames (1800 ticks). Packets on time until one is 10 ms (900 ticks) late.
        var s = new RtpReceiveStats(1, minSequential: 1);
        long t = 1000; uint ts = 5000;
        for (int i = 0; i < 5; i++) { s.Update((ushort)i, ts, t, 100, 90000); t += 20; ts += 1800; }
        Assert.Equal(0u, s.Jitter);
        s.Update(5, ts, t + 10, 100, 90000); t += 20; ts += 1800; // D = 900: J = 900/16 = 56.25
        Assert.Equal(56u, s.Jitter);
        s.Update(6, ts, t, 100, 90000); t += 20; ts += 1800;      // D = 900: J = 56.25 + (900 − 56.25)/16 = 108.98
        Assert.Equal(109u, s.Jitter);
        s.Update(7, ts, t, 100, 90000);                            // D = 0: J = 108.98 · 15/16 = 102.17
        Assert.Equal(102u, s.Jitter);
        Assert.Equal(102u, s.FillReportBlock(t).Jitter);
    }

    [Fact]
    public void Jitter_survives_rtp_timestamp_wrap()
    {
        var s = new RtpReceiveStats(1, minSequential: 1);
        uint ts = uint.MaxValue - 1800 * 2;
        long t = 0;
        for (int i = 0; i < 6; i++) { s.Update((ushort)i, ts, t, 100, 90000); t += 20; ts += 1800; }
        Assert.Equal(0u, s.Jitter);
    }

    [Fact]
    public void Lsr_and_dlsr_come_from_the_last_sender_report()
    {
        var s = new RtpReceiveStats(1, minSequential: 1);
        Feed(s, 1);
        Assert.Equal(0u, s.FillReportBlock(0).LastSr);
        ulong ntp = 0xE1E2E3E4_A1A2A3A4;
        s.ReceiveSenderReport(ntp, 1234, 1000);
        var rb = s.FillReportBlock(1500);
        Assert.Equal(0xE3E4A1A2u, rb.LastSr);
        Assert.Equal(32768u, rb.DelaySinceLastSr); // 0.5 s in 1/65536 s
        Assert.Equal(1234u, s.LastSrRtpTimestamp);
    }
}

public class RtpSendStatsTests
{
    [Fact]
    public void Sender_info_extrapolates_the_rtp_timestamp_and_counts()
    {
        var s = new RtpSendStats(0xAABB);
        s.OnPacketSent(100, 1000, 10_000);
        s.OnPacketSent(200, 1900, 10_010);
        var info = s.BuildSenderInfo(10_030, 90000);
        Assert.Equal(0xAABBu, info.Ssrc);
        Assert.Equal(1900u + 20 * 90, info.RtpTimestamp);
        Assert.Equal(2u, info.PacketCount);
        Assert.Equal(300u, info.OctetCount);
        Assert.Equal(RtcpNtp.FromUnixMs(10_030), info.NtpTimestamp);
    }

    [Fact]
    public void Rtt_from_lsr_and_dlsr()
    {
        var s = new RtpSendStats(1);
        long t0 = 1_700_000_000_000;
        s.OnPacketSent(100, 0, t0);
        var info = s.BuildSenderInfo(t0, 90000);
        // The receiver holds our SR 100 ms; its RR reaches us 150 ms after we sent the SR.
        var block = new RtcpReportBlock(1, 0, 0, 0, 0, RtcpNtp.ToCompact(info.NtpTimestamp), RtcpNtp.CompactFromMs(100));
        Assert.Equal(-1, s.RttMs);
        s.ReceiveReportBlock(block, t0 + 150);
        Assert.InRange(s.RttMs, 49, 51);
        // A block without LSR keeps the last RTT.
        s.ReceiveReportBlock(block with { LastSr = 0 }, t0 + 300);
        Assert.InRange(s.RttMs, 49, 51);
    }

    [Fact]
    public void Score_from_interval_loss_then_fraction_fallback()
    {
        var s = new RtpSendStats(1);
        for (int i = 0; i < 100; i++) s.OnPacketSent(10, (uint)i, i);
        s.ReceiveReportBlock(new RtcpReportBlock(1, 25, 10, 100, 0, 0, 0), 200);
        Assert.Equal(7, s.Score);      // 10 of 100
        Assert.Equal(25, s.FractionLost);
        for (int i = 0; i < 100; i++) s.OnPacketSent(10, (uint)i, i);
        s.ReceiveReportBlock(new RtcpReportBlock(1, 0, 10, 200, 0, 0, 0), 400);
        Assert.Equal(10, s.Score);     // no new loss
        // Nothing sent since: use the block's fraction lost (128/256 = 50 %).
        s.ReceiveReportBlock(new RtcpReportBlock(1, 128, 10, 200, 0, 0, 0), 600);
        Assert.Equal(1, s.Score);
    }

    [Theory]
    [InlineData(0.0, 10)]
    [InlineData(0.05, 8)]
    [InlineData(0.10, 7)]
    [InlineData(0.20, 4)]
    [InlineData(0.50, 1)]
    [InlineData(0.60, 0)]
    [InlineData(1.0, 0)]
    [InlineData(-0.1, 10)]
    public void Score_table(double loss, int score) => Assert.Equal(score, StreamScore.FromLossRatio(loss));
}
