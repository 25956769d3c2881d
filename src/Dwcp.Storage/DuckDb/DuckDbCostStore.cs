using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// The embedded default store: one DuckDB file (<c>dwcp.duckdb</c>) in the data folder. DuckDB lets one process
/// open a file; inside the process, every operation gets its own connection to the shared database instance.
/// </summary>
public sealed class DuckDbCostStore : ICostStore
{
    /// <summary>The database file name inside the data folder.</summary>
    public const string FileName = "dwcp.duckdb";

    private readonly DuckDBConnection _root;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly string _location;
    private int _schemaVersion;
    private readonly DuckDbDailyRollup _daily = new();
    private readonly DuckDbTagRollup _tags = new();

    private DuckDbCostStore(DuckDBConnection root, string location, TimeProvider time, DuckDbStoreOptions options)
    {
        _root = root;
        _location = location;
        _time = time;
        Options = options;
        ChunkRows = options.RowsPerCommit;
    }

    /// <summary>The tuning this store was opened with.</summary>
    public DuckDbStoreOptions Options { get; }

    /// <summary>Rows a load appends between commits of its appender (tests lower it to exercise several commits).</summary>
    internal int ChunkRows { get; set; }

    /// <inheritdoc />
    public string Backend => "duckdb";

    /// <summary>Opens (creating if needed) the store in <paramref name="dataDir"/>, migrates it and recovers interrupted loads.</summary>
    public static DuckDbCostStore Open(string dataDir, TimeProvider? time = null, DuckDbStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        time ??= TimeProvider.System;
        options ??= DuckDbStoreOptions.Default;
        options.Validate();
        Directory.CreateDirectory(dataDir);
        var path = Path.GetFullPath(Path.Combine(dataDir, FileName));
        var connection = new DuckDBConnection($"Data Source={path}");
        try
        {
            connection.Open();
        }
        catch (DuckDBException ex) when (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            throw new StoreException(
                $"The data folder {Path.GetFullPath(dataDir)} is in use by another process ({FirstLine(ex.Message)}). " +
                "Stop that process, or run this command against the server that holds it.", ex);
        }

        var store = new DuckDbCostStore(connection, path, time, options);
        try
        {
            store.ApplySettings(connection);
            store._schemaVersion = DuckDbSchema.Migrate(connection, time.GetUtcNow().UtcDateTime);
            store.Recover();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return store;
    }

    /// <summary>Opens an in-memory store (tests and benchmarks).</summary>
    public static DuckDbCostStore OpenInMemory(TimeProvider? time = null, DuckDbStoreOptions? options = null)
    {
        time ??= TimeProvider.System;
        options ??= DuckDbStoreOptions.Default;
        options.Validate();
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        var store = new DuckDbCostStore(connection, ":memory:", time, options);
        store.ApplySettings(connection);
        store._schemaVersion = DuckDbSchema.Migrate(connection, time.GetUtcNow().UtcDateTime);
        return store;
    }

    /// <inheritdoc />
    public Task<StoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        using var c = Connect();
        var rows = ToLong(DuckDbSchema.Scalar(c, "SELECT count(*) FROM visible_cost_rows"));
        var loads = ToLong(DuckDbSchema.Scalar(c, "SELECT count(*) FROM loads WHERE status = 'committed'"));
        return Task.FromResult(new StoreInfo(Backend, _location, _schemaVersion, rows, loads));
    }

    /// <inheritdoc />
    public Task<ImportedFile?> FindLiveFileAsync(string sha256, CancellationToken cancellationToken = default)
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT f.load_id, f.path, f.sha256, f.row_count, l.committed_at
            FROM load_files f JOIN loads l ON l.load_id = f.load_id
            WHERE f.sha256 = $s AND l.status = 'committed'
              AND NOT EXISTS (
                SELECT 1 FROM partition_history h
                WHERE h.load_id = f.load_id
                  AND NOT EXISTS (SELECT 1 FROM partition_versions p
                                  WHERE p.load_id = h.load_id AND p.billing_account_id = h.billing_account_id
                                    AND p.billing_period_start = h.billing_period_start))
            ORDER BY f.load_id DESC LIMIT 1
            """;
        cmd.Parameters.Add(new DuckDBParameter("s", sha256));
        using var r = cmd.ExecuteReader();
        ImportedFile? found = r.Read()
            ? new ImportedFile(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetDateTime(4))
            : null;
        return Task.FromResult(found);
    }

    /// <inheritdoc />
    public async Task<ILoadSession> BeginLoadAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        DuckDBConnection? c = null;
        try
        {
            c = Connect();
            var id = ToLong(DuckDbSchema.Scalar(c, "SELECT coalesce(max(load_id), 0) + 1 FROM loads"));
            DuckDbSchema.Execute(c, "INSERT INTO loads (load_id, status, description, started_at) VALUES ($l, 'staging', $d, $t)",
                ("l", id), ("d", request.Description), ("t", _time.GetUtcNow().UtcDateTime));

            return new DuckDbLoadSession(this, c, id, _time, ChunkRows);
        }
        catch
        {
            c?.Dispose();
            _writer.Release();
            throw;
        }
    }

    internal void ReleaseWriter() => _writer.Release();

    /// <summary>
    /// Runs an aggregation over the right data: the raw rows, or a rollup when the spec asks for it or lets the store
    /// choose and a rollup can answer (the tag rollup for a query on one tag key, the daily rollup otherwise). Over a
    /// rollup it reads the visible-only summaries when they can answer and were built from the versions visible in the
    /// query's own snapshot, and the per-load rollups otherwise.
    /// </summary>
    private List<T> Query<T>(CostAggregation spec, Func<DuckDbAggregationSql, string> build, CancellationToken cancellationToken, Func<System.Data.Common.DbDataReader, T> map)
    {
        var rollup = spec.Source == CostSource.Rollup || (spec.Source is null && spec.RollupCanAnswer);
        if (!rollup)
        {
            var raw = new DuckDbAggregationSql();
            return Run(build(raw), raw.Parameters, cancellationToken, map);
        }

        _daily.Refresh(Connect);
        var tagKey = spec.TagRollupKey;
        if (tagKey is not null)
        {
            _tags.Refresh(Connect);
        }

        var fine = new DuckDbAggregationSql(rollup: true, tagKey: tagKey);
        var fineText = build(fine);
        if (tagKey is null && !spec.SummaryCanAnswer)
        {
            return Run(fineText, fine.Parameters, cancellationToken, map);
        }

        var summary = new DuckDbAggregationSql(rollup: true, summary: true, tagKey: tagKey);
        var summaryText = build(summary);
        using var c = Connect();
        using var tx = c.BeginTransaction();
        var fresh = DuckDbSchema.Scalar(c, tagKey is null ? DuckDbDailyRollup.Fresh : DuckDbTagRollup.Fresh) is true;
        var result = fresh
            ? RunOn(c, summaryText, summary.Parameters, cancellationToken, map)
            : RunOn(c, fineText, fine.Parameters, cancellationToken, map);
        tx.Commit();
        return result;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CostLine>> AggregateAsync(CostAggregation spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var tail = DuckDbAggregationSql.OrderBy(spec);
        if (spec.Limit is { } limit)
        {
            tail += " LIMIT " + limit.ToString(CultureInfo.InvariantCulture);
        }

        if (spec.Offset > 0)
        {
            tail += " OFFSET " + spec.Offset.ToString(CultureInfo.InvariantCulture);
        }

        var first = spec.GroupBy.Count + 11;
        return Task.FromResult<IReadOnlyList<CostLine>>(Query(spec, sql => sql.Grouped(spec) + tail, cancellationToken,
            r => DuckDbAggregationSql.Complete(ReadLine(r, spec.GroupBy.Count), r, spec, first)));
    }

    /// <inheritdoc />
    public Task<long> CountLinesAsync(CostAggregation spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Task.FromResult(Query(spec, sql => "SELECT count(*) FROM (" + sql.Grouped(spec) + ")", cancellationToken, r => r.GetInt64(0)).Single());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CurrencyTotal>> TotalsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default)
    {
        var spec = new CostAggregation { From = from, To = to, Filters = filters };
        return Task.FromResult<IReadOnlyList<CurrencyTotal>>(Query(spec, sql => sql.Rollup
                ? DuckDbDailyRollup.Totals(sql, from, to, filters)
                : "SELECT \"BillingCurrency\", sum(\"BilledCost\"), sum(\"EffectiveCost\"), sum(\"ListCost\"), count(*) FROM visible_cost_rows WHERE "
                  + sql.Where(from, to, filters) + " GROUP BY 1 ORDER BY 1",
            cancellationToken,
            r => new CurrencyTotal(r.GetString(0), r.GetDecimal(1), r.GetDecimal(2), r.GetDecimal(3), r.GetInt64(4))));
    }

    /// <inheritdoc />
    public Task<DataRange> GetDataRangeAsync(IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default)
    {
        var sql = new DuckDbAggregationSql();
        var text = "SELECT min(charge_date), max(charge_date), count(*) FROM visible_cost_rows WHERE "
            + sql.Where(DateOnly.MinValue.AddYears(1), DateOnly.MaxValue.AddYears(-1), filters);
        return Task.FromResult(Run(text, sql.Parameters, cancellationToken,
            r => new DataRange(r.IsDBNull(0) ? null : ReadDate(r.GetValue(0)), r.IsDBNull(1) ? null : ReadDate(r.GetValue(1)), r.GetInt64(2))).Single());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PartitionVersion>> ListPartitionsAsync(CancellationToken cancellationToken = default)
    {
        const string text = "SELECT billing_account_id, billing_period_start, load_id, row_count, billed_cost FROM partition_versions ORDER BY 1, 2";
        return Task.FromResult<IReadOnlyList<PartitionVersion>>(Run(text, [], cancellationToken,
            r => new PartitionVersion(r.GetString(0), r.GetDateTime(1), r.GetInt64(2), r.GetInt64(3), r.GetDecimal(4))));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<FocusRow> ReadRowsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sql = new DuckDbAggregationSql();
        var columns = string.Join(", ", FocusColumns.All.Select(c => "\"" + c.Name + "\""));
        var text = $"SELECT {columns}, tag_keys, tag_values, x_extensions, source_file, source_line FROM visible_cost_rows WHERE "
            + sql.Where(from, to, filters) + " ORDER BY load_id, row_seq";
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = text;
        foreach (var p in sql.Parameters)
        {
            cmd.Parameters.Add(p);
        }

        using var r = cmd.ExecuteReader();
        var n = FocusColumns.Count;
        while (r.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = new FocusRow();
            foreach (var col in FocusColumns.All)
            {
                if (r.IsDBNull(col.Ordinal))
                {
                    continue;
                }

                switch (col.DataType)
                {
                    case FocusDataType.Decimal:
                        row.Decimals[col.Slot] = r.GetDecimal(col.Ordinal);
                        break;
                    case FocusDataType.DateTime:
                        row.DateTimes[col.Slot] = DateTime.SpecifyKind(r.GetDateTime(col.Ordinal), DateTimeKind.Utc);
                        break;
                    default:
                        row.Strings[col.Slot] = r.GetString(col.Ordinal);
                        break;
                }
            }

            if (!r.IsDBNull(n))
            {
                var keys = r.GetFieldValue<List<string>>(n);
                var values = r.GetFieldValue<List<string>>(n + 1);
                row.NormalizedTags = keys.Select((k, i) => new KeyValuePair<string, string>(k, values[i])).ToArray();
            }

            if (!r.IsDBNull(n + 2))
            {
                foreach (var kv in JsonSerializer.Deserialize<Dictionary<string, string?>>(r.GetString(n + 2)) ?? [])
                {
                    row.Extensions[kv.Key] = kv.Value;
                }
            }

            row.SourceFile = r.IsDBNull(n + 3) ? null : r.GetString(n + 3);
            row.SourceLine = r.IsDBNull(n + 4) ? 0 : r.GetInt64(n + 4);
            yield return row;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _root.Dispose();
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Instance-wide settings: a bounded buffer pool (DuckDB's default is 80% of RAM) so large queries spill to disk instead
    /// of growing the process; the allocator returns freed memory promptly; string compression per <see cref="Options"/>.
    /// </summary>
    private void ApplySettings(DuckDBConnection connection)
    {
        var sql = $"SET memory_limit = '{Options.MemoryLimit}'; SET preserve_insertion_order = false; " +
                  "SET allocator_flush_threshold = '8MB'; SET allocator_background_threads = true; " +
                  (Options.StringCompression == StringCompression.Fast
                      ? "SET disabled_compression_methods = 'fsst,dict_fsst';"
                      : "RESET disabled_compression_methods;");
        DuckDbSchema.Execute(connection, sql);
    }

    /// <summary>Lowers the buffer pool for the duration of a load (see <see cref="DuckDbStoreOptions.LoadMemoryLimit"/>).</summary>
    internal void EnterLoadMemory(DuckDBConnection connection) =>
        DuckDbSchema.Execute(connection, $"SET memory_limit = '{Options.LoadMemoryLimit}'; SET threads = 1;");

    /// <summary>Restores the buffer pool after a load.</summary>
    internal void LeaveLoadMemory(DuckDBConnection connection) =>
        DuckDbSchema.Execute(connection, $"SET memory_limit = '{Options.MemoryLimit}'; RESET threads;");

    /// <summary>The current value of a DuckDB setting (tests check that loads restore what they change).</summary>
    internal string? CurrentSetting(string name)
    {
        using var c = Connect();
        return Convert.ToString(DuckDbSchema.Scalar(c, "SELECT current_setting($n)", ("n", name)), CultureInfo.InvariantCulture);
    }

    /// <summary>Removes rows of loads that never committed and rows superseded by a newer version (a crash between publish and clean-up).</summary>
    private void Recover()
    {
        using var c = Connect();
        DuckDbSchema.Execute(c, "DELETE FROM cost_rows WHERE load_id IN (SELECT load_id FROM loads WHERE status <> 'committed')");
        DuckDbSchema.Execute(c, "UPDATE loads SET status = 'aborted' WHERE status = 'staging'");
        DuckDbSchema.Execute(c, """
            DELETE FROM cost_rows r WHERE NOT EXISTS (
              SELECT 1 FROM partition_versions p
              WHERE p.load_id = r.load_id AND p.billing_account_id = r."BillingAccountId" AND p.billing_period_start = r."BillingPeriodStart")
            """);
    }

    private DuckDBConnection Connect()
    {
        // A file database is shared by every connection of this process with the same connection string (DuckDB.NET's
        // instance cache); an in-memory one only through Duplicate().
        var c = _location == ":memory:" ? _root.Duplicate() : new DuckDBConnection(_root.ConnectionString);
        if (c.State != System.Data.ConnectionState.Open)
        {
            c.Open();
        }

        return c;
    }

    private List<T> Run<T>(string sql, IReadOnlyList<DuckDBParameter> parameters, CancellationToken cancellationToken, Func<System.Data.Common.DbDataReader, T> map)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var c = Connect();
        return RunOn(c, sql, parameters, cancellationToken, map);
    }

    private static List<T> RunOn<T>(DuckDBConnection c, string sql, IReadOnlyList<DuckDBParameter> parameters, CancellationToken cancellationToken, Func<System.Data.Common.DbDataReader, T> map)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new DuckDBParameter(p.ParameterName, p.Value));
        }

        using var registration = cancellationToken.Register(() => cmd.Cancel());
        try
        {
            using var r = cmd.ExecuteReader();
            var list = new List<T>();
            while (r.Read())
            {
                list.Add(map(r));
            }

            return list;
        }
        catch (DuckDBException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private static CostLine ReadLine(System.Data.Common.DbDataReader r, int keyCount)
    {
        var periodValue = r.IsDBNull(0) ? null : r.GetValue(0);
        var period = periodValue is null ? (DateOnly?)null : ReadDate(periodValue);
        var keys = new string?[keyCount];
        for (var i = 0; i < keyCount; i++)
        {
            keys[i] = r.IsDBNull(1 + i) ? null : r.GetString(1 + i);
        }

        var o = 1 + keyCount;
        var unitCount = r.GetInt64(o + 6);
        var unitless = r.GetInt64(o + 7);
        var single = unitCount == 1 && unitless == 0;
        return new CostLine(
            period,
            keys,
            r.GetString(o),
            r.GetDecimal(o + 2),
            r.GetDecimal(o + 3),
            r.GetDecimal(o + 4),
            single && !r.IsDBNull(o + 5) ? r.GetDecimal(o + 5) : null,
            single ? r.GetString(o + 8) : null,
            r.GetInt64(o + 9),
            r.GetBoolean(o + 1))
        {
            // Hourly buckets come back as timestamps; every other bucket is a date.
            PeriodStartTime = periodValue is DateTime hour ? DateTime.SpecifyKind(hour, DateTimeKind.Utc) : null,
        };
    }

    private static DateOnly ReadDate(object value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        _ => DateOnly.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
    };

    private static long ToLong(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
