using System.Globalization;
using System.Text;
using Dwcp.Demo.Generation;

namespace Dwcp.Demo.Estate;

/// <summary>
/// Fills resource id and name templates. Tokens: <c>{acct}</c> sub account id, <c>{region}</c>, <c>{zone}</c>,
/// <c>{ociregion}</c>, <c>{env}</c>, <c>{project}</c>, <c>{role}</c>, <c>{name}</c>, <c>{guid}</c>, <c>{hexN}</c>
/// (lower-case hex), <c>{HEXN}</c> (upper-case letters and digits), <c>{b32_N}</c> (lower-case base32) and
/// <c>{numN}</c> (digits).
/// </summary>
internal static class Templates
{
    private const string UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Digits = "0123456789";

    /// <summary>Replaces every token; unknown tokens throw so catalogue typos fail loudly.</summary>
    public static string Fill(string pattern, IReadOnlyDictionary<string, string> values, DemoRandom random)
    {
        var sb = new StringBuilder(pattern.Length + 32);
        var i = 0;
        while (i < pattern.Length)
        {
            var open = pattern.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(pattern, i, pattern.Length - i);
                break;
            }

            var close = pattern.IndexOf('}', open);
            sb.Append(pattern, i, open - i);
            sb.Append(Token(pattern[(open + 1)..close], values, random));
            i = close + 1;
        }

        return sb.ToString();
    }

    private static string Token(string token, IReadOnlyDictionary<string, string> values, DemoRandom random)
    {
        if (values.TryGetValue(token, out var value))
        {
            return value;
        }

        if (token == "guid")
        {
            return random.Guid();
        }

        if (token.StartsWith("hex", StringComparison.Ordinal))
        {
            return random.Hex(Length(token, 3));
        }

        if (token.StartsWith("HEX", StringComparison.Ordinal))
        {
            return random.Chars(Length(token, 3), UpperAlnum);
        }

        if (token.StartsWith("b32_", StringComparison.Ordinal))
        {
            return random.Chars(Length(token, 4), Base32);
        }

        if (token.StartsWith("num", StringComparison.Ordinal))
        {
            return random.Chars(1, "123456789") + random.Chars(Length(token, 3) - 1, Digits);
        }

        throw new InvalidOperationException($"Unknown template token '{{{token}}}'.");
    }

    private static int Length(string token, int prefix) => int.Parse(token.AsSpan(prefix), NumberStyles.None, CultureInfo.InvariantCulture);
}
