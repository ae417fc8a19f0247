using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using AkkaSfu.Signalling.Hosting;
using AkkaSfu.Signalling.Tests.Protoo;

namespace AkkaSfu.Signalling.Tests.Hosting;

/// <summary>The real server started with --https: page, API and protoo (wss) on one TLS port. The clients accept
/// exactly the certificate the server says it made (its logged fingerprint), nothing else.</summary>
public sealed partial class HttpsServerTests
{
    [GeneratedRegex("fingerprint (([0-9A-F]{2}:){31}[0-9A-F]{2})")]
    private static partial Regex FingerprintLine();

    private static string LoggedFingerprint(ServerProcess server) =>
        server.Output.Select(l => FingerprintLine().Match(l)).First(m => m.Success).Groups[1].Value;

    private static RemoteCertificateValidationCallback Pinned(string fingerprint) =>
        (_, certificate, _, _) => certificate is not null && DevelopmentCertificate.Fingerprint(certificate) == fingerprint;

    [Fact]
    public async Task With_a_generated_certificate_the_page_and_a_protoo_join_over_wss_work()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["AKKASFU_WORKERS"] = "1" }, https: true);
        Assert.Equal("https", server.BaseAddress.Scheme);
        var fingerprint = LoggedFingerprint(server);
        Assert.Contains(server.Output, l => l.Contains("self-signed development certificate"));

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c is not null && DevelopmentCertificate.Fingerprint(c) == fingerprint };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        var page = await http.GetAsync("/");
        page.EnsureSuccessStatusCode();
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>AkkaSfu</title>", await page.Content.ReadAsStringAsync());
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        var room = "r" + Guid.NewGuid().ToString("N")[..8];
        Assert.Contains("\"codecs\"", await http.GetStringAsync($"/rooms/{room}")); // the broadcaster API: the router's rtpCapabilities

        // Untrusted by default: a client that does not accept it refuses the handshake (TLS is real).
        using var strict = new HttpClient { BaseAddress = server.BaseAddress };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync("/healthz"));
        Assert.IsType<AuthenticationException>(refused.InnerException);

        await using var a = await ProtooClient.ConnectAsync(server.BaseAddress, room, "a", certificateValidation: Pinned(fingerprint));
        await using var b = await ProtooClient.ConnectAsync(server.BaseAddress, room, "b", certificateValidation: Pinned(fingerprint));
        var caps = await a.RequestAsync("getRouterRtpCapabilities");
        Assert.NotEmpty(caps["data"]!["codecs"]!.AsArray());
        await a.RequestAsync("join", new { displayName = "a", device = new { name = "test" }, rtpCapabilities = ProtooConsumerTests.DeviceCaps });
        var joined = await b.RequestAsync("join", new { displayName = "b", device = new { name = "test" }, rtpCapabilities = ProtooConsumerTests.DeviceCaps });
        Assert.Equal("a", joined["data"]!["peers"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("b", (await a.NotificationAsync("newPeer"))["data"]!["id"]!.GetValue<string>());
        var transport = await a.RequestAsync("createWebRtcTransport", new { producing = true, consuming = false });
        Assert.True(transport["ok"]!.GetValue<bool>());

        // A wss client that does not accept the certificate cannot connect.
        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => ProtooClient.ConnectAsync(server.BaseAddress, room, "c"));
    }

    [Fact]
    public async Task With_a_pem_certificate_file_the_server_presents_that_certificate()
    {
        var dir = Directory.CreateTempSubdirectory("akkasfu-https-server-");
        try
        {
            using var own = DevelopmentCertificate.Create(["localhost"], [System.Net.IPAddress.Loopback], DateTimeOffset.UtcNow);
            var (cert, key) = (Path.Combine(dir.FullName, "cert.pem"), Path.Combine(dir.FullName, "key.pem"));
            await File.WriteAllTextAsync(cert, own.ExportCertificatePem());
            await File.WriteAllTextAsync(key, own.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            var fingerprint = DevelopmentCertificate.Fingerprint(own);

            await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["AKKASFU_WORKERS"] = "1", ["AKKASFU_HTTPS_CERT"] = cert, ["AKKASFU_HTTPS_KEY"] = key,
            }, https: true);
            Assert.Equal(fingerprint, LoggedFingerprint(server));
            Assert.DoesNotContain(server.Output, l => l.Contains("self-signed development certificate"));

            string? presented = null;
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => (presented = c is null ? null : DevelopmentCertificate.Fingerprint(c)) == fingerprint };
            using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress };
            Assert.Equal("ok", await http.GetStringAsync("/healthz"));
            Assert.Equal(fingerprint, presented);
            await using var a = await ProtooClient.ConnectAsync(server.BaseAddress, "r" + Guid.NewGuid().ToString("N")[..8], "a", certificateValidation: Pinned(fingerprint));
            Assert.True((await a.RequestAsync("join", new { displayName = "a", device = new { name = "test" } }))["ok"]!.GetValue<bool>());
        }
        finally { dir.Delete(recursive: true); }
    }
}
