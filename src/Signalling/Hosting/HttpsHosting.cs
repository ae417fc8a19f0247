using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using AkkaSfu.Actors.Hosting;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Signalling.Hosting;

/// <summary>The certificate the https:// URLs are served with, for the start-up log line and tests.</summary>
/// <param name="Chain">Intermediates sent after the leaf (from the certificate file; empty when generated).</param>
/// <param name="Names">The generated certificate's subject alternative names (empty for a loaded one).</param>
public sealed record HttpsCertificate(X509Certificate2 Certificate, X509Certificate2Collection Chain, bool Generated, IReadOnlyList<string> Names)
{
    public string Fingerprint { get; } = DevelopmentCertificate.Fingerprint(Certificate);
}

/// <summary>Where the server listens, and TLS (akkasfu.https, <see cref="HttpsSettings"/>): with no URL given
/// (--urls, ASPNETCORE_URLS) it listens on http://localhost:5000, or https://localhost:5443 with HTTPS on. With
/// HTTPS on (--https, AKKASFU_HTTPS=1, akkasfu.https.enabled, or any https:// URL), Kestrel serves every https://
/// URL with the PEM certificate and key, or a self-signed development certificate made in memory
/// (<see cref="DevelopmentCertificate"/>); the protoo WebSocket is then wss:// on the same port.</summary>
public static class HttpsHosting
{
    public const string Flag = "--https";
    public const string DefaultHttpUrl = "http://localhost:5000";
    public const string DefaultHttpsUrl = "https://localhost:5443";

    /// <summary><paramref name="args"/> without the <c>--https</c> flag (ASP.NET's command line reader would
    /// take the next argument as its value), and whether it was there.</summary>
    public static string[] TakeFlag(string[] args, out bool https)
    {
        https = args.Contains(Flag);
        return https ? args.Where(a => a != Flag).ToArray() : args;
    }

    public static WebApplicationBuilder AddAkkaSfuUrls(this WebApplicationBuilder builder, bool httpsFlag)
    {
        var config = AkkaSfuConfig.With(builder.Configuration["akkasfu:hocon"] ?? "");
        var settings = HttpsSettings.Create(config);
        var given = builder.Configuration["urls"] is { Length: > 0 } u ? u : Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "";
        var urls = given.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var httpsUrls = urls.Where(x => x.StartsWith("https://", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (httpsFlag || httpsUrls.Length > 0) settings = settings with { Enabled = true };
        if (urls.Length == 0) builder.WebHost.UseUrls(settings.Enabled ? DefaultHttpsUrl : DefaultHttpUrl);
        else if (settings.Enabled && httpsUrls.Length == 0)
            throw new ConfigurationException($"HTTPS is on (--https, AKKASFU_HTTPS or akkasfu.https.enabled) but no URL is https:// (--urls \"{given}\"); " +
                "give one, e.g. --urls https://0.0.0.0:5443");
        builder.Services.AddSingleton(settings);
        if (!settings.Enabled) return builder;

        var certificate = settings.GeneratesCertificate
            ? Generate(SfuSettings.Create(config), httpsUrls.Length > 0 ? httpsUrls : [DefaultHttpsUrl], DateTimeOffset.UtcNow)
            : Load(settings.CertificateFile!, settings.KeyFile);
        builder.Services.AddSingleton(certificate);
        builder.WebHost.ConfigureKestrel(o => o.ConfigureHttpsDefaults(h =>
        {
            h.ServerCertificate = certificate.Certificate;
            if (certificate.Chain.Count > 0) h.ServerCertificateChain = certificate.Chain;
        }));
        return builder;
    }

    /// <summary>Logs the certificate's subject, validity and SHA-256 fingerprint once at start.</summary>
    public static WebApplication LogHttps(this WebApplication app)
    {
        if (app.Services.GetService<HttpsCertificate>() is not { } c) return app;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("https");
        if (c.Generated)
            log.LogWarning("HTTPS with a self-signed development certificate (in memory, new at each start) for {Names}, valid until {NotAfter:u}; " +
                "browsers warn until it is accepted: check its SHA-256 fingerprint {Fingerprint}", string.Join(", ", c.Names), c.Certificate.NotAfter.ToUniversalTime(), c.Fingerprint);
        else
            log.LogInformation("HTTPS with {Subject} (issuer {Issuer}), valid until {NotAfter:u}, SHA-256 fingerprint {Fingerprint}",
                c.Certificate.Subject, c.Certificate.Issuer, c.Certificate.NotAfter.ToUniversalTime(), c.Fingerprint);
        if (c.Certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            log.LogError("the HTTPS certificate expired at {NotAfter:u}: browsers will refuse it", c.Certificate.NotAfter.ToUniversalTime());
        return app;
    }

    /// <summary>A development certificate for localhost, the loopback addresses, this host's name, the media
    /// listen and announced addresses and the hosts of <paramref name="urls"/> (wildcards left out).</summary>
    public static HttpsCertificate Generate(SfuSettings sfu, IEnumerable<string> urls, DateTimeOffset now)
    {
        var dns = new List<string> { "localhost" };
        var ips = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback, sfu.ListenIp };
        if (sfu.AnnouncedIp is { } announced) ips.Add(announced);
        if (sfu.WebRtcServerAnnouncedIp is { } serverAnnounced) ips.Add(serverAnnounced);
        try { dns.Add(Dns.GetHostName()); } catch (System.Net.Sockets.SocketException) { }
        foreach (var url in urls)
        {
            var host = BindingAddress.Parse(url).Host.Trim('[', ']');
            if (IPAddress.TryParse(host, out var ip)) ips.Add(ip);
            else dns.Add(host);
        }
        // Only what a DNS SAN can hold: no wildcard bindings ("+", "*"), no odd host names.
        var names = dns.Where(n => Uri.CheckHostName(n) == UriHostNameType.Dns).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var addresses = ips.Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)).Distinct().ToList();
        var certificate = DevelopmentCertificate.Create(names, addresses, now);
        return new HttpsCertificate(certificate, [], Generated: true, [.. names, .. addresses.Select(a => a.ToString())]);
    }

    /// <summary>The PEM certificate (leaf first, then any intermediates) and its key; a clear error if they do not load.</summary>
    public static HttpsCertificate Load(string certificateFile, string? keyFile)
    {
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            chain.ImportFromPemFile(certificateFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException) // a key of another certificate: ArgumentException
        {
            throw new ConfigurationException($"akkasfu.https: could not load the certificate \"{certificateFile}\" with the key " +
                $"\"{keyFile ?? certificateFile}\" (PEM, unencrypted key): {e.Message}");
        }
        if (!leaf.HasPrivateKey)
            throw new ConfigurationException($"akkasfu.https: no private key for \"{certificateFile}\" (set key-file, AKKASFU_HTTPS_KEY)");
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain) if (c.Thumbprint != leaf.Thumbprint) intermediates.Add(c);
        return new HttpsCertificate(leaf, intermediates, Generated: false, []);
    }
}
