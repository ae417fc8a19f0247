// RFC 7983 §7 first-byte demultiplexing of STUN, DTLS and SRTP/SRTCP on one 5-tuple, with the
// RTP/RTCP split of RFC 5761 §4 (second byte, marker bit masked: 64..95 means RTCP packet type 192..223).
//
//                  +----------------+
//                  |        [0..3] -+--> STUN
//                  |      [16..19] -+--> ZRTP        (Unknown here)
//      packet -->  |      [20..63] -+--> DTLS
//                  |      [64..79] -+--> TURN Channel (Unknown here)
//                  |    [128..191] -+--> RTP/RTCP
//                  +----------------+
namespace AkkaSfu.Media.Net;

/// <summary>What a datagram on a WebRTC 5-tuple is, judged by its first bytes.</summary>
public enum PacketKind : byte
{
    /// <summary>Empty, ZRTP, TURN channel data, or any other first byte: drop it.</summary>
    Unknown = 0,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}

/// <summary>RFC 7983 demultiplexer.</summary>
public static class Rfc7983
{
    /// <summary>Classifies a datagram by its first byte (and, for RTP/RTCP, its second). Never throws.</summary>
    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty) return PacketKind.Unknown;
        byte b = datagram[0];
        if (b <= 3) return PacketKind.Stun;
        if (b is >= 20 and <= 63) return PacketKind.Dtls;
        if (b is >= 128 and <= 191)
        {
            if (datagram.Length < 2) return PacketKind.Unknown;
            int pt = datagram[1] & 0x7F;
            return pt is >= 64 and <= 95 ? PacketKind.Rtcp : PacketKind.Rtp;
        }
        return PacketKind.Unknown;
    }
}
