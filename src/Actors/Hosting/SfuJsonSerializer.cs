using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Actors.Hosting;

/// <summary>Akka serializer for <see cref="ICrossNodeMessage"/>s: System.Text.Json with the ORTC records'
/// mediasoup casing (<see cref="OrtcJson.Options"/>), actor refs as their serialized paths (resolved on the
/// receiving node). The manifest is the type's name and assembly; only types that implement
/// <see cref="ICrossNodeMessage"/> are ever created from one, so a peer node cannot make us build anything else.</summary>
public sealed class SfuJsonSerializer : SerializerWithStringManifest
{
    private readonly JsonSerializerOptions _options;
    private readonly ConcurrentDictionary<string, Type> _types = new();

    public SfuJsonSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = new JsonSerializerOptions(OrtcJson.Options);
        _options.Converters.Add(new ActorRefConverter(system));
    }

    public override int Identifier => 4111;

    public override string Manifest(object o) => o.GetType() is var t && typeof(ICrossNodeMessage).IsAssignableFrom(t)
        ? $"{t.FullName}, {t.Assembly.GetName().Name}"
        : throw new ArgumentException($"{t} is not an ICrossNodeMessage; it cannot cross nodes", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = _types.GetOrAdd(manifest, static m =>
        {
            var t = Type.GetType(m, throwOnError: false);
            return t is not null && typeof(ICrossNodeMessage).IsAssignableFrom(t) && !t.IsAbstract
                ? t
                : throw new System.Runtime.Serialization.SerializationException($"unknown cluster message type \"{m}\"");
        });
        return JsonSerializer.Deserialize(bytes, type, _options) ?? throw new System.Runtime.Serialization.SerializationException($"null {manifest}");
    }

    /// <summary>An actor ref as <c>akka.tcp://system@host:port/path#uid</c> (<see cref="Serialization.SerializedActorPath"/>:
    /// the sending node's address while remoting serializes), back through the provider on the receiving node.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(IActorRef).IsAssignableFrom(typeToConvert);

        public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : system.Provider.ResolveActorRef(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options)
        {
            if (value.IsNobody()) writer.WriteNullValue();
            else writer.WriteStringValue(Serialization.SerializedActorPath(value));
        }
    }
}
