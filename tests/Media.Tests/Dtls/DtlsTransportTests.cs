using Xunit;
using System.Diagnostics;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Tests.Dtls;

public class DtlsTransportTests
{
    [Theory]
    [InlineData(SrtpProfile.AeadAes256Gcm, 32, 12)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 16, 12)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 16, 14)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_32, 16, 14)]
    public async Task Handshake_completes_for_each_profile_and_keys_agree(SrtpProfile profile, int keyLen, int saltLen)
    {
        var pair = new DtlsPair([profile], [profile]);
        pair.Run();
        var c = await DtlsPair.Within(pair.ClientEnd.Connected.Task);
        var s = await DtlsPair.Within(pair.ServerEnd.Connected.Task);

        Assert.Equal(profile, c.Profile);
        Assert.Equal(profile, s.Profile);
        Assert.Equal(DtlsRole.Client, c.Role);
        Assert.Equal(DtlsRole.Server, s.Role);
        Assert.Equal(keyLen, c.Local.Key.Length);
        Assert.Equal(saltLen, c.Local.Salt.Length);
        // What the client protects with, the server unprotects with, and vice versa.
        Assert.Equal(c.Local.Key, s.Remote.Key);
        Assert.Equal(c.Local.Salt, s.Remote.Salt);
        Assert.Equal(s.Local.Key, c.Remote.Key);
        Assert.Equal(s.Local.Salt, c.Remote.Salt);
        Assert.NotEqual(c.Local.Key, c.Remote.Key);
        Assert.True(pair.Client.IsConnected);
        Assert.True(pair.Server.IsConnected);
        Assert.Equal(1, pair.Server.Counters.HandshakesCompleted);
        Assert.Equal(1, pair.Server.Counters.HandshakesStarted);
        Assert.True(pair.Server.HandshakeThread!.Join(2000), "handshake thread must end with the handshake");
        Assert.True(pair.Client.HandshakeThread!.Join(2000));
        pair.Client.Close();
        pair.Server.Close();
    }

    [Fact]
    public async Task Default_profiles_pick_aes256_gcm()
    {
        var pair = new DtlsPair();
        pair.Run();
        Assert.Equal(SrtpProfile.AeadAes256Gcm, (await DtlsPair.Within(pair.ServerEnd.Connected.Task)).Profile);
        Assert.Equal(SrtpProfile.AeadAes256Gcm, (await DtlsPair.Within(pair.ClientEnd.Connected.Task)).Profile);
    }

    [Fact]
    public async Task Server_picks_its_first_preference_among_the_offered()
    {
        var pair = new DtlsPair(
            clientProfiles: [SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes256Gcm],
            serverProfiles: [SrtpProfile.Aes128CmHmacSha1_32, SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm]);
        pair.Run();
        Assert.Equal(SrtpProfile.Aes128CmHmacSha1_80, (await DtlsPair.Within(pair.ServerEnd.Connected.Task)).Profile);
        Assert.Equal(SrtpProfile.Aes128CmHmacSha1_80, (await DtlsPair.Within(pair.ClientEnd.Connected.Task)).Profile);
    }

    [Fact]
    public async Task Server_with_wrong_client_fingerprint_fails_with_FingerprintMismatch()
    {
        var pair = new DtlsPair();
        pair.Run(serverExpectsClient: DtlsPair.ServerCert.Sha256); // not the client's
        var s = await DtlsPair.Within(pair.ServerEnd.Failed.Task);
        Assert.Equal(DtlsFailure.FingerprintMismatch, s.Reason);
        var c = await DtlsPair.Within(pair.ClientEnd.Failed.Task);
        Assert.Equal(DtlsFailure.AlertReceived, c.Reason);
        Assert.Contains("bad_certificate", c.Detail);
        Assert.False(pair.ServerEnd.Connected.Task.IsCompleted);
        Assert.Equal(1, pair.Server.Counters.Failed(DtlsFailure.FingerprintMismatch));
        Assert.False(pair.Server.IsConnected);
    }

    [Fact]
    public async Task Client_with_wrong_server_fingerprint_fails_with_FingerprintMismatch()
    {
        var pair = new DtlsPair();
        // Right algorithm, wrong value: sha-1 of the right cert would match, so use another cert's sha-384.
        pair.Run(clientExpectsServer: DtlsPair.ClientCert.Fingerprints[3]);
        var c = await DtlsPair.Within(pair.ClientEnd.Failed.Task);
        Assert.Equal(DtlsFailure.FingerprintMismatch, c.Reason);
        var s = await DtlsPair.Within(pair.ServerEnd.Failed.Task);
        Assert.Equal(DtlsFailure.AlertReceived, s.Reason);
    }

    [Fact]
    public async Task Fingerprint_of_another_algorithm_for_the_right_cert_is_accepted()
    {
        var pair = new DtlsPair();
        pair.Run(serverExpectsClient: DtlsPair.ClientCert.Fingerprints[4], clientExpectsServer: DtlsPair.ServerCert.Fingerprints[0]);
        await DtlsPair.Within(pair.ServerEnd.Connected.Task);
        await DtlsPair.Within(pair.ClientEnd.Connected.Task);
    }

    [Fact]
    public async Task No_common_profile_fails_both_sides()
    {
        var pair = new DtlsPair([SrtpProfile.AeadAes128Gcm], [SrtpProfile.Aes128CmHmacSha1_80]);
        pair.Run();
        var s = await DtlsPair.Within(pair.ServerEnd.Failed.Task);
        Assert.Equal(DtlsFailure.NoCommonSrtpProfile, s.Reason);
        var c = await DtlsPair.Within(pair.ClientEnd.Failed.Task);
        Assert.Equal(DtlsFailure.AlertReceived, c.Reason);
        Assert.Contains("handshake_failure", c.Detail);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Close_notify_reaches_the_other_side(bool serverCloses)
    {
        var pair = new DtlsPair();
        pair.Run();
        await DtlsPair.Within(pair.ServerEnd.Connected.Task);
        await DtlsPair.Within(pair.ClientEnd.Connected.Task);
        var (closer, closerEnd, other, otherEnd) = serverCloses
            ? (pair.Server, pair.ServerEnd, pair.Client, pair.ClientEnd)
            : (pair.Client, pair.ClientEnd, pair.Server, pair.ServerEnd);
        int sentBefore = closerEnd.Sent;

        closer.Close();
        await DtlsPair.Within(otherEnd.Closed.Task, 3000);

        Assert.True(closerEnd.Sent > sentBefore, "close_notify must be sent");
        Assert.False(other.IsConnected);
        Assert.False(closer.IsConnected);
        Assert.False(closerEnd.Closed.Task.IsCompleted); // our own Close is not reported back
        Assert.False(otherEnd.Failed.Task.IsCompleted);
        closer.Close(); // idempotent
        other.Close();
        Assert.Equal(1, closerEnd.Events); // only the OnDtlsConnected
    }

    [Fact]
    public async Task Dropped_first_datagrams_are_retransmitted()
    {
        var pair = new DtlsPair();
        pair.ClientEnd.Drop = (i, _) => i == 1;     // first ClientHello lost
        pair.ServerEnd.Drop = (i, _) => i <= 2;     // first two datagrams of the server flight lost
        pair.Run();
        await DtlsPair.Within(pair.ServerEnd.Connected.Task);
        await DtlsPair.Within(pair.ClientEnd.Connected.Task);
        Assert.True(pair.ClientEnd.Sent >= 2);
    }

    [Fact]
    public async Task No_peer_times_out_after_the_configured_timeout()
    {
        var end = new PipeEnd(); // sends into the void
        var t = new DtlsTransport(DtlsPair.ServerCert, end, handshakeTimeout: TimeSpan.FromMilliseconds(800));
        var sw = Stopwatch.StartNew();
        t.Run(DtlsRole.Client, DtlsPair.ClientCert.Sha256);
        var f = await DtlsPair.Within(end.Failed.Task, 5000);
        Assert.Equal(DtlsFailure.Timeout, f.Reason);
        Assert.InRange(sw.ElapsedMilliseconds, 700, 4000);
        Assert.True(end.Sent >= 1, "ClientHello sent");
        Assert.True(t.HandshakeThread!.Join(1000));
        Assert.Equal(1, t.Counters.Failed(DtlsFailure.Timeout));
    }

    [Fact]
    public async Task Timeout_follows_the_injected_TimeProvider()
    {
        var time = new ManualTimeProvider();
        var end = new PipeEnd();
        var t = new DtlsTransport(DtlsPair.ServerCert, end, handshakeTimeout: TimeSpan.FromSeconds(30), timeProvider: time);
        t.Run(DtlsRole.Server, DtlsPair.ClientCert.Sha256);
        var timer = Assert.Single(time.Timers);
        Assert.Equal(TimeSpan.FromSeconds(30), timer.Due);
        await Task.Delay(50);
        Assert.False(end.Failed.Task.IsCompleted);
        timer.Fire();
        var f = await DtlsPair.Within(end.Failed.Task, 2000);
        Assert.Equal(DtlsFailure.Timeout, f.Reason);
        Assert.True(t.HandshakeThread!.Join(1000));
        Assert.True(timer.Disposed);
    }

    [Fact]
    public void Close_during_handshake_ends_the_thread_promptly_without_failure_event()
    {
        var end = new PipeEnd();
        var t = new DtlsTransport(DtlsPair.ServerCert, end);
        t.Run(DtlsRole.Server, DtlsPair.ClientCert.Sha256); // waits for a ClientHello that never comes
        Thread.Sleep(50);
        Assert.True(t.HandshakeThread!.IsAlive);
        Assert.True(t.HandshakeThread.IsBackground);
        Assert.Contains("dtls", t.HandshakeThread.Name);
        var sw = Stopwatch.StartNew();
        t.Close();
        Assert.True(t.HandshakeThread.Join(1000), "thread must end promptly");
        Assert.InRange(sw.ElapsedMilliseconds, 0, 500);
        t.Close();
        Assert.Equal(0, end.Events);
        Assert.Equal(1, t.Counters.HandshakesCancelled);
        t.Feed(new byte[10]);
        Assert.Equal(1, t.Counters.DatagramsAfterClose);
    }

    [Fact]
    public void Run_validates_role_and_state()
    {
        var t = new DtlsTransport(DtlsPair.ServerCert, new PipeEnd());
        Assert.Throws<ArgumentException>(() => t.Run(DtlsRole.Auto, DtlsPair.ClientCert.Sha256));
        t.Run(DtlsRole.Server, DtlsPair.ClientCert.Sha256);
        Assert.Throws<InvalidOperationException>(() => t.Run(DtlsRole.Server, DtlsPair.ClientCert.Sha256));
        t.Close();
        Assert.Throws<ArgumentException>(() => new DtlsTransport(DtlsPair.ServerCert, new PipeEnd(), profiles: []));
        Assert.Throws<ArgumentException>(() => new DtlsTransport(DtlsPair.ServerCert, new PipeEnd(), profiles: [SrtpProfile.None]));
    }

    [Fact]
    public void Oversized_and_overflowing_datagrams_are_counted()
    {
        var t = new DtlsTransport(DtlsPair.ServerCert, new PipeEnd());
        t.Feed(new byte[10]);
        Assert.Equal(1, t.Counters.DatagramsAfterClose); // not started yet
        t.Run(DtlsRole.Server, DtlsPair.ClientCert.Sha256);
        t.Feed(new byte[1501]);
        Assert.Equal(1, t.Counters.DatagramsTooLarge);
        // Garbage is queued and discarded by BC; flood past the queue bound.
        for (int i = 0; i < 500; i++) t.Feed(new byte[1500]);
        Assert.True(t.Counters.DatagramsQueueFull > 0);
        t.Close();
        Assert.True(t.HandshakeThread!.Join(1000));
    }

    [Fact]
    public async Task Garbage_before_the_handshake_is_ignored()
    {
        var pair = new DtlsPair();
        pair.Run();
        var rnd = new Random(42);
        for (int i = 0; i < 20; i++)
        {
            var junk = new byte[rnd.Next(0, 200)];
            rnd.NextBytes(junk);
            if (junk.Length > 0) junk[0] = 22; // looks like a handshake record
            pair.Server.Feed(junk);
        }
        await DtlsPair.Within(pair.ServerEnd.Connected.Task);
        await DtlsPair.Within(pair.ClientEnd.Connected.Task);
        // And after it, on the owner's thread.
        // A too-short ciphertext makes BC raise decode_error and fail the connection: it must be filtered.
        pair.Server.Feed(new byte[] { 23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 3, 1, 2, 3 });
        Assert.Equal(1, pair.Server.Counters.DatagramsMalformed);
        // A well-framed record with a bad tag is dropped by BC (IgnoreCorruptDtlsRecords).
        var forged = new byte[13 + 40];
        new byte[] { 23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 40 }.CopyTo(forged, 0);
        pair.Server.Feed(forged);
        Assert.True(pair.Server.IsConnected);
        Assert.False(pair.ServerEnd.Failed.Task.IsCompleted);
        // Still a working connection: close_notify goes through.
        pair.Client.Close();
        await DtlsPair.Within(pair.ServerEnd.Closed.Task, 3000);
    }

    [Fact]
    public async Task Lost_server_final_flight_is_resent_from_the_connected_side()
    {
        // The server connects once it has sent CCS+Finished; if those are lost, the client retransmits its last
        // flight and the *connected* server must answer it from Feed (no handshake thread left): docs/dtls.md §6.
        var pair = new DtlsPair();
        int dropped = 0;
        pair.ServerEnd.Drop = (_, d) => (d[0] == 20 || (d.Length > 4 && d[4] == 1)) && Interlocked.Increment(ref dropped) <= 2;
        pair.Run();
        await DtlsPair.Within(pair.ServerEnd.Connected.Task);
        Assert.False(pair.Server.HandshakeThread!.IsAlive && !pair.Server.HandshakeThread.Join(1000));
        Assert.True(pair.Server.IsConnected);
        await DtlsPair.Within(pair.ClientEnd.Connected.Task, 5000);
        Assert.Equal(2, Math.Min(dropped, 2));
        Assert.True(dropped >= 2);
    }

    [Fact]
    public async Task Mutated_and_random_datagrams_after_the_handshake_never_break_the_connection()
    {
        var pair = new DtlsPair();
        pair.Run();
        await DtlsPair.Within(pair.ServerEnd.Connected.Task);
        await DtlsPair.Within(pair.ClientEnd.Connected.Task);
        byte[][] seeds;
        lock (pair.ClientEnd.SentDatagrams) seeds = pair.ClientEnd.SentDatagrams.ToArray();
        var rnd = new Random(7);
        for (int n = 0; n < 300; n++)
        {
            byte[] d;
            if (n % 10 == 0)
            {
                d = new byte[rnd.Next(0, 300)];
                rnd.NextBytes(d);
            }
            else
            {
                d = (byte[])seeds[rnd.Next(seeds.Length)].Clone();
                int flips = rnd.Next(1, 4);
                for (int k = 0; k < flips; k++) d[rnd.Next(d.Length)] = (byte)rnd.Next(256);
                if (rnd.Next(4) == 0) d = d[..rnd.Next(d.Length + 1)];
            }
            pair.Server.Feed(d);
            Assert.True(pair.Server.IsConnected, $"iteration {n}: {Convert.ToHexString(d[..Math.Min(d.Length, 16)])}");
        }
        Assert.False(pair.ServerEnd.Failed.Task.IsCompleted);
        Assert.True(pair.Server.Counters.DatagramsMalformed > 0);
        pair.Client.Close();
        await DtlsPair.Within(pair.ServerEnd.Closed.Task, 3000);
    }

    [Fact]
    public async Task Concurrent_handshakes_each_get_their_own_keys()
    {
        var pairs = Enumerable.Range(0, 16).Select(_ => new DtlsPair()).ToArray();
        foreach (var p in pairs) p.Run();
        var results = await DtlsPair.Within(Task.WhenAll(pairs.Select(p => p.ClientEnd.Connected.Task)), 20_000);
        var servers = await DtlsPair.Within(Task.WhenAll(pairs.Select(p => p.ServerEnd.Connected.Task)), 20_000);
        for (int i = 0; i < pairs.Length; i++) Assert.Equal(results[i].Local.Key, servers[i].Remote.Key);
        Assert.Equal(pairs.Length, results.Select(r => Convert.ToHexString(r.Local.Key)).Distinct().Count());
        foreach (var p in pairs) { p.Client.Close(); p.Server.Close(); }
    }

    [Fact]
    public async Task Shared_counters_aggregate_across_transports()
    {
        var counters = new DtlsCounters();
        var a = new PipeEnd();
        var b = new PipeEnd();
        var server = new DtlsTransport(DtlsPair.ServerCert, a, counters: counters);
        var client = new DtlsTransport(DtlsPair.ClientCert, b, counters: counters);
        a.Peer = client;
        b.Peer = server;
        server.Run(DtlsRole.Server, DtlsPair.ClientCert.Sha256);
        client.Run(DtlsRole.Client, DtlsPair.ServerCert.Sha256);
        await DtlsPair.Within(a.Connected.Task);
        await DtlsPair.Within(b.Connected.Task);
        Assert.Equal(2, counters.HandshakesStarted);
        Assert.Equal(2, counters.HandshakesCompleted);
        Assert.Same(counters, server.Counters);
        client.Close();
        server.Close();
    }
}
