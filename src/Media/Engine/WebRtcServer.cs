using System.Net;
using AkkaSfu.Media.Net;
using AkkaSfu.Media.Stun;

namespace AkkaSfu.Media.Engine;

/// <summary>mediasoup's WebRtcServer: one UDP port per worker shared by all its WebRTC transports (a firewall
/// opens one port per worker, not one per transport). A datagram finds its transport in two maps, both owned by
/// the worker thread:
/// <list type="bullet">
/// <item>a STUN request by the local ICE username fragment (USERNAME is "ourUfrag:theirUfrag"); the transport's
/// <see cref="Ice.IceServer"/> then checks MESSAGE-INTEGRITY, and only a valid check maps the source tuple;</item>
/// <item>everything else (DTLS, SRTP, SRTCP, and STUN without a USERNAME) by its source tuple, in O(1) with no
/// allocation (<see cref="TupleKey"/>).</item>
/// </list>
/// Unlike mediasoup, a STUN request is matched by ufrag before tuple, so a tuple that passes a check of
/// another transport moves to it (its old transport forgets it). A request with an unknown ufrag is dropped
/// without an answer (<see cref="Drop.UnknownUfrag"/>), a non-STUN datagram from a tuple no valid check mapped
/// is dropped (<see cref="Drop.UnknownTuple"/>): hostile datagrams never reach, or cost, another transport.
/// The tuple map mirrors the transports' ICE tuples, at most <see cref="Ice.IceServer.MaxTuples"/> each.
/// <para>Sends of its transports go out of <see cref="Socket"/> to their selected tuple: one socket per
/// worker, so batching them (sendmmsg per received batch) needs one queue per worker.</para></summary>
public sealed class WebRtcServer
{
    /// <summary>Longest local ufrag looked up (ours are 16); longer USERNAMEs are unknown.</summary>
    private const int MaxUfragLength = 64;

    private readonly WorkerEngine _worker;
    private readonly Dictionary<string, WebRtcTransport> _byUfrag = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WebRtcTransport>.AlternateLookup<ReadOnlySpan<char>> _byUfragSpan;
    private readonly Dictionary<TupleKey, WebRtcTransport> _byTuple = new();

    internal WebRtcServer(WorkerEngine worker, UdpSocket socket, IPAddress announcedAddress)
    {
        _worker = worker;
        Socket = socket;
        Socket.Owner = this;
        AnnouncedAddress = announcedAddress;
        _byUfragSpan = _byUfrag.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public UdpSocket Socket { get; }
    public int Port => Socket.LocalEndPoint.Port;
    /// <summary>The address in the ICE candidates of its transports.</summary>
    public IPAddress AnnouncedAddress { get; }

    /// <summary>Source tuples mapped to a transport (each passed a valid STUN check).</summary>
    public int TupleCount => _byTuple.Count;

    /// <summary>Local ufrags mapped (one per transport, two during an ICE restart).</summary>
    public int UfragCount => _byUfrag.Count;

    /// <summary>The transport a datagram from <paramref name="from"/> is for, or null when it is dropped (counted).</summary>
    internal WebRtcTransport? Route(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (!TupleKey.TryCreate(from, out var key)) { _worker.Counters.Count(Drop.UnknownDatagram); return null; }
        if (Rfc7983.Classify(datagram) == PacketKind.Stun
            && StunMessage.TryParse(datagram, out var msg) == StunParseError.None
            && msg.Class == StunClass.Request && msg.HasUsername)
        {
            if (FindByUsername(msg.Username) is { } byUfrag) return byUfrag;
            _worker.Counters.Count(Drop.UnknownUfrag);
            return null;
        }
        if (_byTuple.TryGetValue(key, out var byTuple)) return byTuple;
        _worker.Counters.Count(Drop.UnknownTuple);
        return null;
    }

    /// <summary>The transport whose local ufrag starts <paramref name="username"/> ("ourUfrag:theirUfrag").</summary>
    private WebRtcTransport? FindByUsername(ReadOnlySpan<byte> username)
    {
        var colon = username.IndexOf((byte)':');
        var local = colon < 0 ? username : username[..colon];
        if (local.IsEmpty || local.Length > MaxUfragLength) return null;
        Span<char> chars = stackalloc char[MaxUfragLength];
        for (var i = 0; i < local.Length; i++) chars[i] = (char)local[i];
        return _byUfragSpan.TryGetValue(chars[..local.Length], out var t) ? t : null;
    }

    /// <summary>The transport a tuple is mapped to (tests, stats).</summary>
    public WebRtcTransport? TransportOf(SocketAddress tuple) =>
        TupleKey.TryCreate(tuple, out var key) && _byTuple.TryGetValue(key, out var t) ? t : null;

    /// <summary>The transport a local ufrag is mapped to (tests, stats).</summary>
    public WebRtcTransport? TransportOfUfrag(string ufrag) => _byUfrag.GetValueOrDefault(ufrag);

    internal bool IsUfragFree(string ufrag) => !_byUfrag.ContainsKey(ufrag);

    internal void AddUfrag(string ufrag, WebRtcTransport transport)
    {
        if (!_byUfrag.TryAdd(ufrag, transport)) throw new InvalidOperationException($"local ICE ufrag {ufrag} already in use");
    }

    internal void RemoveUfrag(string ufrag, WebRtcTransport transport)
    {
        if (_byUfrag.TryGetValue(ufrag, out var t) && t == transport) _byUfrag.Remove(ufrag);
    }

    /// <summary>A valid check from <paramref name="tuple"/> for <paramref name="transport"/>: route the tuple's
    /// datagrams to it. A tuple another transport had moves (that transport's ICE forgets it).</summary>
    internal void MapTuple(SocketAddress tuple, WebRtcTransport transport)
    {
        if (!TupleKey.TryCreate(tuple, out var key)) return;
        if (_byTuple.TryGetValue(key, out var previous) && previous == transport) return;
        _byTuple[key] = transport;
        if (previous is not null && !previous.IsClosed) previous.ForgetTuple(tuple);
    }

    /// <summary>The transport's ICE dropped the tuple (consent expired, evicted, disconnected).</summary>
    internal void UnmapTuple(SocketAddress tuple, WebRtcTransport transport)
    {
        if (TupleKey.TryCreate(tuple, out var key) && _byTuple.TryGetValue(key, out var t) && t == transport) _byTuple.Remove(key);
    }
}
