using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>akkasfu.limits (hocon/akkasfu.conf documents each key and why its default): what one node, one
/// client, one socket, one room and one peer may hold at most. Each key is overridden by the environment variable
/// <c>AKKASFU_LIMITS_&lt;KEY_IN_UPPER_SNAKE&gt;</c> (max-connections → AKKASFU_LIMITS_MAX_CONNECTIONS). Every value
/// must be ≥ 1. docs/security.md, "Limits", says what a client sees when it hits each.</summary>
public sealed record LimitsSettings(
    int MaxConnections,
    int MaxConnectionsPerAddress,
    int SendQueueMessages,
    long SendQueueBytes,
    double RequestsPerSecond,
    int RequestBurst,
    int FloodCloseAfter,
    int MaxPeersPerRoom,
    int MaxBroadcastersPerRoom,
    int MaxTransportsPerPeer,
    int MaxTransportsPerBroadcaster,
    int MaxProducersPerTransport,
    int MaxConsumersPerTransport)
{
    public const string EnvPrefix = "AKKASFU_LIMITS_";

    public static readonly LimitsSettings Default = new(10_000, 100, 1_000, 8L * 1024 * 1024, 50, 100, 500, 500, 100, 8, 8, 16, 1_000);

    /// <param name="env">The environment (tests pass their own); null = the process's.</param>
    public static LimitsSettings Create(Config config, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var c = config.GetConfig("akkasfu.limits");
        var d = Default;
        return new LimitsSettings(
            Int(c, env, "max-connections", d.MaxConnections),
            Int(c, env, "max-connections-per-address", d.MaxConnectionsPerAddress),
            Int(c, env, "send-queue-messages", d.SendQueueMessages),
            Read(c, env, "send-queue-bytes", d.SendQueueBytes, s => s.GetByteSize("send-queue-bytes"), long.TryParse),
            Read(c, env, "requests-per-second", d.RequestsPerSecond, s => s.GetDouble("requests-per-second"),
                (string v, out double r) => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out r)),
            Int(c, env, "request-burst", d.RequestBurst),
            Int(c, env, "flood-close-after", d.FloodCloseAfter),
            Int(c, env, "max-peers-per-room", d.MaxPeersPerRoom),
            Int(c, env, "max-broadcasters-per-room", d.MaxBroadcastersPerRoom),
            Int(c, env, "max-transports-per-peer", d.MaxTransportsPerPeer),
            Int(c, env, "max-transports-per-broadcaster", d.MaxTransportsPerBroadcaster),
            Int(c, env, "max-producers-per-transport", d.MaxProducersPerTransport),
            Int(c, env, "max-consumers-per-transport", d.MaxConsumersPerTransport));
    }

    /// <summary>The environment variable that overrides <paramref name="key"/>.</summary>
    public static string EnvName(string key) => EnvPrefix + key.ToUpperInvariant().Replace('-', '_');

    private delegate bool TryParse<T>(string text, out T value);

    private static int Int(Config? c, Func<string, string?> env, string key, int fallback) =>
        Read(c, env, key, fallback, s => s.GetInt(key), int.TryParse);

    private static T Read<T>(Config? c, Func<string, string?> env, string key, T fallback, Func<Config, T?> hocon, TryParse<T> parse)
        where T : struct, IComparable<T>
    {
        T value;
        if (env(EnvName(key)) is { Length: > 0 } text)
        {
            if (!parse(text.Trim(), out value))
                throw new ConfigurationException($"{EnvName(key)} must be a number ≥ 1, was \"{text}\"");
        }
        else if (c is not null && c.HasPath(key))
        {
            try { value = hocon(c) ?? fallback; }
            catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException or InvalidCastException)
            {
                throw new ConfigurationException($"akkasfu.limits.{key} must be a number ≥ 1: {e.Message}");
            }
        }
        else value = fallback;
        if (value.CompareTo(One<T>()) < 0)
            throw new ConfigurationException($"akkasfu.limits.{key} ({EnvName(key)}) must be ≥ 1, was {value}");
        return value;
    }

    private static T One<T>() where T : struct => (T)Convert.ChangeType(1, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
}
