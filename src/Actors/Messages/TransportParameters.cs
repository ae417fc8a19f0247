// mediasoup's transport-level JSON shapes (signalling.md §5.2–5.3, §7), as records the signalling layer
// serializes as they are (camelCase).
using System.Text.Json.Serialization;

namespace AkkaSfu.Actors.Messages;

public sealed record IceParameters(string UsernameFragment, string Password, bool IceLite = true) : ICrossNodeMessage;

public sealed record IceCandidate(string Foundation, long Priority, string Ip, string Address, string Protocol, int Port, string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TcpType = null) : ICrossNodeMessage;

public sealed record DtlsFingerprintParameters(string Algorithm, string Value) : ICrossNodeMessage;

public sealed record DtlsParameters(string Role, IReadOnlyList<DtlsFingerprintParameters> Fingerprints) : ICrossNodeMessage;

/// <summary>Plain-transport SRTP keying (mediasoup's srtpParameters): keyBase64 = base64(master key ‖ salt).</summary>
public sealed record SrtpParameters(string CryptoSuite, string KeyBase64) : ICrossNodeMessage;
