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
/// <see cref="ICrossNodeMessage"/> are ever created from one, so a peer node cannot make us build anything else.
/// A field typed as a cross-node interface (a command inside an envelope, a reply) carries its value's manifest
/// the same way: <c>{"type": manifest, "value": {..}}</c>. A singleton (a record with no data and a static
/// <c>Instance</c>: Done, GetWorkers, ..) is <c>{}</c> and comes back as that instance.</summary>
public sealed class SfuJsonSerializer : SerializerWithStringManifest
{
    private readonly JsonSerializerOptions _options;

    public SfuJsonSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = new JsonSerializerOptions(OrtcJson.Options);
        _options.Converters.Add(new ActorRefConverter(system));
        _options.Converters.Add(new NestedMessageConverter());
        _options.Converters.Add(new SingletonConverter());
    }

    public override int Identifier => 4111;

    public override string Manifest(object o) => o.GetType() is var t && typeof(ICrossNodeMessage).IsAssignableFrom(t)
        ? ManifestOf(t)
        : throw new ArgumentException($"{t} is not an ICrossNodeMessage; it cannot cross nodes", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize(bytes, TypeOf(manifest), _options) ?? throw new System.Runtime.Serialization.SerializationException($"null {manifest}");

    private static readonly ConcurrentDictionary<string, Type> Types = new();

    /// <summary>The cross-node message type a manifest names; anything else is refused.</summary>
    private static Type TypeOf(string manifest) => Types.GetOrAdd(manifest, static m =>
    {
        var t = Type.GetType(m, throwOnError: false);
        return t is not null && typeof(ICrossNodeMessage).IsAssignableFrom(t) && !t.IsAbstract
            ? t
            : throw new System.Runtime.Serialization.SerializationException($"unknown cluster message type \"{m}\"");
    });

    private static string ManifestOf(Type t) => $"{t.FullName}, {t.Assembly.GetName().Name}";

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

    /// <summary>Cross-node types with no public instance property and a <c>public static readonly Instance</c> of their
    /// own type: written as <c>{}</c>, read as that instance, so a reply compares the same on either node.</summary>
    private sealed class SingletonConverter : JsonConverterFactory
    {
        private static readonly ConcurrentDictionary<Type, object?> Instances = new();

        private static object? InstanceOf(Type t) => Instances.GetOrAdd(t, static t =>
            typeof(ICrossNodeMessage).IsAssignableFrom(t) && t.IsSealed
            && t.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Length == 0
            && t.GetField("Instance", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static) is { IsInitOnly: true } f
            && f.FieldType == t
                ? f.GetValue(null)
                : null);

        public override bool CanConvert(Type typeToConvert) => InstanceOf(typeToConvert) is not null;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(Singleton<>).MakeGenericType(typeToConvert), InstanceOf(typeToConvert))!;
    }

    private sealed class Singleton<T>(T instance) : JsonConverter<T> where T : class
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.StartObject && reader.Read() && reader.TokenType == JsonTokenType.EndObject
                ? instance
                : throw new JsonException($"a {typeof(T).Name} is {{}}");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
    }

    /// <summary>Fields declared as an interface or abstract type that extends <see cref="ICrossNodeMessage"/>.</summary>
    private sealed class NestedMessageConverter : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeof(ICrossNodeMessage).IsAssignableFrom(typeToConvert) && (typeToConvert.IsInterface || typeToConvert.IsAbstract);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(Nested<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class Nested<T> : JsonConverter<T> where T : class
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return null;
            if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName
                || !reader.ValueTextEquals("type") || !reader.Read() || reader.TokenType != JsonTokenType.String)
                throw new JsonException($"a {typeof(T).Name} needs {{\"type\":..,\"value\":..}}");
            var type = TypeOf(reader.GetString()!);
            if (!typeof(T).IsAssignableFrom(type)) throw new JsonException($"{type} is not a {typeof(T).Name}");
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("value") || !reader.Read())
                throw new JsonException($"a {typeof(T).Name} needs {{\"type\":..,\"value\":..}}");
            var value = (T?)JsonSerializer.Deserialize(ref reader, type, options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject) throw new JsonException($"a {typeof(T).Name} has only type and value");
            return value;
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("type", ManifestOf(value.GetType()));
            writer.WritePropertyName("value");
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
            writer.WriteEndObject();
        }
    }
}
