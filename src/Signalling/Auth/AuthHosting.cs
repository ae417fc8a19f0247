using System.Text.Json;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Metrics;

namespace AkkaSfu.Signalling.Auth;

/// <summary>Wires authentication into the host: <see cref="AuthSettings"/> from akkasfu.auth, the refusal
/// counters on /metrics, the <see cref="AuthGate"/>; at start, a warning when the server runs open; and
/// <c>GET /dev/token</c> when dev tokens are on.</summary>
public static class AuthHosting
{
    public static IServiceCollection AddRoomAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(AuthSettings.Create(AkkaSfuConfig.With(configuration["akkasfu:hocon"] ?? "")));
        services.AddSingleton(sp => new AuthRefusals(sp.GetRequiredService<SfuMetrics>().Registry));
        services.AddSingleton(sp => new AuthGate(sp.GetRequiredService<AuthSettings>(), sp.GetRequiredService<AuthRefusals>()));
        return services;
    }

    public static WebApplication MapRoomAuth(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AuthSettings>();
        // Made now, not at the first upgrade: every refusal reason is on /metrics from zero before any client comes.
        app.Services.GetRequiredService<AuthRefusals>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("auth");
        if (!settings.Enabled)
            log.LogWarning("AUTHENTICATION IS OFF: anyone can join any room and receive its media, take over any peer id, " +
                "and create or delete broadcasters. Set akkasfu.auth.secret (AKKASFU_AUTH_SECRET) to require room tokens.");
        else
            log.LogInformation("room tokens required ({Algorithms}); allowed origins: {Origins}",
                string.Join(", ", new[] { settings.Secret is null ? null : "HS256", settings.PublicKeyFile is null ? null : "ES256" }.OfType<string>()),
                settings.AllowedOrigins.Count == 0 ? "any" : string.Join(", ", settings.AllowedOrigins));
        if (settings.DevTokens)
        {
            log.LogWarning("DEV TOKENS ARE ON: GET /dev/token hands a room token to anyone who asks. Never in production.");
            app.MapGet("/dev/token", (HttpContext ctx) => DevToken(ctx, settings));
        }
        return app;
    }

    /// <summary><c>GET /dev/token?roomId=&amp;peerId=&amp;grants=publish,subscribe</c>: {"token", "expiresAt"}.</summary>
    private static IResult DevToken(HttpContext ctx, AuthSettings settings)
    {
        var roomId = ctx.Request.Query["roomId"].ToString();
        var peerId = ctx.Request.Query["peerId"].ToString();
        if (roomId.Length == 0 || peerId.Length == 0) return Results.BadRequest("roomId and peerId are required");
        var list = ctx.Request.Query["grants"].ToString();
        var grants = Grants.TryParseList(list.Length == 0 ? "publish,subscribe" : list, out var unknown);
        if (grants is null) return Results.BadRequest($"unknown grant \"{unknown}\" (publish, subscribe, admin)");
        var now = DateTimeOffset.UtcNow;
        var token = RoomTokenMinter.Mint(settings.Secret!, roomId, peerId, grants.Value, now, settings.DevTokenTtl);
        return Results.Text(JsonSerializer.Serialize(new { token, expiresAt = (now + settings.DevTokenTtl).ToUnixTimeSeconds() }), "application/json");
    }
}
