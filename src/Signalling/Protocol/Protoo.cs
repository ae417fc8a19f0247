// protoo 4.x envelopes (signalling.md §1): request, response (ok / error), notification. JSON camelCase.
using System.Text.Json;
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Ortc;

namespace AkkaSfu.Signalling.Protocol;

public enum ProtooKind : byte { Request, Response, Notification }

/// <summary>A parsed incoming protoo message. <see cref="Data"/> is always an object ({} when absent).</summary>
public sealed record ProtooMessage(ProtooKind Kind, long Id, string? Method, JsonElement Data, bool Ok, int ErrorCode, string? ErrorReason);

public static class Protoo
{
    /// <summary>Largest text message accepted (protoo-server's limit).</summary>
    public const int MaxMessageBytes = 960_000;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Parses an envelope; null (with a reason) when it is not valid JSON or not a protoo message.</summary>
    public static ProtooMessage? TryParse(ReadOnlySpan<byte> utf8, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { error = "not a JSON object"; return null; }
            if (!JsonStrings.AllReadable(root)) { error = "malformed JSON: invalid string (UTF-8 or \\u escape)"; return null; }
            var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d.Clone() : EmptyObject;
            if (IsTrue(root, "request"))
            {
                if (!TryId(root, out var id)) { error = "request without a numeric id"; return null; }
                if (!root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String) { error = "request without a method"; return null; }
                return new ProtooMessage(ProtooKind.Request, id, m.GetString(), data, false, 0, null);
            }
            if (IsTrue(root, "response"))
            {
                if (!TryId(root, out var id)) { error = "response without a numeric id"; return null; }
                var ok = IsTrue(root, "ok");
                var code = root.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var ci) ? ci : 0;
                var reason = root.TryGetProperty("errorReason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                return new ProtooMessage(ProtooKind.Response, id, null, data, ok, code, reason);
            }
            if (IsTrue(root, "notification"))
            {
                var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                return new ProtooMessage(ProtooKind.Notification, 0, method, data, false, 0, null);
            }
            error = "not a protoo request, response or notification";
            return null;
        }
        catch (JsonException e)
        {
            error = "malformed JSON: " + e.Message;
            return null;
        }
    }

    private static bool IsTrue(JsonElement root, string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static bool TryId(JsonElement root, out long id)
    {
        id = 0;
        return root.TryGetProperty("id", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out id);
    }

    public static string Request(long id, string method, object data) =>
        Write(new JsonObject { ["request"] = true, ["id"] = id, ["method"] = method, ["data"] = ToNode(data) });

    public static string Notification(string method, object data) =>
        Write(new JsonObject { ["notification"] = true, ["method"] = method, ["data"] = ToNode(data) });

    public static string Success(long id, object? data) =>
        Write(new JsonObject { ["response"] = true, ["id"] = id, ["ok"] = true, ["data"] = ToNode(data ?? new JsonObject()) });

    public static string Error(long id, int code, string reason) =>
        Write(new JsonObject { ["response"] = true, ["id"] = id, ["ok"] = false, ["errorCode"] = code, ["errorReason"] = reason });

    /// <summary>Any value as a JSON node, with mediasoup's casing (ORTC records keep their own converters).</summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode n => n,
        JsonElement e => JsonNode.Parse(e.GetRawText()),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), OrtcJson.Options),
    };

    private static string Write(JsonObject o) => o.ToJsonString(OrtcJson.Options);
}
