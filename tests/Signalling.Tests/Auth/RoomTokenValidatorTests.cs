using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Auth;
using Microsoft.IdentityModel.Tokens;

namespace AkkaSfu.Signalling.Tests.Auth;

/// <summary>The room token validator on its own: claims, lifetime against the time passed in, and the tokens an
/// attacker would try (unsigned, another key, another algorithm, the public key as an HMAC secret).</summary>
public class RoomTokenValidatorTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly AuthSettings Hs256 = AuthSettings.Open with { Secret = Secret, ClockSkew = TimeSpan.FromSeconds(30) };

    private static Task<(RoomToken? Token, Refusal? Refusal)> Validate(AuthSettings settings, string? token, DateTimeOffset? at = null) =>
        new RoomTokenValidator(settings).ValidateAsync(token, at ?? Now);

    private static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    private static string Payload(long exp) => $$"""{"room":"r1","sub":"p1","exp":{{exp}},"grants":["publish"]}""";

    [Fact]
    public async Task A_token_signed_with_the_secret_gives_its_claims()
    {
        var token = RoomTokenMinter.Mint(Secret, "r1", "p1", Grant.Publish | Grant.Subscribe, Now, TimeSpan.FromHours(1));
        var (claims, refusal) = await Validate(Hs256, token);
        Assert.Null(refusal);
        Assert.Equal(new RoomToken("r1", "p1", Now + TimeSpan.FromHours(1), Grant.Publish | Grant.Subscribe), claims);
    }

    [Fact]
    public async Task Missing_and_malformed_tokens_are_refused()
    {
        Assert.Equal(Refusal.Missing, (await Validate(Hs256, null)).Refusal);
        Assert.Equal(Refusal.Missing, (await Validate(Hs256, "")).Refusal);
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, "not a token")).Refusal);
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, "a.b.c")).Refusal);
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, new string('a', RoomTokenValidator.MaxTokenChars + 1))).Refusal);
    }

    [Fact]
    public async Task Expiry_is_checked_against_the_time_passed_in_with_the_clock_skew()
    {
        var token = RoomTokenMinter.Mint(Secret, "r1", "p1", Grant.Publish, Now, TimeSpan.FromMinutes(10));
        Assert.Null((await Validate(Hs256, token, Now + TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(29))).Refusal);
        Assert.Equal(Refusal.Expired, (await Validate(Hs256, token, Now + TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(30))).Refusal);
        var expired = RoomTokenMinter.Mint(Secret, "r1", "p1", Grant.Publish, Now, TimeSpan.FromHours(-1));
        Assert.Equal(Refusal.Expired, (await Validate(Hs256, expired)).Refusal);
    }

    [Fact]
    public async Task A_token_signed_with_another_secret_is_invalid_even_when_expired()
    {
        const string other = "another-secret-another-secret-123";
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, RoomTokenMinter.Mint(other, "r1", "p1", Grant.All, Now, TimeSpan.FromHours(1)))).Refusal);
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, RoomTokenMinter.Mint(other, "r1", "p1", Grant.All, Now, TimeSpan.FromHours(-1)))).Refusal);
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var exp = (Now + TimeSpan.FromHours(1)).ToUnixTimeSeconds();
        var none = B64("""{"alg":"none","typ":"JWT"}""") + "." + B64(Payload(exp)) + ".";
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, none)).Refusal);
        // The same, with the signature of a real token pasted on.
        var real = RoomTokenMinter.Mint(Secret, "r1", "p1", Grant.Publish, Now, TimeSpan.FromHours(1));
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, none + real.Split('.')[2])).Refusal);
    }

    [Fact]
    public async Task A_token_whose_payload_was_changed_is_refused()
    {
        var token = RoomTokenMinter.Mint(Secret, "r1", "p1", Grant.Subscribe, Now, TimeSpan.FromHours(1)).Split('.');
        var forged = token[0] + "." + B64(Payload((Now + TimeSpan.FromHours(1)).ToUnixTimeSeconds())) + "." + token[2];
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, forged)).Refusal);
    }

    [Fact]
    public async Task Tokens_without_room_sub_or_exp_are_invalid()
    {
        var key = new SigningCredentials(RoomTokenValidator.SigningKey(Secret), SecurityAlgorithms.HmacSha256);
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        string Sign(string payload) => handler.CreateToken(payload, key);
        var exp = (Now + TimeSpan.FromHours(1)).ToUnixTimeSeconds();
        Assert.Null((await Validate(Hs256, Sign(Payload(exp)))).Refusal);
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, Sign($$"""{"sub":"p1","exp":{{exp}},"grants":["publish"]}"""))).Refusal);
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, Sign($$"""{"room":"r1","exp":{{exp}},"grants":["publish"]}"""))).Refusal);
        Assert.Equal(Refusal.Invalid, (await Validate(Hs256, Sign("""{"room":"r1","sub":"p1","grants":["publish"]}"""))).Refusal);
        // Unknown grants are ignored; no grants claim is no grant.
        Assert.Equal(Grant.Subscribe, (await Validate(Hs256, Sign($$"""{"room":"r1","sub":"p1","exp":{{exp}},"grants":["subscribe","fly"]}"""))).Token!.Grants);
        Assert.Equal(Grant.None, (await Validate(Hs256, Sign($$"""{"room":"r1","sub":"p1","exp":{{exp}}}"""))).Token!.Grants);
    }

    [Fact]
    public async Task Es256_tokens_verify_with_the_public_key_and_its_pem_is_no_hmac_secret()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportSubjectPublicKeyInfoPem();
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, pem);
        try
        {
            var es256 = AuthSettings.Open with { PublicKeyFile = file };
            var signed = RoomTokenMinter.Mint(new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256), "r1", "p1", Grant.Admin, Now, TimeSpan.FromHours(1));
            Assert.Equal(Grant.Admin, (await Validate(es256, signed)).Token!.Grants);

            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var wrongKey = RoomTokenMinter.Mint(new SigningCredentials(new ECDsaSecurityKey(other), SecurityAlgorithms.EcdsaSha256), "r1", "p1", Grant.Admin, Now, TimeSpan.FromHours(1));
            Assert.Equal(Refusal.Invalid, (await Validate(es256, wrongKey)).Refusal);

            // Algorithm confusion: HS256 keyed with the (public) PEM text.
            var confused = RoomTokenMinter.Mint(pem, "r1", "p1", Grant.Admin, Now, TimeSpan.FromHours(1));
            Assert.Equal(Refusal.Invalid, (await Validate(es256, confused)).Refusal);
            // And an ES256 token is not accepted by a server that only has the HS256 secret.
            Assert.Equal(Refusal.Invalid, (await Validate(Hs256, signed)).Refusal);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Settings_refuse_a_short_secret_dev_tokens_without_a_secret_and_bad_origins()
    {
        static AuthSettings Read(string hocon) => AuthSettings.Create(AkkaSfuConfig.With(hocon));
        Assert.False(Read("").Enabled);
        Assert.True(Read($"akkasfu.auth.secret = \"{Secret}\"").Enabled);
        Assert.Contains("32 bytes", Assert.Throws<ConfigurationException>(() => Read("akkasfu.auth.secret = short")).Message);
        Assert.Contains("needs akkasfu.auth.secret", Assert.Throws<ConfigurationException>(() => Read("akkasfu.auth.dev-tokens = on")).Message);
        Assert.Throws<ConfigurationException>(() => Read("akkasfu.auth.allowed-origins = [\"https://a.example/path\"]"));
        Assert.Equal(["https://a.example"], Read("akkasfu.auth.allowed-origins = [\"https://a.example/\"]").AllowedOrigins);
    }
}
