using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dwcp.Ingest.Native;

/// <summary>Parsers and helpers shared by the native mappers: dates in the providers' formats and tag JSON.</summary>
internal static class NativeValues
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Parses a provider date or date-time as UTC: ISO 8601 (<c>2023-11-01T00:00:00.000Z</c>, <c>2023-11-13T05:00Z</c>,
    /// <c>2023-11-01 00:00:00 UTC</c>, <c>2023-09-02</c>) or US month/day/year (<c>9/2/2023</c>, <c>09/04/2023</c>,
    /// optionally followed by <c>HH:mm[:ss]</c>). Values without a zone are UTC, as every supported export states.
    /// </summary>
    public static bool TryParseDate(ReadOnlySpan<char> s, out DateTime value)
    {
        s = s.Trim();
        if (ValueParsers.TryParseTimestamp(s, out value, out _))
        {
            return true;
        }

        return TryParseUsDate(s, out value);
    }

    private static bool TryParseUsDate(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        var p = 0;
        if (!Number(s, ref p, 2, out var month) || !Expect(s, ref p, '/') || !Number(s, ref p, 2, out var day) ||
            !Expect(s, ref p, '/') || !Number(s, ref p, 4, out var year) || year < 1000 || month is < 1 or > 12 ||
            day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0;
        if (p < s.Length)
        {
            if (s[p] != ' ' && s[p] != 'T')
            {
                return false;
            }

            p++;
            if (!Number(s, ref p, 2, out hour) || !Expect(s, ref p, ':') || !Number(s, ref p, 2, out minute) || hour > 23 || minute > 59)
            {
                return false;
            }

            if (p < s.Length && s[p] == ':')
            {
                p++;
                if (!Number(s, ref p, 2, out second) || second > 59)
                {
                    return false;
                }
            }

            if (p != s.Length)
            {
                return false;
            }
        }

        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        return true;
    }

    private static bool Number(ReadOnlySpan<char> s, ref int p, int maxDigits, out int value)
    {
        value = 0;
        var start = p;
        while (p < s.Length && p - start < maxDigits && (uint)(s[p] - '0') <= 9)
        {
            value = (value * 10) + (s[p] - '0');
            p++;
        }

        return p > start;
    }

    private static bool Expect(ReadOnlySpan<char> s, ref int p, char c)
    {
        if (p < s.Length && s[p] == c)
        {
            p++;
            return true;
        }

        return false;
    }

    /// <summary>The first day of the month of <paramref name="d"/>, UTC.</summary>
    public static DateTime MonthStart(DateTime d) => new(d.Year, d.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Writes <paramref name="pairs"/> as a JSON object, keys as delivered, in order; the first value wins for a repeated key.</summary>
    public static string TagsJson(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Relaxed))
        {
            w.WriteStartObject();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (k, v) in pairs)
            {
                if (seen.Add(k))
                {
                    w.WriteString(k, v);
                }
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    /// <summary>Decimal from JSON number or string text, invariant culture (exponents allowed).</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> s, out decimal value) =>
        ValueParsers.TryParseDecimal(s.Trim(), out value) ||
        decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
