using System.Net;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Stun;
using Xunit;

namespace AkkaSfu.Media.Tests.Ice;

/// <summary>The controlling client against our ICE-lite server, in process, with virtual time.</summary>
public class IceClientTests
{
    private const string CUfrag = "cliUfrag", CPwd = "cliPasswordAbcdefghijklm";
    private static readonly SocketAddress From = new IPEndPoint(IPAddress.Parse("10.0.0.9"), 40000).Serialize();

    private sealed class Pair
    {
        public readonly IceServer Server = new(IceServerTests.Ufrag, IceServerTests.Pwd);
        public readonly IceClient Client = new(CUfrag, CPwd, IceServerTests.Ufrag, IceServerTests.Pwd, 42, new Random(1));
        public readonly List<long> Sends = [];
        public bool DeliverResponses = true;
        public readonly List<bool> UseCandidate = [];
        private readonly byte[] _req = new byte[512], _resp = new byte[512];

        /// <summary>Runs 1 ms steps from <paramref name="from"/> to <paramref name="to"/> (exclusive).</summary>
        public void Run(long from, long to)
        {
            for (long t = from; t < to; t++)
            {
                Server.Tick(t);
                if (!Client.Tick(t, _req, out int n)) continue;
                Sends.Add(t);
                StunMessage.TryParse(_req.AsSpan(0, n), out var m);
                UseCandidate.Add(m.UseCandidate);
                var r = Server.ProcessStun(_req.AsSpan(0, n), From, t, _resp, out int rn);
                Assert.Equal(IceServerResult.Answered, r);
                if (DeliverResponses) Assert.Equal(IceClientResult.Success, Client.ProcessResponse(_resp.AsSpan(0, rn), t));
            }
        }
    }

    [Fact]
    public void Request_has_the_chromium_shape()
    {
        var c = new IceClient(CUfrag, CPwd, "remoteUfrag", "remotePasswordAbcdefghij", 0xAABBCCDDEEFF0011);
        var buf = new byte[512];
        Assert.True(c.Tick(0, buf, out int n));
        Assert.Equal(StunParseError.None, StunMessage.TryParse(buf.AsSpan(0, n), out var m));
        Assert.True(m.IsBindingRequest);
        Assert.Equal("remoteUfrag:cliUfrag"u8.ToArray(), m.Username.ToArray());
        Assert.True(m.HasIceControlling);
        Assert.Equal(0xAABBCCDDEEFF0011ul, m.IceControlling);
        Assert.Equal(c.Priority, m.Priority);
        Assert.False(m.UseCandidate);
        Assert.True(m.VerifyMessageIntegrity("remotePasswordAbcdefghij"u8));
        Assert.True(m.VerifyFingerprint());
        Assert.Equal(IceClientState.Checking, c.State);
    }

    [Fact]
    public void Check_then_nomination_connects_both_sides()
    {
        var p = new Pair();
        p.Run(0, 1);
        Assert.Equal(IceClientState.Connected, p.Client.State);
        Assert.Equal(IceState.Connected, p.Server.State);
        p.Run(1, 2);
        Assert.Equal(IceClientState.Completed, p.Client.State);
        Assert.Equal(IceState.Completed, p.Server.State);
        Assert.Equal([false, true], p.UseCandidate);
        Assert.Equal(From, p.Server.SelectedTuple);
    }

    [Fact]
    public void Unanswered_check_retransmits_with_doubling_rto_then_fails()
    {
        var c = new IceClient(CUfrag, CPwd, "r", "remotePasswordAbcdefghij", 1);
        var buf = new byte[512];
        var sends = new List<long>();
        byte[]? firstTx = null;
        for (long t = 0; t < 5000; t++)
        {
            if (!c.Tick(t, buf, out int n)) continue;
            sends.Add(t);
            StunMessage.TryParse(buf.AsSpan(0, n), out var m);
            firstTx ??= m.TransactionId.ToArray();
            Assert.Equal(firstTx, m.TransactionId.ToArray()); // retransmissions keep the transaction id
        }
        Assert.Equal([0L, 50, 150, 350, 750, 1250, 1750], sends);
        Assert.Equal(IceClientState.Failed, c.State);
    }

    [Fact]
    public void Consent_checks_every_4_to_6_seconds_keep_both_sides_alive()
    {
        var p = new Pair();
        p.Run(0, 120_000);
        Assert.Equal(IceClientState.Completed, p.Client.State);
        Assert.Equal(IceState.Completed, p.Server.State);
        var gaps = p.Sends.Skip(2).Zip(p.Sends.Skip(3), (a, b) => b - a).ToList();
        Assert.True(gaps.Count >= 19, $"only {gaps.Count} consent checks");
        Assert.All(gaps, g => Assert.InRange(g, 4000, 6000));
        Assert.True(gaps.Distinct().Count() > 1, "intervals are randomised");
        Assert.All(p.UseCandidate.Skip(2), Assert.False);
    }

    [Fact]
    public void Consent_lost_on_both_sides_when_responses_stop()
    {
        var p = new Pair();
        p.Run(0, 10_000);
        long lastSuccess = p.Sends[^1];
        p.DeliverResponses = false;           // the path back dies; server still sees checks
        p.Run(10_000, lastSuccess + 29_999);
        Assert.Equal(IceClientState.Completed, p.Client.State);
        p.Run(lastSuccess + 29_999, lastSuccess + 30_001);
        Assert.Equal(IceClientState.Disconnected, p.Client.State);
        long lastCheck = p.Sends[^1];
        int sent = p.Sends.Count;
        p.Run(lastSuccess + 30_001, lastCheck + 30_001);
        Assert.Equal(sent, p.Sends.Count);    // a client without consent stops sending
        Assert.Equal(IceState.Disconnected, p.Server.State);
        Assert.False(p.Server.IsValidTuple(From));
    }

    [Fact]
    public void Ice_restart_reconnects_with_new_credentials()
    {
        var p = new Pair();
        p.Run(0, 100);
        const string su = "serverUfrag2abcd", sp = "serverPassword2abcdefghijklmnopq";
        p.Server.RestartIce(su, sp);
        p.Client.Restart("cliUfrag2", "cliPassword2abcdefghijkl", su, sp);
        Assert.Equal(IceClientState.New, p.Client.State);
        p.Run(100, 102);
        Assert.Equal(IceClientState.Completed, p.Client.State);
        Assert.Equal(IceState.Completed, p.Server.State);

        // the old client credentials are now refused
        var old = new IceClient(CUfrag, CPwd, IceServerTests.Ufrag, IceServerTests.Pwd, 42);
        var buf = new byte[512];
        old.Tick(200, buf, out int n);
        Assert.Equal(IceServerResult.AnsweredUnauthorized, p.Server.ProcessStun(buf.AsSpan(0, n), From, 200, new byte[512], out _));
    }

    [Fact]
    public void Error_response_fails_the_client_with_its_code()
    {
        var server = new IceServer(IceServerTests.Ufrag, IceServerTests.Pwd);
        var c = new IceClient(CUfrag, CPwd, IceServerTests.Ufrag, "wrongPasswordAbcdefghijk", 1);
        var req = new byte[512];
        var resp = new byte[512];
        c.Tick(0, req, out int n);
        Assert.Equal(IceServerResult.AnsweredUnauthorized, server.ProcessStun(req.AsSpan(0, n), From, 0, resp, out int rn));
        Assert.Equal(IceClientResult.ErrorResponse, c.ProcessResponse(resp.AsSpan(0, rn), 0));
        Assert.Equal(IceClientState.Failed, c.State);
        Assert.Equal(401, c.LastErrorCode);
        Assert.False(c.Tick(10_000, req, out _));
    }

    [Fact]
    public void Responses_not_matching_the_pending_check_are_dropped()
    {
        var server = new IceServer(IceServerTests.Ufrag, IceServerTests.Pwd);
        var c = new IceClient(CUfrag, CPwd, IceServerTests.Ufrag, IceServerTests.Pwd, 1);
        var req = new byte[512];
        var resp = new byte[512];
        c.Tick(0, req, out int n);
        server.ProcessStun(req.AsSpan(0, n), From, 0, resp, out int rn);
        var good = resp[..rn];

        var otherTx = (byte[])good.Clone();
        otherTx[10] ^= 1;
        Assert.Equal(IceClientResult.DroppedUnknownTransaction, c.ProcessResponse(otherTx, 0));
        var badFp = (byte[])good.Clone();
        badFp[^1] ^= 1;
        Assert.Equal(IceClientResult.DroppedBadFingerprint, c.ProcessResponse(badFp, 0));
        var badMi = (byte[])good.Clone();
        badMi[^10] ^= 1;  // inside MESSAGE-INTEGRITY; fix up the fingerprint so only integrity is wrong
        RefreshFingerprint(badMi);
        Assert.Equal(IceClientResult.DroppedBadIntegrity, c.ProcessResponse(badMi, 0));
        Assert.Equal(IceClientResult.DroppedNotResponse, c.ProcessResponse(req.AsSpan(0, n), 0));
        Assert.Equal(IceClientResult.DroppedMalformed, c.ProcessResponse(good[..^1], 0));
        Assert.Equal(IceClientState.Checking, c.State);

        Assert.Equal(IceClientResult.Success, c.ProcessResponse(good, 0));
        Assert.Equal(IceClientState.Connected, c.State);
        Assert.Equal(IceClientResult.DroppedUnknownTransaction, c.ProcessResponse(good, 0)); // no replay
    }

    private static void RefreshFingerprint(byte[] msg)
    {
        uint fp = StunCrc32.Fingerprint(msg.AsSpan(0, msg.Length - 8));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(msg.AsSpan(msg.Length - 4), fp);
    }
}
