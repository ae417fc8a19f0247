using System.Runtime.CompilerServices;

namespace AkkaSfu.Signalling.Metrics;

/// <summary>A count per value of a byte enum whose values run from 0: the node-wide counters /metrics exports with
/// one label per value (<see cref="Limits.LimitHits"/>, <see cref="WebSockets.IgnoredMessages"/>). Thread-safe,
/// lock-free.</summary>
public abstract class EnumCounts<T> where T : unmanaged, Enum
{
    public static readonly IReadOnlyList<T> All = Enum.GetValues<T>();

    private readonly long[] _counts = new long[All.Count];

    static EnumCounts()
    {
        if (Unsafe.SizeOf<T>() != 1 || All.Where((v, i) => Index(v) != i).Any())
            throw new InvalidOperationException($"{typeof(T).Name}: a byte enum with values 0..n-1 is needed");
    }

    public void Count(T value) => Interlocked.Increment(ref _counts[Index(value)]);

    public long this[T value] => Interlocked.Read(ref _counts[Index(value)]);

    private static int Index(T value) => Unsafe.As<T, byte>(ref value);
}
