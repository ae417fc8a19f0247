namespace AkkaSfu.Actors.Messages;

/// <summary>A message that may cross nodes: a sealed, immutable record of ids and plain data (actor refs are
/// fine, closures and engine objects are not). Bound to <see cref="Hosting.SfuJsonSerializer"/> in
/// hocon/akkasfu.conf; every implementation gets a round-trip sample in tests/Signalling.Tests/Cluster/CrossNodeMessageTests.cs.</summary>
public interface ICrossNodeMessage;
