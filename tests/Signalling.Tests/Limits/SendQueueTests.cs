using System.Net.WebSockets;
using AkkaSfu.Actors.Settings;
using AkkaSfu.Signalling.Limits;
using AkkaSfu.Signalling.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaSfu.Signalling.Tests.Limits;

/// <summary>One socket's send queue over a stream whose writes stall until the test lets them go: a client that
/// does not read (its TCP window is full).</summary>
public class SendQueueTests
{
    /// <summary>Reads never complete; the first write blocks until <see cref="Release"/>; what is written is kept.</summary>
    private sealed class StalledStream : Stream
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MemoryStream _written = new();
        public readonly TaskCompletionSource FirstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public byte[] Written
        {
            get { lock (_written) return _written.ToArray(); }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            FirstWrite.TrySetResult();
            await Task.WhenAny(_released.Task, _disposed.Task);
            if (_disposed.Task.IsCompleted) throw new ObjectDisposedException(nameof(StalledStream));
            lock (_written) _written.Write(buffer.Span);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            await _disposed.Task.WaitAsync(ct);
            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            _disposed.TrySetResult();
            base.Dispose(disposing);
        }

        public override Task WriteAsync(byte[] b, int o, int c, CancellationToken ct) => WriteAsync(b.AsMemory(o, c), ct).AsTask();
        public override Task<int> ReadAsync(byte[] b, int o, int c, CancellationToken ct) => ReadAsync(b.AsMemory(o, c), ct).AsTask();
        public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] b, int o, int c) => throw new NotSupportedException();
        public override void Write(byte[] b, int o, int c) => throw new NotSupportedException();
        public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
        public override void SetLength(long v) => throw new NotSupportedException();
    }

    private static (ProtooConnection Connection, StalledStream Stream, SocketLimits Limits) Start(int messages, long bytes)
    {
        var stream = new StalledStream();
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var settings = LimitsSettings.Default with { SendQueueMessages = messages, SendQueueBytes = bytes };
        var limits = new SocketLimits(settings, settings.MaxConnections, new LimitHits());
        return (new ProtooConnection(socket, NullLogger.Instance, limits), stream, limits);
    }

    [Theory]
    [InlineData(10, 1_000_000L, 10)]   // by count: the 11th message waiting
    [InlineData(1_000, 1_000L, 10)]    // by bytes: 100-byte messages, the 11th passes 1,000 bytes
    public async Task A_client_that_does_not_read_is_closed_with_1008_and_its_queue_is_dropped(int messages, long bytes, int accepted)
    {
        var (connection, stream, limits) = Start(messages, bytes);
        var writer = connection.WriteLoopAsync(CancellationToken.None);
        var message = new string('x', 100);
        connection.Send(message);
        await stream.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the writer is stuck on the first message
        for (var i = 0; i < accepted; i++) connection.Send(message);
        Assert.Equal(0, limits.Hits[Limit.SendQueue]);
        Assert.True(connection.Queued.Messages > 0);

        connection.Send(message); // one too many
        Assert.Equal(1, limits.Hits[Limit.SendQueue]);
        Assert.Equal((0, 0L), connection.Queued);   // dropped at once, not when the client reads
        Assert.Equal((0L, 0L), limits.Queued);
        for (var i = 0; i < 100; i++) connection.Send(message); // closing: nothing more is taken
        Assert.Equal((0, 0L), connection.Queued);
        Assert.Equal(1, limits.Hits[Limit.SendQueue]);

        // The client reads again (within the close grace): the message in flight goes, then the close frame, 1008.
        stream.Release();
        await writer.WaitAsync(TimeSpan.FromSeconds(10));
        var written = stream.Written;
        var close = Array.IndexOf(written, (byte)0x88);
        Assert.True(close >= 0, "a close frame was written");
        Assert.Equal(ProtooConnection.PolicyViolation, written[close + 2] << 8 | written[close + 3]);
        Assert.Equal(ProtooConnection.SendQueueFull, System.Text.Encoding.UTF8.GetString(written, close + 4, written[close + 1] - 2));
        Assert.Equal(1, written.Count(b => b == 0x81)); // only the first text frame was ever sent
    }

    [Fact]
    public async Task A_client_that_never_reads_again_is_aborted_after_the_close_grace_and_nothing_stays_queued()
    {
        var (connection, stream, limits) = Start(5, 1_000_000);
        var writer = connection.WriteLoopAsync(CancellationToken.None);
        connection.Send("first");
        await stream.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 6; i++) connection.Send("more");
        Assert.Equal(1, limits.Hits[Limit.SendQueue]);
        // Never released: the writer ends when the socket is aborted (CloseGrace, 2 s), not never.
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((0, 0L), connection.Queued);
        Assert.Equal((0L, 0L), limits.Queued);
    }

    [Fact]
    public async Task Within_the_bound_every_message_is_sent_in_order_and_an_ordered_close_follows_them()
    {
        var (connection, stream, limits) = Start(10, 1_000_000);
        stream.Release();
        var writer = connection.WriteLoopAsync(CancellationToken.None);
        for (var i = 0; i < 10; i++) connection.Send("m" + i);
        connection.Close(4000, "peer closed");
        await writer.WaitAsync(TimeSpan.FromSeconds(10));
        var text = System.Text.Encoding.ASCII.GetString(stream.Written);
        for (var i = 0; i < 10; i++) Assert.Contains("m" + i, text);
        Assert.True(text.IndexOf("m9", StringComparison.Ordinal) < text.IndexOf("peer closed", StringComparison.Ordinal));
        Assert.Equal(0, limits.Hits[Limit.SendQueue]);
        Assert.Equal((0, 0L), connection.Queued);
    }
}
