using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Akka.Actor;
using AkkaSfu.Actors.Rooms;
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Limits;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;

namespace AkkaSfu.Signalling.WebSockets;

/// <summary>What a room needs of a peer's socket: send a text message, close it. Thread-safe, never blocks.</summary>
public interface IPeerConnection
{
    void Send(string json);
    void Close(int code, string reason);
}

/// <summary>One protoo WebSocket: a read loop that turns frames into room messages, and a single writer fed by
/// a channel (so sends from the room never block it).
///
/// Limits (akkasfu.limits, <see cref="SocketLimits"/>): the messages waiting for the writer are bounded in count
/// and bytes; a client that does not read fills them, and is closed with 1008 "send queue full", the queued
/// messages dropped at once. Requests are metered by a <see cref="RequestRate"/>: over the rate a request is
/// answered 429 "too many requests" and not run; a flood of them closes the socket with 1008. Every close goes
/// the same way (<see cref="Close(int, string)"/>): no more messages are taken, the writer sends the close frame
/// when it gets to it, and a socket not closed within <see cref="CloseGrace"/> is aborted (so a client that
/// reads nothing, whose writer is stuck on a full TCP window, is cut off too).</summary>
public sealed class ProtooConnection : IPeerConnection
{
    public const int PolicyViolation = (int)WebSocketCloseStatus.PolicyViolation;
    public const string SendQueueFull = "send queue full";
    public const string TooManyRequests = "too many requests";

    private readonly record struct Outgoing(byte[]? Text, int CloseCode, string? CloseReason);

    private readonly WebSocket _socket;
    private readonly ILogger _log;
    private readonly SocketLimits _limits;
    private readonly RequestRate _rate;
    private readonly IgnoredMessages _ignored;
    private bool _ignoredLogged;
    // Several readers: the writer, and a close that drops what is queued (from any thread).
    private readonly Channel<Outgoing> _out = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = false });
    private readonly object _gate = new();
    private int _queuedMessages;
    private long _queuedBytes;
    private volatile bool _closing;

    internal ProtooConnection(WebSocket socket, ILogger log, SocketLimits limits, IgnoredMessages? ignored = null)
    {
        _socket = socket;
        _log = log;
        _limits = limits;
        _rate = limits.NewRequestRate();
        _ignored = ignored ?? new IgnoredMessages();
    }

    /// <summary>Messages and bytes waiting for the writer.</summary>
    public (int Messages, long Bytes) Queued
    {
        get { lock (_gate) return (_queuedMessages, _queuedBytes); }
    }

    /// <summary>Queued for the writer, unless the socket is closing; past the send queue's bound the socket is
    /// closed with 1008 and everything queued is dropped.</summary>
    public void Send(string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var s = _limits.Settings;
        lock (_gate)
        {
            if (_closing) return;
            if (_queuedMessages < s.SendQueueMessages && _queuedBytes + bytes.Length <= s.SendQueueBytes)
            {
                _queuedMessages++;
                _queuedBytes += bytes.Length;
                _limits.AddQueued(1, bytes.Length);
                _out.Writer.TryWrite(new Outgoing(bytes, 0, null));
                return;
            }
        }
        _limits.Hits.Count(Limit.SendQueue);
        _log.LogWarning("socket not read: {Messages} messages / {Bytes} bytes waiting; closing it ({Code} {Reason})",
            s.SendQueueMessages, s.SendQueueBytes, PolicyViolation, SendQueueFull);
        Close(PolicyViolation, SendQueueFull, dropQueued: true);
    }

    public void Close(int code, string reason) => Close(code, reason, dropQueued: false);

    /// <summary>The one close: the first wins. No more messages are taken; the writer sends what was queued before
    /// (unless <paramref name="dropQueued"/>: dropped now), then the close frame; the socket is aborted if it is not
    /// closed within <see cref="CloseGrace"/>.</summary>
    private void Close(int code, string reason, bool dropQueued)
    {
        lock (_gate)
        {
            if (_closing) return;
            _closing = true;
            if (dropQueued)
                while (_out.Reader.TryRead(out var dropped)) Dequeued(dropped);
            _out.Writer.TryWrite(new Outgoing(null, code, reason));
            _out.Writer.TryComplete();
        }
        _ = AbortUnlessClosedAsync();
    }

    private void Dequeued(Outgoing item)
    {
        if (item.Text is not { } text) return;
        lock (_gate)
        {
            _queuedMessages--;
            _queuedBytes -= text.Length;
        }
        _limits.AddQueued(-1, -text.Length);
    }

    /// <summary>Serves one accepted socket until it closes: a <see cref="PeerActor"/> on this node links it to
    /// its room, wherever the room lives.</summary>
    public static async Task RunAsync(WebSocket socket, string roomId, string peerId, IRoomDirectory rooms, ActorRefFactory actors, ILogger log,
        SocketLimits limits, CancellationToken ct, PeerGrants? grants = null, IgnoredMessages? ignored = null)
    {
        var connection = new ProtooConnection(socket, log, limits, ignored);
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
            connection.Close((int)WebSocketCloseStatus.NormalClosure, "");
            await writer;
        }
    }

    /// <summary>Starts an actor (the node's actor system, or a test's).</summary>
    public delegate IActorRef ActorRefFactory(Props props);

    private async Task ReadLoopAsync(string peerId, IActorRef peer, CancellationToken ct)
    {
        // Small: every open socket holds one while it waits for a frame (10,000 sockets × 64 KB was 640 MB); a bigger
        // message arrives in several reads into `message`.
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
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

                if (tooBig) OnIgnored(peerId, IgnoredMessage.TooBig, $"message over {Protoo.MaxMessageBytes} bytes", Environment.TickCount64);
                else if (result.MessageType != WebSocketMessageType.Text) OnIgnored(peerId, IgnoredMessage.Binary, "binary message", Environment.TickCount64);
                else if (Protoo.TryParse(message.WrittenSpan, out var error) is { } m)
                {
                    if (m.Kind == ProtooKind.Request) OnRequest(peerId, peer, m, Environment.TickCount64);
                    else if (m.Kind == ProtooKind.Response) peer.Tell(new PeerActor.Inbound(m));
                }
                else OnIgnored(peerId, IgnoredMessage.Malformed, error ?? "malformed", Environment.TickCount64);
                message.Clear();
                tooBig = false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A message that is neither run nor answered: counted (<c>akkasfu_protoo_ignored_messages_total</c>),
    /// logged as a warning once per socket (then at debug level, so a client cannot flood the log), and metered
    /// like a request, so a flood of garbage closes the socket (1008) as a flood of requests does.</summary>
    internal void OnIgnored(string peerId, IgnoredMessage reason, string what, long nowMs)
    {
        if (_closing) return;
        _ignored.Count(reason);
        if (!_ignoredLogged)
        {
            _ignoredLogged = true;
            _log.LogWarning("peer {PeerId}: {What}; ignored (further ignored messages of this socket are logged at debug level)", peerId, what);
        }
        else _log.LogDebug("peer {PeerId}: {What}; ignored", peerId, what);
        if (_rate.Take(nowMs) == RateDecision.Flood)
        {
            _limits.Hits.Count(Limit.RequestFlood);
            _log.LogWarning("peer {PeerId}: {Refused} messages over the rate without backing off; closing the socket ({Code} {Reason})",
                peerId, _rate.Refusals, PolicyViolation, TooManyRequests);
            Close(PolicyViolation, TooManyRequests);
        }
    }

    /// <summary>A request within the socket's rate goes to its peer; over it, it is answered 429 here; a flood
    /// closes the socket (1008).</summary>
    internal void OnRequest(string peerId, IActorRef peer, ProtooMessage request, long nowMs)
    {
        if (_closing) return;
        switch (_rate.Take(nowMs))
        {
            case RateDecision.Allowed:
                peer.Tell(new PeerActor.Inbound(request));
                break;
            case RateDecision.Refused:
                _limits.Hits.Count(Limit.RequestRate);
                Send(Protoo.Error(request.Id, StatusCodes.Status429TooManyRequests, TooManyRequests));
                break;
            case RateDecision.Flood:
                _limits.Hits.Count(Limit.RequestFlood);
                _log.LogWarning("peer {PeerId}: {Refused} requests over the rate without backing off; closing the socket ({Code} {Reason})",
                    peerId, _rate.Refusals, PolicyViolation, TooManyRequests);
                Close(PolicyViolation, TooManyRequests);
                break;
        }
    }

    /// <summary>The read buffer each socket holds while it waits for a frame.</summary>
    public const int ReceiveBufferBytes = 4096;

    /// <summary>How long a client has to answer our close frame before its socket is aborted.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private async Task AbortUnlessClosedAsync()
    {
        await Task.Delay(CloseGrace);
        if (_socket.State != WebSocketState.Closed) _socket.Abort();
    }

    internal async Task WriteLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var item in _out.Reader.ReadAllAsync(ct))
            {
                Dequeued(item);
                if (item.Text is { } text)
                {
                    if (_socket.State != WebSocketState.Open) break;
                    await _socket.SendAsync(text, WebSocketMessageType.Text, true, ct);
                }
                else
                {
                    // Send our close and stop writing; the read loop sees the client's answer (Close aborts a
                    // socket that is not closed within CloseGrace).
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                        await _socket.CloseOutputAsync((WebSocketCloseStatus)item.CloseCode, item.CloseReason, ct);
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _log.LogDebug("send loop ended: {Message}", e.Message);
        }
        finally
        {
            // Whatever ended the writer (an abort, a cancelled request), nothing queued outlives it.
            lock (_gate)
            {
                _closing = true;
                _out.Writer.TryComplete();
            }
            while (_out.Reader.TryRead(out var left)) Dequeued(left);
        }
    }
}
