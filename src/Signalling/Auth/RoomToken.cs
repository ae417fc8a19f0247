namespace AkkaSfu.Signalling.Auth;

/// <summary>A room token's claims, once its signature and lifetime were checked: <c>room</c>, <c>sub</c> (the
/// peer id, or for the broadcaster API the broadcaster id), <c>exp</c> and <c>grants</c>.</summary>
public sealed record RoomToken(string Room, string Subject, DateTimeOffset Expires, Grant Grants);

/// <summary>Why a request was refused; each is counted (<see cref="AuthRefusals"/>) under its
/// <see cref="Refusals.Label"/>.</summary>
public enum Refusal : byte
{
    /// <summary>No token where one is needed (401).</summary>
    Missing,
    /// <summary>Malformed, wrongly signed, wrong algorithm, unsigned, or missing a claim (401).</summary>
    Invalid,
    /// <summary>Past its exp (plus the clock skew) (401).</summary>
    Expired,
    /// <summary>A valid token for another room (403).</summary>
    WrongRoom,
    /// <summary>A valid token for another peer or broadcaster id (403).</summary>
    WrongPeer,
    /// <summary>A valid token without the grant the action needs (403).</summary>
    NoGrant,
    /// <summary>A WebSocket upgrade from an Origin not in the allow-list (403).</summary>
    Origin,
}

public static class Refusals
{
    public static readonly IReadOnlyList<Refusal> All = Enum.GetValues<Refusal>();

    /// <summary>The metrics label: missing, invalid, expired, wrong_room, wrong_peer, no_grant, origin.</summary>
    public static string Label(this Refusal r) => r switch
    {
        Refusal.Missing => "missing",
        Refusal.Invalid => "invalid",
        Refusal.Expired => "expired",
        Refusal.WrongRoom => "wrong_room",
        Refusal.WrongPeer => "wrong_peer",
        Refusal.NoGrant => "no_grant",
        Refusal.Origin => "origin",
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, null),
    };

    /// <summary>401 when who is asking is unknown, 403 when they are known and not allowed.</summary>
    public static int Status(this Refusal r) => r is Refusal.Missing or Refusal.Invalid or Refusal.Expired ? 401 : 403;

    /// <summary>The text the client is answered with.</summary>
    public static string Message(this Refusal r) => r switch
    {
        Refusal.Missing => "a room token is required",
        Refusal.Invalid => "invalid room token",
        Refusal.Expired => "room token expired",
        Refusal.WrongRoom => "room token is for another room",
        Refusal.WrongPeer => "room token is for another peer",
        Refusal.NoGrant => "room token does not grant this",
        Refusal.Origin => "origin not allowed",
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, null),
    };
}
