using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Signalling.Auth;

/// <summary><c>AkkaSfu.Signalling token --room R --peer P [--grants publish,subscribe] [--ttl 1h]</c>: prints a
/// room token signed with akkasfu.auth.secret (AKKASFU_AUTH_SECRET, or --secret) and exits.</summary>
public static class TokenCommand
{
    public const string Usage = "usage: token --room ROOM --peer PEER_OR_BROADCASTER_ID [--grants publish,subscribe,admin] [--ttl 1h] [--secret SECRET]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--") || i + 1 >= args.Count) return Fail(error, $"unexpected \"{args[i]}\"");
            options[args[i][2..]] = args[++i];
        }
        if (options.Keys.FirstOrDefault(k => k is not ("room" or "peer" or "grants" or "ttl" or "secret")) is { } bad) return Fail(error, $"unknown option --{bad}");
        if (!options.TryGetValue("room", out var room) || !options.TryGetValue("peer", out var peer)) return Fail(error, "--room and --peer are required");
        var grants = Grants.TryParseList(options.GetValueOrDefault("grants", "publish,subscribe"), out var unknown);
        if (grants is null) return Fail(error, $"unknown grant \"{unknown}\" (publish, subscribe, admin)");
        if (TryParseDuration(options.GetValueOrDefault("ttl", "1h")) is not { } ttl || ttl <= TimeSpan.Zero) return Fail(error, "--ttl must be like 90s, 30m, 1h or 7d");

        string? secret;
        try { secret = options.GetValueOrDefault("secret") ?? AuthSettings.Create(AkkaSfuConfig.Default).Secret; }
        catch (Akka.Configuration.ConfigurationException e) { return Fail(error, e.Message); }
        if (secret is null) return Fail(error, "no secret: set AKKASFU_AUTH_SECRET (the server's akkasfu.auth.secret) or pass --secret");
        if (System.Text.Encoding.UTF8.GetByteCount(secret) < AuthSettings.MinSecretBytes) return Fail(error, $"the secret must be at least {AuthSettings.MinSecretBytes} bytes");

        output.WriteLine(RoomTokenMinter.Mint(secret, room, peer, grants.Value, DateTimeOffset.UtcNow, ttl));
        return 0;
    }

    /// <summary>"90s", "30m", "1h", "7d", or a TimeSpan ("01:00:00").</summary>
    public static TimeSpan? TryParseDuration(string s)
    {
        if (s.Length > 1 && double.TryParse(s[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n))
            switch (s[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        return TimeSpan.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        error.WriteLine(Usage);
        return 2;
    }
}
