using System.Buffers;

namespace Dwcp.Ingest.Csv;

/// <summary>RFC 4180 field quoting.</summary>
internal static class CsvText
{
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    /// <summary>
    /// Writes one field, quoted when it contains a comma, quote or line break, or starts or ends with a space, or
    /// when <paramref name="forceQuotes"/> is set (used to tell an empty string from a null).
    /// </summary>
    public static void WriteField(TextWriter writer, ReadOnlySpan<char> value, bool forceQuotes = false)
    {
        var quote = forceQuotes || value.ContainsAny(NeedsQuotes) ||
                    (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '));
        if (!quote)
        {
            writer.Write(value);
            return;
        }

        writer.Write('"');
        while (true)
        {
            var i = value.IndexOf('"');
            if (i < 0)
            {
                writer.Write(value);
                break;
            }

            writer.Write(value[..(i + 1)]);
            writer.Write('"');
            value = value[(i + 1)..];
        }

        writer.Write('"');
    }
}
