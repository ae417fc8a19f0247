using System.Net;
using System.Security.Cryptography;
using System.Text;
using AkkaSfu.Media.Ice;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Stun;
using BenchmarkDotNet.Attributes;

namespace AkkaSfu.Bench;

/// <summary>IceServer answering a Chromium-shaped consent check from the selected tuple:
/// parse, integrity + fingerprint verify, response build with integrity + fingerprint.</summary>
[MemoryDiagnoser]
public class StunBench
{
    private const string Ufrag = "srvUfragAbcd1234", Pwd = "srvPasswordAbcdefghijklmnop12345";
    private readonly byte[] _response = new byte[1500];
    private byte[] _check = [];
    private SocketAddress _from = null!;
    private IceServer _server = null!;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        var buf = new byte[256];
        var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, RandomNumberGenerator.GetBytes(12));
        w.AddUsername(Ufrag, "chromeUfrg");
        w.AddAttribute(StunAttr.GoogNetworkInfo, [0x00, 0x01, 0x00, 0x0a]);
        w.AddIceControlling(0x0123456789abcdef);
        w.AddPriority(1853817087);
        w.AddMessageIntegrity(Encoding.ASCII.GetBytes(Pwd));
        w.AddFingerprint();
        _check = w.Written.ToArray();
        _from = new IPEndPoint(IPAddress.Parse("192.168.1.20"), 54321).Serialize();
        _server = new IceServer(Ufrag, Pwd);
        var nominate = new StunWriter(buf, StunClass.Request, StunMethod.Binding, RandomNumberGenerator.GetBytes(12));
        nominate.AddUsername(Ufrag, "chromeUfrg");
        nominate.AddPriority(1);
        nominate.AddUseCandidate();
        nominate.AddMessageIntegrity(Encoding.ASCII.GetBytes(Pwd));
        nominate.AddFingerprint();
        _server.ProcessStun(nominate.Written, _from, 0, _response, out _);
    }

    [Benchmark]
    public int ConsentCheck()
    {
        _server.ProcessStun(_check, _from, ++_now, _response, out int n);
        return n;
    }

    [Benchmark]
    public bool ParseOnly() => StunMessage.TryParse(_check, out var m) == StunParseError.None && m.HasFingerprint;

    [Benchmark]
    public PacketKind Demux() => Rfc7983.Classify(_check);
}
