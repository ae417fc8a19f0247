using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AkkaSfu.LoadGen;

/// <summary>A protoo client (spec §1) for one emulated peer: requests with numeric ids and a timeout, server
/// requests handed to <see cref="OnServerRequest"/> (its result is the response data), notifications counted.</summary>
public sealed class ProtooPeer : IAsyncDisposable
{
    private readonly ClientWebSocket _ws = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _cts = new();
    private Task? _reader;
    private int _nextId = Random.Shared.Next(1, 1_000_000);

    /// <summary>Handles a server request (newConsumer…); returns the response data or throws to refuse it.</summary>
    public Func<string, JsonNode, Task<JsonNode?>>? OnServerRequest { get; set; }
    /// <summary>Called for each notification (method, data).</summary>
    public Action<string, JsonNode>? OnNotification { get; set; }
    /// <summary>Request timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
    public string PeerId { get; private set; } = "";
    /// <summary>Set when the socket closed (reason), null while open.</summary>
    public string? Closed { get; private set; }

    /// <summary>Opens ws://host/?roomId=R&amp;peerId=P with subprotocol protoo; clear error on failure.</summary>
    public static async Task<ProtooPeer> ConnectAsync(Uri server, string roomId, string peerId, CancellationToken ct)
    {
        var p = new ProtooPeer { PeerId = peerId };
        p._ws.Options.AddSubProtocol("protoo");
        var scheme = server.Scheme is "https" or "wss" ? "wss" : "ws";
        var uri = new UriBuilder(server) { Scheme = scheme, Query = $"roomId={Uri.EscapeDataString(roomId)}&peerId={Uri.EscapeDataString(peerId)}" }.Uri;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await p._ws.ConnectAsync(uri, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            p._ws.Dispose();
            throw new StageException(Stage.Signalling, $"cannot open {uri}: {Inner(e)}", e);
        }
        p._reader = Task.Run(p.ReadLoop);
        return p;
    }

    private static string Inner(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }

    /// <summary>Sends a request; returns the response data, or throws a signalling StageException naming the method.</summary>
    public async Task<JsonNode> RequestAsync(string method, object? data = null)
    {
        var id = Interlocked.Increment(ref _nextId) % 10_000_000;
        var tcs = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var body = new JsonObject
        {
            ["request"] = true, ["id"] = id, ["method"] = method,
            ["data"] = data is JsonNode n ? n : JsonSerializer.SerializeToNode(data ?? new { }),
        };
        await SendAsync(body.ToJsonString());
        try
        {
            var reply = await tcs.Task.WaitAsync(Timeout);
            if (reply["ok"]?.GetValue<bool>() != true)
                throw new StageException(Stage.Signalling,
                    $"{PeerId}: {method} refused: {reply["errorCode"]} {reply["errorReason"]}");
            return reply["data"] ?? new JsonObject();
        }
        catch (TimeoutException)
        {
            throw new StageException(Stage.Signalling, $"{PeerId}: {method} got no answer in {Timeout.TotalSeconds:0} s{(Closed is null ? "" : " (socket closed: " + Closed + ")")}");
        }
        finally { _pending.TryRemove(id, out _); }
    }

    private async Task SendAsync(string text)
    {
        if (Closed is not null) throw new StageException(Stage.Signalling, $"{PeerId}: socket closed ({Closed})");
        await _sendLock.WaitAsync();
        try { await _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _cts.Token); }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            throw new StageException(Stage.Signalling, $"{PeerId}: send failed: {e.Message}", e);
        }
        finally { _sendLock.Release(); }
    }

    private async Task ReadLoop()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_ws.State == WebSocketState.Open)
            {
                int n = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    if (n == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    r = await _ws.ReceiveAsync(buffer.AsMemory(n), _cts.Token);
                    n += r.Count;
                } while (!r.EndOfMessage);
                if (r.MessageType == WebSocketMessageType.Close) break;
                if (r.MessageType != WebSocketMessageType.Text) continue;
                JsonNode? m;
                try { m = JsonNode.Parse(buffer.AsSpan(0, n)); } catch (JsonException) { continue; }
                if (m is not JsonObject o) continue;
                if (o["response"]?.GetValue<bool>() == true)
                {
                    if (o["id"]?.GetValue<int>() is int rid && _pending.TryGetValue(rid, out var tcs)) tcs.TrySetResult(o);
                }
                else if (o["request"]?.GetValue<bool>() == true) _ = AnswerAsync(o);
                else if (o["notification"]?.GetValue<bool>() == true)
                    OnNotification?.Invoke(o["method"]?.GetValue<string>() ?? "", o["data"] ?? new JsonObject());
            }
            Closed = $"closed by server ({_ws.CloseStatus} {_ws.CloseStatusDescription})";
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            Closed = e.Message;
        }
        foreach (var (_, tcs) in _pending) tcs.TrySetException(new StageException(Stage.Signalling, $"{PeerId}: socket closed ({Closed})"));
    }

    private async Task AnswerAsync(JsonObject request)
    {
        var id = request["id"]?.GetValue<long>() ?? 0;
        var method = request["method"]?.GetValue<string>() ?? "";
        JsonObject reply;
        try
        {
            var data = OnServerRequest is null ? null : await OnServerRequest(method, request["data"] ?? new JsonObject());
            reply = new JsonObject { ["response"] = true, ["id"] = id, ["ok"] = true, ["data"] = data ?? new JsonObject() };
        }
        catch (Exception e)
        {
            reply = new JsonObject { ["response"] = true, ["id"] = id, ["ok"] = false, ["errorCode"] = 500, ["errorReason"] = e.Message };
        }
        try { await SendAsync(reply.ToJsonString()); } catch (StageException) { }
    }

    /// <summary>Closes the socket (normal closure) and stops reading.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ws.State == WebSocketState.Open)
            {
                using var t = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", t.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        _cts.Cancel();
        if (_reader is not null) await _reader.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { });
        _ws.Dispose();
    }
}
