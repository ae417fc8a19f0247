using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AkkaSfu.Signalling.Auth;

namespace AkkaSfu.Signalling.Tests.Auth;

/// <summary>One server with room tokens on (a secret, an Origin allow-list, dev tokens), for the auth tests;
/// each test uses its own rooms.</summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    public const string Secret = "test-secret-test-secret-test-secret";
    public const string GoodOrigin = "http://good.example";

    public ServerProcess Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["AKKASFU_WORKERS"] = "1",
            ["AKKASFU_AUTH_SECRET"] = Secret,
            ["AKKASFU_ALLOWED_ORIGINS"] = GoodOrigin + ",https://other.example",
            ["AKKASFU_DEV_TOKENS"] = "1",
        }, "auth");
        Http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>What the auth tests ask a server.</summary>
public static class AuthProbe
{
    public static string Room() => "a" + Guid.NewGuid().ToString("N")[..8];

    public static string Token(string room, string peer, Grant grants, TimeSpan? ttl = null, string secret = AuthServerFixture.Secret) =>
        RoomTokenMinter.Mint(secret, room, peer, grants, DateTimeOffset.UtcNow, ttl ?? TimeSpan.FromHours(1));

    /// <summary>The HTTP status a protoo WebSocket upgrade is answered with (refusals only: 101 is not read).</summary>
    public static async Task<HttpStatusCode> UpgradeStatusAsync(HttpClient http, string room, string peer, string? token, string? origin = null)
    {
        using var r = new HttpRequestMessage(HttpMethod.Get, $"/?roomId={room}&peerId={peer}" + (token is null ? "" : "&token=" + Uri.EscapeDataString(token)));
        r.Headers.Add("Connection", "Upgrade");
        r.Headers.Add("Upgrade", "websocket");
        r.Headers.Add("Sec-WebSocket-Version", "13");
        r.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        r.Headers.Add("Sec-WebSocket-Protocol", "protoo");
        if (origin is not null) r.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(r);
        return response.StatusCode;
    }

    /// <summary>The rooms this (single) node hosts, from GET /cluster.</summary>
    public static async Task<string[]> RoomsAsync(HttpClient http)
    {
        var view = JsonNode.Parse(await http.GetStringAsync("/cluster"))!;
        return view["members"]![0]!["rooms"]!.AsArray().Select(r => r!.GetValue<string>()).ToArray();
    }

    /// <summary>akkasfu_auth_refusals_total for <paramref name="reason"/>.</summary>
    public static async Task<double> RefusalsAsync(HttpClient http, string reason)
    {
        var text = await http.GetStringAsync("/metrics");
        var prefix = $"akkasfu_auth_refusals_total{{reason=\"{reason}\"}} ";
        var line = text.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
