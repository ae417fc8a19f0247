using System.Text;
using AkkaSfu.Signalling.Protocol;

namespace AkkaSfu.Signalling.Tests.Protoo;

/// <summary>Protoo.TryParse on inputs the fuzzer found (fuzz/, scripts/fuzz.sh protoo): each is refused with a reason
/// or read, never thrown out of the socket's read loop.</summary>
public class ProtooEnvelopeTests
{
    private static ProtooMessage? Parse(string json, out string? error) =>
        AkkaSfu.Signalling.Protocol.Protoo.TryParse(Encoding.UTF8.GetBytes(json), out error);

    [Theory]
    // A lone surrogate escape is valid JSON and valid UTF-8, but no .NET string: GetString threw.
    [InlineData("""{"request":true,"id":1,"method":"x\ud800"}""")]
    [InlineData("""{"request":true,"id":1,"method":"changeDisplayName","data":{"displayName":"\udc00"}}""")]
    [InlineData("""{"request":true,"id":1,"method":"join","data":{"device":{"\ud800":1}}}""")]
    [InlineData("""{"response":true,"id":1,"ok":false,"errorReason":"\ud800x"}""")]
    public void Strings_that_are_no_dotnet_string_are_malformed(string json)
    {
        Assert.Null(Parse(json, out var error));
        Assert.StartsWith("malformed JSON: invalid string", error);
    }

    [Fact]
    public void Invalid_utf8_inside_a_string_is_malformed()
    {
        var bytes = "{\"request\":true,\"id\":1,\"method\":\"a"u8.ToArray().Concat(new byte[] { 0xA9 }).Concat("\"}"u8.ToArray()).ToArray();
        Assert.Null(AkkaSfu.Signalling.Protocol.Protoo.TryParse(bytes, out var error));
        Assert.StartsWith("malformed JSON: invalid string", error);
    }

    [Fact]
    public void A_valid_surrogate_pair_escape_is_read()
    {
        var m = Parse("""{"request":true,"id":1,"method":"changeDisplayName","data":{"displayName":"\ud83e\udd89"}}""", out var error);
        Assert.Null(error);
        Assert.Equal("🦉", m!.Data.GetProperty("displayName").GetString());
    }

    [Theory]
    // Found by fuzzing: TryGetInt32 on a non-number element threw InvalidOperationException.
    [InlineData("""{"response":true,"id":3,"ok":false,"errorCode":"500","errorReason":"no"}""")]
    [InlineData("""{"response":true,"id":3,"ok":false,"errorCode":{},"errorReason":"no"}""")]
    [InlineData("""{"response":true,"id":3,"ok":false,"errorCode":1e99,"errorReason":"no"}""")]
    public void A_response_errorCode_that_is_no_int_reads_as_0(string json)
    {
        var m = Parse(json, out var error);
        Assert.Null(error);
        Assert.Equal((ProtooKind.Response, 3L, false, 0, "no"), (m!.Kind, m.Id, m.Ok, m.ErrorCode, m.ErrorReason));
    }
}
