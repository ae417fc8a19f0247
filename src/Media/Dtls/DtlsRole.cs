// DTLS role negotiation for WebRTC (RFC 5763 §5, RFC 8842 §5; mediasoup WebRtcTransport::Connect).
namespace AkkaSfu.Media.Dtls;

/// <summary>DTLS role as signalled in mediasoup's dtlsParameters.role.</summary>
public enum DtlsRole : byte
{
    /// <summary>Either role; the peer decides. Our own dtlsParameters advertise this.</summary>
    Auto = 0,
    /// <summary>DTLS client (sends ClientHello).</summary>
    Client = 1,
    /// <summary>DTLS server (answers ClientHello).</summary>
    Server = 2,
}

/// <summary>Role resolution and wire names.</summary>
public static class DtlsRoles
{
    /// <summary>The role we advertise in our own dtlsParameters.</summary>
    public const DtlsRole Advertised = DtlsRole.Auto;

    /// <summary>Our local role given the remote's signalled role, as mediasoup resolves it: remote client → we
    /// are server; remote server → we are client; remote auto → we are client (we are ICE-controlled).</summary>
    public static DtlsRole ResolveLocal(DtlsRole remote) => remote switch
    {
        DtlsRole.Client => DtlsRole.Server,
        DtlsRole.Server => DtlsRole.Client,
        DtlsRole.Auto => DtlsRole.Client,
        _ => throw new ArgumentOutOfRangeException(nameof(remote), remote, "unknown DTLS role"),
    };

    /// <summary>mediasoup's wire name: "auto", "client" or "server".</summary>
    public static string ToWire(this DtlsRole role) => role switch
    {
        DtlsRole.Auto => "auto",
        DtlsRole.Client => "client",
        DtlsRole.Server => "server",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown DTLS role"),
    };

    /// <summary>Parses "auto" / "client" / "server" (case-insensitive); false on anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DtlsRole role)
    {
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase)) { role = DtlsRole.Auto; return true; }
        if (text.Equals("client", StringComparison.OrdinalIgnoreCase)) { role = DtlsRole.Client; return true; }
        if (text.Equals("server", StringComparison.OrdinalIgnoreCase)) { role = DtlsRole.Server; return true; }
        role = DtlsRole.Auto;
        return false;
    }
}
