using System.Globalization;
using System.Net;
using System.Text.Json;
using AkkaSfu.Media.Engine;
using Xunit.Abstractions;
using AkkaSfu.Media.Tests.Engine;

namespace AkkaSfu.Interop.Tests.Ffmpeg;

/// <summary>ffmpeg → comedia PlainTransports → producers → consumers → connected PlainTransports → ffmpeg:
/// real VP8 and opus from one ffmpeg go through the engine and a second ffmpeg records what the consumers
/// send (SDP input, <c>-c copy</c>); ffprobe then checks the recording against the source. The sender is
/// mediasoup-demo's broadcasters/ffmpeg.sh (fixed SSRCs and payload types); see <see cref="IngressLayout"/>
/// for how its RTCP reaches us.</summary>
public sealed class FfmpegRoundTripTests(ITestOutputHelper output)
{
    // The source: lavfi test pattern and tone.
    private const int Width = 320, Height = 240, Fps = 30;
    private const double Seconds = 5;
    private const int OpusFramesPerSecond = 50; // libopus' default 20 ms frames

    // What ffmpeg sends (mediasoup-demo's values) and what the router uses.
    private const uint VideoSsrc = 2222, AudioSsrc = 1111;
    private const byte VideoPt = 101, AudioPt = 100;
    private const uint MappedVideoSsrc = 700_001, MappedAudioSsrc = 700_002;
    private const uint ConsumerVideoSsrc = 800_001, ConsumerAudioSsrc = 800_002;

    private static PlainTransportSettings Comedia(bool rtcpMux) => new(IPAddress.Loopback, null, 20000, 29999, RtcpMux: rtcpMux, Comedia: true);
    private static readonly PlainTransportSettings Connected = new(IPAddress.Loopback, null, 20000, 29999, RtcpMux: true, Comedia: false);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(Seconds + 8);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);
    /// <summary>The receiver's <c>-listen_timeout</c>: it stops reading (and finishes the file) after this
    /// long without a packet, which is also how long it waits for the first one.</summary>
    private static readonly TimeSpan ReceiverIdle = TimeSpan.FromSeconds(3);

    /// <summary>How ffmpeg's RTP and RTCP reach a comedia ingress transport. ffmpeg sends RTCP from a second
    /// socket (local RTP port + 1) and its first sender report goes out before the first RTP packet.</summary>
    public enum IngressLayout
    {
        /// <summary>rtcpMux: true and ffmpeg told not to send RTCP (<c>-rtpflags skip_rtcp</c>): with RTCP,
        /// the first SR would make comedia learn ffmpeg's RTCP socket and drop all RTP (see
        /// <see cref="With_rtcp_mux_ffmpegs_first_sender_report_locks_comedia_onto_its_rtcp_socket"/>).</summary>
        MuxWithoutSenderRtcp,
        /// <summary>rtcpMux: false and <c>?rtcpport=</c> our RTCP port: mediasoup-demo's broadcaster layout;
        /// comedia learns the RTP and the RTCP tuple separately, and ffmpeg's SRs are received.</summary>
        SeparateRtcpPort,
    }

    [Theory]
    [InlineData(IngressLayout.MuxWithoutSenderRtcp)]
    [InlineData(IngressLayout.SeparateRtcpPort)]
    public async Task Vp8_and_opus_from_ffmpeg_through_plain_transports_are_recorded_by_a_second_ffmpeg(IngressLayout layout)
    {
        Assert.True(FfmpegProcess.IsInstalled("ffmpeg") && FfmpegProcess.IsInstalled("ffprobe"),
            "ffmpeg/ffprobe not found on PATH (scripts/test.sh installs Debian's ffmpeg)");
        var rtcpMux = layout == IngressLayout.MuxWithoutSenderRtcp;

        var dir = Directory.CreateTempSubdirectory("akkasfu-ffmpeg-");
        var processes = new List<FfmpegProcess>();
        using var harness = new EngineHarness();
        var passed = false;
        try
        {
            // Ingress: two comedia transports with one producer each; egress: two connected transports
            // pointing at the receiver's ports, one paused consumer each.
            var (videoRx, audioRx) = (UdpPorts.FreePair(), UdpPorts.FreePair());
            var (videoIn, audioIn) = harness.Invoke(e =>
            {
                e.CreateRouter("r");
                var vIn = e.CreatePlainTransport("r", "video-in", Comedia(rtcpMux));
                var aIn = e.CreatePlainTransport("r", "audio-in", Comedia(rtcpMux));
                e.Produce("video-in", VideoProducer());
                e.Produce("audio-in", AudioProducer());
                e.CreatePlainTransport("r", "video-out", Connected).Connect(new IPEndPoint(IPAddress.Loopback, videoRx), null, null);
                e.CreatePlainTransport("r", "audio-out", Connected).Connect(new IPEndPoint(IPAddress.Loopback, audioRx), null, null);
                e.Consume("video-out", VideoConsumer());
                e.Consume("audio-out", AudioConsumer());
                return (new Ingress(vIn.Port, vIn.RtcpPort ?? vIn.Port), new Ingress(aIn.Port, aIn.RtcpPort ?? aIn.Port));
            });
            output.WriteLine($"{layout}: engine video in {videoIn}, audio in {audioIn}; receiver video :{videoRx}, audio :{audioRx}");

            // Receiver first, so that nothing the consumers send is lost.
            var sdp = Path.Combine(dir.FullName, "consumers.sdp");
            await File.WriteAllTextAsync(sdp, ReceiverSdp(videoRx, VideoPt, audioRx, AudioPt));
            var recording = Path.Combine(dir.FullName, "recording.webm");
            var receiver = Start("receiver", "ffmpeg", ReceiverArgs(sdp, recording));
            Assert.True(await UdpPorts.WaitUntilBoundAsync(videoRx, StartTimeout, () => receiver.HasExited)
                        && await UdpPorts.WaitUntilBoundAsync(audioRx, StartTimeout, () => receiver.HasExited),
                "the receiving ffmpeg did not bind its RTP ports");

            // Consumers start paused (mediasoup): resume them before any media flows.
            harness.Invoke(e =>
            {
                e.GetConsumer("video").Resume(EngineHarness.Now);
                e.GetConsumer("audio").Resume(EngineHarness.Now);
            });

            var sending = System.Diagnostics.Stopwatch.StartNew();
            var sender = Start("sender", "ffmpeg", SenderArgs(videoIn, audioIn, sendRtcp: !rtcpMux));
            Assert.True(await sender.WaitForExitAsync(SendTimeout), "the sending ffmpeg did not finish in time");
            var sentFor = sending.Elapsed.TotalSeconds;
            Assert.Equal(0, sender.ExitCode);

            // The receiver ends by itself ReceiverIdle after the last datagram and writes the trailer. Our
            // sender reports would keep it awake, so pause the consumers once the last packets are through.
            await Task.Delay(300);
            harness.Invoke(e =>
            {
                e.GetConsumer("video").Pause();
                e.GetConsumer("audio").Pause();
            });
            if (!await receiver.WaitForExitAsync(ReceiverIdle + StopGrace))
                Assert.True(await receiver.StopAsync(StopGrace), "the receiving ffmpeg did not stop and had to be killed");
            Assert.Equal(0, receiver.ExitCode);

            var engine = harness.Invoke(e => new
            {
                Counters = e.Counters.ToString(),
                SrtpFailed = e.Counters[Drop.SrtpFailed],
                MalformedRtp = e.Counters[Drop.MalformedRtp],
                MalformedRtcp = e.Counters[Drop.MalformedRtcp],
                UnknownTuple = e.Counters[Drop.UnknownTuple],
                e.Counters.RtcpReceived,
                VideoIn = e.GetProducer("video-producer").PacketsReceived(0),
                AudioIn = e.GetProducer("audio-producer").PacketsReceived(0),
                VideoOut = e.GetConsumer("video").PacketsSent,
                AudioOut = e.GetConsumer("audio").PacketsSent,
            });
            output.WriteLine($"engine: {engine.Counters}; producers in video {engine.VideoIn} audio {engine.AudioIn}; " +
                             $"consumers out video {engine.VideoOut} audio {engine.AudioOut}");
            Assert.Equal(0, engine.SrtpFailed);
            Assert.Equal(0, engine.MalformedRtp);
            Assert.Equal(0, engine.MalformedRtcp);
            Assert.Equal(0, engine.UnknownTuple);
            if (!rtcpMux) Assert.True(engine.RtcpReceived > 0, "no RTCP from the sender reached the engine");
            Assert.True(engine.VideoIn > 0, "the video producer received no packets");
            Assert.True(engine.AudioIn > 0, "the audio producer received no packets");
            Assert.True(engine.VideoOut > 0, "the video consumer sent no packets");
            Assert.True(engine.AudioOut > 0, "the audio consumer sent no packets");

            // What the receiver wrote.
            Assert.True(File.Exists(recording), "the receiver wrote no file");
            var probe = await Probe(recording);
            output.WriteLine($"ffprobe: {probe}");
            var video = Assert.Single(probe.Streams, s => s.Type == "video");
            var audio = Assert.Single(probe.Streams, s => s.Type == "audio");
            Assert.Equal("vp8", video.Codec);
            Assert.Equal(Width, video.Width);
            Assert.Equal(Height, video.Height);
            Assert.True(video.Frames >= 0.8 * Fps * Seconds, $"{video.Frames} video frames, expected ≥ 80% of {Fps * Seconds}");
            Assert.Equal("opus", audio.Codec);
            Assert.True(audio.Frames >= 0.8 * OpusFramesPerSecond * Seconds, $"{audio.Frames} opus frames, expected ≥ 80% of {OpusFramesPerSecond * Seconds}");
            // The recording spans the source (timestamps rewritten without a jump): at least the source's length
            // give or take a frame interval, and at most as long as the sender really took (on a busy machine
            // ffmpeg's -re runs slower than real time, and the receiver's clock follows it) plus 1.5 s.
            Assert.True(probe.Duration >= Seconds - 1.5 && probe.Duration <= Math.Max(Seconds, sentFor) + 1.5,
                $"duration {probe.Duration:F2} s, source {Seconds} s, sent in {sentFor:F2} s");
            passed = true;
        }
        finally
        {
            foreach (var p in processes)
            {
                p.KillNow();
                if (!passed) output.WriteLine(p.Describe());
                p.Dispose();
            }
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }

        FfmpegProcess Start(string name, string tool, IEnumerable<string> args)
        {
            var p = FfmpegProcess.Start(name, tool, args);
            processes.Add(p);
            return p;
        }
    }

    /// <summary>mediasoup parity (PlainTransport::OnRtcpDataReceived also sets the RTP tuple from RTCP under
    /// rtcpMux + comedia): ffmpeg's first packet is a sender report from its RTCP socket, so the transport
    /// learns that socket and then drops every RTP packet, which comes from the other one, as UnknownTuple.
    /// This is why the round trip above either skips ffmpeg's RTCP or gives it a separate RTCP port.</summary>
    [Fact]
    public async Task With_rtcp_mux_ffmpegs_first_sender_report_locks_comedia_onto_its_rtcp_socket()
    {
        Assert.True(FfmpegProcess.IsInstalled("ffmpeg"), "ffmpeg not found on PATH (scripts/test.sh installs Debian's ffmpeg)");
        using var harness = new EngineHarness();
        var port = harness.Invoke(e =>
        {
            e.CreateRouter("r");
            var t = e.CreatePlainTransport("r", "audio-in", Comedia(rtcpMux: true));
            e.Produce("audio-in", AudioProducer());
            return t.Port;
        });
        var local = UdpPorts.FreePair(); // ffmpeg sends RTP from here, RTCP from local + 1
        using var sender = FfmpegProcess.Start("sender", "ffmpeg",
        [
            "-hide_banner", "-nostdin", "-loglevel", "info",
            "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1",
            "-c:a", "libopus", "-ar", "48000", "-ac", "2", "-f", "rtp", "-ssrc", F($"{AudioSsrc}"), "-payload_type", F($"{AudioPt}"),
            F($"rtp://127.0.0.1:{port}?rtcpport={port}&localrtpport={local}"),
        ]);
        var passed = false;
        try
        {
            Assert.True(await sender.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the sending ffmpeg did not finish in time");
            Assert.Equal(0, sender.ExitCode);
            await Task.Delay(200);
            var seen = harness.Invoke(e => new
            {
                Learnt = ((PlainTransport)e.GetTransport("audio-in")).RemoteRtp,
                In = e.GetProducer("audio-producer").PacketsReceived(0),
                UnknownTuple = e.Counters[Drop.UnknownTuple],
                e.Counters.RtcpReceived,
                Counters = e.Counters.ToString(),
            });
            output.WriteLine($"ffmpeg RTP from :{local}, RTCP from :{local + 1}; learnt {seen.Learnt}; {seen.Counters}");
            Assert.Equal(local + 1, seen.Learnt?.Port);
            Assert.True(seen.RtcpReceived > 0, "the sender report was not received");
            Assert.Equal(0, seen.In);
            Assert.True(seen.UnknownTuple >= 40, $"expected ~50 opus packets dropped as UnknownTuple, got {seen.UnknownTuple}");
            passed = true;
        }
        finally
        {
            if (!passed) output.WriteLine(sender.Describe());
        }
    }

    // ---- engine objects ---------------------------------------------------------------------------------

    private static ProducerSettings VideoProducer() => new("video-producer", StreamKind.Video, RtpStreamType.Simple,
        [new CodecMapping(VideoPt, VideoPt, 90000, "video/VP8")], [new EncodingMapping(MappedVideoSsrc, Ssrc: VideoSsrc)],
        Mid: null, default, default, Nack: false);

    private static ProducerSettings AudioProducer() => new("audio-producer", StreamKind.Audio, RtpStreamType.Simple,
        [new CodecMapping(AudioPt, AudioPt, 48000, "audio/opus")], [new EncodingMapping(MappedAudioSsrc, Ssrc: AudioSsrc)],
        Mid: null, default, default, Nack: false);

    private static ConsumerSettings VideoConsumer() =>
        new("video", "video-producer", StreamKind.Video, RtpStreamType.Simple, ConsumerVideoSsrc, VideoPt, 90000, default, "ffmpeg-rx");

    private static ConsumerSettings AudioConsumer() =>
        new("audio", "audio-producer", StreamKind.Audio, RtpStreamType.Simple, ConsumerAudioSsrc, AudioPt, 48000, default, "ffmpeg-rx");

    // ---- ffmpeg command lines -----------------------------------------------------------------------------

    /// <summary>The SDP the receiving ffmpeg reads: what the two consumers send, where.</summary>
    internal static string ReceiverSdp(int videoPort, byte videoPt, int audioPort, byte audioPt) => string.Join("\r\n",
        "v=0",
        "o=- 0 0 IN IP4 127.0.0.1",
        "s=AkkaSfu consumers",
        "c=IN IP4 127.0.0.1",
        "t=0 0",
        $"m=video {videoPort} RTP/AVP {videoPt}",
        $"a=rtpmap:{videoPt} VP8/90000",
        $"m=audio {audioPort} RTP/AVP {audioPt}",
        $"a=rtpmap:{audioPt} opus/48000/2",
        "");

    private static string[] ReceiverArgs(string sdp, string recording) =>
    [
        "-hide_banner", "-loglevel", "info",
        "-protocol_whitelist", "file,udp,rtp",
        "-listen_timeout", F($"{ReceiverIdle.TotalSeconds}"),
        "-i", sdp,
        "-map", "0", "-c", "copy",
        "-y", recording,
    ];

    /// <summary>Where the sending ffmpeg sends one stream: an ingress transport's RTP and RTCP ports.</summary>
    public readonly record struct Ingress(int RtpPort, int RtcpPort)
    {
        public string Url => F($"rtp://127.0.0.1:{RtpPort}?rtcpport={RtcpPort}&pkt_size=1200");
        public override string ToString() => RtpPort == RtcpPort ? F($":{RtpPort} (mux)") : F($":{RtpPort}/:{RtcpPort}");
    }

    /// <summary>mediasoup-demo's broadcaster: VP8 (realtime, ~500 kb/s, a key frame a second) and opus to
    /// two RTP outputs with fixed SSRC and payload type.</summary>
    private static string[] SenderArgs(Ingress video, Ingress audio, bool sendRtcp, double seconds = Seconds)
    {
        string[] rtcp = sendRtcp ? [] : ["-rtpflags", "skip_rtcp"];
        return
        [
            "-hide_banner", "-nostdin", "-loglevel", "info",
            "-re", "-f", "lavfi", "-i", F($"testsrc2=size={Width}x{Height}:rate={Fps}:duration={seconds}"),
            "-re", "-f", "lavfi", "-i", F($"sine=frequency=440:sample_rate=48000:duration={seconds}"),
            "-map", "0:v:0", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k",
            "-g", F($"{Fps}"), "-keyint_min", F($"{Fps}"), "-pix_fmt", "yuv420p",
            "-f", "rtp", "-ssrc", F($"{VideoSsrc}"), "-payload_type", F($"{VideoPt}"), .. rtcp, video.Url,
            "-map", "1:a:0", "-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "64k",
            "-f", "rtp", "-ssrc", F($"{AudioSsrc}"), "-payload_type", F($"{AudioPt}"), .. rtcp, audio.Url,
        ];
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    // ---- ffprobe ------------------------------------------------------------------------------------------

    private sealed record ProbedStream(string Type, string Codec, int Width, int Height, long Frames);

    private sealed record ProbeResult(IReadOnlyList<ProbedStream> Streams, double Duration)
    {
        public override string ToString() =>
            $"duration {Duration:F2} s; " + string.Join("; ", Streams.Select(s => $"{s.Type} {s.Codec} {s.Width}x{s.Height} {s.Frames} frames"));
    }

    private async Task<ProbeResult> Probe(string file)
    {
        using var probe = FfmpegProcess.Start("ffprobe", "ffprobe",
            ["-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", file]);
        var done = await probe.WaitForExitAsync(TimeSpan.FromSeconds(10));
        if (!done || probe.ExitCode != 0) output.WriteLine(probe.Describe());
        Assert.True(done, "ffprobe did not finish");
        Assert.Equal(0, probe.ExitCode);

        using var json = JsonDocument.Parse(probe.StdOut);
        var streams = json.RootElement.GetProperty("streams").EnumerateArray().Select(s => new ProbedStream(
            Str(s, "codec_type"), Str(s, "codec_name"), Int(s, "width"), Int(s, "height"), Long(Str(s, "nb_read_frames")))).ToList();
        var duration = double.Parse(Str(json.RootElement.GetProperty("format"), "duration") is { Length: > 0 } d ? d : "0", CultureInfo.InvariantCulture);
        return new ProbeResult(streams, duration);

        static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
        static long Long(string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }
}
