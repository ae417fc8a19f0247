// A parsed JSON document can still hold strings that no .NET string can take: JsonDocument checks a string's
// bytes and escapes only when it is read, so invalid UTF-8 or a lone surrogate escape ("\ud800") makes a later
// GetString (ours, the serializer's, JsonNode's) throw InvalidOperationException wherever it happens to be read.
// The entries that take client JSON (protoo messages, broadcaster bodies) check every string once, up front.
using System.Text.Json;

namespace AkkaSfu.Signalling.Protocol;

public static class JsonStrings
{
    /// <summary>True when every string value and property name in <paramref name="element"/> reads as a string.</summary>
    public static bool AllReadable(JsonElement element)
    {
        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Walk(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    if (!Walk(item)) return false;
                return true;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    if (!Walk(property.Value)) return false;
                }
                return true;
            default:
                return true;
        }
    }
}
