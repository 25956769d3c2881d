using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// SQL of <see cref="DuckDbRollupStore"/>: the custom-aggregation table (schema migration 5), the columns of both rollup
/// tables, and the WHERE clause of a <see cref="RollupSelection"/> with every value passed as a parameter.
/// </summary>
internal static class DuckDbRollupSql
{
    /// <summary>Columns of <c>stream_rollups</c> in read and write order.</summary>
    public const string MetricColumns =
        "window_start, window_end, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, " +
        "metric, event_count, value_count, sum, min, max, avg, last, last_at, p50, p95, p99, written_at";

    /// <summary>Columns of <c>stream_custom_rollups</c> in read and write order.</summary>
    public const string CustomColumns =
        "window_start, window_end, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, " +
        "name, type, value, partial, event_count, written_at";

    /// <summary>The series part of a row's key, in the contract's order (after window start, size and slide).</summary>
    public const string SeriesOrder = "event_type, resource_id, provider, region, service, account, tags";

    /// <summary>Migration 5: one row per closed window × series × custom aggregation, keyed like <c>stream_rollups</c> with the name for the metric.</summary>
    public static string Version5() => """
        CREATE TABLE IF NOT EXISTS stream_custom_rollups (
          window_start TIMESTAMP NOT NULL, window_end TIMESTAMP NOT NULL, window_size_us BIGINT NOT NULL, slide_us BIGINT NOT NULL,
          event_type VARCHAR NOT NULL, resource_id VARCHAR NOT NULL, provider VARCHAR NOT NULL, region VARCHAR NOT NULL,
          service VARCHAR NOT NULL, account VARCHAR NOT NULL, tags VARCHAR NOT NULL, name VARCHAR NOT NULL, type VARCHAR NOT NULL,
          value DOUBLE, partial BOOLEAN NOT NULL, event_count BIGINT NOT NULL, written_at TIMESTAMP NOT NULL);
        """;

    /// <summary>
    /// Deletes the stored rows whose keys the staged batch holds (a hash join against the batch, pruned to its time range
    /// by DuckDB's zone maps) and inserts the batch.
    /// </summary>
    public static void Replace(DuckDBConnection c, string table, string staging, string columns, string keyColumn)
    {
        DuckDbSchema.Execute(c, $"""
            DELETE FROM {table} r USING {staging} s
            WHERE r.window_start >= (SELECT min(window_start) FROM {staging}) AND r.window_start <= (SELECT max(window_start) FROM {staging})
              AND r.window_start = s.window_start AND r.window_size_us = s.window_size_us AND r.slide_us = s.slide_us
              AND r.event_type = s.event_type AND r.resource_id = s.resource_id AND r.provider = s.provider AND r.region = s.region
              AND r.service = s.service AND r.account = s.account AND r.tags = s.tags AND r.{keyColumn} = s.{keyColumn}
            """);
        DuckDbSchema.Execute(c, $"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}");
    }

    /// <summary>
    /// <c>SELECT columns FROM table WHERE …</c> for the shared filters plus <paramref name="keyColumn"/> = <paramref name="key"/>,
    /// in the contract's order, limited.
    /// </summary>
    public static DuckDBCommand Select(DuckDBConnection c, string table, string columns, RollupSelection q, string keyColumn, string? key)
    {
        var sql = new StringBuilder($"SELECT {columns} FROM {table} WHERE true");
        var cmd = c.CreateCommand();
        void Where(string clause, string name, object? value)
        {
            sql.Append(" AND ").Append(clause);
            cmd.Parameters.Add(new DuckDBParameter(name, value));
        }

        if (q.From is { } from)
        {
            Where("window_start >= $from", "from", from.UtcDateTime);
        }

        if (q.To is { } to)
        {
            Where("window_start < $to", "to", to.UtcDateTime);
        }

        if (q.WindowSize is { } size)
        {
            Where("window_size_us = $size", "size", Micros(size));
        }

        foreach (var (column, value) in new[] { ("event_type", q.EventType), ("resource_id", q.ResourceId), ("provider", q.Provider), ("region", q.Region), ("service", q.Service), ("account", q.Account), (keyColumn, key) })
        {
            if (value is not null)
            {
                Where($"{column} = ${column}", column, value);
            }
        }

        if (q.Accounts is { } accounts)
        {
            sql.Append(" AND ").Append(accounts.Count == 0 ? "false" : "account IN (" + string.Join(", ", accounts.Select((_, i) => "$acct" + N(i))) + ")");
            var i = 0;
            foreach (var a in accounts)
            {
                cmd.Parameters.Add(new DuckDBParameter("acct" + N(i++), a));
            }
        }

        var needles = q.TagNeedles();
        for (var t = 0; t < needles.Count; t++)
        {
            sql.Append(" AND ").Append(needles[t].Count == 0 ? "false"
                : "(" + string.Join(" OR ", needles[t].Select((_, v) => $"contains(';' || tags || ';', $tag{N(t)}_{N(v)})")) + ")");
            for (var v = 0; v < needles[t].Count; v++)
            {
                cmd.Parameters.Add(new DuckDBParameter($"tag{N(t)}_{N(v)}", needles[t][v]));
            }
        }

        sql.Append($" ORDER BY window_start, window_size_us, slide_us, {SeriesOrder}, {keyColumn} LIMIT ").Append(N(q.Limit));
        cmd.CommandText = sql.ToString();
        return cmd;
    }

    /// <summary>Reads a row of <see cref="CustomColumns"/>.</summary>
    public static CustomRollup ReadCustom(DbDataReader r) => new(
        Utc(r.GetDateTime(0)), Utc(r.GetDateTime(1)), TimeSpan.FromMicroseconds(r.GetInt64(2)), TimeSpan.FromMicroseconds(r.GetInt64(3)),
        r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10),
        r.GetString(11), r.GetString(12), r.GetDouble(13), r.GetBoolean(14), r.GetInt64(15));

    /// <summary>Reads a row of <see cref="MetricColumns"/>.</summary>
    public static WindowRollup ReadMetric(DbDataReader r) => new(
        Utc(r.GetDateTime(0)), Utc(r.GetDateTime(1)), TimeSpan.FromMicroseconds(r.GetInt64(2)), TimeSpan.FromMicroseconds(r.GetInt64(3)),
        r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10),
        r.GetString(11), r.GetInt64(12), r.GetInt64(13), r.GetDouble(14), r.GetDouble(15), r.GetDouble(16), r.GetDouble(17),
        r.GetDouble(18), Utc(r.GetDateTime(19)), r.GetDouble(20), r.GetDouble(21), r.GetDouble(22));

    public static long Micros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
