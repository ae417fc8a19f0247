using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Auth;

namespace AkkaSfu.Signalling.Tests.Auth;

/// <summary>The <c>token</c> command (scripts/token.sh): what it prints is a token the server accepts.</summary>
public class TokenCommandTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var code = TokenCommand.Run(args, o, e);
        return (code, o.ToString().Trim(), e.ToString());
    }

    [Fact]
    public async Task It_prints_a_token_for_the_room_peer_grants_and_ttl_asked()
    {
        var (code, token, _) = Run("--room", "r1", "--peer", "b1", "--grants", "publish,admin", "--ttl", "10m", "--secret", Secret);
        Assert.Equal(0, code);
        var validator = new RoomTokenValidator(AuthSettings.Open with { Secret = Secret, ClockSkew = TimeSpan.Zero });
        var (claims, refusal) = await validator.ValidateAsync(token, DateTimeOffset.UtcNow);
        Assert.Null(refusal);
        Assert.Equal(("r1", "b1", Grant.Publish | Grant.Admin), (claims!.Room, claims.Subject, claims.Grants));
        Assert.InRange(claims.Expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal(Refusal.Expired, (await validator.ValidateAsync(token, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(11))).Refusal);
    }

    [Fact]
    public void Bad_arguments_get_a_message_and_exit_code_2()
    {
        Assert.Contains("--room and --peer are required", Run("--room", "r1", "--secret", Secret).Err);
        Assert.Contains("unknown grant \"fly\"", Run("--room", "r", "--peer", "p", "--grants", "fly", "--secret", Secret).Err);
        Assert.Contains("--ttl", Run("--room", "r", "--peer", "p", "--ttl", "soon", "--secret", Secret).Err);
        Assert.Contains("at least 32 bytes", Run("--room", "r", "--peer", "p", "--secret", "short").Err);
        Assert.Contains("unknown option --colour", Run("--colour", "red").Err);
        Assert.Equal(2, Run("--room", "r").Code);
    }
}
