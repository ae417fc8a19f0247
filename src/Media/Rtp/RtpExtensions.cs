// Typed RTP header extensions, modelled on mediasoup's RtpPacket.hpp Read*/Update* accessors:
// mid (RFC 9143 §15), rid / repaired-rid (RFC 8852 §3.3), abs-send-time (webrtc.org abs-send-time),
// transport-wide-cc-01 (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), ssrc-audio-level
// (RFC 6464 §3), video-orientation (3GPP TS 26.114 §7.4.5), toffset (RFC 5450 §2), playout-delay and
// abs-capture-time (webrtc.org).
using System.Buffers.Binary;

namespace AkkaSfu.Media.Rtp;

/// <summary>Local header extension ids negotiated for one direction of one transport; 0 = not negotiated.</summary>
public struct RtpExtensionIds
{
    public byte Mid;
    public byte Rid;
    public byte RepairedRid;
    public byte AbsSendTime;
    public byte TransportWideCc01;
    public byte AudioLevel;
    public byte VideoOrientation;
    public byte Toffset;
    public byte AbsCaptureTime;
    public byte PlayoutDelay;
    /// <summary>Dependency descriptor, AV1's and H264's (received only: never forwarded, as mediasoup).</summary>
    public byte DependencyDescriptor;
}

/// <summary>Typed accessors for the header extensions in <see cref="RtpExtensionIds"/>. Each returns false
/// when the id is not negotiated, the element is absent, or its length is wrong.</summary>
public static class RtpExtensionAccessors
{
    /// <summary>RFC 9143 MID (1..16 bytes in one-byte form).</summary>
    public static bool ReadMid(this RtpPacket p, in RtpExtensionIds ids, out ReadOnlySpan<byte> mid)
        => ReadString(p, ids.Mid, out mid);

    /// <summary>RFC 8852 RtpStreamId.</summary>
    public static bool ReadRid(this RtpPacket p, in RtpExtensionIds ids, out ReadOnlySpan<byte> rid)
        => ReadString(p, ids.Rid, out rid);

    /// <summary>RFC 8852 RepairedRtpStreamId (on RTX packets).</summary>
    public static bool ReadRepairedRid(this RtpPacket p, in RtpExtensionIds ids, out ReadOnlySpan<byte> rid)
        => ReadString(p, ids.RepairedRid, out rid);

    /// <summary>Transport-wide sequence number (2 bytes).</summary>
    public static bool ReadTransportWideCc01(this RtpPacket p, in RtpExtensionIds ids, out ushort seq)
    {
        seq = 0;
        if (!Get(p, ids.TransportWideCc01, 2, out var v)) return false;
        seq = BinaryPrimitives.ReadUInt16BigEndian(v);
        return true;
    }

    /// <summary>Overwrites the transport-wide sequence number in place (the element must exist).</summary>
    public static bool WriteTransportWideCc01(this RtpPacket p, in RtpExtensionIds ids, ushort seq)
    {
        if (!Get(p, ids.TransportWideCc01, 2, out var v)) return false;
        BinaryPrimitives.WriteUInt16BigEndian(v, seq);
        return true;
    }

    /// <summary>abs-send-time: 24-bit 6.18 fixed-point seconds.</summary>
    public static bool ReadAbsSendTime(this RtpPacket p, in RtpExtensionIds ids, out uint absSendTime)
    {
        absSendTime = 0;
        if (!Get(p, ids.AbsSendTime, 3, out var v)) return false;
        absSendTime = (uint)(v[0] << 16 | v[1] << 8 | v[2]);
        return true;
    }

    /// <summary>Overwrites abs-send-time in place (low 24 bits of <paramref name="absSendTime"/>).</summary>
    public static bool WriteAbsSendTime(this RtpPacket p, in RtpExtensionIds ids, uint absSendTime)
    {
        if (!Get(p, ids.AbsSendTime, 3, out var v)) return false;
        v[0] = (byte)(absSendTime >> 16);
        v[1] = (byte)(absSendTime >> 8);
        v[2] = (byte)absSendTime;
        return true;
    }

    /// <summary>Converts a time in ms to the 24-bit 6.18 fixed-point abs-send-time value.</summary>
    public static uint AbsSendTimeFromMs(long ms) => (uint)(((ms << 18) + 500) / 1000) & 0xFFFFFF;

    /// <summary>RFC 6464 audio level: voice activity flag and level in -dBov (0..127).</summary>
    public static bool ReadAudioLevel(this RtpPacket p, in RtpExtensionIds ids, out bool voice, out byte level)
    {
        voice = false; level = 0;
        if (!Get(p, ids.AudioLevel, -1, out var v) || v.Length < 1) return false;
        voice = (v[0] & 0x80) != 0;
        level = (byte)(v[0] & 0x7F);
        return true;
    }

    /// <summary>Coordination of video orientation: camera (true = back), horizontal flip, rotation in
    /// degrees (0, 90, 180, 270).</summary>
    public static bool ReadVideoOrientation(this RtpPacket p, in RtpExtensionIds ids,
        out bool camera, out bool flip, out ushort rotation)
    {
        camera = false; flip = false; rotation = 0;
        if (!Get(p, ids.VideoOrientation, 1, out var v)) return false;
        camera = (v[0] & 0x08) != 0;
        flip = (v[0] & 0x04) != 0;
        rotation = (ushort)((v[0] & 0x03) * 90);
        return true;
    }

    /// <summary>RFC 5450 transmission time offset (signed 24-bit, RTP clock units).</summary>
    public static bool ReadToffset(this RtpPacket p, in RtpExtensionIds ids, out int offset)
    {
        offset = 0;
        if (!Get(p, ids.Toffset, 3, out var v)) return false;
        offset = (v[0] << 24 | v[1] << 16 | v[2] << 8) >> 8;
        return true;
    }

    /// <summary>playout-delay: min and max delay in 10 ms units (12 bits each).</summary>
    public static bool ReadPlayoutDelay(this RtpPacket p, in RtpExtensionIds ids, out ushort min, out ushort max)
    {
        min = 0; max = 0;
        if (!Get(p, ids.PlayoutDelay, 3, out var v)) return false;
        min = (ushort)(v[0] << 4 | v[1] >> 4);
        max = (ushort)((v[1] & 0x0F) << 8 | v[2]);
        return true;
    }

    /// <summary>abs-capture-time: 64-bit NTP capture timestamp (the optional clock offset is ignored).</summary>
    public static bool ReadAbsCaptureTime(this RtpPacket p, in RtpExtensionIds ids, out ulong ntpTimestamp)
    {
        ntpTimestamp = 0;
        if (!Get(p, ids.AbsCaptureTime, -1, out var v) || (v.Length != 8 && v.Length != 16)) return false;
        ntpTimestamp = BinaryPrimitives.ReadUInt64BigEndian(v);
        return true;
    }

    private static bool ReadString(RtpPacket p, byte id, out ReadOnlySpan<byte> s)
    {
        s = default;
        if (!Get(p, id, -1, out var v) || v.IsEmpty) return false;
        // Some senders pad strings with trailing NULs.
        int n = v.IndexOf((byte)0);
        s = n < 0 ? v : v.Slice(0, n);
        return !s.IsEmpty;
    }

    private static bool Get(RtpPacket p, byte id, int expectedLength, out Span<byte> value)
    {
        value = default;
        if (id == 0 || !p.TryGetExtension(id, out var v)) return false;
        if (expectedLength >= 0 && v.Length != expectedLength) return false;
        value = v;
        return true;
    }
}
