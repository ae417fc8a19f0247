using System.Net;
using Akka.Configuration;

namespace AkkaSfu.Actors.Settings;

/// <summary>Where a peer's transports go: on the room's node (its routers there first) or on the node its
/// WebSocket landed on (the room is stitched by pipes).</summary>
public enum RoomPlacement : byte { RoomNode, PeerNode }

/// <summary>akkasfu.rooms and akkasfu.pipe (hocon/akkasfu.conf documents each key): how a room spreads over
/// routers on several workers and nodes, and the pipe transports that join them.</summary>
public sealed record RoomSettings(
    int MaxConsumersPerRouter,
    RoomPlacement Placement,
    bool PipeSrtp,
    IPAddress? PipeListenIp,
    IPAddress? PipeAnnouncedIp,
    TimeSpan UnusedPipeGrace)
{
    public static readonly RoomSettings Default = new(500, RoomPlacement.RoomNode, false, null, null, TimeSpan.FromSeconds(5));

    /// <summary>A room with no member (protoo peer or broadcaster) closes after this long.</summary>
    public TimeSpan EmptyRoomTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Rooms this node hosts at most.</summary>
    public int MaxRoomsPerNode { get; init; } = 1000;

    /// <summary>Rooms with no member this node keeps at most: past it, only a protoo peer opens a new room.</summary>
    public int MaxEmptyRooms { get; init; } = 100;

    public static RoomSettings Create(Config config)
    {
        var rooms = config.GetConfig("akkasfu.rooms");
        var pipe = config.GetConfig("akkasfu.pipe");
        var max = Env("AKKASFU_MAX_CONSUMERS_PER_ROUTER") is { } m
            ? int.TryParse(m, out var n) && n > 0 ? n : throw new ConfigurationException($"AKKASFU_MAX_CONSUMERS_PER_ROUTER must be a number > 0, was \"{m}\"")
            : rooms?.GetInt("max-consumers-per-router", Default.MaxConsumersPerRouter) ?? Default.MaxConsumersPerRouter;
        if (max <= 0) throw new ConfigurationException($"akkasfu.rooms.max-consumers-per-router must be > 0, was {max}");
        var placement = (Env("AKKASFU_PLACEMENT") ?? rooms?.GetString("placement", "room-node") ?? "room-node") switch
        {
            "room-node" => RoomPlacement.RoomNode,
            "peer-node" => RoomPlacement.PeerNode,
            var p => throw new ConfigurationException($"akkasfu.rooms.placement must be \"room-node\" or \"peer-node\", was \"{p}\""),
        };
        var srtp = Env("AKKASFU_PIPE_SRTP") is { } s ? s is "1" or "true" or "on" : pipe?.GetBoolean("enable-srtp", false) ?? false;
        var emptyTimeout = rooms?.GetTimeSpan("empty-room-timeout", Default.EmptyRoomTimeout) ?? Default.EmptyRoomTimeout;
        if (emptyTimeout <= TimeSpan.Zero) throw new ConfigurationException($"akkasfu.rooms.empty-room-timeout must be > 0, was {emptyTimeout}");
        return new RoomSettings(max, placement, srtp,
            Ip(pipe?.GetString("listen-ip", "") ?? "", "akkasfu.pipe.listen-ip"),
            Ip(Env("AKKASFU_PIPE_ANNOUNCED_IP") ?? pipe?.GetString("announced-ip", "") ?? "", "akkasfu.pipe.announced-ip"),
            rooms?.GetTimeSpan("unused-pipe-grace", Default.UnusedPipeGrace) ?? Default.UnusedPipeGrace)
        {
            EmptyRoomTimeout = emptyTimeout,
            MaxRoomsPerNode = Positive(rooms, "max-rooms-per-node", Default.MaxRoomsPerNode),
            MaxEmptyRooms = Positive(rooms, "max-empty-rooms", Default.MaxEmptyRooms),
        };
    }

    private static int Positive(Config? section, string key, int fallback)
    {
        var value = section?.GetInt(key, fallback) ?? fallback;
        return value > 0 ? value : throw new ConfigurationException($"akkasfu.rooms.{key} must be > 0, was {value}");
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static IPAddress? Ip(string value, string key) =>
        value.Length == 0 ? null
        : IPAddress.TryParse(value, out var ip) ? ip
        : throw new ConfigurationException($"{key} must be an IP address, was \"{value}\"");
}
