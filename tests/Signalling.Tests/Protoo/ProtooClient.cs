using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace AkkaSfu.Signalling.Tests.Protoo;

/// <summary>A minimal protoo client over ClientWebSocket, for protocol tests without a browser.</summary>
public sealed class ProtooClient : IAsyncDisposable
{
    private readonly ClientWebSocket _ws = new();
    private HttpMessageInvoker? _invoker;
    private readonly Channel<JsonNode> _incoming = Channel.CreateUnbounded<JsonNode>();
    private Task? _reader;
    private int _nextId = 1;

    public WebSocketCloseStatus? CloseStatus => _ws.CloseStatus;

    public WebSocketState State => _ws.State;

    /// <param name="token">A room token, sent as <c>&amp;token=</c> (servers with auth on need one).</param>
    /// <param name="origin">An Origin header, as a browser sends.</param>
    /// <param name="localAddress">Connect from this address (another 127.0.0.x: another client host, as far as
    /// the server's per-address limits can tell).</param>
    /// <param name="read">False: never read what the server sends (a client that does not read).</param>
    /// <param name="certificateValidation">How a wss:// server's certificate is checked (tests: accept their own
    /// generated one); null = the system's trust store.</param>
    public static async Task<ProtooClient> ConnectAsync(Uri server, string roomId, string peerId, string? token = null, string? origin = null,
        IPAddress? localAddress = null, bool read = true, System.Net.Security.RemoteCertificateValidationCallback? certificateValidation = null)
    {
        var c = new ProtooClient();
        if (certificateValidation is not null) c._ws.Options.RemoteCertificateValidationCallback = certificateValidation;
        c._ws.Options.AddSubProtocol("protoo");
        if (origin is not null) c._ws.Options.SetRequestHeader("Origin", origin);
        c._ws.Options.CollectHttpResponseDetails = true;
        var query = $"roomId={roomId}&peerId={peerId}" + (token is null ? "" : "&token=" + Uri.EscapeDataString(token));
        var uri = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Query = query }.Uri;
        c._invoker = From(localAddress);
        try
        {
            if (c._invoker is null) await c._ws.ConnectAsync(uri, CancellationToken.None);
            else await c._ws.ConnectAsync(uri, c._invoker, CancellationToken.None);
        }
        catch (WebSocketException e) when (c._ws.HttpStatusCode != 0)
        {
            var (status, reason) = (c._ws.HttpStatusCode, c._ws.HttpResponseHeaders?.GetValueOrDefault("X-WebSocket-Reject-Reason")?.FirstOrDefault());
            await c.DisposeAsync();
            throw new RefusedException(status, reason, e);
        }
        if (read) c._reader = c.ReadAsync();
        return c;
    }

    /// <summary>The upgrade was answered with <paramref name="Status"/> (and X-WebSocket-Reject-Reason <paramref name="Reason"/>).</summary>
    public sealed class RefusedException(HttpStatusCode status, string? reason, Exception inner)
        : Exception($"upgrade refused: {(int)status} {reason}", inner)
    {
        public HttpStatusCode Status { get; } = status;
        public string? Reason { get; } = reason;
    }

    private static HttpMessageInvoker? From(IPAddress? local) => local is null ? null : new HttpMessageInvoker(new SocketsHttpHandler
    {
        ConnectCallback = async (ctx, ct) =>
        {
            var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(ctx.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_ws.State == WebSocketState.Open)
            {
                var n = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await _ws.ReceiveAsync(buffer.AsMemory(n), CancellationToken.None);
                    n += r.Count;
                } while (!r.EndOfMessage);
                if (r.MessageType == WebSocketMessageType.Close) break;
                _incoming.Writer.TryWrite(JsonNode.Parse(buffer.AsSpan(0, n))!);
            }
        }
        catch (WebSocketException) { }
        _incoming.Writer.TryComplete();
    }

    public Task SendRawAsync(string text) => _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends a request and returns its response (notifications and server requests met on the way are kept).</summary>
    public async Task<JsonObject> RequestAsync(string method, object? data = null)
    {
        var id = _nextId++;
        await SendRawAsync(JsonSerializer.Serialize(new { request = true, id, method, data = data ?? new { } }));
        return (await NextAsync(m => m["response"]?.GetValue<bool>() == true && m["id"]?.GetValue<int>() == id)).AsObject();
    }

    /// <summary>Answers a server request (newConsumer) with ok and empty data.</summary>
    public Task AcceptAsync(JsonNode request) =>
        SendRawAsync(new JsonObject { ["response"] = true, ["id"] = request["id"]!.GetValue<long>(), ["ok"] = true, ["data"] = new JsonObject() }.ToJsonString());

    /// <summary>The next notification or server request named <paramref name="method"/>.</summary>
    public async Task<JsonObject> NextAsync(string method, TimeSpan? timeout = null) =>
        (await NextAsync(m => m["response"] is null && m["method"]?.GetValue<string>() == method, (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds)).AsObject();

    private readonly List<JsonNode> _kept = new();

    /// <summary>The next message matching <paramref name="match"/> (earlier non-matching ones are kept for later).</summary>
    public async Task<JsonNode> NextAsync(Func<JsonNode, bool> match, int timeoutMs = 10_000)
    {
        var kept = _kept.FirstOrDefault(match);
        if (kept is not null) { _kept.Remove(kept); return kept; }
        using var cts = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            var m = await _incoming.Reader.ReadAsync(cts.Token);
            if (match(m)) return m;
            _kept.Add(m);
        }
    }

    public Task<JsonNode> NotificationAsync(string method, int timeoutMs = 10_000) =>
        NextAsync(m => m["notification"]?.GetValue<bool>() == true && m["method"]?.GetValue<string>() == method, timeoutMs);

    /// <summary>Waits for the server to close the socket.</summary>
    public async Task ClosedAsync(int timeoutMs = 10_000) => await _reader!.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ws.State == WebSocketState.Open)
                await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The server went first (the state was read as Open just before): nothing left to close.
        }
        _ws.Dispose();
        _invoker?.Dispose();
    }
}
