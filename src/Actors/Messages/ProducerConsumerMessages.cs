namespace AkkaSfu.Actors.Messages;

// Each is answered with Done (or Status.Failure).
public sealed record PauseProducer : ICrossNodeMessage { public static readonly PauseProducer Instance = new(); }
public sealed record ResumeProducer : ICrossNodeMessage { public static readonly ResumeProducer Instance = new(); }
public sealed record CloseProducer : ICrossNodeMessage { public static readonly CloseProducer Instance = new(); }

public sealed record PauseConsumer : ICrossNodeMessage { public static readonly PauseConsumer Instance = new(); }
public sealed record ResumeConsumer : ICrossNodeMessage { public static readonly ResumeConsumer Instance = new(); }
public sealed record CloseConsumer : ICrossNodeMessage { public static readonly CloseConsumer Instance = new(); }
public sealed record RequestConsumerKeyFrame : ICrossNodeMessage { public static readonly RequestConsumerKeyFrame Instance = new(); }
public sealed record SetConsumerPreferredLayers(int SpatialLayer, int? TemporalLayer) : ICrossNodeMessage;
public sealed record SetConsumerPriority(int Priority) : ICrossNodeMessage;

/// <summary>To a producer or consumer. Reply: <see cref="RtpStreamStats"/>.</summary>
public sealed record GetRtpStreamStats : ICrossNodeMessage { public static readonly GetRtpStreamStats Instance = new(); }

public sealed record RtpStreamStats(string Id, string Type, long PacketCount, long ByteCount) : ICrossNodeMessage;
