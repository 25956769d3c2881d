using System.Globalization;
using System.Text.Json;
using Dwcp.Core.Focus;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// FOCUS rows to and from <c>cost_rows</c> as TabSeparated text in <see cref="ClickHouseSchema.RowColumns"/> order.
/// Date-times travel as UTC seconds plus microseconds; decimals as invariant text rounded to 15 places.
/// </summary>
internal static class ClickHouseRowCodec
{
    /// <summary>The earliest instant a ClickHouse 18.16 DateTime/Date holds.</summary>
    public static readonly DateTime MinDateTime = DateTime.UnixEpoch;

    /// <summary>The last day a ClickHouse Date holds (2105-12-31 on 18.16; later versions hold more).</summary>
    public static readonly DateTime MaxDateTime = new(2105, 12, 31, 23, 59, 59, DateTimeKind.Utc);

    /// <summary>The largest magnitude a Decimal(38, 15) holds: 23 integer digits.</summary>
    private const decimal MaxDecimal = 99_999_999_999_999_999_999_999m;

    /// <summary>Writes one row as a TabSeparated line. Throws a <see cref="StoreException"/> naming the row for values ClickHouse cannot hold.</summary>
    public static void Write(TextWriter w, FocusRow row, long loadId, long seq)
    {
        w.Write(loadId.ToString(CultureInfo.InvariantCulture));
        w.Write('\t');
        w.Write(seq.ToString(CultureInfo.InvariantCulture));
        w.Write('\t');
        var start = Check(row, "ChargePeriodStart", row.ChargePeriodStart!.Value);
        w.Write(start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        foreach (var c in FocusColumns.All)
        {
            w.Write('\t');
            switch (c.DataType)
            {
                case FocusDataType.Decimal:
                    if (row.Decimals[c.Slot] is { } d)
                    {
                        w.Write(FormatDecimal(Where(row), c.Name, d));
                    }
                    else
                    {
                        w.Write("\\N");
                    }

                    break;
                case FocusDataType.DateTime:
                    if (row.DateTimes[c.Slot] is { } t)
                    {
                        var utc = Check(row, c.Name, t);
                        w.Write(utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                        w.Write('\t');
                        w.Write((utc.Ticks % TimeSpan.TicksPerSecond / 10).ToString(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        w.Write("\\N\t0");
                    }

                    break;
                default:
                    ClickHouseText.WriteField(w, row.Strings[c.Slot]);
                    break;
            }
        }

        w.Write('\t');
        ClickHouseText.WriteArray(w, row.NormalizedTags.Select(t => t.Key));
        w.Write('\t');
        ClickHouseText.WriteArray(w, row.NormalizedTags.Select(t => t.Value));
        w.Write('\t');
        ClickHouseText.WriteField(w, row.Extensions.Count == 0 ? null : JsonSerializer.Serialize(row.Extensions));
        w.Write('\t');
        ClickHouseText.WriteField(w, row.SourceFile);
        w.Write('\t');
        w.Write(row.SourceLine.ToString(CultureInfo.InvariantCulture));
        w.Write('\n');
    }

    /// <summary>The SELECT list that <see cref="Read"/> expects.</summary>
    public static string SelectList { get; } = string.Join(", ", ClickHouseSchema.RowColumns
        .Where(c => c is not ("load_id" or "row_seq" or "charge_date"))
        .Select(c => FocusColumns.TryFind(c, out var col) && col.DataType == FocusDataType.DateTime ? $"toUInt32({c})" : c));

    /// <summary>Number of fields in a row of <see cref="SelectList"/>.</summary>
    public static int SelectCount { get; } = ClickHouseSchema.RowColumns.Count - 3;

    /// <summary>The fields of <see cref="SelectList"/> that are arrays (read raw, see <see cref="ClickHouseHttpClient.StreamAsync"/>).</summary>
    public static IReadOnlySet<int> ArrayFields { get; } = new HashSet<int> { SelectCount - 5, SelectCount - 4 };

    /// <summary>Builds a row from the fields of <see cref="SelectList"/>.</summary>
    public static FocusRow Read(string?[] f)
    {
        var row = new FocusRow();
        var i = 0;
        foreach (var c in FocusColumns.All)
        {
            var value = f[i++];
            switch (c.DataType)
            {
                case FocusDataType.Decimal:
                    row.Decimals[c.Slot] = value is null ? null : decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
                    break;
                case FocusDataType.DateTime:
                    var micros = long.Parse(f[i++]!, CultureInfo.InvariantCulture);
                    row.DateTimes[c.Slot] = value is null
                        ? null
                        : DateTime.UnixEpoch.AddSeconds(long.Parse(value, CultureInfo.InvariantCulture)).AddTicks(micros * 10);
                    break;
                default:
                    row.Strings[c.Slot] = value;
                    break;
            }
        }

        var keys = ClickHouseText.ReadArray(f[i++]);
        var values = ClickHouseText.ReadArray(f[i++]);
        if (keys.Count > 0)
        {
            row.NormalizedTags = keys.Select((k, n) => new KeyValuePair<string, string>(k, values[n])).ToArray();
        }

        if (f[i++] is { } json)
        {
            foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [])
            {
                row.Extensions[k] = v;
            }
        }

        row.SourceFile = f[i++];
        row.SourceLine = long.Parse(f[i]!, CultureInfo.InvariantCulture);
        return row;
    }

    /// <summary>A decimal as ClickHouse reads it: invariant, at most 15 places (rounded half away from zero, as a cast does).</summary>
    public static string FormatDecimal(string where, string column, decimal d)
    {
        if (Math.Abs(d) > MaxDecimal)
        {
            throw new StoreException(
                $"At {where}: {column} = {d.ToString(CultureInfo.InvariantCulture)} does not fit ClickHouse's {ClickHouseSchema.DecimalType} (23 integer digits); correct the value in the source file.");
        }

        return Math.Round(d, 15, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);
    }

    private static DateTime Check(FocusRow row, string column, DateTime t)
    {
        // FOCUS rows hold UTC values; like the DuckDB store, the value is stored as given, whatever its Kind says.
        var utc = t;
        if (utc < MinDateTime || utc > MaxDateTime)
        {
            throw new StoreException(
                $"At {Where(row)}: {column} = {utc:yyyy-MM-dd HH:mm:ss} is outside what ClickHouse DateTime holds (1970-01-01 to 2105-12-31); correct the value in the source file.");
        }

        return utc;
    }

    private static string Where(FocusRow row) => $"row {row.SourceFile ?? "(generated)"}:{row.SourceLine}";
}
