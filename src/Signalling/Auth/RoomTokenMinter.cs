using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AkkaSfu.Signalling.Auth;

/// <summary>Writes room tokens signed HS256 with the secret: <c>GET /dev/token</c>, the <c>token</c> command,
/// and tests. (ES256 tokens are minted elsewhere, by whoever holds the private key.)</summary>
public static class RoomTokenMinter
{
    public static string Mint(string secret, string room, string subject, Grant grants, DateTimeOffset now, TimeSpan ttl) =>
        Mint(new SigningCredentials(RoomTokenValidator.SigningKey(secret), SecurityAlgorithms.HmacSha256), room, subject, grants, now, ttl);

    /// <summary>A token signed with <paramref name="credentials"/> (tests sign with other keys and algorithms).
    /// A negative <paramref name="ttl"/> writes an already expired token.</summary>
    public static string Mint(SigningCredentials credentials, string room, string subject, Grant grants, DateTimeOffset now, TimeSpan ttl)
    {
        var expires = now + ttl;
        var issued = ttl < TimeSpan.Zero ? expires - TimeSpan.FromMinutes(1) : now;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", subject)]),
            Claims = new Dictionary<string, object> { ["room"] = room, ["grants"] = Grants.ToNames(grants) },
            IssuedAt = issued.UtcDateTime,
            NotBefore = issued.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = credentials,
        });
    }
}
