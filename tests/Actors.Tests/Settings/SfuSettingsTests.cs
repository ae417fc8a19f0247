using Akka.Configuration;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Actors.Tests.Settings;

public class SfuSettingsTests
{
    [Fact]
    public void Defaults_come_from_the_commented_hocon()
    {
        var s = SfuSettings.Create(AkkaSfuConfig.With("akkasfu.workers = 3"));
        // The environment overrides hocon (AKKASFU_WORKERS, AKKASFU_LISTEN_IP): expect those when set.
        var envWorkers = Environment.GetEnvironmentVariable("AKKASFU_WORKERS");
        Assert.Equal(string.IsNullOrEmpty(envWorkers) ? 3 : int.Parse(envWorkers), s.Workers);
        Assert.Equal(Environment.GetEnvironmentVariable("AKKASFU_LISTEN_IP") is { Length: > 0 } ip ? ip : "127.0.0.1", s.ListenIp.ToString());
        Assert.Equal((40000, 49999), (s.RtcMinPort, s.RtcMaxPort));
        Assert.Equal(TimeSpan.FromMilliseconds(20), s.TickInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), s.ConsentTimeout);
        Assert.Equal((32, 1000), (s.DtlsMaxConcurrentHandshakes, s.DtlsMaxQueuedHandshakes));
        var small = SfuSettings.Create(AkkaSfuConfig.With("akkasfu.dtls { max-concurrent-handshakes = 2, max-queued-handshakes = 5 }"));
        Assert.Equal((2, 5), (small.DtlsMaxConcurrentHandshakes, small.DtlsMaxQueuedHandshakes));
    }

    [Theory]
    [InlineData("akkasfu.rtc-min-port = 50000\nakkasfu.rtc-max-port = 40000", "bad rtc port range")]
    [InlineData("akkasfu.listen-ip = \"not-an-ip\"", "listen-ip must be an IP address")]
    [InlineData("akkasfu.announced-ip = \"example.com\"", "announced-ip must be an IP address")]
    [InlineData("akkasfu.dtls.max-concurrent-handshakes = 0", "dtls.max-concurrent-handshakes must be")]
    public void Bad_settings_are_refused_with_a_clear_message(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => SfuSettings.Create(AkkaSfuConfig.With(hocon)));
        Assert.Contains(message, e.Message);
    }
}
