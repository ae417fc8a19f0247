using Akka.Actor;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Limits;

namespace AkkaSfu.Signalling.WebSockets;

/// <summary>The protoo WebSocket endpoint on any path: <c>ws://host/?roomId=R&amp;peerId=P</c>, subprotocol
/// <c>protoo</c> (signalling.md §1). With auth on, <c>&amp;token=</c> too: a refused upgrade is answered with
/// its HTTP status (401/403, <see cref="AuthGate"/>) before it is accepted, so no peer and no room exist for it.
/// Past the node's or the client address's connection limit (<see cref="SocketLimits"/>) the upgrade is refused
/// the same way: 503 / 429 with X-WebSocket-Reject-Reason.</summary>
public static class ProtooEndpoint
{
    public static IApplicationBuilder UseProtoo(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            await next();
            return;
        }
        var roomId = ctx.Request.Query["roomId"].ToString();
        var peerId = ctx.Request.Query["peerId"].ToString();
        if (roomId.Length == 0 || peerId.Length == 0)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            ctx.Response.Headers.Connection = "close";
            ctx.Response.Headers["X-WebSocket-Reject-Reason"] = "Connection request without roomId and/or peerId";
            return;
        }
        if (!ctx.WebSockets.WebSocketRequestedProtocols.Contains("protoo"))
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            await ctx.Response.WriteAsync("invalid/missing Sec-WebSocket-Protocol");
            return;
        }
        var auth = ctx.RequestServices.GetRequiredService<AuthGate>();
        var (grants, refusal) = await auth.SocketAsync(ctx.Request, roomId, peerId);
        if (refusal is { } r)
        {
            ctx.Response.StatusCode = r.Status();
            ctx.Response.Headers.Connection = "close";
            ctx.Response.Headers["X-WebSocket-Reject-Reason"] = r.Message();
            await ctx.Response.WriteAsync(r.Message());
            return;
        }
        var limits = ctx.RequestServices.GetRequiredService<SocketLimits>();
        if (limits.TryEnter(ctx.Connection.RemoteIpAddress, out var slot) is { } limit)
        {
            var (status, reason) = limits.Refusal(limit);
            ctx.Response.StatusCode = status;
            ctx.Response.Headers.Connection = "close";
            ctx.Response.Headers["X-WebSocket-Reject-Reason"] = reason;
            await ctx.Response.WriteAsync(reason);
            return;
        }
        using var held = slot;
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync("protoo");
        var rooms = ctx.RequestServices.GetRequiredService<IRoomDirectory>();
        var system = ctx.RequestServices.GetRequiredService<ActorSystem>();
        var log = ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("protoo");
        await ProtooConnection.RunAsync(socket, roomId, peerId, rooms, props => system.ActorOf(props), log, limits, ctx.RequestAborted,
            new PeerGrants(grants, auth.Refusals), IgnoredMessages.Get(system));
    });
}
