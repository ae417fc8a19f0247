using System.Text.Json.Nodes;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Tests.Auth;

/// <summary>Every grant decision, without a server.</summary>
public class AccessPolicyTests
{
    private static RoomToken Token(Grant grants, string room = "r1", string sub = "p1") => new(room, sub, DateTimeOffset.MaxValue, grants);

    private static readonly RoomCommands.Produce Produce = new("t", MediaKind.Audio, new RtpParameters(), new JsonObject());

    [Fact]
    public void A_socket_needs_the_token_of_its_room_and_peer_with_some_grant()
    {
        Assert.Null(AccessPolicy.Socket(Token(Grant.Subscribe), "r1", "p1"));
        Assert.Equal(Refusal.WrongRoom, AccessPolicy.Socket(Token(Grant.All), "r2", "p1"));
        Assert.Equal(Refusal.WrongPeer, AccessPolicy.Socket(Token(Grant.All), "r1", "p2"));
        Assert.Equal(Refusal.NoGrant, AccessPolicy.Socket(Token(Grant.None), "r1", "p1"));
    }

    [Fact]
    public void Produce_needs_publish_and_consumer_requests_need_subscribe()
    {
        Assert.Null(AccessPolicy.ForPeer(Grant.Subscribe, Produce));
        Assert.Same(Produce, AccessPolicy.ForPeer(Grant.Publish, Produce));
        Assert.Same(Produce, AccessPolicy.ForPeer(Grant.Admin, Produce));
        IRoomCommand[] consuming =
        [
            new RoomCommands.PauseConsumer("c"), new RoomCommands.ResumeConsumer("c"), new RoomCommands.RequestConsumerKeyFrame("c"),
            new RoomCommands.SetConsumerPreferredLayers("c", 0, null), new RoomCommands.SetConsumerPriority("c", 1),
            new RoomCommands.GetConsumerStats("c"), new RoomCommands.Consume("t", "p", false),
        ];
        foreach (var c in consuming)
        {
            Assert.Null(AccessPolicy.ForPeer(Grant.Publish, c));
            Assert.Same(c, AccessPolicy.ForPeer(Grant.Subscribe, c));
        }
        var transport = new RoomCommands.CreateWebRtcTransport(true, true);
        Assert.Same(transport, AccessPolicy.ForPeer(Grant.Publish, transport));
    }

    [Fact]
    public void A_join_without_subscribe_loses_its_rtp_capabilities()
    {
        var join = new RoomCommands.Join("a", new JsonObject(), new RtpCapabilities());
        Assert.Null(((RoomCommands.Join)AccessPolicy.ForPeer(Grant.Publish, join)!).RtpCapabilities);
        Assert.Same(join, AccessPolicy.ForPeer(Grant.Subscribe, join));
        Assert.Same(join, AccessPolicy.ForPeer(Grant.Admin, join));
    }

    [Fact]
    public void The_broadcaster_api_needs_publish_or_admin_and_admin_for_another_broadcaster()
    {
        var create = new BroadcasterCommand(null, new CreateBroadcaster("p1", "b", "ffmpeg", null, null));
        var createOther = new BroadcasterCommand(null, new CreateBroadcaster("p2", "b", "ffmpeg", null, null));
        var delete = new BroadcasterCommand("p1", RoomCommands.DeleteBroadcaster.Instance);
        var deleteOther = new BroadcasterCommand("p2", RoomCommands.DeleteBroadcaster.Instance);
        var consume = new BroadcasterCommand("p1", new RoomCommands.Consume("t", "x", false));
        var caps = new BroadcasterCommand(null, RoomCommands.GetRouterRtpCapabilities.Instance);

        Refusal? Check(Grant g, BroadcasterCommand c, string room = "r1") =>
            AccessPolicy.Broadcaster(Token(g), room, AccessPolicy.BroadcasterOf(c), c.Command);

        Assert.Null(Check(Grant.Publish, create));
        Assert.Null(Check(Grant.Publish, delete));
        Assert.Null(Check(Grant.Publish, caps));
        Assert.Equal(Refusal.NoGrant, Check(Grant.Subscribe, caps));
        Assert.Equal(Refusal.NoGrant, Check(Grant.None, create));
        Assert.Equal(Refusal.WrongPeer, Check(Grant.Publish, createOther));
        Assert.Equal(Refusal.WrongPeer, Check(Grant.Publish | Grant.Subscribe, deleteOther));
        Assert.Null(Check(Grant.Admin, deleteOther));
        Assert.Null(Check(Grant.Admin, createOther));
        Assert.Equal(Refusal.NoGrant, Check(Grant.Publish, consume));
        Assert.Null(Check(Grant.Publish | Grant.Subscribe, consume));
        Assert.Equal(Refusal.WrongRoom, Check(Grant.Admin, delete, room: "r2"));
    }
}
