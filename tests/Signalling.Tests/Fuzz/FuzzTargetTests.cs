using System.Text;
using AkkaSfu.Fuzz;

namespace AkkaSfu.Signalling.Tests.Fuzz;

/// <summary>The short fuzz run of CI (the long one is scripts/fuzz.sh with AFL++, docs/benchmarks.md "Fuzzing"):
/// every target over its seed corpus, the inputs earlier runs found, and a fixed number of seeded mutations,
/// in-process. A target throws only on a finding.</summary>
public class FuzzTargetTests
{
    private const int Mutations = 5_000;

    public static TheoryData<string> Targets => new(FuzzTargets.All.Keys);

    /// <summary>Inputs the fuzzer found, each fixed in the product with its own test; kept here too so the target
    /// itself goes red if one comes back.</summary>
    private static readonly Dictionary<string, string[]> Found = new()
    {
        ["protoo"] =
        [
            """{"request":true,"id":1,"method":"x\ud800"}""",
            """{"request":true,"id":1,"method":"changeDisplayName","data":{"displayName":"\udc00"}}""",
            """{"response":true,"id":7,"ok":false,"errorCode":"500"}""",
            """{"request":true,"id":6,"method":"produce","data":{"transportId":"t","kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{"minptime":1e999}}],"encodings":[{"ssrc":1}]}}}""",
        ],
        ["rtp-parameters"] =
        [
            """{"codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{"minptime":101e999}}],"encodings":[{"ssrc":1}]}""",
            """{"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000}],"encodings":[{"ssrc":1,"scaleResolutionDownBy":1e400}]}""",
        ],
        ["rtp-capabilities"] = [],
        ["broadcaster"] =
        [
            """{"id":"\ud800","displayName":"b","device":{"name":"n"}}""",
            """{"kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{"a":1e999}}],"encodings":[{"ssrc":1}]}}""",
        ],
        ["packets"] = [],
    };

    private static byte[][] Corpus(string target) =>
        target == "packets"
            ? [Convert.FromHexString("90600001000000010000000abede00011000ff00deadbeef"), Convert.FromHexString("80c80006000000010000000000000000000000000000000000000000")]
            : Seeds.ByTarget()[target].Select(s => Encoding.UTF8.GetBytes(s.Text)).ToArray();

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_and_earlier_findings_pass(string target)
    {
        var run = FuzzTargets.All[target];
        foreach (var input in Corpus(target).Concat(Found[target].Select(Encoding.UTF8.GetBytes))) run(input);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeded_mutations_pass(string target)
    {
        var run = FuzzTargets.All[target];
        var corpus = Corpus(target);
        var mutator = new Mutator(seed: 13);
        for (var i = 0; i < Mutations; i++)
        {
            var input = mutator.Mutate(corpus[i % corpus.Length], corpus[(i * 7 + 3) % corpus.Length]);
            try
            {
                run(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"{target} mutation {i} threw {e.GetType().Name}: {e.Message}\ninput: {Convert.ToBase64String(input)}\n{e}");
            }
        }
    }

    [Fact]
    public void The_committed_corpus_is_the_seeds()
    {
        // scripts/fuzz.sh starts AFL from fuzz/corpus, written by `AkkaSfu.Fuzz --seeds fuzz/corpus`.
        var dir = Path.Combine(AppContext.BaseDirectory, "corpus");
        foreach (var (target, seeds) in Seeds.ByTarget())
            foreach (var (name, text) in seeds)
                Assert.Equal(text, File.ReadAllText(Path.Combine(dir, target, name + ".json")));
    }
}
