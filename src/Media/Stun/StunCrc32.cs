// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320) for FINGERPRINT, RFC 8489 §14.7.
namespace AkkaSfu.Media.Stun;

/// <summary>Table-driven CRC-32 as used by the STUN FINGERPRINT attribute.</summary>
public static class StunCrc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }

    /// <summary>Plain CRC-32 of the data (check value of "123456789" is 0xCBF43926).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        uint[] table = Table;
        foreach (byte b in data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>FINGERPRINT value: CRC-32 XOR 0x5354554e over the message bytes before the attribute.</summary>
    public static uint Fingerprint(ReadOnlySpan<byte> messageBeforeFingerprint) =>
        Compute(messageBeforeFingerprint) ^ StunConst.FingerprintXor;
}
