using Akka.Configuration;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Actors.Tests.Settings;

/// <summary>akkasfu.https read from HOCON, with the environment (passed in, never the process's) on top.</summary>
public sealed class HttpsSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akkasfu-https-settings-").FullName;
    private string Cert => Path.Combine(_dir, "cert.pem");
    private string Key => Path.Combine(_dir, "key.pem");

    public HttpsSettingsTests()
    {
        File.WriteAllText(Cert, "not read here");
        File.WriteAllText(Key, "not read here");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HttpsSettings Read(string hocon, Dictionary<string, string>? env = null) =>
        HttpsSettings.Create(AkkaSfuConfig.With(hocon), n => env?.GetValueOrDefault(n));

    [Fact]
    public void Off_by_default_from_the_commented_hocon()
    {
        var s = Read("");
        Assert.Equal(HttpsSettings.Off, s);
        Assert.False(s.GeneratesCertificate);
    }

    [Fact]
    public void On_without_a_certificate_file_generates_one()
    {
        var s = Read("akkasfu.https.enabled = on");
        Assert.Equal(new HttpsSettings(true, null, null), s);
        Assert.True(s.GeneratesCertificate);
    }

    [Fact]
    public void Certificate_and_key_files_come_from_hocon()
    {
        var s = Read($"akkasfu.https {{ enabled = on, certificate-file = \"{Cert}\", key-file = \"{Key}\" }}");
        Assert.Equal(new HttpsSettings(true, Cert, Key), s);
        Assert.False(s.GeneratesCertificate);
        Assert.Equal(new HttpsSettings(true, Cert, null), Read($"akkasfu.https {{ enabled = on, certificate-file = \"{Cert}\" }}")); // key in the same file
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("on", true)]
    [InlineData("true", true)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    public void The_environment_overrides_hocon(string value, bool enabled)
    {
        var env = new Dictionary<string, string> { ["AKKASFU_HTTPS"] = value, ["AKKASFU_HTTPS_CERT"] = Cert, ["AKKASFU_HTTPS_KEY"] = Key };
        Assert.Equal(new HttpsSettings(enabled, Cert, Key), Read("akkasfu.https.enabled = on", env));
        Assert.Equal(new HttpsSettings(enabled, Cert, Key), Read("akkasfu.https { enabled = off, certificate-file = \"/nope.pem\" }", env));
    }

    [Fact]
    public void Bad_settings_are_refused_with_a_clear_message()
    {
        Assert.Contains("AKKASFU_HTTPS must be 0 or 1, was \"yes\"",
            Assert.Throws<ConfigurationException>(() => Read("", new() { ["AKKASFU_HTTPS"] = "yes" })).Message);
        Assert.Contains("key-file (AKKASFU_HTTPS_KEY) needs akkasfu.https.certificate-file",
            Assert.Throws<ConfigurationException>(() => Read($"akkasfu.https {{ enabled = on, key-file = \"{Key}\" }}")).Message);
        var missing = Path.Combine(_dir, "missing.pem");
        Assert.Contains($"certificate-file (AKKASFU_HTTPS_CERT) \"{missing}\" does not exist",
            Assert.Throws<ConfigurationException>(() => Read("", new() { ["AKKASFU_HTTPS_CERT"] = missing })).Message);
        Assert.Contains($"key-file (AKKASFU_HTTPS_KEY) \"{missing}\" does not exist",
            Assert.Throws<ConfigurationException>(() => Read("", new() { ["AKKASFU_HTTPS_CERT"] = Cert, ["AKKASFU_HTTPS_KEY"] = missing })).Message);
    }
}
