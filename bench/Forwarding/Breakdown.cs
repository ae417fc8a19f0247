using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using AkkaSfu.Media.Codecs;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Rtp;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Bench.Forwarding;

/// <summary>Where a forwarded packet's worker time goes: the per-consumer steps of the engine's send path timed
/// one by one on a thread pinned like the worker (CPU 0), with the receiving sockets drained on CPU 1.
/// Steps: (a) copy the packet into the send buffer, parse, rewrite SSRC/PT/seq/ts, parse again (what
/// Consumer.Forward + Transport.SendConsumerRtp do besides crypto and I/O); (b) SRTP protect (AES-128-GCM);
/// (c) one sendto(2) to a loopback sink; (d) all three back to back over 100 sink sockets.</summary>
internal static class Breakdown
{
    public static void Run(Options o, TextWriter log)
    {
        Native.Pin(Native.gettid(), 0);
        const int Sinks = 100, Iterations = 50_000;
        var key = new SrtpMasterKey(SrtpProfile.AeadAes128Gcm, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(12));
        using var srtp = new SrtpSession(key);
        var receiver = new UdpReceiver("fwd-bd-rx", new DatagramBatchPool(), b => b.Release());
        var sockets = Enumerable.Range(0, Sinks).Select(_ => UdpSocket.Bind(IPAddress.Loopback, 0)).ToArray();
        foreach (var s in sockets) receiver.Add(s);
        Thread.Sleep(50);
        Native.Pin(Native.FindThread("fwd-bd-rx"), 1);
        using var from = UdpSocket.Bind(IPAddress.Loopback, 0);
        var targets = sockets.Select(s => s.LocalEndPoint.Serialize()).ToArray();

        var source = new byte[o.Size];
        source[0] = 0x80; source[1] = 101; source[12] = 0x10; source[13] = 0x11;
        var scratch = new byte[o.Size + 64];
        ushort seq = 0;

        int Rewrite()
        {
            source.CopyTo(scratch, 0);
            RtpPacket.TryParse(scratch.AsSpan(0, source.Length), out var p);
            Vp8PayloadDescriptor.TryParse(p.Payload, out _);
            p.SetSsrc(4242); p.SetPayloadType(101); p.SetSequenceNumber(++seq); p.SetTimestamp(seq * 3000u);
            RtpPacket.TryParse(scratch.AsSpan(0, source.Length), out _);
            return source.Length;
        }
        var protectedLength = 0;
        void Protect() => srtp.ProtectRtp(scratch, source.Length, out protectedLength);

        (double CpuUs, double WallUs, double AllocB) Measure(Action step)
        {
            for (var i = 0; i < 2000; i++) step();
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var c0 = Native.CurrentThreadCpuUs();
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < Iterations; i++) step();
            var wall = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            var cpu = Native.CurrentThreadCpuUs() - c0;
            return (cpu / (double)Iterations, wall / Iterations, (GC.GetAllocatedBytesForCurrentThread() - a0) / (double)Iterations);
        }

        var i0 = 0;
        Rewrite(); Protect();
        var rewrite = Measure(() => Rewrite());
        var protect = Measure(() => { Rewrite(); Protect(); });
        var sendOnly = Measure(() => from.SendTo(scratch.AsSpan(0, protectedLength), targets[i0++ % Sinks]));
        var all = Measure(() => { Rewrite(); Protect(); from.SendTo(scratch.AsSpan(0, protectedLength), targets[i0++ % Sinks]); });

        log.WriteLine("| step (per forwarded packet) | CPU µs | wall µs | alloc B |");
        log.WriteLine("|---|---:|---:|---:|");
        log.WriteLine($"| (a) copy + parse + rewrite + re-parse | {rewrite.CpuUs:F3} | {rewrite.WallUs:F3} | {rewrite.AllocB:F1} |");
        log.WriteLine($"| (b) SRTP protect AES-128-GCM, {o.Size} B (= row − (a)) | {protect.CpuUs - rewrite.CpuUs:F3} | {protect.WallUs - rewrite.WallUs:F3} | {protect.AllocB - rewrite.AllocB:F1} |");
        log.WriteLine($"| (c) sendto(2) loopback, {protectedLength} B | {sendOnly.CpuUs:F3} | {sendOnly.WallUs:F3} | {sendOnly.AllocB:F1} |");
        log.WriteLine($"| (d) a + b + c back to back, 100 sinks | {all.CpuUs:F3} | {all.WallUs:F3} | {all.AllocB:F1} |");
        log.WriteLine($"# sendto dropped (EAGAIN): {from.SendDropped}, errors {from.SendErrors}");
        receiver.Dispose();
    }
}
