using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Auth;

/// <summary>Every grant decision (docs/security.md, "Authentication"), as pure functions of a checked token.
/// <list type="bullet">
/// <item>protoo socket: the token's room and sub are the socket's roomId and peerId, and it grants something;</item>
/// <item>broadcaster API: the token's room, and publish or admin; a broadcaster other than the sub needs admin;</item>
/// <item>commands: produce needs publish, consuming (and acting on consumers) needs subscribe;</item>
/// <item>admin implies publish and subscribe.</item>
/// </list></summary>
public static class AccessPolicy
{
    /// <summary>Whether <paramref name="granted"/> covers <paramref name="needed"/> (admin covers everything).</summary>
    public static bool Allows(Grant granted, Grant needed) =>
        needed == Grant.None || (granted & Grant.Admin) != 0 || (granted & needed) == needed;

    /// <summary>May this token open a protoo socket as <paramref name="peerId"/> in <paramref name="roomId"/>? Only
    /// the holder of a token for that peer id can take an earlier connection's place.</summary>
    public static Refusal? Socket(RoomToken token, string roomId, string peerId) =>
        token.Room != roomId ? Refusal.WrongRoom
        : token.Subject != peerId ? Refusal.WrongPeer
        : token.Grants == Grant.None ? Refusal.NoGrant
        : null;

    /// <summary>May this token call the broadcaster API in <paramref name="roomId"/>, as or on
    /// <paramref name="broadcasterId"/> (null: a room-wide route), to run <paramref name="command"/>?</summary>
    public static Refusal? Broadcaster(RoomToken token, string roomId, string? broadcasterId, IRoomCommand command) =>
        token.Room != roomId ? Refusal.WrongRoom
        : !Allows(token.Grants, Grant.Publish) ? Refusal.NoGrant
        : broadcasterId is not null && broadcasterId != token.Subject && !Allows(token.Grants, Grant.Admin) ? Refusal.WrongPeer
        : !Allows(token.Grants, Needs(command)) ? Refusal.NoGrant
        : null;

    /// <summary>The broadcaster a broadcaster API command acts as (the route's, or the one a create names).</summary>
    public static string? BroadcasterOf(BroadcasterCommand command) =>
        command.BroadcasterId ?? (command.Command as CreateBroadcaster)?.Id;

    /// <summary>The grant <paramref name="command"/> needs beyond joining.</summary>
    public static Grant Needs(IRoomCommand command) => command switch
    {
        RoomCommands.Produce => Grant.Publish,
        RoomCommands.Consume or RoomCommands.PauseConsumer or RoomCommands.ResumeConsumer or RoomCommands.RequestConsumerKeyFrame
            or RoomCommands.SetConsumerPreferredLayers or RoomCommands.SetConsumerPriority or RoomCommands.GetConsumerStats => Grant.Subscribe,
        _ => Grant.None,
    };

    /// <summary>A protoo peer's command as the room should see it, or null if it is refused (answered 403). A join
    /// without subscribe loses its rtpCapabilities: the room creates no consumer for a peer without them, so no
    /// newConsumer is ever sent to it.</summary>
    public static IRoomCommand? ForPeer(Grant granted, IRoomCommand command) => command switch
    {
        _ when !Allows(granted, Needs(command)) => null,
        RoomCommands.Join join when !Allows(granted, Grant.Subscribe) => join with { RtpCapabilities = null },
        _ => command,
    };
}
