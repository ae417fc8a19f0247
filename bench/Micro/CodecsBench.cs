using AkkaSfu.Media.Codecs;
using BenchmarkDotNet.Attributes;

namespace AkkaSfu.Bench;

/// <summary>Per-packet codec work on the forwarding path: must allocate nothing.</summary>
[MemoryDiagnoser]
public class CodecsBench
{
    private readonly byte[] _vp8 = new byte[1200];
    private readonly byte[] _vp9 = new byte[1200];
    private readonly byte[] _h264 = new byte[1200];
    private readonly byte[] _av1 = new byte[1200];
    private Vp8Rewriter _rewriter = null!;
    private Vp9SvcFilter _filter = null!;
    private int _pic;

    [GlobalSetup]
    public void Setup()
    {
        // VP8: X S | I L T | 15-bit PictureID | TL0PICIDX | TID 0 | inter-frame tag.
        byte[] vp8 = [0x90, 0xE0, 0x80, 0x01, 0x05, 0x00, 0x11, 0x02, 0x00];
        vp8.CopyTo(_vp8, 0);
        // VP9 non-flexible: I L B E | PictureID | TID 0 SID 0 (a key frame) | TL0PICIDX.
        byte[] vp9 = [0xAC, 0x80, 0x05, 0x00, 0x07];
        vp9.CopyTo(_vp9, 0);
        // H.264 STAP-A with SPS, PPS, IDR.
        byte[] h264 = [0x78, 0x00, 0x03, 0x67, 0x42, 0xC0, 0x00, 0x02, 0x68, 0xCE];
        h264.CopyTo(_h264, 0);
        int rest = _h264.Length - h264.Length - 2;
        _h264[h264.Length] = (byte)(rest >> 8);
        _h264[h264.Length + 1] = (byte)rest;
        _h264[h264.Length + 2] = 0x65;
        // AV1: N W=2 | [3] sequence header | frame OBU to the end.
        byte[] av1 = [0x28, 0x03, 0x08, 0x00, 0x00, 0x30];
        av1.CopyTo(_av1, 0);
        _rewriter = new Vp8Rewriter();
        _filter = new Vp9SvcFilter(3, 3, false) { TargetSpatialLayer = 2, TargetTemporalLayer = 2 };
    }

    [Benchmark]
    public int Vp8Parse()
    {
        Vp8PayloadDescriptor.TryParse(_vp8, out var d);
        return d.PictureId;
    }

    [Benchmark]
    public Vp8RewriteResult Vp8ParseAndRewrite()
    {
        // A new picture each call, as a live stream has.
        _pic = (_pic + 1) & 0x7FFF;
        _vp8[2] = (byte)(0x80 | (_pic >> 8));
        _vp8[3] = (byte)_pic;
        return _rewriter.Process(_vp8, 2, switchingStream: false);
    }

    [Benchmark]
    public Vp9FilterResult Vp9ParseAndFilter()
    {
        Vp9PayloadDescriptor.TryParse(_vp9, out var d);
        return _filter.Process(in d);
    }

    [Benchmark]
    public bool H264Parse()
    {
        H264Payload.TryParse(_h264, out var h);
        return h.IsKeyFrame;
    }

    [Benchmark]
    public bool Av1Parse()
    {
        Av1Payload.TryParse(_av1, out var a);
        return a.HasSequenceHeader;
    }
}
