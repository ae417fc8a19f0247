using System.Net;
using AkkaSfu.Actors.Settings;

namespace AkkaSfu.Signalling.Limits;

/// <summary>The socket limits of one node (akkasfu.limits): the protoo WebSockets open, in all and per remote IP
/// address — a socket takes a slot before its upgrade is accepted (<see cref="TryEnter"/>) and gives it back when
/// it ends — and what waits in their send queues, in all. Thread-safe.</summary>
/// <param name="maxConnections">max-connections, or the fd-derived bound when that is lower.</param>
public sealed class SocketLimits(LimitsSettings settings, int maxConnections, LimitHits hits)
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = new();
    private readonly int _maxPerAddress = settings.MaxConnectionsPerAddress;
    private int _open;
    private long _queuedMessages, _queuedBytes;

    public LimitsSettings Settings => settings;
    public LimitHits Hits => hits;
    public int MaxConnections => maxConnections;

    /// <summary>Messages and bytes waiting in every socket's send queue now.</summary>
    public (long Messages, long Bytes) Queued => (Interlocked.Read(ref _queuedMessages), Interlocked.Read(ref _queuedBytes));

    /// <summary>A socket's queue grew (positive) or shrank (negative).</summary>
    public void AddQueued(long messages, long bytes)
    {
        Interlocked.Add(ref _queuedMessages, messages);
        Interlocked.Add(ref _queuedBytes, bytes);
    }

    /// <summary>A new socket's request rate (requests-per-second, request-burst, flood-close-after).</summary>
    public RequestRate NewRequestRate() => new(settings.RequestsPerSecond, settings.RequestBurst, settings.FloodCloseAfter);

    /// <summary>Open sockets now.</summary>
    public int Open
    {
        get { lock (_gate) return _open; }
    }

    /// <summary>A slot for a socket from <paramref name="address"/> (null: unknown, counted only in all), or the
    /// limit it would pass (counted).</summary>
    public Limit? TryEnter(IPAddress? address, out Slot slot)
    {
        address = Normalize(address);
        slot = default;
        Limit? refused = null;
        lock (_gate)
        {
            if (_open >= maxConnections) refused = Limit.Connections;
            else if (address is not null && _perAddress.GetValueOrDefault(address) >= _maxPerAddress) refused = Limit.ConnectionsPerAddress;
            else
            {
                _open++;
                if (address is not null) _perAddress[address] = _perAddress.GetValueOrDefault(address) + 1;
                slot = new Slot(this, address);
            }
        }
        if (refused is { } r) hits.Count(r);
        return refused;
    }

    private void Leave(IPAddress? address)
    {
        lock (_gate)
        {
            _open--;
            if (address is null) return;
            if (_perAddress[address] is var n && n <= 1) _perAddress.Remove(address);
            else _perAddress[address] = n - 1;
        }
    }

    private static IPAddress? Normalize(IPAddress? a) => a is { IsIPv4MappedToIPv6: true } ? a.MapToIPv4() : a;

    /// <summary>What the client is told: the status and the X-WebSocket-Reject-Reason.</summary>
    public (int Status, string Reason) Refusal(Limit limit) => limit == Limit.Connections
        ? (StatusCodes.Status503ServiceUnavailable, $"server full: this node serves its maximum of {maxConnections} WebSocket connections")
        : (StatusCodes.Status429TooManyRequests, $"too many connections: at most {_maxPerAddress} WebSocket connections per address");

    /// <summary>A taken slot; disposing gives it back (once).</summary>
    public struct Slot(SocketLimits? owner, IPAddress? address) : IDisposable
    {
        private SocketLimits? _owner = owner;

        public void Dispose()
        {
            _owner?.Leave(address);
            _owner = null;
        }
    }
}
