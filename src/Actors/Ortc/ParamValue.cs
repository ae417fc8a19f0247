// Codec / header-extension parameter value: a JSON string or a JSON number, kept apart because
// mediasoup-client compares them with === (signalling.md §5: "profile-level-id" is a string,
// "packetization-mode", "profile-id" and "apt" are numbers).
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaSfu.Actors.Ortc;

/// <summary>A codec parameter value: either a string or a number, exactly as it came in JSON.</summary>
[JsonConverter(typeof(ParamValueJsonConverter))]
public readonly struct ParamValue : IEquatable<ParamValue>
{
    private readonly string? _text;
    private readonly double _number;

    private ParamValue(string? text, double number)
    {
        _text = text;
        _number = number;
    }

    /// <summary>A string value.</summary>
    public static ParamValue Of(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), 0);

    /// <summary>A number value.</summary>
    public static ParamValue Of(double number) => new(null, number);

    /// <summary>String value.</summary>
    public static implicit operator ParamValue(string text) => Of(text);

    /// <summary>Number value.</summary>
    public static implicit operator ParamValue(int number) => Of(number);

    /// <summary>Number value.</summary>
    public static implicit operator ParamValue(double number) => Of(number);

    /// <summary>True for a JSON string.</summary>
    public bool IsString => _text is not null;

    /// <summary>True for a JSON number (also the default value, 0).</summary>
    public bool IsNumber => _text is null;

    /// <summary>The string, or null for a number.</summary>
    public string? AsString => _text;

    /// <summary>The number, or NaN for a string.</summary>
    public double AsNumber => _text is null ? _number : double.NaN;

    /// <summary>The value as a number: numbers as they are, numeric-looking strings parsed; else false.</summary>
    public bool TryGetNumber(out double number)
    {
        if (_text is null)
        {
            number = _number;
            return true;
        }
        return double.TryParse(_text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>
    /// Equality used by the ORTC matching rules (signalling.md §6.5): numeric-looking values compare
    /// numerically (1 equals "1"), other strings ordinally.
    /// </summary>
    public bool LooselyEquals(ParamValue other)
    {
        if (TryGetNumber(out var a) && other.TryGetNumber(out var b))
            return a == b;
        return string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Strict equality (JavaScript ===): same JSON type and value.</summary>
    public bool Equals(ParamValue other) =>
        _text is null ? other._text is null && _number.Equals(other._number) : string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ParamValue v && Equals(v);

    /// <inheritdoc />
    public override int GetHashCode() => _text is null ? _number.GetHashCode() : StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>Strict equality.</summary>
    public static bool operator ==(ParamValue a, ParamValue b) => a.Equals(b);

    /// <summary>Strict inequality.</summary>
    public static bool operator !=(ParamValue a, ParamValue b) => !a.Equals(b);

    /// <summary>The string, or the number in invariant culture (as JavaScript prints it).</summary>
    public override string ToString() => _text ?? _number.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Reads and writes <see cref="ParamValue"/>; integral numbers are written without a fraction.</summary>
public sealed class ParamValueJsonConverter : JsonConverter<ParamValue>
{
    /// <inheritdoc />
    public override ParamValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => ParamValue.Of(reader.GetString()!),
            // 1e999 reads as Infinity, which no JSON writer takes back: refuse it here, not when echoed.
            JsonTokenType.Number => reader.TryGetDouble(out var n) && double.IsFinite(n)
                ? ParamValue.Of(n)
                : throw new JsonException("invalid parameter value: number out of range"),
            _ => throw new JsonException("invalid parameter value: must be a string or a number"),
        };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ParamValue value, JsonSerializerOptions options)
    {
        if (value.IsString)
        {
            writer.WriteStringValue(value.AsString);
            return;
        }
        var n = value.AsNumber;
        if (Math.Floor(n) == n && Math.Abs(n) < 9.007199254740992e15)
            writer.WriteNumberValue((long)n);
        else
            writer.WriteNumberValue(n);
    }
}
