// STUN message types and attribute registry: RFC 8489 §5 (message structure), §18.3 (attributes),
// RFC 8445 §16.1 (ICE attributes), RFC 7675 (consent uses plain Binding).
namespace AkkaSfu.Media.Stun;

/// <summary>STUN message class (RFC 8489 §5: bits C1 C0 of the message type).</summary>
public enum StunClass : byte
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}

/// <summary>STUN methods we know; other 12-bit values parse fine and show up as their number.</summary>
public enum StunMethod : ushort
{
    Binding = 0x001,
}

/// <summary>STUN attribute types (RFC 8489 §18.3, RFC 8445 §16.1, Google's network info).</summary>
public static class StunAttr
{
    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort MessageIntegritySha256 = 0x001C;
    public const ushort PasswordAlgorithm = 0x001D;
    public const ushort UserHash = 0x001E;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort PasswordAlgorithms = 0x8002;
    public const ushort AlternateDomain = 0x8003;
    public const ushort Software = 0x8022;
    public const ushort AlternateServer = 0x8023;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;
    /// <summary>Google's GOOG-NETWORK-INFO (Chromium sends it on every check); ignored.</summary>
    public const ushort GoogNetworkInfo = 0xC057;

    /// <summary>Types 0x0000-0x7FFF are comprehension-required (RFC 8489 §14).</summary>
    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;

    /// <summary>Comprehension-required attributes this parser knows (processed or deliberately ignored).</summary>
    public static bool IsKnownComprehensionRequired(ushort type) => type switch
    {
        MappedAddress or Username or MessageIntegrity or ErrorCode or UnknownAttributes or Realm or Nonce
            or MessageIntegritySha256 or PasswordAlgorithm or UserHash or XorMappedAddress or Priority
            or UseCandidate => true,
        _ => false,
    };
}

/// <summary>Fixed numbers of the STUN wire format.</summary>
public static class StunConst
{
    /// <summary>RFC 8489 §5 magic cookie.</summary>
    public const uint MagicCookie = 0x2112A442;
    /// <summary>Header size: type, length, cookie, 12-byte transaction id.</summary>
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    /// <summary>XOR constant of the FINGERPRINT CRC-32 (RFC 8489 §14.7).</summary>
    public const uint FingerprintXor = 0x5354554e;
    /// <summary>HMAC-SHA1 output length.</summary>
    public const int IntegrityLength = 20;

    /// <summary>Encodes class and method into the 14-bit message type (RFC 8489 §5, figure 3).</summary>
    public static ushort MessageType(StunClass cls, ushort method)
    {
        int c = (int)cls;
        return (ushort)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                        | ((c & 1) << 4) | ((c & 2) << 7));
    }
}
