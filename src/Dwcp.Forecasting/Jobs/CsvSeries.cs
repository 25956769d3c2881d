using System.Globalization;
using System.Text;
using Dwcp.Forecasting.Analysis;
using Dwcp.Forecasting.Time;

namespace Dwcp.Forecasting.Jobs;

/// <summary>How duplicate timestamps within a series are treated.</summary>
public enum AggregateMode
{
    /// <summary>Duplicates are an error.</summary>
    None,

    /// <summary>Duplicates are added.</summary>
    Sum,

    /// <summary>Duplicates are averaged.</summary>
    Mean,
}

/// <summary>One series of the input after sorting, aggregation and grid completion.</summary>
internal sealed record PreparedSeries(string Id, DateTimeOffset[] Times, double[] Values, SeriesFrequency Frequency, TimestampFormat Format, int Filled);

/// <summary>Reads the long-format CSV <c>series_id,timestamp,value</c> and prepares each series for forecasting.</summary>
internal static class CsvSeries
{
    private sealed record Point(DateTimeOffset Time, double Value, int Line, string Raw);

    public static async Task<List<(string Id, List<(DateTimeOffset Time, double Value, int Line, string Raw, TimestampFormat Format)>)>> ReadAsync(
        TextReader reader, string path, CancellationToken ct)
    {
        var header = await reader.ReadLineAsync(ct);
        if (header is null)
        {
            throw new ForecastInputException(path, 1, null, null, "the file is empty; expected the header 'series_id,timestamp,value'.");
        }

        var cols = SplitLine(header.TrimStart('\uFEFF')).Select(c => c.Trim().ToLowerInvariant()).ToArray();
        int iId = Array.IndexOf(cols, "series_id"), iTs = Array.IndexOf(cols, "timestamp"), iVal = Array.IndexOf(cols, "value");
        if (iId < 0 || iTs < 0 || iVal < 0)
        {
            throw new ForecastInputException(path, 1, null, null, $"header '{header}' lacks {string.Join(", ", new[] { ("series_id", iId), ("timestamp", iTs), ("value", iVal) }.Where(c => c.Item2 < 0).Select(c => c.Item1))}; expected 'series_id,timestamp,value'.");
        }

        var order = new List<(string, List<(DateTimeOffset, double, int, string, TimestampFormat)>)>();
        var byId = new Dictionary<string, List<(DateTimeOffset, double, int, string, TimestampFormat)>>(StringComparer.Ordinal);
        int lineNo = 1;
        string? line;
        while ((line = await reader.ReadLineAsync(ct)) is not null)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            var f = SplitLine(line);
            if (f.Count <= Math.Max(iId, Math.Max(iTs, iVal)))
            {
                throw new ForecastInputException(path, lineNo, null, null, $"expected {cols.Length} fields, found {f.Count}.");
            }

            string id = f[iId].Trim();
            if (id.Length == 0)
            {
                throw new ForecastInputException(path, lineNo, null, "series_id", "the series id is empty.");
            }

            if (!TimestampFormat.TryParse(f[iTs], out var t, out var fmt))
            {
                throw new ForecastInputException(path, lineNo, id, "timestamp", $"'{f[iTs]}' is not an ISO-8601 date or date-time (e.g. 2025-01-31 or 2025-01-31T13:00:00Z).");
            }

            if (!double.TryParse(f[iVal], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            {
                throw new ForecastInputException(path, lineNo, id, "value", $"'{f[iVal]}' is not a number (use a dot as decimal separator, no thousands separators).");
            }

            if (!byId.TryGetValue(id, out var list))
            {
                list = [];
                byId[id] = list;
                order.Add((id, list));
            }

            list.Add((t, v, lineNo, f[iTs], fmt));
        }

        if (order.Count == 0)
        {
            throw new ForecastInputException(path, null, null, null, "the file has a header but no data rows.");
        }

        return order;
    }

    public static PreparedSeries Prepare(
        string path, string id, List<(DateTimeOffset Time, double Value, int Line, string Raw, TimestampFormat Format)> raw, AggregateMode aggregate, List<string> warnings)
    {
        var pts = raw;
        bool sorted = true;
        for (int i = 1; i < pts.Count; i++)
        {
            if (pts[i].Time < pts[i - 1].Time)
            {
                sorted = false;
                warnings.Add($"{path}: series '{id}' is not sorted by timestamp (line {pts[i].Line} is earlier than line {pts[i - 1].Line}); sorted it.");
                break;
            }
        }

        if (!sorted)
        {
            pts = [.. pts.OrderBy(p => p.Time.UtcTicks).ThenBy(p => p.Line)];
        }

        var merged = new List<(DateTimeOffset Time, double Value, int Line, TimestampFormat Format, int Count)>();
        foreach (var p in pts)
        {
            if (merged.Count > 0 && merged[^1].Time.UtcTicks == p.Time.UtcTicks)
            {
                var last = merged[^1];
                if (aggregate == AggregateMode.None)
                {
                    throw new ForecastInputException(path, p.Line, id, "timestamp", $"duplicate timestamp {p.Raw} (also on line {last.Line}); remove duplicates or pass aggregate sum|mean.");
                }

                merged[^1] = (last.Time, last.Value + p.Value, last.Line, last.Format, last.Count + 1);
            }
            else
            {
                merged.Add((p.Time, p.Value, p.Line, p.Format, 1));
            }
        }

        if (aggregate == AggregateMode.Mean)
        {
            for (int i = 0; i < merged.Count; i++)
            {
                merged[i] = merged[i] with { Value = merged[i].Value / merged[i].Count, Count = 1 };
            }
        }

        if (merged.Count < 2)
        {
            throw new ForecastInputException(path, merged[0].Line, id, null, $"the series has {merged.Count} distinct timestamp; at least 2 are needed to forecast. Add history or remove the series.");
        }

        var freq = SeriesFrequency.Infer([.. merged.Select(m => m.Time)]);
        var anchor = merged[0].Time;
        var idx = new long[merged.Count];
        for (int i = 0; i < merged.Count; i++)
        {
            idx[i] = freq.IndexOf(anchor, merged[i].Time)
                ?? throw new ForecastInputException(path, merged[i].Line, id, "timestamp",
                    $"timestamp {merged[i].Time:O} is off the series' {freq.Name} grid starting at {anchor:O}; every timestamp must be a whole number of steps from the first.");
        }

        long count = idx[^1] + 1;
        if (count > 10_000_000)
        {
            throw new ForecastInputException(path, merged[^1].Line, id, "timestamp", $"the {freq.Name} grid would need {count} points; check the timestamps.");
        }

        var values = new double[count];
        Array.Fill(values, double.NaN);
        for (int i = 0; i < merged.Count; i++)
        {
            values[idx[i]] = merged[i].Value;
        }

        int filled = SeriesAnalysis.FillMissing(values);
        if (filled > 0)
        {
            warnings.Add($"{path}: series '{id}' misses {filled} of {count} {freq.Name} grid points; filled them by linear interpolation.");
        }

        var times = new DateTimeOffset[count];
        var lastOffset = merged[^1].Time.Offset;
        for (long k = 0; k < count; k++)
        {
            times[k] = freq.AdvanceAt(anchor, k, lastOffset);
        }

        return new PreparedSeries(id, times, values, freq, merged[^1].Format, filled);
    }

    /// <summary>Splits one CSV line (RFC 4180 quoting, no embedded line breaks) into its unquoted field texts.</summary>
    public static List<string> SplitLine(string line) => [.. CsvFields.Split(line).Select(f => f.Text)];

    public static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
