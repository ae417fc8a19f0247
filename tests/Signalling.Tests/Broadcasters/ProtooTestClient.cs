using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace AkkaSfu.Signalling.Tests.Broadcasters;

/// <summary>A bare protoo peer for tests: requests with responses, and everything else the server sends
/// (notifications, server requests) queued for <see cref="NextAsync"/>.</summary>
public sealed class ProtooTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonObject> _inbox = Channel.CreateUnbounded<JsonObject>();
    private readonly Dictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _cts = new();
    private Task _reader = Task.CompletedTask;
    private long _nextId = 1;

    public static async Task<ProtooTestClient> ConnectAsync(Uri server, string roomId, string peerId)
    {
        var client = new ProtooTestClient();
        client._socket.Options.AddSubProtocol("protoo");
        var ws = new UriBuilder(server) { Scheme = "ws", Query = $"roomId={roomId}&peerId={peerId}" }.Uri;
        await client._socket.ConnectAsync(ws, CancellationToken.None);
        client._reader = client.ReadLoopAsync();
        return client;
    }

    /// <summary>Sends a request; returns the whole response envelope.</summary>
    public async Task<JsonObject> RequestAsync(string method, JsonNode? data = null)
    {
        var id = _nextId++;
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending) _pending[id] = tcs;
        await SendAsync(new JsonObject { ["request"] = true, ["id"] = id, ["method"] = method, ["data"] = data ?? new JsonObject() });
        return await tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Answers a server request with ok and empty data.</summary>
    public Task AcceptAsync(JsonObject request) =>
        SendAsync(new JsonObject { ["response"] = true, ["id"] = request["id"]!.GetValue<long>(), ["ok"] = true, ["data"] = new JsonObject() });

    /// <summary>The next queued notification or server request with <paramref name="method"/> (others are skipped).</summary>
    public async Task<JsonObject> NextAsync(string method, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var m = await _inbox.Reader.ReadAsync(cts.Token);
            if (m["method"]?.GetValue<string>() == method) return m;
        }
    }

    private Task SendAsync(JsonObject message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _cts.Token);

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var count = 0;
                WebSocketReceiveResult r;
                do
                {
                    r = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), _cts.Token);
                    count += r.Count;
                } while (!r.EndOfMessage && r.MessageType != WebSocketMessageType.Close);
                if (r.MessageType == WebSocketMessageType.Close) break;
                var m = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, count))!.AsObject();
                if (m["response"]?.GetValue<bool>() == true)
                {
                    TaskCompletionSource<JsonObject>? tcs;
                    lock (_pending) _pending.Remove(m["id"]!.GetValue<long>(), out tcs);
                    tcs?.TrySetResult(m);
                }
                else _inbox.Writer.TryWrite(m);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        finally { _inbox.Writer.TryComplete(); }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException) { }
        _cts.Cancel();
        try { await _reader; } catch (OperationCanceledException) { }
        _socket.Dispose();
        _cts.Dispose();
    }
}
