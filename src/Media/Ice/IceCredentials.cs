// ICE credentials: RFC 8445 §5.3 / RFC 8839 §5.4 (ice-ufrag at least 4, ice-pwd at least 22 ice-chars;
// ice-char = ALPHA / DIGIT / "+" / "/").
using System.Security.Cryptography;

namespace AkkaSfu.Media.Ice;

/// <summary>Random ICE usernames and passwords from a CSPRNG.</summary>
public static class IceCredentials
{
    /// <summary>The 64 ice-chars.</summary>
    public const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>A 16-character ufrag (mediasoup's length).</summary>
    public static string NewUfrag() => RandomNumberGenerator.GetString(IceChars, 16);

    /// <summary>A 32-character password (mediasoup's length; 192 bits).</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(IceChars, 32);

    /// <summary>True if every character is an ice-char.</summary>
    public static bool IsIceChars(ReadOnlySpan<char> s) => !s.IsEmpty && s.IndexOfAnyExcept(IceChars) < 0;
}
