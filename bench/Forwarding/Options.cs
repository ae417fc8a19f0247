using System.Globalization;

namespace AkkaSfu.Bench.Forwarding;

/// <summary>Command line: --consumers 1,10,100 --seconds 10 --bitrate 1000000 --size 1200 [--warmup 2]
/// [--sink-threads 0 (auto: one per 500 consumers)] [--pin 0|1] [--keyframe-every 300] [--breakdown]
/// [--no-egress-srtp] [--twcc] [--bwe on|off].</summary>
internal sealed record Options
{
    public int[] Consumers { get; init; } = [1, 10, 100, 500, 1000];
    public double Seconds { get; init; } = 10;
    public double Warmup { get; init; } = 2;
    public long Bitrate { get; init; } = 1_000_000;
    public int Size { get; init; } = 1200;
    public int SinkThreads { get; init; }
    public bool Pin { get; init; } = true;
    public int KeyFrameEvery { get; init; } = 300;
    public bool Breakdown { get; init; }
    public bool EgressSrtp { get; init; } = true;
    /// <summary>The sender's packets carry transport-wide-cc-01, the consumers have it, and the sinks send
    /// transport-cc feedback.</summary>
    public bool Twcc { get; init; }
    /// <summary><see cref="AkkaSfu.Media.Engine.WorkerEngine.BandwidthEstimation"/>.</summary>
    public bool Bwe { get; init; } = true;

    public double Pps => Bitrate / (Size * 8.0);

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--consumers" => o with { Consumers = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() },
                "--seconds" => o with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup" => o with { Warmup = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--bitrate" => o with { Bitrate = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--size" => o with { Size = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--sink-threads" => o with { SinkThreads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--pin" => o with { Pin = Next() != "0" },
                "--keyframe-every" => o with { KeyFrameEvery = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--breakdown" => o with { Breakdown = true },
                "--no-egress-srtp" => o with { EgressSrtp = false },
                "--twcc" => o with { Twcc = true },
                "--bwe" => o with { Bwe = Next() switch { "on" => true, "off" => false, var v => throw new ArgumentException($"--bwe on|off, not {v}") } },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        var minSize = Sender.HeaderLength(o.Twcc) + Sender.StampOffset + 12;
        if (o.Size < minSize || o.Size > 1400) throw new ArgumentException($"--size must be {minSize}..1400");
        if (o.Seconds <= 0 || o.Bitrate <= 0) throw new ArgumentException("--seconds and --bitrate must be > 0");
        return o;
    }
}
