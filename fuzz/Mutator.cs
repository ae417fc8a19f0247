// A small seeded mutator for the in-process short run (FuzzTargetTests): byte flips, cuts, repeats, splices and
// JSON tokens and deep nesting, so `scripts/test.sh` runs every target over its corpus without AFL.
// Deterministic: the same seed gives the same inputs.
using System.Text;

namespace AkkaSfu.Fuzz;

public sealed class Mutator(int seed)
{
    /// <summary>Tokens that change a JSON value's type or range, or break its encoding.</summary>
    public static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "0", "-1", "1e999", "-0", "1.5", "4294967296",
        "2147483648", "-2147483649", "9007199254740993", "\"\\ud800\"", "\"\\u0000\"", "\"\"", "[]", "{}", "[null]", "{\"a\":1,\"a\":2}",
        "\"codecs\"", "\"encodings\"", "\"headerExtensions\"", "\"mimeType\"", "\"payloadType\"", "\"clockRate\"", "\"channels\"",
        "\"parameters\"", "\"apt\"", "\"rtcpFeedback\"", "\"ssrc\"", "\"rid\"", "\"rtx\"", "\"scalabilityMode\"", "\"L3T3_KEY\"",
        "\"video/rtx\"", "\"video/VP8\"", "\"audio/opus\"", "\"video/H264\"", "\"profile-level-id\"", "\"packetization-mode\"",
        "\"codecPayloadType\"", "\"preferredPayloadType\"", "\"kind\"", "\"uri\"", "\"id\"", "\"mid\"", "\"fingerprints\"", "\"role\"",
        "\"algorithm\"", "\"value\"", "\"rtpParameters\"", "\"rtpCapabilities\"", "\"device\"", "\"appData\"", "\"data\"", "\"method\"",
    ];

    private readonly Random _random = new(seed);

    /// <summary>One to four mutations of <paramref name="input"/>, sometimes spliced with <paramref name="other"/>.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (_random.Next(9))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)_random.Next(256);
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                    break;
                case 3 when data.Count > 0:
                {
                    var len = Math.Min(data.Count - at, 1 + _random.Next(64));
                    data.InsertRange(_random.Next(data.Count + 1), data.GetRange(at, len));
                    break;
                }
                case 4:
                case 5:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[_random.Next(Tokens.Length)]));
                    break;
                case 6 when data.Count > 0:
                    // Replace a value (up to the next , } or ]) with a token.
                    var end = at;
                    while (end < data.Count && data[end] is not ((byte)',' or (byte)'}' or (byte)']')) end++;
                    data.RemoveRange(at, end - at);
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[_random.Next(Tokens.Length)]));
                    break;
                case 7 when other.Length > 0:
                {
                    var from = _random.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + _random.Next(256))).ToArray());
                    break;
                }
                case 8:
                {
                    var depth = 1 + _random.Next(200);
                    var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
                    var close = open == "[" ? "]" : "}";
                    data.InsertRange(at, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth))));
                    break;
                }
            }
        }
        return data.ToArray();
    }
}
