using System.Globalization;
using System.Text;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// How <see cref="ClickHouseRollupStore"/> writes and reads rows of both rollup kinds: checks, TabSeparated bodies
/// (floats as bit patterns, times as seconds plus microseconds), the SELECT lists and the WHERE clause of a
/// <see cref="RollupSelection"/> (every text value an escaped literal; ClickHouse 18.16 has no query parameters).
/// </summary>
internal static class ClickHouseRollupCodec
{
    public const string MetricInsertColumns =
        "window_start, window_start_us, window_end, window_end_us, window_size_us, slide_us, event_type, resource_id, provider, region, " +
        "service, account, tags, metric, event_count, value_count, sum_bits, min_bits, max_bits, avg_bits, last_bits, p50_bits, p95_bits, p99_bits, " +
        "last_at, last_at_us, written_at, version";

    public const string CustomInsertColumns =
        "window_start, window_start_us, window_end, window_end_us, window_size_us, slide_us, event_type, resource_id, provider, region, " +
        "service, account, tags, name, type, value_bits, partial, event_count, written_at, version";

    public const string MetricGroupColumns =
        "window_start, window_start_us, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, metric";

    public const string CustomGroupColumns =
        "window_start, window_start_us, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, name";

    public const string MetricSelectColumns =
        "toUInt32(window_start), window_start_us, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, metric, " +
        "toUInt32(argMax(window_end, version)), argMax(window_end_us, version), argMax(event_count, version), argMax(value_count, version), " +
        "argMax(sum_bits, version), argMax(min_bits, version), argMax(max_bits, version), argMax(avg_bits, version), argMax(last_bits, version), " +
        "toUInt32(argMax(last_at, version)), argMax(last_at_us, version), argMax(p50_bits, version), argMax(p95_bits, version), argMax(p99_bits, version)";

    public const int MetricSelectCount = 26;

    public const string CustomSelectColumns =
        "toUInt32(window_start), window_start_us, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, name, " +
        "toUInt32(argMax(window_end, version)), argMax(window_end_us, version), argMax(type, version), argMax(value_bits, version), " +
        "argMax(partial, version), argMax(event_count, version)";

    public const int CustomSelectCount = 18;

    /// <summary>The range of ClickHouse's DateTime (UInt32 seconds since 1970).</summary>
    private static readonly DateTimeOffset MinTime = DateTimeOffset.UnixEpoch;

    private static readonly DateTimeOffset MaxTime = DateTimeOffset.UnixEpoch.AddSeconds(uint.MaxValue);

    /// <summary>Conditions (each starting with <c> AND </c>) for the shared filters plus <paramref name="keyColumn"/> = <paramref name="key"/>.</summary>
    public static string Where(RollupSelection q, string keyColumn, string? key)
    {
        var sql = new StringBuilder();
        if (q.From is { } from)
        {
            var (s, us) = Split(from);
            sql.Append($" AND (window_start > toDateTime({Num(s)}, 'UTC') OR (window_start = toDateTime({Num(s)}, 'UTC') AND window_start_us >= {Num(us)}))");
        }

        if (q.To is { } to)
        {
            var (s, us) = Split(to);
            sql.Append($" AND (window_start < toDateTime({Num(s)}, 'UTC') OR (window_start = toDateTime({Num(s)}, 'UTC') AND window_start_us < {Num(us)}))");
        }

        if (q.WindowSize is { } size)
        {
            sql.Append(" AND window_size_us = ").Append(Num(Micros(size)));
        }

        foreach (var (column, value) in new[] { ("event_type", q.EventType), ("resource_id", q.ResourceId), ("provider", q.Provider), ("region", q.Region), ("service", q.Service), ("account", q.Account), (keyColumn, key) })
        {
            if (value is not null)
            {
                sql.Append($" AND {column} = ").Append(ClickHouseText.Literal(value));
            }
        }

        if (q.Accounts is { } accounts)
        {
            sql.Append(accounts.Count == 0 ? " AND 0" : " AND account IN (" + string.Join(", ", accounts.Select(ClickHouseText.Literal)) + ")");
        }

        foreach (var alternatives in q.TagNeedles())
        {
            // A row's tags hold key=value between ';' (or at the ends): search ";tags;" for ";key=value;".
            sql.Append(alternatives.Count == 0 ? " AND 0"
                : " AND (" + string.Join(" OR ", alternatives.Select(n => $"position(concat(';', tags, ';'), {ClickHouseText.Literal(n)}) > 0")) + ")");
        }

        return sql.ToString();
    }

    public static void Validate(WindowRollup r, int index)
    {
        if (r is null)
        {
            throw new ArgumentException($"Rollup row {index} is null; pass only rows.", "rollups");
        }

        CheckText(index, "Rollup", $"metric '{r.Metric}', window {r.WindowStart:O}", "rollups",
            ("EventType", r.EventType), ("ResourceId", r.ResourceId), ("Provider", r.Provider), ("Region", r.Region),
            ("Service", r.Service), ("Account", r.Account), ("Tags", r.Tags), ("Metric", r.Metric));
        CheckTimes(index, "Rollup", $"metric '{r.Metric}'", "rollups", ("WindowStart", r.WindowStart), ("WindowEnd", r.WindowEnd), ("LastTimestamp", r.LastTimestamp));
    }

    public static void Validate(CustomRollup r, int index)
    {
        if (r is null)
        {
            throw new ArgumentException($"Custom rollup row {index} is null; pass only rows.", "customRollups");
        }

        CheckText(index, "Custom rollup", $"aggregation '{r.Name}', window {r.WindowStart:O}", "customRollups",
            ("EventType", r.EventType), ("ResourceId", r.ResourceId), ("Provider", r.Provider), ("Region", r.Region),
            ("Service", r.Service), ("Account", r.Account), ("Tags", r.Tags), ("Name", r.Name), ("Type", r.Type));
        CheckTimes(index, "Custom rollup", $"aggregation '{r.Name}'", "customRollups", ("WindowStart", r.WindowStart), ("WindowEnd", r.WindowEnd));
    }

    public static string MetricTsv(IEnumerable<WindowRollup> rows, string writtenAt, ulong version)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var v = Num(version);
        foreach (var r in rows)
        {
            WriteKey(text, r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, [r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags, r.Metric]);
            var (last, lastUs) = Split(r.LastTimestamp);
            text.Write($"\t{Num(r.EventCount)}\t{Num(r.Count)}\t{F(r.Sum)}\t{F(r.Min)}\t{F(r.Max)}\t{F(r.Average)}\t{F(r.Last)}\t{F(r.P50)}\t{F(r.P95)}\t{F(r.P99)}");
            text.Write($"\t{Stamp(last)}\t{Num(lastUs)}\t{writtenAt}\t{v}\n");
        }

        return text.ToString();
    }

    public static string CustomTsv(IEnumerable<CustomRollup> rows, string writtenAt, ulong version)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var v = Num(version);
        foreach (var r in rows)
        {
            WriteKey(text, r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, [r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags, r.Name, r.Type]);
            text.Write($"\t{F(r.Value)}\t{(r.Partial ? '1' : '0')}\t{Num(r.EventCount)}\t{writtenAt}\t{v}\n");
        }

        return text.ToString();
    }

    public static WindowRollup ReadMetric(string?[] f) => new(
        Time(f[0], f[1]), Time(f[12], f[13]), TimeSpan.FromMicroseconds(L(f[2])), TimeSpan.FromMicroseconds(L(f[3])),
        f[4]!, f[5]!, f[6]!, f[7]!, f[8]!, f[9]!, f[10]!, f[11]!,
        L(f[14]), L(f[15]), D(f[16]), D(f[17]), D(f[18]), D(f[19]), D(f[20]), Time(f[21], f[22]), D(f[23]), D(f[24]), D(f[25]));

    public static CustomRollup ReadCustom(string?[] f) => new(
        Time(f[0], f[1]), Time(f[12], f[13]), TimeSpan.FromMicroseconds(L(f[2])), TimeSpan.FromMicroseconds(L(f[3])),
        f[4]!, f[5]!, f[6]!, f[7]!, f[8]!, f[9]!, f[10]!, f[11]!, f[14]!, D(f[15]), f[16] == "1", L(f[17]));

    public static long Micros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Num(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static void CheckText(int index, string kind, string what, string parameter, params (string Field, string? Value)[] fields)
    {
        foreach (var (field, value) in fields)
        {
            if (value is null)
            {
                throw new ArgumentException(
                    $"{kind} row {index} ({what}): {field} is null; use an empty string for a dimension the engine does not group on. Nothing was written.",
                    parameter);
            }
        }
    }

    private static void CheckTimes(int index, string kind, string what, string parameter, params (string Field, DateTimeOffset Value)[] times)
    {
        foreach (var (field, value) in times)
        {
            if (value < MinTime || value >= MaxTime)
            {
                throw new ArgumentException(
                    $"{kind} row {index} ({what}): {field} {value:O} is outside what ClickHouse's DateTime holds (1970-01-01 to 2106-02-07 UTC). Nothing was written.",
                    parameter);
            }
        }
    }

    private static void WriteKey(StringWriter text, DateTimeOffset windowStart, DateTimeOffset windowEnd, TimeSpan size, TimeSpan slide, string[] texts)
    {
        var (start, startUs) = Split(windowStart);
        var (end, endUs) = Split(windowEnd);
        text.Write($"{Stamp(start)}\t{Num(startUs)}\t{Stamp(end)}\t{Num(endUs)}\t{Num(Micros(size))}\t{Num(Micros(slide))}");
        foreach (var s in texts)
        {
            text.Write('\t');
            ClickHouseText.WriteField(text, s);
        }
    }

    /// <summary>Whole seconds since 1970 and the microseconds within the second (times are checked to be after 1970).</summary>
    private static (long Seconds, long Micros) Split(DateTimeOffset time)
    {
        var seconds = Math.DivRem(Micros(time - DateTimeOffset.UnixEpoch), 1_000_000, out var micros);
        return (seconds, micros);
    }

    private static string Stamp(long seconds) => ClickHouseCostStore.Timestamp(DateTime.UnixEpoch.AddSeconds(seconds));

    private static DateTimeOffset Time(string? seconds, string? micros) =>
        DateTimeOffset.UnixEpoch.AddTicks((L(seconds) * 1_000_000 + L(micros)) * TimeSpan.TicksPerMicrosecond);

    private static long L(string? text) => long.Parse(text!, CultureInfo.InvariantCulture);

    /// <summary>A Float64 as its bit pattern (see <c>ClickHouseRollupSchema.Float</c>: exact, unlike ClickHouse's float text parser).</summary>
    private static string F(double value) => Num((ulong)BitConverter.DoubleToInt64Bits(value));

    private static double D(string? text) => BitConverter.Int64BitsToDouble((long)ulong.Parse(text!, CultureInfo.InvariantCulture));
}
