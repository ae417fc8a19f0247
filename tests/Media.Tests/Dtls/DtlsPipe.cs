using Xunit;
using AkkaSfu.Media.Dtls;
using AkkaSfu.Media.Srtp;

namespace AkkaSfu.Media.Tests.Dtls;

/// <summary>One side of an in-memory datagram pipe: forwards SendDtls into the peer's Feed (synchronously, on the
/// sender's thread) unless <see cref="Drop"/> says otherwise, and records events.</summary>
internal sealed class PipeEnd : IDtlsListener
{
    public DtlsTransport? Peer;
    /// <summary>Given the 1-based index and bytes of the datagram this side sends: true = drop it.</summary>
    public Func<int, byte[], bool>? Drop;
    private int _sent;
    public int Sent => Volatile.Read(ref _sent);
    public readonly List<byte[]> SentDatagrams = [];

    public readonly TaskCompletionSource<(SrtpProfile Profile, SrtpMasterKey Local, SrtpMasterKey Remote, DtlsRole Role)> Connected =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    public readonly TaskCompletionSource<(DtlsFailure Reason, string Detail)> Failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public readonly TaskCompletionSource Closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Events;

    public void SendDtls(ReadOnlySpan<byte> datagram)
    {
        int i = Interlocked.Increment(ref _sent);
        var copy = datagram.ToArray();
        lock (SentDatagrams) SentDatagrams.Add(copy);
        if (Drop?.Invoke(i, copy) == true) return;
        Peer?.Feed(datagram);
    }

    public void OnDtlsConnected(SrtpProfile profile, SrtpMasterKey local, SrtpMasterKey remote, DtlsRole localRole)
    {
        Interlocked.Increment(ref Events);
        Connected.TrySetResult((profile, local, remote, localRole));
    }

    public void OnDtlsFailed(DtlsFailure reason, string detail)
    {
        Interlocked.Increment(ref Events);
        Failed.TrySetResult((reason, detail));
    }

    public void OnDtlsClosed()
    {
        Interlocked.Increment(ref Events);
        Closed.TrySetResult();
    }
}

/// <summary>A client and a server DtlsTransport wired to each other.</summary>
internal sealed class DtlsPair
{
    // Generating a P-256 certificate costs a few ms; share two across the suite.
    public static readonly DtlsCertificate ClientCert = DtlsCertificate.Generate("client");
    public static readonly DtlsCertificate ServerCert = DtlsCertificate.Generate("server");

    public readonly PipeEnd ClientEnd = new(), ServerEnd = new();
    public readonly DtlsTransport Client, Server;

    public DtlsPair(IEnumerable<SrtpProfile>? clientProfiles = null, IEnumerable<SrtpProfile>? serverProfiles = null,
        TimeSpan? timeout = null, TimeProvider? time = null)
    {
        var t = timeout ?? TimeSpan.FromSeconds(10);
        Client = new DtlsTransport(ClientCert, ClientEnd, clientProfiles, t, time);
        Server = new DtlsTransport(ServerCert, ServerEnd, serverProfiles, t, time);
        ClientEnd.Peer = Server;
        ServerEnd.Peer = Client;
    }

    /// <summary>Starts both sides; fingerprints default to the right ones.</summary>
    public void Run(DtlsFingerprint? serverExpectsClient = null, DtlsFingerprint? clientExpectsServer = null)
    {
        Server.Run(DtlsRole.Server, serverExpectsClient ?? ClientCert.Sha256);
        Client.Run(DtlsRole.Client, clientExpectsServer ?? ServerCert.Sha256);
    }

    public static async Task<T> Within<T>(Task<T> task, int ms = 10_000)
    {
        var done = await Task.WhenAny(task, Task.Delay(ms));
        Assert.True(done == task, $"timed out after {ms} ms");
        return await task;
    }

    public static async Task Within(Task task, int ms = 10_000)
    {
        var done = await Task.WhenAny(task, Task.Delay(ms));
        Assert.True(done == task, $"timed out after {ms} ms");
        await task;
    }
}

/// <summary>TimeProvider whose timers fire only when the test says so.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    public readonly List<ManualTimer> Timers = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new ManualTimer(callback, state, dueTime);
        lock (Timers) Timers.Add(t);
        return t;
    }

    internal sealed class ManualTimer(TimerCallback callback, object? state, TimeSpan due) : ITimer
    {
        public TimeSpan Due = due;
        public bool Disposed;
        public void Fire() { if (!Disposed) callback(state); }
        public bool Change(TimeSpan dueTime, TimeSpan period) { Due = dueTime; return true; }
        public void Dispose() => Disposed = true;
        public ValueTask DisposeAsync() { Disposed = true; return ValueTask.CompletedTask; }
    }
}
