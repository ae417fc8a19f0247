using AkkaSfu.Actors.Ortc;
using Xunit;
using static AkkaSfu.Actors.Tests.Ortc.OrtcTestData;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Actors.Tests.Ortc;

public class SctpStreamParametersTests
{
    [Theory]
    [InlineData("""{"streamId":1}""", """{"streamId":1,"ordered":true}""")]
    [InlineData("""{"streamId":1,"maxRetransmits":1}""", """{"streamId":1,"ordered":false,"maxRetransmits":1}""")]
    [InlineData("""{"streamId":2,"maxPacketLifeTime":500}""", """{"streamId":2,"ordered":false,"maxPacketLifeTime":500}""")]
    [InlineData("""{"streamId":3,"ordered":false}""", """{"streamId":3,"ordered":false}""")]
    [InlineData("""{"streamId":0,"ordered":true,"maxRetransmits":0}""", """{"streamId":0,"ordered":true,"maxRetransmits":0}""")]
    public void Valid_parameters_get_mediasoups_ordered_default(string json, string expected)
    {
        AssertJsonEqual(expected, OrtcRules.ValidateSctpStreamParameters(Parse<SctpStreamParameters>(json)));
    }

    [Theory]
    [InlineData("""{"ordered":true}""", "missing params.streamId")]
    [InlineData("""{"streamId":1,"maxRetransmits":1,"maxPacketLifeTime":1}""", "cannot provide both maxPacketLifeTime and maxRetransmits")]
    [InlineData("""{"streamId":1,"ordered":true,"maxRetransmits":1}""", "cannot be ordered with maxPacketLifeTime or maxRetransmits")]
    public void Invalid_parameters_throw(string json, string message)
    {
        var e = Assert.Throws<OrtcTypeError>(() => OrtcRules.ValidateSctpStreamParameters(Parse<SctpStreamParameters>(json)));
        Assert.Equal(message, e.Message);
    }
}
