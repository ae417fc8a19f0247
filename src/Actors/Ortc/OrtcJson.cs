// JSON settings for the ORTC shapes (signalling.md §5): camelCase, absent optionals omitted.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaSfu.Actors.Ortc;

/// <summary>System.Text.Json options and helpers for the ORTC records.</summary>
public static class OrtcJson
{
    /// <summary>camelCase, nulls omitted, numbers only as numbers.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new FiniteDoubleJsonConverter() },
    };

    /// <summary>Serializes with <see cref="Options"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Serializes to a DOM element with <see cref="Options"/>.</summary>
    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    /// <summary>
    /// Deserializes with <see cref="Options"/>; a JSON type mismatch (e.g. a string SSRC) becomes an
    /// <see cref="OrtcTypeError"/> naming the path, so callers only catch ORTC errors.
    /// </summary>
    public static T Deserialize<T>(string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new OrtcTypeError($"{typeof(T).Name} is not an object");
        }
        catch (JsonException e)
        {
            throw new OrtcTypeError($"invalid {typeof(T).Name} at {e.Path ?? "$"}");
        }
    }

    /// <summary>As <see cref="Deserialize{T}(string)"/>, from a DOM element.</summary>
    public static T Deserialize<T>(JsonElement json) where T : class
    {
        try
        {
            return json.Deserialize<T>(Options) ?? throw new OrtcTypeError($"{typeof(T).Name} is not an object");
        }
        catch (JsonException e)
        {
            throw new OrtcTypeError($"invalid {typeof(T).Name} at {e.Path ?? "$"}");
        }
    }
}

/// <summary>A JSON number as a finite double: 1e999 reads as Infinity, which the writer refuses when the value is
/// echoed (scaleResolutionDownBy in a pipe consumer's encodings), so it is a type error at read time.</summary>
public sealed class FiniteDoubleJsonConverter : JsonConverter<double>
{
    /// <inheritdoc />
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var n) && double.IsFinite(n)
            ? n
            : throw new JsonException("number out of range");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
