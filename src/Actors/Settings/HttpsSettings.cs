using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>akkasfu.https (hocon/akkasfu.conf documents each key), read once, with the environment on top:
/// AKKASFU_HTTPS=0/1, AKKASFU_HTTPS_CERT, AKKASFU_HTTPS_KEY. On, the page, the protoo WebSocket (wss) and the
/// broadcaster API are served over TLS on the https:// URLs, with the PEM certificate and key, or, without a
/// certificate file, a self-signed development certificate made at start (<see cref="GeneratesCertificate"/>).</summary>
/// <param name="CertificateFile">PEM certificate (the leaf first, then any intermediates); null = generate one.</param>
/// <param name="KeyFile">PEM private key of the certificate; null = the key is in <paramref name="CertificateFile"/>.</param>
public sealed record HttpsSettings(bool Enabled, string? CertificateFile, string? KeyFile)
{
    public static readonly HttpsSettings Off = new(false, null, null);

    /// <summary>On without a certificate file: the server makes a self-signed certificate when it starts.</summary>
    public bool GeneratesCertificate => Enabled && CertificateFile is null;

    /// <summary>Reads akkasfu.https of <paramref name="config"/> (the whole config), with AKKASFU_HTTPS,
    /// AKKASFU_HTTPS_CERT and AKKASFU_HTTPS_KEY from <paramref name="environment"/> (default: the process's) on top.</summary>
    public static HttpsSettings Create(Config config, Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        string? Env(string name) => env(name) is { Length: > 0 } v ? v : null;
        var c = config.GetConfig("akkasfu.https");
        var enabled = c?.GetBoolean("enabled", false) ?? false;
        if (Env("AKKASFU_HTTPS") is { } e)
            enabled = e is "1" or "on" or "true" ? true : e is "0" or "off" or "false" ? false
                : throw new ConfigurationException($"AKKASFU_HTTPS must be 0 or 1, was \"{e}\"");
        var cert = Env("AKKASFU_HTTPS_CERT") ?? c?.GetString("certificate-file", "") ?? "";
        var key = Env("AKKASFU_HTTPS_KEY") ?? c?.GetString("key-file", "") ?? "";
        return new HttpsSettings(enabled, cert.Trim() is { Length: > 0 } cf ? cf : null, key.Trim() is { Length: > 0 } kf ? kf : null).Validate();
    }

    /// <summary>This, or a <see cref="ConfigurationException"/> saying what is wrong.</summary>
    public HttpsSettings Validate()
    {
        if (KeyFile is not null && CertificateFile is null)
            throw new ConfigurationException("akkasfu.https.key-file (AKKASFU_HTTPS_KEY) needs akkasfu.https.certificate-file (AKKASFU_HTTPS_CERT)");
        if (CertificateFile is not null && !File.Exists(CertificateFile))
            throw new ConfigurationException($"akkasfu.https.certificate-file (AKKASFU_HTTPS_CERT) \"{CertificateFile}\" does not exist");
        if (KeyFile is not null && !File.Exists(KeyFile))
            throw new ConfigurationException($"akkasfu.https.key-file (AKKASFU_HTTPS_KEY) \"{KeyFile}\" does not exist");
        return this;
    }
}
