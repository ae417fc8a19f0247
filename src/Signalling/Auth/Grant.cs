namespace AkkaSfu.Signalling.Auth;

/// <summary>What a room token lets its holder do (the token's <c>grants</c> claim). <see cref="Admin"/> implies
/// the others and lets a broadcaster API caller act on any broadcaster of the room.</summary>
[Flags]
public enum Grant : byte
{
    None = 0,
    Publish = 1,
    Subscribe = 2,
    Admin = 4,
    All = Publish | Subscribe | Admin,
}

public static class Grants
{
    /// <summary>The claim's words, in the order they are written.</summary>
    public static readonly IReadOnlyList<(Grant Grant, string Name)> Names =
        [(Grant.Publish, "publish"), (Grant.Subscribe, "subscribe"), (Grant.Admin, "admin")];

    /// <summary>The grants named (unknown words are ignored: a newer minter may know more).</summary>
    public static Grant Parse(IEnumerable<string> names)
    {
        var g = Grant.None;
        foreach (var n in names)
            foreach (var (grant, name) in Names)
                if (string.Equals(n?.Trim(), name, StringComparison.Ordinal)) g |= grant;
        return g;
    }

    /// <summary>"publish,subscribe" (a CLI or query argument) → grants; null with the unknown word otherwise.</summary>
    public static Grant? TryParseList(string list, out string? unknown)
    {
        unknown = null;
        var g = Grant.None;
        foreach (var word in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var one = Parse([word]);
            if (one == Grant.None) { unknown = word; return null; }
            g |= one;
        }
        return g;
    }

    public static string[] ToNames(Grant grants) => Names.Where(n => (grants & n.Grant) != 0).Select(n => n.Name).ToArray();
}
