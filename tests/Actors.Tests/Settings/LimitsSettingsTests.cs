using Akka.Configuration;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Actors.Tests.Settings;

public class LimitsSettingsTests
{
    private static readonly Func<string, string?> NoEnv = _ => null;

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Defaults_come_from_the_commented_hocon()
    {
        var s = LimitsSettings.Create(AkkaSfuConfig.Default, NoEnv);
        Assert.Equal(LimitsSettings.Default, s);
        Assert.Equal((10_000, 100), (s.MaxConnections, s.MaxConnectionsPerAddress));
        Assert.Equal((1_000, 8L * 1024 * 1024), (s.SendQueueMessages, s.SendQueueBytes));
        Assert.Equal((50.0, 100, 500), (s.RequestsPerSecond, s.RequestBurst, s.FloodCloseAfter));
        Assert.Equal((500, 100), (s.MaxPeersPerRoom, s.MaxBroadcastersPerRoom));
        Assert.Equal((8, 8, 16, 1_000), (s.MaxTransportsPerPeer, s.MaxTransportsPerBroadcaster, s.MaxProducersPerTransport, s.MaxConsumersPerTransport));
        Assert.Equal(s, SfuSettings.Create(AkkaSfuConfig.Default).Limits); // read with the rest of akkasfu
    }

    [Fact]
    public void Hocon_sets_each_key_and_the_environment_overrides_it()
    {
        var config = AkkaSfuConfig.With("akkasfu.limits { max-transports-per-peer = 3, send-queue-bytes = 64KiB, requests-per-second = 2.5 }");
        var s = LimitsSettings.Create(config, NoEnv);
        Assert.Equal((3, 64L * 1024, 2.5), (s.MaxTransportsPerPeer, s.SendQueueBytes, s.RequestsPerSecond));

        var env = Env(("AKKASFU_LIMITS_MAX_TRANSPORTS_PER_PEER", "5"), ("AKKASFU_LIMITS_SEND_QUEUE_BYTES", "1000"),
            ("AKKASFU_LIMITS_REQUESTS_PER_SECOND", "7.5"), ("AKKASFU_LIMITS_MAX_CONNECTIONS_PER_ADDRESS", "2"));
        var o = LimitsSettings.Create(config, env);
        Assert.Equal((5, 1000L, 7.5, 2), (o.MaxTransportsPerPeer, o.SendQueueBytes, o.RequestsPerSecond, o.MaxConnectionsPerAddress));
        Assert.Equal(LimitsSettings.Default.MaxPeersPerRoom, o.MaxPeersPerRoom);
        Assert.Equal("AKKASFU_LIMITS_MAX_CONSUMERS_PER_TRANSPORT", LimitsSettings.EnvName("max-consumers-per-transport"));
    }

    [Theory]
    [InlineData("akkasfu.limits.max-connections = 0", "akkasfu.limits.max-connections (AKKASFU_LIMITS_MAX_CONNECTIONS) must be ≥ 1, was 0")]
    [InlineData("akkasfu.limits.max-peers-per-room = -5", "akkasfu.limits.max-peers-per-room (AKKASFU_LIMITS_MAX_PEERS_PER_ROOM) must be ≥ 1")]
    [InlineData("akkasfu.limits.requests-per-second = 0.5", "akkasfu.limits.requests-per-second (AKKASFU_LIMITS_REQUESTS_PER_SECOND) must be ≥ 1")]
    [InlineData("akkasfu.limits.request-burst = lots", "akkasfu.limits.request-burst must be a number")]
    public void Bad_hocon_values_are_refused_with_a_clear_message(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => LimitsSettings.Create(AkkaSfuConfig.With(hocon), NoEnv));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("AKKASFU_LIMITS_MAX_CONNECTIONS", "ten", "AKKASFU_LIMITS_MAX_CONNECTIONS must be a number ≥ 1, was \"ten\"")]
    [InlineData("AKKASFU_LIMITS_SEND_QUEUE_MESSAGES", "0", "must be ≥ 1, was 0")]
    [InlineData("AKKASFU_LIMITS_FLOOD_CLOSE_AFTER", "1.5", "AKKASFU_LIMITS_FLOOD_CLOSE_AFTER must be a number")]
    public void Bad_environment_values_are_refused_with_a_clear_message(string name, string value, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => LimitsSettings.Create(AkkaSfuConfig.Default, Env((name, value))));
        Assert.Contains(message, e.Message);
    }
}
