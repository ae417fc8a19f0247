using Akka.Configuration;

namespace AkkaSfu.Actors.Hosting;

/// <summary>The HOCON defaults from hocon/akkasfu.conf, embedded in this assembly.</summary>
public static class AkkaSfuConfig
{
    /// <summary>Path of the RTP ingress mailbox (use with Props.WithMailbox).</summary>
    public const string RtpMailbox = "akkasfu.rtp-mailbox";

    /// <summary>Path of the pinned dispatcher worker actors run on (use with Props.WithDispatcher).</summary>
    public const string RtpDispatcher = "akkasfu.rtp-dispatcher";

    public static Config Default { get; } = Load();

    /// <summary>Overrides (HOCON text) on top of the defaults.</summary>
    public static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(Default);

    private static Config Load()
    {
        using var stream = typeof(AkkaSfuConfig).Assembly.GetManifestResourceStream("akkasfu.conf")
            ?? throw new InvalidOperationException("embedded resource akkasfu.conf is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
