using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Srtp;
using BenchmarkDotNet.Attributes;

namespace AkkaSfu.Bench;

/// <summary>DTLS: one full in-memory client↔server handshake (two dedicated threads, BC crypto), and the
/// post-handshake record-framing check every DTLS datagram passes through.</summary>
[MemoryDiagnoser]
public class DtlsBench
{
    private DtlsCertificate _client = null!, _server = null!;
    private readonly byte[] _record = new byte[13 + 40];

    [GlobalSetup]
    public void Setup()
    {
        _client = DtlsCertificate.Generate("client");
        _server = DtlsCertificate.Generate("server");
        new byte[] { 23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 40 }.CopyTo(_record, 0);
    }

    [Benchmark]
    public SrtpProfile Handshake()
    {
        var a = new Wire();
        var b = new Wire();
        var server = new DtlsTransport(_server, a, handshakeTimeout: TimeSpan.FromSeconds(10));
        var client = new DtlsTransport(_client, b, handshakeTimeout: TimeSpan.FromSeconds(10));
        a.Peer = client;
        b.Peer = server;
        server.Run(DtlsRole.Server, _client.Sha256);
        client.Run(DtlsRole.Client, _server.Sha256);
        a.Done.Wait();
        b.Done.Wait();
        client.Close();
        server.Close();
        return a.Profile;
    }

    [Benchmark]
    public DtlsRecordError CheckDatagram() => DtlsRecordView.CheckDatagram(_record);

    private sealed class Wire : IDtlsListener
    {
        public DtlsTransport? Peer;
        public readonly ManualResetEventSlim Done = new();
        public SrtpProfile Profile;
        public void SendDtls(ReadOnlySpan<byte> datagram) => Peer?.Feed(datagram);
        public void OnDtlsConnected(SrtpProfile profile, SrtpMasterKey local, SrtpMasterKey remote, DtlsRole localRole)
        {
            Profile = profile;
            Done.Set();
        }
        public void OnDtlsFailed(DtlsFailure reason, string detail) => Done.Set();
        public void OnDtlsClosed() { }
    }
}
