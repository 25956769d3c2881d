using System.Globalization;

namespace Dwcp.Anomalies.Csv;

/// <summary>One data row of a <c>timestamp,value</c> file, with its original text.</summary>
/// <param name="Line">1-based line number in the file.</param>
/// <param name="TimestampText">The timestamp field exactly as written.</param>
/// <param name="ValueText">The value field exactly as written.</param>
/// <param name="Timestamp">The parsed timestamp.</param>
/// <param name="Value">The parsed value.</param>
public readonly record struct SeriesRow(int Line, string TimestampText, string ValueText, DateTime Timestamp, double Value);

/// <summary>Reads <c>timestamp,value</c> CSV files with line-numbered errors.</summary>
public static class SeriesCsv
{
    /// <summary>The required header.</summary>
    public const string Header = "timestamp,value";

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd",
    ];

    /// <summary>Reads a file; throws <see cref="AnomalyInputException"/> on an empty file, a missing header, a bad row.</summary>
    public static IReadOnlyList<SeriesRow> Read(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var rows = new List<SeriesRow>();
        var header = reader.ReadLine();
        if (header is null || (header.Trim().Length == 0 && reader.Peek() < 0))
        {
            throw new AnomalyInputException(path, null, null, $"the file is empty; expected the header '{Header}' and at least one row.");
        }

        if (!string.Equals(string.Join(',', header.Split(',').Select(h => h.Trim().Trim('"'))), Header, StringComparison.OrdinalIgnoreCase))
        {
            throw new AnomalyInputException(path, 1, null, $"missing header: the first line is '{Truncate(header)}' but must be '{Header}'.");
        }

        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 2)
            {
                throw new AnomalyInputException(path, lineNo, null, $"expected 2 fields (timestamp,value) but found {parts.Length}: '{Truncate(line)}'.");
            }

            var tsText = parts[0];
            var valueText = parts[1];
            if (!TryParseTimestamp(tsText.Trim().Trim('"'), out var ts))
            {
                throw new AnomalyInputException(path, lineNo, "timestamp", $"'{Truncate(tsText)}' is not a timestamp; use 'YYYY-MM-DD HH:MM:SS' or ISO 8601.");
            }

            if (!double.TryParse(valueText.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new AnomalyInputException(path, lineNo, "value", $"'{Truncate(valueText)}' is not a finite number; use digits with '.' as decimal separator.");
            }

            rows.Add(new SeriesRow(lineNo, tsText, valueText, ts, value));
        }

        if (rows.Count == 0)
        {
            throw new AnomalyInputException(path, null, null, "the file has a header but no data rows.");
        }

        return rows;
    }

    /// <summary>Parses the timestamp forms the reader accepts (invariant culture; offsets converted to UTC).</summary>
    public static bool TryParseTimestamp(string text, out DateTime timestamp) =>
        DateTime.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out timestamp);

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
