using System.Text;
using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>akkasfu.auth (hocon/akkasfu.conf documents each key), with the environment on top:
/// AKKASFU_AUTH_SECRET, AKKASFU_AUTH_PUBLIC_KEY_FILE, AKKASFU_ALLOWED_ORIGINS (comma-separated) and
/// AKKASFU_DEV_TOKENS=1. Room tokens are required when a secret or a public key is set (<see cref="Enabled"/>).</summary>
public sealed record AuthSettings(
    string? Secret,
    string? PublicKeyFile,
    IReadOnlyList<string> AllowedOrigins,
    bool DevTokens,
    TimeSpan DevTokenTtl,
    TimeSpan ClockSkew)
{
    /// <summary>RFC 7518 §3.2: an HS256 key must be at least as long as the hash (256 bits).</summary>
    public const int MinSecretBytes = 32;

    public static readonly AuthSettings Open = new(null, null, [], false, TimeSpan.FromHours(1), TimeSpan.FromSeconds(30));

    /// <summary>Tokens are needed: a secret (HS256) or a public key (ES256) is configured.</summary>
    public bool Enabled => Secret is not null || PublicKeyFile is not null;

    public static AuthSettings Create(Config config)
    {
        var c = config.GetConfig("akkasfu.auth");
        var secret = Env("AKKASFU_AUTH_SECRET") ?? c?.GetString("secret", "") ?? "";
        var keyFile = Env("AKKASFU_AUTH_PUBLIC_KEY_FILE") ?? c?.GetString("public-key-file", "") ?? "";
        var origins = Env("AKKASFU_ALLOWED_ORIGINS") is { } o
            ? o.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : (c?.GetStringList("allowed-origins") ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        var dev = Env("AKKASFU_DEV_TOKENS") is { } d
            ? d is "1" or "on" or "true" ? true : d is "0" or "off" or "false" ? false
                : throw new ConfigurationException($"AKKASFU_DEV_TOKENS must be 0 or 1, was \"{d}\"")
            : c?.GetBoolean("dev-tokens", false) ?? false;
        var settings = new AuthSettings(
            secret.Length == 0 ? null : secret,
            keyFile.Length == 0 ? null : keyFile,
            origins.Select(s => s.TrimEnd('/')).ToArray(),
            dev,
            c?.GetTimeSpan("dev-token-ttl", Open.DevTokenTtl) ?? Open.DevTokenTtl,
            c?.GetTimeSpan("clock-skew", Open.ClockSkew) ?? Open.ClockSkew);
        return settings.Validate();
    }

    /// <summary>This, or a <see cref="ConfigurationException"/> saying what is wrong.</summary>
    public AuthSettings Validate()
    {
        if (Secret is not null && Encoding.UTF8.GetByteCount(Secret) < MinSecretBytes)
            throw new ConfigurationException($"akkasfu.auth.secret (AKKASFU_AUTH_SECRET) must be at least {MinSecretBytes} bytes (HS256, RFC 7518 §3.2)");
        if (PublicKeyFile is not null && !File.Exists(PublicKeyFile))
            throw new ConfigurationException($"akkasfu.auth.public-key-file (AKKASFU_AUTH_PUBLIC_KEY_FILE) \"{PublicKeyFile}\" does not exist");
        if (DevTokens && Secret is null)
            throw new ConfigurationException("akkasfu.auth.dev-tokens (AKKASFU_DEV_TOKENS) needs akkasfu.auth.secret (AKKASFU_AUTH_SECRET) to sign them with");
        if (DevTokenTtl <= TimeSpan.Zero) throw new ConfigurationException($"akkasfu.auth.dev-token-ttl must be > 0, was {DevTokenTtl}");
        if (ClockSkew < TimeSpan.Zero) throw new ConfigurationException($"akkasfu.auth.clock-skew must be ≥ 0, was {ClockSkew}");
        foreach (var origin in AllowedOrigins)
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var u) || u.AbsolutePath != "/")
                throw new ConfigurationException($"akkasfu.auth.allowed-origins: \"{origin}\" is not an origin (scheme://host[:port])");
        return this;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
