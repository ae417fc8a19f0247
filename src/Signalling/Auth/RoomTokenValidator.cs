using System.Security.Cryptography;
using System.Text;
using AkkaSfu.Actors.Settings;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AkkaSfu.Signalling.Auth;

/// <summary>Checks a room token (RFC 7519 JWT) with Microsoft.IdentityModel: signed HS256 with the secret, or
/// ES256 with the configured public key; no other algorithm (so never "none", and a key of one kind is never
/// used for the other's algorithm). Its lifetime is checked here, against the time passed in, after the
/// signature: a forged token is "invalid" whatever its exp.</summary>
public sealed class RoomTokenValidator
{
    /// <summary>Tokens longer than this are not parsed (ours are a few hundred bytes).</summary>
    public const int MaxTokenChars = 4096;

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenChars };
    private readonly TokenValidationParameters _parameters;
    private readonly TimeSpan _skew;

    public RoomTokenValidator(AuthSettings settings)
    {
        var keys = new List<SecurityKey>();
        var algorithms = new List<string>();
        if (settings.Secret is { } secret)
        {
            keys.Add(SigningKey(secret));
            algorithms.Add(SecurityAlgorithms.HmacSha256);
        }
        if (settings.PublicKeyFile is { } file)
        {
            keys.Add(PublicKey(File.ReadAllText(file)));
            algorithms.Add(SecurityAlgorithms.EcdsaSha256);
        }
        if (keys.Count == 0) throw new InvalidOperationException("auth is off: no secret nor public key");
        _skew = settings.ClockSkew;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = algorithms,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false, // checked below against the time passed in
        };
    }

    /// <summary>The HS256 key of <paramref name="secret"/> (UTF-8 bytes).</summary>
    public static SymmetricSecurityKey SigningKey(string secret) => new(Encoding.UTF8.GetBytes(secret));

    /// <summary>An EC public key (PEM: "PUBLIC KEY" or a certificate's key) for ES256.</summary>
    public static ECDsaSecurityKey PublicKey(string pem)
    {
        var ec = ECDsa.Create();
        ec.ImportFromPem(pem);
        return new ECDsaSecurityKey(ec);
    }

    /// <summary>The token's claims, or why it is refused (<see cref="Refusal.Missing"/>,
    /// <see cref="Refusal.Invalid"/> or <see cref="Refusal.Expired"/>).</summary>
    public async Task<(RoomToken? Token, Refusal? Refusal)> ValidateAsync(string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token)) return (null, Refusal.Missing);
        if (token.Length > MaxTokenChars) return (null, Refusal.Invalid);
        TokenValidationResult result;
        try { result = await _handler.ValidateTokenAsync(token, _parameters); }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or FormatException) { return (null, Refusal.Invalid); }
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return (null, Refusal.Invalid);

        if (!jwt.TryGetPayloadValue<string>("room", out var room) || string.IsNullOrEmpty(room)) return (null, Refusal.Invalid);
        if (string.IsNullOrEmpty(jwt.Subject)) return (null, Refusal.Invalid);
        if (!jwt.TryGetPayloadValue<long>("exp", out _)) return (null, Refusal.Invalid);
        var grants = jwt.TryGetPayloadValue<string[]>("grants", out var names) ? Grants.Parse(names ?? []) : Grant.None;

        var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        if (now >= expires + _skew) return (null, Refusal.Expired);
        if (jwt.ValidFrom != DateTime.MinValue && now + _skew < new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero)) return (null, Refusal.Invalid);
        return (new RoomToken(room, jwt.Subject, expires, grants), null);
    }
}
