using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AkkaSfu.Media.Net;

/// <summary>Up to <see cref="Capacity"/> received datagrams with their source addresses and sockets, in one
/// pinned buffer that recvmmsg(2) fills directly. A batch travels from a receive thread to its worker as one
/// message and returns to its <see cref="DatagramBatchPool"/> when the worker is done with it.</summary>
public sealed unsafe class DatagramBatch
{
    public const int Capacity = 32;
    /// <summary>Largest datagram kept; longer ones arrive truncated and are dropped (counted as Truncated).</summary>
    public const int SlotSize = 2048;
    private const int AddressSize = 32; // ≥ sizeof(sockaddr_in6) = 28
    // Room for one SCM_TIMESTAMPNS control message: CMSG_SPACE(sizeof(timespec)) = 32 on LP64, with slack.
    private const int ControlSize = 64;
    private const int SolSocket = 1, ScmTimestampNs = 35;

    private readonly byte[] _data = GC.AllocateUninitializedArray<byte>(Capacity * SlotSize, pinned: true);
    private readonly byte[] _addresses = GC.AllocateArray<byte>(Capacity * AddressSize, pinned: true);
    private readonly byte[] _control = GC.AllocateArray<byte>(Capacity * ControlSize, pinned: true);
    private readonly int[] _lengths = new int[Capacity];
    private readonly long[] _arrivalNs = new long[Capacity];
    private readonly UdpSocket?[] _sockets = new UdpSocket?[Capacity];
    // Pinned, so the pointers taken once below stay valid for the batch's life.
    private readonly LibC.MMsgHdr[] _headerArray = GC.AllocateArray<LibC.MMsgHdr>(Capacity, pinned: true);
    private readonly LibC.IoVec[] _iovecArray = GC.AllocateArray<LibC.IoVec>(Capacity, pinned: true);
    private readonly LibC.MMsgHdr* _headers;
    private readonly LibC.IoVec* _iovecs;
    private DatagramBatchPool? _pool;

    public DatagramBatch()
    {
        _headers = (LibC.MMsgHdr*)Marshal.UnsafeAddrOfPinnedArrayElement(_headerArray, 0);
        _iovecs = (LibC.IoVec*)Marshal.UnsafeAddrOfPinnedArrayElement(_iovecArray, 0);
        var data = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_data, 0);
        var addresses = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_addresses, 0);
        var control = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_control, 0);
        {
            for (var i = 0; i < Capacity; i++)
            {
                _iovecs[i].Base = data + i * SlotSize;
                _iovecs[i].Length = SlotSize;
                _headers[i].Header.Iov = _iovecs + i;
                _headers[i].Header.IovLength = 1;
                _headers[i].Header.Name = addresses + i * AddressSize;
                _headers[i].Header.Control = control + i * ControlSize;
            }
        }
    }

    /// <summary>How many datagrams the batch holds.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Datagram <paramref name="i"/>, writable so it can be decrypted in place.</summary>
    public Span<byte> Datagram(int i) => _data.AsSpan(i * SlotSize, _lengths[i]);

    /// <summary>When the kernel queued datagram <paramref name="i"/> on its socket, in nanoseconds since the Unix
    /// epoch (CLOCK_REALTIME), or 0 when the socket does not ask for arrival times
    /// (<see cref="UdpSocket.EnableArrivalTimestamps"/>) or the datagram was added by copy.</summary>
    public long ArrivalUnixNs(int i) => _arrivalNs[i];

    /// <summary>The socket datagram <paramref name="i"/> arrived on.</summary>
    public UdpSocket Socket(int i) => _sockets[i]!;

    /// <summary>Copies the source address of datagram <paramref name="i"/> into <paramref name="target"/>
    /// (a SocketAddress the caller reuses: no allocation). False if the family does not match.</summary>
    public bool TryGetSource(int i, SocketAddress target)
    {
        var raw = _addresses.AsSpan(i * AddressSize, AddressSize);
        var family = MemoryMarshal.Read<ushort>(raw) == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (target.Family != family) return false;
        var size = family == AddressFamily.InterNetwork ? 16 : 28;
        raw[..size].CopyTo(target.Buffer.Span);
        target.Size = size;
        return true;
    }

    /// <summary>Receives as many datagrams as are waiting on <paramref name="socket"/>, up to the free room,
    /// without blocking. Returns how many arrived (0 when none), or -errno.</summary>
    internal int ReceiveFrom(UdpSocket socket)
    {
        var room = Capacity - Count;
        if (room == 0) return 0;
        for (var i = Count; i < Capacity; i++)
        {
            _headers[i].Header.NameLength = AddressSize;
            _headers[i].Header.ControlLength = ControlSize;
        }
        var n = LibC.recvmmsg(socket.Fd, _headers + Count, (uint)room, LibC.MSG_DONTWAIT, null);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == LibC.EAGAIN ? 0 : -errno;
        }
        var kept = 0;
        for (var i = 0; i < n; i++)
        {
            var src = Count + i;
            const int MSG_TRUNC = 0x20;
            if ((_headers[src].Header.Flags & MSG_TRUNC) != 0) { socket.CountTruncated(); continue; }
            var dst = Count + kept;
            if (dst != src)
            {
                _data.AsSpan(src * SlotSize, (int)_headers[src].Length).CopyTo(_data.AsSpan(dst * SlotSize));
                _addresses.AsSpan(src * AddressSize, AddressSize).CopyTo(_addresses.AsSpan(dst * AddressSize));
            }
            _lengths[dst] = (int)_headers[src].Length;
            _arrivalNs[dst] = ReadArrival(in _headers[src].Header);
            _sockets[dst] = socket;
            kept++;
        }
        Count += kept;
        return n;
    }

    /// <summary>The SCM_TIMESTAMPNS control message of one received datagram (struct timespec), or 0.</summary>
    private static long ReadArrival(in LibC.MsgHdr header)
    {
        // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the data, 8-aligned (LP64).
        var p = (byte*)header.Control;
        var end = p + (long)header.ControlLength;
        while (p + 16 <= end)
        {
            var length = *(ulong*)p;
            if (length < 16 || p + (long)length > end) return 0;
            if (*(int*)(p + 8) == SolSocket && *(int*)(p + 12) == ScmTimestampNs && length >= 32)
                return *(long*)(p + 16) * 1_000_000_000 + *(long*)(p + 24);
            p += (long)((length + 7) & ~7UL);
        }
        return 0;
    }

    /// <summary>Adds a datagram by copy (tests and in-process peers).</summary>
    public bool Add(UdpSocket socket, ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (IsFull || datagram.Length > SlotSize) return false;
        datagram.CopyTo(_data.AsSpan(Count * SlotSize));
        var raw = _addresses.AsSpan(Count * AddressSize, AddressSize);
        raw.Clear();
        source.Buffer.Span[..source.Size].CopyTo(raw);
        _lengths[Count] = datagram.Length;
        _arrivalNs[Count] = 0;
        _sockets[Count] = socket;
        Count++;
        return true;
    }

    /// <summary>Hands the batch back to the pool it came from (or just empties it).</summary>
    public void Release()
    {
        Array.Clear(_sockets, 0, Count);
        Count = 0;
        if (_pool is { } pool) pool.Return(this);
    }

    internal void AttachTo(DatagramBatchPool pool) => _pool = pool;

}

/// <summary>A fixed set of batches shared by a receive thread (rents) and a worker (returns): a lock-free free
/// list, which unlike ArrayPool allocates nothing when rent and return happen on different threads. At most
/// <c>maxBatches</c> ever exist and every returned batch is kept, so the pinned heap never churns (batches
/// made and dropped under load used to leave it fragmented: RSS the GC could not give back). When all are in
/// flight the worker is that far behind, and <see cref="TryRent"/> says no: the receiver drops and counts.</summary>
public sealed class DatagramBatchPool(int maxBatches = 128)
{
    private readonly ConcurrentQueue<DatagramBatch> _free = new();
    private int _created;

    /// <summary>Batches created so far (never more than <see cref="MaxBatches"/>).</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>The most batches this pool makes.</summary>
    public int MaxBatches => maxBatches;

    /// <summary>A free batch, or a new one while fewer than <see cref="MaxBatches"/> exist; null when every
    /// batch is in flight.</summary>
    public DatagramBatch? TryRent()
    {
        if (_free.TryDequeue(out var batch)) return batch;
        if (Interlocked.Increment(ref _created) > maxBatches)
        {
            Interlocked.Decrement(ref _created);
            return _free.TryDequeue(out batch) ? batch : null;
        }
        batch = new DatagramBatch();
        batch.AttachTo(this);
        return batch;
    }

    internal void Return(DatagramBatch batch) => _free.Enqueue(batch);
}
