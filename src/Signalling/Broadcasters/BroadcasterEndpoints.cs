// signalling.md §7: mediasoup-demo v3's broadcaster HTTP routes (server.js), on the same host and port as
// the page and the protoo WebSocket. Each route validates its body (400 TypeError) into a room command, asks
// the room (created if absent, through IRoomDirectory) and writes the room's reply as a BroadcasterReply.
// With auth on, every route first needs "Authorization: Bearer <room token>" (401), and a command is run only
// if AccessPolicy allows it (403): in both cases before the room is asked, so nothing is created.
using System.Buffers;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.Broadcasters;

/// <summary>Maps the broadcaster API: <c>app.MapBroadcasters()</c>.</summary>
public static class BroadcasterEndpoints
{
    /// <summary>How long a route waits for its room (which itself waits at most 10 s per actor step).</summary>
    private static readonly TimeSpan RoomTimeout = TimeSpan.FromSeconds(25);

    private const string Broadcaster = "/rooms/{roomId}/broadcasters/{broadcasterId}";
    private const string Transport = Broadcaster + "/transports/{transportId}";

    public static IEndpointRouteBuilder MapBroadcasters(this IEndpointRouteBuilder endpoints)
    {
        var app = endpoints.MapGroup("").AddEndpointFilter(RequireBearerAsync);
        app.MapGet("/rooms/{roomId}", (HttpContext ctx, string roomId) =>
            AskAsync(ctx, roomId, new BroadcasterCommand(null, RoomCommands.GetRouterRtpCapabilities.Instance)));
        // AkkaSfu extension: the room's routers (node, worker, peers, consumers), to see how it spread.
        app.MapGet("/rooms/{roomId}/routers", (HttpContext ctx, string roomId) =>
            AskAsync(ctx, roomId, new BroadcasterCommand(null, RoomCommands.GetRouters.Instance)));

        app.MapPost("/rooms/{roomId}/broadcasters", (HttpContext ctx, string roomId) => WithBodyAsync(ctx, roomId, (null, null), body =>
            (BroadcasterRequests.TryParseCreateBroadcaster(body, out var r), r is null ? null : new BroadcasterCommand(null, r))));

        app.MapDelete(Broadcaster, (HttpContext ctx, string roomId, string broadcasterId) =>
            AskAsync(ctx, roomId, new BroadcasterCommand(broadcasterId, RoomCommands.DeleteBroadcaster.Instance)));

        app.MapPost(Broadcaster + "/transports", (HttpContext ctx, string roomId, string broadcasterId) => WithBodyAsync(ctx, roomId, (broadcasterId, null), body =>
            (BroadcasterRequests.TryParseCreateTransport(broadcasterId, body, out var r), r?.ToCommand(CallerIp(ctx)))));

        app.MapPost(Transport + "/connect", (HttpContext ctx, string roomId, string broadcasterId, string transportId) => WithBodyAsync(ctx, roomId, (broadcasterId, transportId), body =>
            (BroadcasterRequests.TryParseConnect(broadcasterId, transportId, body, out var r), r?.ToCommand())));

        app.MapPost(Transport + "/producers", (HttpContext ctx, string roomId, string broadcasterId, string transportId) => WithBodyAsync(ctx, roomId, (broadcasterId, transportId), body =>
            (BroadcasterRequests.TryParseProduce(broadcasterId, transportId, body, out var r), r?.ToCommand())));

        app.MapPost(Transport + "/consume", (HttpContext ctx, string roomId, string broadcasterId, string transportId) => WithBodyAsync(ctx, roomId, (broadcasterId, transportId), _ =>
            (BroadcasterRequests.TryParseConsume(broadcasterId, transportId, ctx.Request.Query["producerId"].FirstOrDefault(),
                ctx.Request.Query["paused"].FirstOrDefault(), out var r), r?.ToCommand())));

        app.MapPost(Transport + "/consume/data", (HttpContext ctx, string roomId, string broadcasterId, string transportId) => WithBodyAsync(ctx, roomId, (broadcasterId, transportId), _ =>
            ((string?)null, NoDataChannels(broadcasterId, transportId))));

        app.MapPost(Transport + "/produce/data", (HttpContext ctx, string roomId, string broadcasterId, string transportId) => WithBodyAsync(ctx, roomId, (broadcasterId, transportId), _ =>
            ((string?)null, NoDataChannels(broadcasterId, transportId))));

        app.MapPost(Broadcaster + "/consumers/{consumerId}/resume", (HttpContext ctx, string roomId, string broadcasterId, string consumerId) =>
            AskAsync(ctx, roomId, new BroadcasterCommand(broadcasterId, new RoomCommands.ResumeConsumer(consumerId))));

        return endpoints;
    }

    /// <summary>With auth on, a valid bearer token (signature, lifetime) or 401; kept for <see cref="AskAsync"/>
    /// to check what it allows.</summary>
    private static async ValueTask<object?> RequireBearerAsync(EndpointFilterInvocationContext ictx, EndpointFilterDelegate next)
    {
        var ctx = ictx.HttpContext;
        var (token, refusal) = await ctx.RequestServices.GetRequiredService<AuthGate>().BearerAsync(ctx.Request);
        if (refusal is { } r)
        {
            if (r.Status() == StatusCodes.Status401Unauthorized) ctx.Response.Headers.WWWAuthenticate = "Bearer";
            var reply = Refused(r);
            return Results.Text(reply.Body, reply.ContentType + "; charset=utf-8", Encoding.UTF8, reply.Status);
        }
        if (token is not null) ctx.Items[typeof(RoomToken)] = token;
        return await next(ictx);
    }

    private static BroadcasterReply Refused(Refusal r) => new(r.Status(), "Error: " + r.Message(), BroadcasterReply.Text);

    /// <summary>The HTTP caller's address (IPv4-mapped IPv6 as IPv4), which a comedia plain transport may learn.</summary>
    private static string? CallerIp(HttpContext ctx) => ctx.Connection.RemoteIpAddress is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : null;

    /// <summary>DataChannels: refused (no SCTP in this server, 501) once the broadcaster and transport are known.</summary>
    private static BroadcasterCommand NoDataChannels(string broadcasterId, string transportId) => new(broadcasterId,
        new RoomCommands.Invalid(new RoomCommands.Checks(TransportId: transportId), RoomErrorKind.NotImplemented, RoomState.NoDataChannels));

    /// <summary>Reads and parses the body (400 if it is not a JSON object, 413 if too large), then validates it
    /// into a command with <paramref name="parse"/> and asks the room. A validation error is answered 400 with
    /// its message, after the room has checked the route's <paramref name="ids"/> exist (else 404).</summary>
    private static async Task WithBodyAsync(HttpContext ctx, string roomId, (string? BroadcasterId, string? TransportId) ids,
        Func<JsonElement, (string? Error, BroadcasterCommand? Command)> parse)
    {
        var bytes = await ReadBodyAsync(ctx.Request, ctx.RequestAborted);
        if (bytes is null)
        {
            await WriteAsync(ctx, new BroadcasterReply(413, "Error: body too large", BroadcasterReply.Text));
            return;
        }
        var error = BroadcasterRequests.TryParseBody(bytes.Value, out var body);
        if (error is null)
        {
            (error, var command) = parse(body);
            if (error is null)
            {
                await AskAsync(ctx, roomId, command!);
                return;
            }
        }
        if (ids.BroadcasterId is not null)
            await AskAsync(ctx, roomId, new BroadcasterCommand(ids.BroadcasterId,
                new RoomCommands.Invalid(new RoomCommands.Checks(TransportId: ids.TransportId), RoomErrorKind.Invalid, error)));
        else await WriteAsync(ctx, BroadcasterReply.BadRequest(error));
    }

    private static async Task AskAsync(HttpContext ctx, string roomId, BroadcasterCommand command)
    {
        var token = ctx.Items.TryGetValue(typeof(RoomToken), out var t) ? (RoomToken?)t : null;
        if (ctx.RequestServices.GetRequiredService<AuthGate>().Broadcaster(token, roomId, command) is { } refusal)
        {
            await WriteAsync(ctx, Refused(refusal));
            return;
        }
        var rooms = ctx.RequestServices.GetRequiredService<IRoomDirectory>();
        BroadcasterReply reply;
        try
        {
            reply = BroadcasterReply.From(command.Command, await rooms.Ask<IRoomReply>(roomId, command, RoomTimeout));
        }
        catch (AskTimeoutException)
        {
            reply = BroadcasterReply.ServerError("the room did not answer in time");
        }
        await WriteAsync(ctx, reply);
    }

    private static async Task WriteAsync(HttpContext ctx, BroadcasterReply reply)
    {
        ctx.Response.StatusCode = reply.Status;
        ctx.Response.ContentType = reply.ContentType + "; charset=utf-8";
        if (reply.Body.Length > 0) await ctx.Response.WriteAsync(reply.Body, Encoding.UTF8, ctx.RequestAborted);
    }

    /// <summary>The whole body, or null if it exceeds <see cref="BroadcasterRequests.MaxBodyBytes"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > BroadcasterRequests.MaxBodyBytes) return null;
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var n = await request.Body.ReadAsync(memory, ct);
            if (n == 0) return buffer.WrittenMemory;
            buffer.Advance(n);
            if (buffer.WrittenCount > BroadcasterRequests.MaxBodyBytes) return null;
        }
    }
}
