using System.Runtime.Serialization;
using Akka.Actor;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Actors.Messages;

/// <summary>To the workers supervisor (or one worker): create a router on the least loaded worker (of those not in
/// <paramref name="AvoidWorkers"/>: a room spreading over workers), or on <paramref name="WorkerIndex"/>. Reply:
/// <see cref="RouterCreated"/>, or Status.Failure when every worker is avoided.</summary>
public sealed record CreateRouter(string RouterId, IReadOnlyList<RouterRtpCodecCapability>? MediaCodecs = null,
    IActorRef? Listener = null, int? WorkerIndex = null, IReadOnlyList<int>? AvoidWorkers = null) : ICrossNodeMessage;

public sealed record RouterCreated(string RouterId, IActorRef Router, int WorkerIndex, RtpCapabilities RtpCapabilities) : ICrossNodeMessage;

/// <summary>To the workers supervisor. Reply: <see cref="WorkersStatus"/>.</summary>
public sealed record GetWorkers : ICrossNodeMessage
{
    public static readonly GetWorkers Instance = new();
}

public sealed record WorkerStatus(int Index, IActorRef Worker, int Routers, int Transports, int Consumers) : ICrossNodeMessage;

public sealed record WorkersStatus(IReadOnlyList<WorkerStatus> Workers) : ICrossNodeMessage;

/// <summary>To a worker. Reply: <see cref="WorkerStatus"/>.</summary>
public sealed record GetWorkerStatus : ICrossNodeMessage
{
    public static readonly GetWorkerStatus Instance = new();
}

/// <summary>To a worker. Reply: <see cref="WorkerMetrics"/>.</summary>
public sealed record GetWorkerMetrics : ICrossNodeMessage
{
    public static readonly GetWorkerMetrics Instance = new();
}

/// <summary>A worker's counters since it started (cumulative) and its current object counts.
/// <paramref name="IngressDropped"/>: datagram batches its mailbox dropped; <paramref name="RxOverflowed"/>:
/// datagrams its receive thread dropped because every batch was still queued to the worker.
/// <paramref name="ForwardingDelayBuckets"/>: per-bucket counts (not cumulative) of
/// <c>AkkaSfu.Media.Engine.ForwardingDelay</c>, whose bounds are its <c>UpperBoundsUs</c>.</summary>
public sealed record WorkerMetrics(int Index, int Routers, int Transports, int Producers, int Consumers,
    long RtpReceived, long RtpSent, long RtcpReceived, long RtcpSent, long Retransmitted,
    IReadOnlyDictionary<string, long> Drops, long IngressDropped, long RxOverflowed,
    IReadOnlyList<long> ForwardingDelayBuckets, long ForwardingDelaySumUs) : ICrossNodeMessage
{
    /// <summary>Transports refused because the port range had no free port.</summary>
    public long NoFreePort { get; init; }
    /// <summary>DTLS handshakes running, waiting for a slot, refused (queue full), and the pool's threads.</summary>
    public int DtlsHandshakesRunning { get; init; }
    public int DtlsHandshakesQueued { get; init; }
    public long DtlsHandshakesRefused { get; init; }
    public int DtlsHandshakeThreads { get; init; }
    /// <summary>The worker's shared WebRTC port (0: transports bind their own) and the source tuples it maps.</summary>
    public int WebRtcServerPort { get; init; }
    public int WebRtcServerTuples { get; init; }
}

/// <summary>Published on the event stream when a worker stopped after a fault (mediasoup's "died").</summary>
public sealed record WorkerDied(int Index, string Reason) : ICrossNodeMessage;

/// <summary>Makes the receiving actor throw: for fault-injection tests of supervision.</summary>
public sealed record InjectFault(string Reason) : ICrossNodeMessage;

/// <summary>Reply to commands that return nothing (mediasoup resolves with undefined).</summary>
public sealed record Done : ICrossNodeMessage
{
    public static readonly Done Instance = new();
}

/// <summary>A command failed; the message says why in mediasoup's words. Sent as Status.Failure's cause, which
/// Akka.Remote (its MiscMessageSerializer) writes as the type's name, message and stack and rebuilds on the
/// asking node through the (SerializationInfo, StreamingContext) constructor: without it the cause arrives null.</summary>
public sealed class SfuException : Exception
{
    public SfuException(string message) : base(message) { }

#pragma warning disable SYSLIB0051 // obsolete for BinaryFormatter, but it is how Akka.Remote's ExceptionSupport builds exceptions
    private SfuException(SerializationInfo info, StreamingContext context) : base(info, context) { }
#pragma warning restore SYSLIB0051
}
