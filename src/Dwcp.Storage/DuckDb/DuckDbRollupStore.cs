using System.Data.Common;
using System.Text;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// The DuckDB <see cref="IRollupStore"/>: table <c>stream_rollups</c> (schema migration 2) in the data folder's
/// <c>dwcp.duckdb</c>. Inside one process it shares the database instance with <see cref="DuckDbCostStore"/> (DuckDB.NET
/// caches instances by connection string), so the server opens both on the same file.
/// </summary>
public sealed class DuckDbRollupStore : IRollupStore
{
    private const string Columns =
        "window_start, window_end, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, " +
        "metric, event_count, value_count, sum, min, max, avg, last, last_at, p50, p95, p99, written_at";

    private readonly DuckDBConnection _root;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writer = new(1, 1);

    private DuckDbRollupStore(DuckDBConnection root, TimeProvider time)
    {
        _root = root;
        _time = time;
    }

    /// <summary>Opens the rollup table of the store in <paramref name="dataDir"/>, creating and migrating the file if needed.</summary>
    /// <param name="dataDir">The data folder (holds <c>dwcp.duckdb</c>).</param>
    /// <param name="time">Clock for <c>written_at</c>.</param>
    /// <returns>The store; dispose it to close its connection.</returns>
    /// <exception cref="StoreException">Another process holds the file.</exception>
    public static DuckDbRollupStore Open(string dataDir, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        time ??= TimeProvider.System;
        Directory.CreateDirectory(dataDir);
        var path = Path.GetFullPath(Path.Combine(dataDir, DuckDbCostStore.FileName));
        var connection = new DuckDBConnection($"Data Source={path}");
        try
        {
            connection.Open();
            DuckDbSchema.Migrate(connection, time.GetUtcNow().UtcDateTime);
        }
        catch (DuckDBException ex) when (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            throw new StoreException(
                $"The data folder {Path.GetFullPath(dataDir)} is in use by another process ({ex.Message.Split('\n')[0]}). " +
                "Stop that process, or read the rollups through the server that holds it (GET /api/v1/stream/rollups).", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new DuckDbRollupStore(connection, time);
    }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<WindowRollup> rollups, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        if (rollups.Count == 0)
        {
            return;
        }

        // Later rows win within a call too: a batch never holds two rows with one key.
        var unique = WindowRollup.LastPerKey(rollups);

        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var c = Connect();
            var staging = "rollup_staging_" + Guid.NewGuid().ToString("N");
            DuckDbSchema.Execute(c, $"CREATE TEMP TABLE {staging} AS SELECT {Columns} FROM stream_rollups LIMIT 0");
            try
            {
                var now = _time.GetUtcNow().UtcDateTime;
                using (var appender = c.CreateAppender(staging))
                {
                    foreach (var r in unique)
                    {
                        appender.CreateRow()
                            .AppendValue((DateTime?)r.WindowStart.UtcDateTime).AppendValue((DateTime?)r.WindowEnd.UtcDateTime)
                            .AppendValue((long?)Micros(r.WindowSize)).AppendValue((long?)Micros(r.Slide))
                            .AppendValue(r.EventType).AppendValue(r.ResourceId).AppendValue(r.Provider).AppendValue(r.Region)
                            .AppendValue(r.Service).AppendValue(r.Account).AppendValue(r.Tags).AppendValue(r.Metric)
                            .AppendValue((long?)r.EventCount).AppendValue((long?)r.Count)
                            .AppendValue((double?)r.Sum).AppendValue((double?)r.Min).AppendValue((double?)r.Max).AppendValue((double?)r.Average)
                            .AppendValue((double?)r.Last).AppendValue((DateTime?)r.LastTimestamp.UtcDateTime)
                            .AppendValue((double?)r.P50).AppendValue((double?)r.P95).AppendValue((double?)r.P99)
                            .AppendValue((DateTime?)now)
                            .EndRow();
                    }
                }

                // Replace without a primary key: an ART index over eleven text columns is a second copy of them that every
                // insert maintains. The delete is a hash join against this batch, pruned to its time range by DuckDB's zone
                // maps (rows arrive in time order); one transaction, so a reader sees the old rows or the new ones.
                using var tx = c.BeginTransaction();
                DuckDbSchema.Execute(c, $"""
                    DELETE FROM stream_rollups r USING {staging} s
                    WHERE r.window_start >= (SELECT min(window_start) FROM {staging}) AND r.window_start <= (SELECT max(window_start) FROM {staging})
                      AND r.window_start = s.window_start AND r.window_size_us = s.window_size_us AND r.slide_us = s.slide_us
                      AND r.event_type = s.event_type AND r.resource_id = s.resource_id AND r.provider = s.provider AND r.region = s.region
                      AND r.service = s.service AND r.account = s.account AND r.tags = s.tags AND r.metric = s.metric
                    """);
                DuckDbSchema.Execute(c, $"INSERT INTO stream_rollups ({Columns}) SELECT {Columns} FROM {staging}");
                tx.Commit();
            }
            finally
            {
                DuckDbSchema.Execute(c, $"DROP TABLE IF EXISTS {staging}");
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WindowRollup>> QueryAsync(RollupQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 1)
        {
            throw new ArgumentException($"RollupQuery.Limit is {query.Limit}: it must be at least 1.", nameof(query));
        }

        var sql = new StringBuilder($"SELECT {Columns} FROM stream_rollups WHERE true");
        var args = new List<(string, object?)>();
        void Where(string clause, string name, object? value)
        {
            sql.Append(" AND ").Append(clause);
            args.Add((name, value));
        }

        if (query.From is { } from)
        {
            Where("window_start >= $from", "from", from.UtcDateTime);
        }

        if (query.To is { } to)
        {
            Where("window_start < $to", "to", to.UtcDateTime);
        }

        if (query.WindowSize is { } size)
        {
            Where("window_size_us = $size", "size", Micros(size));
        }

        if (query.EventType is { } type)
        {
            Where("event_type = $type", "type", type);
        }

        if (query.Metric is { } metric)
        {
            Where("metric = $metric", "metric", metric);
        }

        sql.Append(" ORDER BY window_start, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, metric LIMIT ")
           .Append(query.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql.ToString();
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new DuckDBParameter(name, value));
        }

        using var reader = cmd.ExecuteReader();
        var rows = new List<WindowRollup>();
        while (reader.Read())
        {
            rows.Add(Read(reader));
        }

        return Task.FromResult<IReadOnlyList<WindowRollup>>(rows);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _root.Dispose();
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }

    private static long Micros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static WindowRollup Read(DbDataReader r) => new(
        Utc(r.GetDateTime(0)), Utc(r.GetDateTime(1)), TimeSpan.FromMicroseconds(r.GetInt64(2)), TimeSpan.FromMicroseconds(r.GetInt64(3)),
        r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10),
        r.GetString(11), r.GetInt64(12), r.GetInt64(13), r.GetDouble(14), r.GetDouble(15), r.GetDouble(16), r.GetDouble(17),
        r.GetDouble(18), Utc(r.GetDateTime(19)), r.GetDouble(20), r.GetDouble(21), r.GetDouble(22));

    private DuckDBConnection Connect()
    {
        var c = new DuckDBConnection(_root.ConnectionString);
        c.Open();
        return c;
    }
}
