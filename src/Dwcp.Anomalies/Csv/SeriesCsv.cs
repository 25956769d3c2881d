using System.Globalization;
using Dwcp.Forecasting.Jobs;

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
        "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mmK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
        "yyyy-MM-ddTHH:mm:sszzzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzzz",
    ];

    /// <summary>
    /// Reads a file; throws <see cref="AnomalyInputException"/> on an empty file, a missing header, a bad row. The header
    /// must name a <c>timestamp</c> and a <c>value</c> column (any order, any case); other columns are ignored. Fields
    /// follow RFC 4180 (a quoted field may hold commas and doubled quotes); a quoted value may use ',' thousands
    /// separators (<c>"1,234.5"</c>).
    /// </summary>
    public static IReadOnlyList<SeriesRow> Read(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var rows = new List<SeriesRow>();
        var header = reader.ReadLine();
        if (header is null || (header.Trim().Length == 0 && reader.Peek() < 0))
        {
            throw new AnomalyInputException(path, null, null, $"the file is empty; expected the header '{Header}' and at least one row.");
        }

        var columns = CsvFields.Split(header).Select(c => c.Text.Trim()).ToList();
        var iTs = columns.FindIndex(c => string.Equals(c, "timestamp", StringComparison.OrdinalIgnoreCase));
        var iValue = columns.FindIndex(c => string.Equals(c, "value", StringComparison.OrdinalIgnoreCase));
        if (iTs < 0 || iValue < 0)
        {
            var missing = iTs < 0 && iValue < 0 ? "'timestamp' and 'value' columns" : iTs < 0 ? "a 'timestamp' column" : "a 'value' column";
            throw new AnomalyInputException(path, 1, null, $"missing header: the first line is '{Truncate(header)}', which has no {missing}; it must be '{Header}' (other columns may follow).");
        }

        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var parts = CsvFields.Split(line);
            if (parts.Count != columns.Count)
            {
                throw new AnomalyInputException(path, lineNo, null, $"expected {columns.Count} fields ({string.Join(',', columns)}) but found {parts.Count}: '{Truncate(line)}'. Quote a field that holds a comma.");
            }

            var (tsField, valueField) = (parts[iTs], parts[iValue]);
            var (tsRaw, valueRaw) = (tsField.RawIn(line), valueField.RawIn(line));
            if (!TryParseTimestamp(tsField.Text.Trim(), out var ts))
            {
                throw new AnomalyInputException(path, lineNo, "timestamp", $"'{Truncate(tsRaw)}' is not a timestamp; use 'YYYY-MM-DD HH:MM:SS' or ISO 8601 (e.g. 2024-03-01T00:00:00Z).");
            }

            var styles = valueField.Quoted ? NumberStyles.Float | NumberStyles.AllowThousands : NumberStyles.Float;
            if (!double.TryParse(valueField.Text.Trim(), styles, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new AnomalyInputException(path, lineNo, "value", $"'{Truncate(valueRaw)}' is not a finite number; use digits with '.' as decimal separator.");
            }

            rows.Add(new SeriesRow(lineNo, tsRaw, valueRaw, ts, value));
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
