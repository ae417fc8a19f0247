using AkkaSfu.Media.Net;
using Xunit;

namespace AkkaSfu.Media.Tests.Net;

public class Rfc7983Tests
{
    [Theory]
    [InlineData(0, PacketKind.Stun)]
    [InlineData(1, PacketKind.Stun)]
    [InlineData(3, PacketKind.Stun)]
    [InlineData(4, PacketKind.Unknown)]
    [InlineData(15, PacketKind.Unknown)]
    [InlineData(16, PacketKind.Unknown)] // ZRTP
    [InlineData(19, PacketKind.Unknown)]
    [InlineData(20, PacketKind.Dtls)]
    [InlineData(22, PacketKind.Dtls)]
    [InlineData(63, PacketKind.Dtls)]
    [InlineData(64, PacketKind.Unknown)] // TURN channel
    [InlineData(79, PacketKind.Unknown)]
    [InlineData(80, PacketKind.Unknown)]
    [InlineData(127, PacketKind.Unknown)]
    [InlineData(128, PacketKind.Rtp)]
    [InlineData(144, PacketKind.Rtp)]
    [InlineData(191, PacketKind.Rtp)]
    [InlineData(192, PacketKind.Unknown)]
    [InlineData(255, PacketKind.Unknown)]
    public void First_byte_boundaries(byte first, PacketKind kind) =>
        Assert.Equal(kind, Rfc7983.Classify([first, 96, 0, 0]));

    [Theory]
    [InlineData(0, PacketKind.Rtp)]
    [InlineData(63, PacketKind.Rtp)]
    [InlineData(64, PacketKind.Rtcp)]   // RTCP type 192 with the top bit masked
    [InlineData(95, PacketKind.Rtcp)]
    [InlineData(96, PacketKind.Rtp)]
    [InlineData(127, PacketKind.Rtp)]
    [InlineData(128, PacketKind.Rtp)]   // marker + PT 0
    [InlineData(191, PacketKind.Rtp)]   // marker + PT 63
    [InlineData(192, PacketKind.Rtcp)]  // FIR/SR range start (RTCP 192)
    [InlineData(200, PacketKind.Rtcp)]  // SR
    [InlineData(201, PacketKind.Rtcp)]  // RR
    [InlineData(205, PacketKind.Rtcp)]  // RTPFB
    [InlineData(206, PacketKind.Rtcp)]  // PSFB
    [InlineData(223, PacketKind.Rtcp)]
    [InlineData(224, PacketKind.Rtp)]   // marker + PT 96 (typical video with marker)
    [InlineData(255, PacketKind.Rtp)]
    public void Rtp_rtcp_split_by_second_byte(byte second, PacketKind kind)
    {
        Assert.Equal(kind, Rfc7983.Classify([0x80, second, 0, 0]));
        Assert.Equal(kind, Rfc7983.Classify([0xBF, second]));
    }

    [Fact]
    public void Short_inputs()
    {
        Assert.Equal(PacketKind.Unknown, Rfc7983.Classify([]));
        Assert.Equal(PacketKind.Unknown, Rfc7983.Classify([0x80]));
        Assert.Equal(PacketKind.Stun, Rfc7983.Classify([0x00]));
        Assert.Equal(PacketKind.Dtls, Rfc7983.Classify([0x16]));
    }
}
