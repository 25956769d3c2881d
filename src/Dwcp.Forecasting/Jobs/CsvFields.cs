using System.Text;

namespace Dwcp.Forecasting.Jobs;

/// <summary>One field of a CSV line: its unquoted text, where it stands in the line, and whether it held a quote.</summary>
/// <param name="Text">The field's value: quotes removed, doubled quotes made single.</param>
/// <param name="Start">Index of the field's first character in the line.</param>
/// <param name="Length">Length of the field as written (quotes included).</param>
/// <param name="Quoted">True when the field held a quoted part.</param>
public readonly record struct CsvField(string Text, int Start, int Length, bool Quoted)
{
    /// <summary>The field exactly as written in <paramref name="line"/> (quotes kept, so it can be written back unchanged).</summary>
    /// <param name="line">The line the field was split from.</param>
    /// <returns>The raw field text.</returns>
    public string RawIn(string line) => line.Substring(Start, Length);
}

/// <summary>The one RFC 4180 line splitter of the CSV readers of <c>dwcp forecast</c> and <c>dwcp detect</c>.</summary>
public static class CsvFields
{
    /// <summary>Splits one CSV line (RFC 4180 quoting, no embedded line breaks): a quoted part may hold commas and
    /// doubled quotes; text around a quoted part stays in the field.</summary>
    /// <param name="line">The line.</param>
    /// <returns>Its fields, at least one.</returns>
    public static List<CsvField> Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<CsvField>();
        var sb = new StringBuilder();
        bool inQuotes = false, quoted = false;
        int start = 0;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                inQuotes = quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(new CsvField(sb.ToString(), start, i - start, quoted));
                sb.Clear();
                quoted = false;
                start = i + 1;
            }
            else
            {
                sb.Append(c);
            }
        }

        fields.Add(new CsvField(sb.ToString(), start, line.Length - start, quoted));
        return fields;
    }
}
