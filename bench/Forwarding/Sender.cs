using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Bench.Forwarding;

/// <summary>The producer's endpoint: a thread that builds VP8-shaped RTP packets of a fixed size, stamps each
/// with a send time (Stopwatch ticks) and a running sequence number, protects it with its own SRTP session and
/// sends it to the ingress port at a fixed rate. With transport-cc, each packet carries the
/// transport-wide-cc-01 header extension (one-byte header, id <see cref="TwccExtensionId"/>) numbered like the
/// packet. Nothing is allocated per packet.</summary>
internal sealed class Sender : IDisposable
{
    public const uint Ssrc = 0x1111;
    public const byte PayloadType = 96;
    /// <summary>Where in the RTP payload the sequence (uint32) and send ticks (int64) live.</summary>
    public const int StampOffset = 16;
    private const int PacketsPerFrame = 4;
    /// <summary>The producer's transport-wide-cc-01 id (what the endpoint negotiated on the ingress).</summary>
    public const byte TwccExtensionId = 3;

    /// <summary>RTP header length: 12, plus a one-byte-header extension block (4) with one 2-byte element
    /// padded to a word (4) when the packets carry transport-cc.</summary>
    public static int HeaderLength(bool twcc) => twcc ? 12 + 4 + 4 : 12;

    private readonly UdpSocket _socket;
    private readonly SocketAddress _to;
    private readonly SrtpSession _srtp;
    private readonly int _size;
    private readonly double _pps;
    private readonly int _keyFrameEvery;
    private readonly bool _twcc;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _sent, _sendFailed;

    /// <param name="key">The key the ingress transport was given as remote key (its receive key).</param>
    public Sender(IPEndPoint ingress, SrtpMasterKey key, int size, double pps, int keyFrameEvery, int cpu, bool twcc = false)
    {
        _socket = UdpSocket.Bind(IPAddress.Loopback, 0);
        _to = ingress.Serialize();
        _srtp = new SrtpSession(key);
        _size = size;
        _pps = pps;
        _keyFrameEvery = keyFrameEvery;
        _twcc = twcc;
        Cpu = cpu;
        _thread = new Thread(Run) { Name = "fwd-sender", IsBackground = true };
    }

    public int Cpu { get; }
    /// <summary>Packets sent so far; the next packet carries this number.</summary>
    public long Sent => Interlocked.Read(ref _sent);
    public long SendFailed => Interlocked.Read(ref _sendFailed);

    public void Start() => _thread.Start();

    private void Run()
    {
        if (Cpu >= 0) Native.Pin(Native.gettid(), Cpu);
        var buffer = new byte[_size + SrtpSession.MaxTrailer];
        var start = Stopwatch.GetTimestamp();
        var ticksPerPacket = Stopwatch.Frequency / _pps;
        long n = 0;
        while (!_stopping)
        {
            var due = start + (long)(n * ticksPerPacket);
            var now = Stopwatch.GetTimestamp();
            if (now < due)
            {
                var waitUs = (due - now) * 1_000_000 / Stopwatch.Frequency;
                // Sleep(1) oversleeps by ~0.1 ms; being late is fine (the stamp is taken at send, the
                // schedule catches up), spinning would steal the sinks' core.
                if (waitUs > 200) Thread.Sleep(1);
                else Thread.Yield();
                continue;
            }
            var length = Build(buffer, n);
            if (_srtp.ProtectRtp(buffer, length, out var protectedLength) == SrtpError.None
                && _socket.SendTo(buffer.AsSpan(0, protectedLength), _to))
            { }
            else Interlocked.Increment(ref _sendFailed);
            n++;
            Volatile.Write(ref _sent, n);
        }
    }

    /// <summary>Writes packet <paramref name="n"/>: RTP header (with transport-cc: X=1 and the extension block,
    /// transport-wide seq = n), VP8 payload descriptor (frame starts have S=1; key frames carry the key-frame
    /// header with the 9d 01 2a start code), then the stamp.</summary>
    private int Build(Span<byte> b, long n)
    {
        var frame = n / PacketsPerFrame;
        var first = n % PacketsPerFrame == 0;
        var last = n % PacketsPerFrame == PacketsPerFrame - 1;
        var key = first && frame % Math.Max(1, _keyFrameEvery / PacketsPerFrame) == 0;
        b[0] = _twcc ? (byte)0x90 : (byte)0x80;
        b[1] = (byte)((last ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)n);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], (uint)(frame * 3000));
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], Ssrc);
        if (_twcc)
        {
            // RFC 8285 §4.2: 0xBEDE, length 1 word; element id|len-1, the 16-bit seq, one byte of padding.
            b[12] = 0xBE; b[13] = 0xDE; b[14] = 0; b[15] = 1;
            b[16] = TwccExtensionId << 4 | 1;
            BinaryPrimitives.WriteUInt16BigEndian(b[17..], (ushort)n);
            b[19] = 0;
        }
        var p = b[HeaderLength(_twcc).._size];
        p.Clear();
        p[0] = first ? (byte)0x10 : (byte)0x00;      // VP8 descriptor: S=1 at a frame start, PID 0
        if (first)
        {
            p[1] = key ? (byte)0x10 : (byte)0x11;    // frame tag: P=0 key / P=1 inter, show_frame
            if (key)
            {
                p[4] = 0x9d; p[5] = 0x01; p[6] = 0x2a; // start code
                BinaryPrimitives.WriteUInt16LittleEndian(p[7..], 1280);
                BinaryPrimitives.WriteUInt16LittleEndian(p[9..], 720);
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(p[StampOffset..], (uint)n);
        BinaryPrimitives.WriteInt64BigEndian(p[(StampOffset + 4)..], Stopwatch.GetTimestamp());
        return _size;
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive) _thread.Join();
        _srtp.Dispose();
        _socket.Dispose();
    }
}
