using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// The DuckDB <see cref="IRollupStore"/>: tables <c>stream_rollups</c> (schema migration 2) and <c>stream_custom_rollups</c>
/// (migration 5) in the data folder's
/// <c>dwcp.duckdb</c>. Inside one process it shares the database instance with <see cref="DuckDbCostStore"/> (DuckDB.NET
/// caches instances by connection string), so the server opens both on the same file.
/// </summary>
public sealed class DuckDbRollupStore : IRollupStore
{
    private const string Columns = DuckDbRollupSql.MetricColumns;

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
    public Task AppendAsync(IReadOnlyList<WindowRollup> rollups, CancellationToken cancellationToken = default) =>
        AppendAsync(rollups, [], cancellationToken);

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<WindowRollup> rollups, IReadOnlyList<CustomRollup> customRollups, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        ArgumentNullException.ThrowIfNull(customRollups);
        if (rollups.Count == 0 && customRollups.Count == 0)
        {
            return;
        }

        // Later rows win within a call too: a batch never holds two rows with one key.
        var metrics = WindowRollup.LastPerKey(rollups);
        var custom = CustomRollup.LastPerKey(customRollups);

        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var c = Connect();
            var id = Guid.NewGuid().ToString("N");
            var metricStaging = "rollup_staging_" + id;
            var customStaging = "custom_rollup_staging_" + id;
            try
            {
                var now = _time.GetUtcNow().UtcDateTime;
                if (metrics.Count > 0)
                {
                    DuckDbSchema.Execute(c, $"CREATE TEMP TABLE {metricStaging} AS SELECT {Columns} FROM stream_rollups LIMIT 0");
                    StageMetrics(c, metricStaging, metrics, now);
                }

                if (custom.Count > 0)
                {
                    DuckDbSchema.Execute(c, $"CREATE TEMP TABLE {customStaging} AS SELECT {DuckDbRollupSql.CustomColumns} FROM stream_custom_rollups LIMIT 0");
                    StageCustom(c, customStaging, custom, now);
                }

                // Replace without a primary key: an ART index over eleven text columns is a second copy of them that every
                // insert maintains. One transaction over both tables, so a reader sees the old rows or the new ones.
                using var tx = c.BeginTransaction();
                if (metrics.Count > 0)
                {
                    DuckDbRollupSql.Replace(c, "stream_rollups", metricStaging, Columns, "metric");
                }

                if (custom.Count > 0)
                {
                    DuckDbRollupSql.Replace(c, "stream_custom_rollups", customStaging, DuckDbRollupSql.CustomColumns, "name");
                }

                tx.Commit();
            }
            finally
            {
                DuckDbSchema.Execute(c, $"DROP TABLE IF EXISTS {metricStaging}");
                DuckDbSchema.Execute(c, $"DROP TABLE IF EXISTS {customStaging}");
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
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Connect();
        using var cmd = DuckDbRollupSql.Select(c, "stream_rollups", Columns, query, "metric", query.Metric);
        using var reader = cmd.ExecuteReader();
        var rows = new List<WindowRollup>();
        while (reader.Read())
        {
            rows.Add(DuckDbRollupSql.ReadMetric(reader));
        }

        return Task.FromResult<IReadOnlyList<WindowRollup>>(rows);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CustomRollup>> QueryCustomAsync(CustomRollupQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Connect();
        using var cmd = DuckDbRollupSql.Select(c, "stream_custom_rollups", DuckDbRollupSql.CustomColumns, query, "name", query.Name);
        using var reader = cmd.ExecuteReader();
        var rows = new List<CustomRollup>();
        while (reader.Read())
        {
            rows.Add(DuckDbRollupSql.ReadCustom(reader));
        }

        return Task.FromResult<IReadOnlyList<CustomRollup>>(rows);
    }

    // The appender's row is used through its class, not the chained interface: every value is a direct (inlinable)
    // call, and each value goes in as its own type (no boxing). Constant columns are converted once per batch.
    private static void StageMetrics(DuckDBConnection c, string staging, IReadOnlyCollection<WindowRollup> rows, DateTime now)
    {
        using var appender = c.CreateAppender(staging);
        DateTime? writtenAt = now;
        foreach (var r in rows)
        {
            var row = WindowAndSeries(appender.CreateRow(), r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags);
            row.AppendValue(r.Metric);
            row.AppendValue((long?)r.EventCount);
            row.AppendValue((long?)r.Count);
            row.AppendValue((double?)r.Sum);
            row.AppendValue((double?)r.Min);
            row.AppendValue((double?)r.Max);
            row.AppendValue((double?)r.Average);
            row.AppendValue((double?)r.Last);
            row.AppendValue((DateTime?)r.LastTimestamp.UtcDateTime);
            row.AppendValue((double?)r.P50);
            row.AppendValue((double?)r.P95);
            row.AppendValue((double?)r.P99);
            row.AppendValue(writtenAt);
            row.EndRow();
        }
    }

    /// <summary>The leading columns both staging tables share: window, then series.</summary>
    private static IDuckDBAppenderRow WindowAndSeries(IDuckDBAppenderRow row, DateTimeOffset start, DateTimeOffset end, TimeSpan size, TimeSpan slide,
        string eventType, string resourceId, string provider, string region, string service, string account, string tags)
    {
        row.AppendValue((DateTime?)start.UtcDateTime);
        row.AppendValue((DateTime?)end.UtcDateTime);
        row.AppendValue((long?)Micros(size));
        row.AppendValue((long?)Micros(slide));
        row.AppendValue(eventType);
        row.AppendValue(resourceId);
        row.AppendValue(provider);
        row.AppendValue(region);
        row.AppendValue(service);
        row.AppendValue(account);
        row.AppendValue(tags);
        return row;
    }

    private static void StageCustom(DuckDBConnection c, string staging, IReadOnlyCollection<CustomRollup> rows, DateTime now)
    {
        using var appender = c.CreateAppender(staging);
        DateTime? writtenAt = now;
        foreach (var r in rows)
        {
            var row = WindowAndSeries(appender.CreateRow(), r.WindowStart, r.WindowEnd, r.WindowSize, r.Slide, r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags);
            row.AppendValue(r.Name);
            row.AppendValue(r.Type);
            row.AppendValue((double?)r.Value);
            row.AppendValue((bool?)r.Partial);
            row.AppendValue((long?)r.EventCount);
            row.AppendValue(writtenAt);
            row.EndRow();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _root.Dispose();
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }

    private static long Micros(TimeSpan span) => DuckDbRollupSql.Micros(span);

    private DuckDBConnection Connect()
    {
        var c = new DuckDBConnection(_root.ConnectionString);
        c.Open();
        return c;
    }
}
