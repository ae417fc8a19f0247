namespace AkkaSfu.Actors.Messages;

// Each is answered with Done (or Status.Failure).
public sealed record PauseProducer { public static readonly PauseProducer Instance = new(); }
public sealed record ResumeProducer { public static readonly ResumeProducer Instance = new(); }
public sealed record CloseProducer { public static readonly CloseProducer Instance = new(); }

public sealed record PauseConsumer { public static readonly PauseConsumer Instance = new(); }
public sealed record ResumeConsumer { public static readonly ResumeConsumer Instance = new(); }
public sealed record CloseConsumer { public static readonly CloseConsumer Instance = new(); }
public sealed record RequestConsumerKeyFrame { public static readonly RequestConsumerKeyFrame Instance = new(); }
public sealed record SetConsumerPreferredLayers(int SpatialLayer, int? TemporalLayer);
public sealed record SetConsumerPriority(int Priority);

/// <summary>To a producer or consumer. Reply: <see cref="RtpStreamStats"/>.</summary>
public sealed record GetRtpStreamStats { public static readonly GetRtpStreamStats Instance = new(); }

public sealed record RtpStreamStats(string Id, string Type, long PacketCount, long ByteCount);
