using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Akka.Actor;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.WebSockets;

/// <summary>What a room needs of a peer's socket: send a text message, close it. Thread-safe, never blocks.</summary>
public interface IPeerConnection
{
    void Send(string json);
    void Close(int code, string reason);
}

/// <summary>One protoo WebSocket: a read loop that turns frames into room messages, and a single writer
/// fed by a channel (so sends from the room never block it).</summary>
public sealed class ProtooConnection : IPeerConnection
{
    private readonly WebSocket _socket;
    private readonly ILogger _log;
    private readonly Channel<(string? Text, int CloseCode, string? CloseReason)> _out =
        Channel.CreateUnbounded<(string?, int, string?)>(new UnboundedChannelOptions { SingleReader = true });

    private ProtooConnection(WebSocket socket, ILogger log)
    {
        _socket = socket;
        _log = log;
    }

    public void Send(string json) => _out.Writer.TryWrite((json, 0, null));

    public void Close(int code, string reason)
    {
        _out.Writer.TryWrite((null, code, reason));
        _out.Writer.TryComplete();
    }

    /// <summary>Serves one accepted socket until it closes: a <see cref="PeerActor"/> on this node links it to
    /// its room, wherever the room lives.</summary>
    public static async Task RunAsync(WebSocket socket, string roomId, string peerId, IRoomDirectory rooms, ActorRefFactory actors, ILogger log, CancellationToken ct,
        PeerGrants? grants = null)
    {
        var connection = new ProtooConnection(socket, log);
        var writer = connection.WriteLoopAsync(ct);
        var peer = actors(PeerActor.Props(roomId, peerId, connection, rooms, grants));
        try
        {
            await connection.ReadLoopAsync(peerId, peer, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            log.LogDebug("peer {PeerId} socket ended: {Message}", peerId, e.Message);
        }
        catch (Exception e)
        {
            log.LogError(e, "peer {PeerId}: socket failed", peerId);
        }
        finally
        {
            peer.Tell(PeerActor.SocketEnded.Instance);
            connection._out.Writer.TryComplete();
            await writer;
        }
    }

    /// <summary>Starts an actor (the node's actor system, or a test's).</summary>
    public delegate IActorRef ActorRefFactory(Props props);

    private async Task ReadLoopAsync(string peerId, IActorRef peer, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var message = new ArrayBufferWriter<byte>();
        var tooBig = false;
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close((int)WebSocketCloseStatus.NormalClosure, ""); // complete the client's close handshake
                    break;
                }
                if (!tooBig)
                {
                    if (message.WrittenCount + result.Count > Protoo.MaxMessageBytes) tooBig = true;
                    else message.Write(buffer.AsSpan(0, result.Count));
                }
                if (!result.EndOfMessage) continue;

                if (tooBig) _log.LogWarning("peer {PeerId}: message over {Max} bytes ignored", peerId, Protoo.MaxMessageBytes);
                else if (result.MessageType != WebSocketMessageType.Text) _log.LogWarning("peer {PeerId}: binary message ignored", peerId);
                else if (Protoo.TryParse(message.WrittenSpan, out var error) is { } m)
                {
                    if (m.Kind is ProtooKind.Request or ProtooKind.Response) peer.Tell(new PeerActor.Inbound(m));
                }
                else _log.LogWarning("peer {PeerId}: {Error}; ignored", peerId, error);
                message.Clear();
                tooBig = false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>How long a client has to answer our close frame before its socket is aborted.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private async Task AbortUnlessClosedAsync()
    {
        await Task.Delay(CloseGrace);
        if (_socket.State != WebSocketState.Closed) _socket.Abort();
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (text, code, reason) in _out.Reader.ReadAllAsync(ct))
            {
                if (text is not null)
                {
                    if (_socket.State != WebSocketState.Open) break;
                    await _socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
                }
                else
                {
                    // Send our close and stop writing; the read loop sees the client's answer. A client that does
                    // not answer within CloseGrace is cut off, so no socket (and no server shutdown) waits on it.
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, ct);
                        _ = AbortUnlessClosedAsync();
                    }
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            _log.LogDebug("send loop ended: {Message}", e.Message);
        }
    }
}
