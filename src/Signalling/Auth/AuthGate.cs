using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Broadcasters;

namespace AkkaSfu.Signalling.Auth;

/// <summary>The HTTP side of authentication: reads the Origin header, the protoo URL's <c>?token=</c> and the
/// broadcaster API's <c>Authorization: Bearer</c>, asks <see cref="RoomTokenValidator"/> and
/// <see cref="AccessPolicy"/>, and counts every refusal. Open (no secret, no public key): everything is allowed
/// with every grant, but the Origin allow-list still applies.</summary>
public sealed class AuthGate
{
    private readonly RoomTokenValidator? _validator;
    private readonly HashSet<string> _origins;
    private readonly TimeProvider _time;

    public AuthGate(AuthSettings settings, AuthRefusals refusals, TimeProvider? time = null)
    {
        Settings = settings;
        Refusals = refusals;
        _validator = settings.Enabled ? new RoomTokenValidator(settings) : null;
        _origins = new HashSet<string>(settings.AllowedOrigins, StringComparer.OrdinalIgnoreCase);
        _time = time ?? TimeProvider.System;
    }

    public AuthSettings Settings { get; }
    public AuthRefusals Refusals { get; }

    /// <summary>Tokens are required.</summary>
    public bool Enabled => _validator is not null;

    /// <summary>A protoo WebSocket upgrade: the grants its peer has, or why it is refused (counted).</summary>
    public async Task<(Grant Grants, Refusal? Refusal)> SocketAsync(HttpRequest request, string roomId, string peerId)
    {
        if (!OriginAllowed(request.Headers.Origin.ToString())) return (Grant.None, Count(Refusal.Origin));
        if (_validator is null) return (Grant.All, null);
        var (token, refusal) = await _validator.ValidateAsync(request.Query["token"].ToString(), _time.GetUtcNow());
        refusal ??= AccessPolicy.Socket(token!, roomId, peerId);
        return refusal is { } r ? (Grant.None, Count(r)) : (token!.Grants, null);
    }

    /// <summary>The broadcaster API's bearer token, checked for signature and lifetime only (what it may do is
    /// <see cref="Broadcaster"/>'s); null token and null refusal when auth is off.</summary>
    public async Task<(RoomToken? Token, Refusal? Refusal)> BearerAsync(HttpRequest request)
    {
        if (_validator is null) return (null, null);
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0) return (null, Count(Refusal.Missing));
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return (null, Count(Refusal.Invalid));
        var (token, refusal) = await _validator.ValidateAsync(header[scheme.Length..].Trim(), _time.GetUtcNow());
        return refusal is { } r ? (null, Count(r)) : (token, null);
    }

    /// <summary>Whether <paramref name="token"/> (null: auth is off) may run <paramref name="command"/> in
    /// <paramref name="roomId"/>; a refusal is counted.</summary>
    public Refusal? Broadcaster(RoomToken? token, string roomId, BroadcasterCommand command) =>
        token is null ? null
        : AccessPolicy.Broadcaster(token, roomId, AccessPolicy.BroadcasterOf(command), command.Command) is { } r ? Count(r)
        : null;

    /// <summary>An empty list allows any origin; so does a request without an Origin header (not a browser:
    /// anything else can write any Origin it likes).</summary>
    public bool OriginAllowed(string origin) =>
        _origins.Count == 0 || origin.Length == 0 || _origins.Contains(origin.TrimEnd('/'));

    public Refusal Count(Refusal refusal)
    {
        Refusals.Count(refusal);
        return refusal;
    }
}
