// Ordered, immutable JSON object of codec / header-extension parameters (mediasoup's
// RtpCodecParameters.parameters). Insertion order is kept so output matches JavaScript's object
// key order; equality ignores order, like a deep comparison of JSON objects.
using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaSfu.Actors.Ortc;

/// <summary>An ordered, immutable map of parameter name to string-or-number value.</summary>
[JsonConverter(typeof(ParameterMapJsonConverter))]
public sealed class ParameterMap : IReadOnlyList<KeyValuePair<string, ParamValue>>, IEquatable<ParameterMap>
{
    private readonly KeyValuePair<string, ParamValue>[] _items;

    /// <summary>The empty map, <c>{}</c>.</summary>
    public static readonly ParameterMap Empty = new([], null);

    // Position of each key, for maps too large to scan: a client may send tens of thousands of parameters in one
    // message, and a scan per key made reading them quadratic (80,000 keys: 10 s of a room's thread).
    private readonly Dictionary<string, int>? _index;

    private const int ScanLimit = 8;

    private ParameterMap(KeyValuePair<string, ParamValue>[] items, Dictionary<string, int>? index)
    {
        _items = items;
        _index = index;
    }

    /// <summary>Builds a map from pairs in order; a repeated key keeps its first position and its last value.</summary>
    public static ParameterMap From(IEnumerable<KeyValuePair<string, ParamValue>> pairs)
    {
        var list = new List<KeyValuePair<string, ParamValue>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs)
        {
            if (index.TryGetValue(k, out var i)) list[i] = new(k, v);
            else
            {
                index.Add(k, list.Count);
                list.Add(new(k, v));
            }
        }
        return list.Count == 0 ? Empty : new ParameterMap([.. list], list.Count > ScanLimit ? index : null);
    }

    /// <summary>Builds a map from (name, value) tuples in order.</summary>
    public static ParameterMap Of(params (string Key, ParamValue Value)[] pairs) =>
        From(pairs.Select(p => new KeyValuePair<string, ParamValue>(p.Key, p.Value)));

    /// <summary>Number of parameters.</summary>
    public int Count => _items.Length;

    /// <summary>The pair at <paramref name="index"/> in insertion order.</summary>
    public KeyValuePair<string, ParamValue> this[int index] => _items[index];

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public ParamValue? this[string key] => TryGetValue(key, out var v) ? v : (ParamValue?)null;

    /// <summary>Looks a parameter up by exact name.</summary>
    public bool TryGetValue(string key, out ParamValue value)
    {
        if (_index is not null)
        {
            var found = _index.TryGetValue(key, out var i);
            value = found ? _items[i].Value : default;
            return found;
        }
        foreach (var (k, v) in _items)
        {
            if (k == key)
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>True when the parameter is present.</summary>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>A copy with <paramref name="key"/> set (in place if present, else appended).</summary>
    public ParameterMap With(string key, ParamValue value) => From(_items.Append(new(key, value)));

    /// <summary>A copy without <paramref name="key"/>.</summary>
    public ParameterMap Without(string key) => ContainsKey(key) ? From(_items.Where(p => p.Key != key)) : this;

    /// <summary>JavaScript <c>{ ...this, ...overlay }</c>: overlay values win, new keys are appended.</summary>
    public ParameterMap Merge(ParameterMap overlay) => overlay.Count == 0 ? this : From(_items.Concat(overlay._items));

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, ParamValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, ParamValue>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Same keys with strictly equal values, in any order.</summary>
    public bool Equals(ParameterMap? other)
    {
        if (other is null || other.Count != Count) return false;
        foreach (var (k, v) in _items)
        {
            if (!other.TryGetValue(k, out var o) || o != v) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ParameterMap);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = 0;
        foreach (var (k, v) in _items) h ^= HashCode.Combine(k, v);
        return h;
    }

    /// <summary>The map as compact JSON.</summary>
    public override string ToString() => JsonSerializer.Serialize(this);
}

/// <summary>Reads and writes <see cref="ParameterMap"/> as a JSON object; a non-object reads as empty.</summary>
public sealed class ParameterMapJsonConverter : JsonConverter<ParameterMap>
{
    /// <inheritdoc />
    public override ParameterMap Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // mediasoup: "if (!codec.parameters || typeof codec.parameters !== 'object') codec.parameters = {}".
            reader.Skip();
            return ParameterMap.Empty;
        }
        var items = new List<KeyValuePair<string, ParamValue>>();
        var valueConverter = new ParamValueJsonConverter();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
                return ParameterMap.From(items);
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
                throw new JsonException($"invalid codec parameter [key:{key}s, value:null]");
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
                throw new JsonException($"invalid codec parameter [key:{key}s, value:{reader.TokenType}]");
            items.Add(new(key, valueConverter.Read(ref reader, typeof(ParamValue), options)));
        }
        throw new JsonException("unterminated parameters object");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ParameterMap value, JsonSerializerOptions options)
    {
        var valueConverter = new ParamValueJsonConverter();
        writer.WriteStartObject();
        foreach (var (k, v) in value)
        {
            writer.WritePropertyName(k);
            valueConverter.Write(writer, v, options);
        }
        writer.WriteEndObject();
    }
}
