using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// The scale-out store on ClickHouse (18.16 or later), over its HTTP interface. Same contract and answers as the
/// DuckDB store; see docs/clickhouse.md for the schema, versioned loads without transactions, rollups and sharding.
/// </summary>
/// <remarks>
/// Every read first takes the published version of each (billing account, billing period) pair from
/// <c>partition_versions</c>, then reads only rows of those versions. A load's rows are all written before its
/// versions are published (one INSERT, so one atomic part), and replaced rows are deleted only
/// <see cref="ClickHouseStoreOptions.PurgeDelay"/> later, so a read sees the old or the new version of a period,
/// never a mix and never a gap. One process should write at a time (like the DuckDB store): opening the store
/// discards loads left in staging by a process that died.
/// </remarks>
public sealed partial class ClickHouseCostStore : ICostStore
{
    private readonly ClickHouseStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ClickHouseHttpClient[] _shards;
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private int _schemaVersion;
    private string _serverVersion = "";

    private ClickHouseCostStore(ClickHouseStoreOptions options, TimeProvider time, ClickHouseHttpClient[] shards)
    {
        _options = options;
        _time = time;
        _shards = shards;
        Topology = new ClickHouseTopology(options.Database, options.Shards > 1, options.Cluster);
    }

    /// <inheritdoc />
    public string Backend => "clickhouse";

    /// <inheritdoc />
    public bool HasHourlyRollup => true;

    /// <summary>Single server or sharded, and the table names.</summary>
    internal ClickHouseTopology Topology { get; }

    /// <summary>The coordinator: bookkeeping tables, and every read and write goes through it.</summary>
    internal ClickHouseHttpClient Coordinator => _shards[0];

    /// <summary>One client per shard, coordinator first.</summary>
    internal IReadOnlyList<ClickHouseHttpClient> Shards => _shards;

    /// <summary>Which table aggregations read: the rollup when it can answer (default), or always one of them (tests).</summary>
    internal RollupRouting Routing { get; set; } = RollupRouting.Auto;

    /// <summary>
    /// Hook for approximate queries: when set (e.g. <c>0.1</c> or <c>1/10</c>), aggregations read the raw rows with
    /// <c>SAMPLE</c> this ratio. Sums are of the sample, not scaled; the query layer owns that.
    /// </summary>
    internal string? SampleRatio { get; set; }

    /// <summary>The server version the coordinator reported at open, e.g. <c>18.16.1</c>.</summary>
    internal string ServerVersion => _serverVersion;

    /// <summary>Opens (creating the database and tables if needed) the store, migrates it and recovers interrupted loads.</summary>
    /// <exception cref="StoreException">The options are wrong, a server cannot be reached, or the schema is newer than this build.</exception>
    public static async Task<ClickHouseCostStore> OpenAsync(ClickHouseStoreOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new StoreException(problem);
        }

        var shards = options.Urls.Select(u => new ClickHouseHttpClient(u, options.Database, options)).ToArray();
        var store = new ClickHouseCostStore(options, time ?? TimeProvider.System, shards);
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Synchronous <see cref="OpenAsync"/>, for callers that open stores synchronously (as <c>DuckDbCostStore.Open</c>).</summary>
    public static ClickHouseCostStore Open(ClickHouseStoreOptions options, TimeProvider? time = null) =>
        OpenAsync(options, time).GetAwaiter().GetResult();

    /// <inheritdoc />
    public async Task<StoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var visible = await VisibleAsync(AggregationSource.Daily, cancellationToken).ConfigureAwait(false);
        var rows = await ScalarAsync($"SELECT countMerge(row_count) FROM {ClickHouseTopology.Daily} WHERE {visible}", cancellationToken).ConfigureAwait(false);
        var loads = await ScalarAsync(
            "SELECT count() FROM (SELECT load_id, argMax(status, revision) AS st FROM loads GROUP BY load_id) WHERE st = 'committed'", cancellationToken).ConfigureAwait(false);
        var location = $"{Coordinator.Url} database {_options.Database} (ClickHouse {_serverVersion}" +
                       (Topology.Sharded ? $", {_shards.Length} shards in cluster {_options.Cluster})" : ")");
        return new StoreInfo(Backend, location, _schemaVersion, ParseLong(rows), ParseLong(loads));
    }

    /// <inheritdoc />
    public async Task<ImportedFile?> FindLiveFileAsync(string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        var files = await Coordinator.QueryAsync(
            $"SELECT load_id, path, sha256, row_count FROM load_files WHERE sha256 = {ClickHouseText.Literal(sha256)} ORDER BY load_id DESC", cancellationToken).ConfigureAwait(false);
        if (files.Count == 0)
        {
            return null;
        }

        var ids = string.Join(", ", files.Select(f => f[0]).Distinct());
        var committed = (await Coordinator.QueryAsync(
                $"SELECT load_id, toUInt32(argMax(committed_at, revision)) FROM loads WHERE load_id IN ({ids}) GROUP BY load_id HAVING argMax(status, revision) = 'committed'",
                cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => ParseLong(r[0]), r => DateTime.UnixEpoch.AddSeconds(ParseLong(r[1])));
        var pairs = await Coordinator.QueryAsync(
            $"SELECT load_id, billing_account_id, toUInt32(billing_period_start) FROM partition_history WHERE load_id IN ({ids})", cancellationToken).ConfigureAwait(false);
        var current = (await PointersAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(p => (p.Account, p.PeriodSeconds), p => p.LoadId);
        foreach (var f in files)
        {
            var load = ParseLong(f[0]);
            if (!committed.TryGetValue(load, out var at))
            {
                continue;
            }

            var live = pairs.Where(p => ParseLong(p[0]) == load)
                .All(p => current.TryGetValue((p[1]!, ParseLong(p[2])), out var cur) && cur == load);
            if (live)
            {
                return new ImportedFile(load, f[1]!, f[2]!, ParseLong(f[3]), at);
            }
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<ILoadSession> BeginLoadAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var id = ParseLong(await ScalarAsync("SELECT max(load_id) FROM loads", cancellationToken).ConfigureAwait(false)) + 1;
            await InsertAsync(Coordinator, "loads", ["load_id", "revision", "status", "description", "started_at", "committed_at", "row_count", "owner"],
                [[id.ToString(CultureInfo.InvariantCulture), "1", "staging", request.Description, Timestamp(Now), null, "0", _owner]], cancellationToken).ConfigureAwait(false);
            return new ClickHouseLoadSession(this, id);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CostLine>> AggregateAsync(CostAggregation spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var source = SourceFor(spec);
        var visible = await VisibleAsync(source, cancellationToken).ConfigureAwait(false);
        var sql = ClickHouseAggregationSql.Grouped(spec, source, visible, SampleFor(spec))
                  + ClickHouseAggregationSql.OrderBy(spec) + ClickHouseAggregationSql.Limit(spec.Limit, spec.Offset);
        var rows = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => ClickHouseEstimates.Complete(ReadLine(r, spec), r, spec)).ToList();
    }

    /// <inheritdoc />
    public async Task<long> CountLinesAsync(CostAggregation spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var source = SourceFor(spec);
        var visible = await VisibleAsync(source, cancellationToken).ConfigureAwait(false);
        var sql = "SELECT count() FROM (" + ClickHouseAggregationSql.Grouped(spec, source, visible, SampleFor(spec)) + ")";
        return ParseLong(await ScalarAsync(sql, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CurrencyTotal>> TotalsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var source = SourceFor(filters.Select(f => f.On));
        var visible = await VisibleAsync(source, cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(ClickHouseAggregationSql.Totals(from, to, filters, source, visible), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new CurrencyTotal(r[0]!, ParseDecimal(r[1]), ParseDecimal(r[2]), ParseDecimal(r[3]), ParseLong(r[4]))).ToList();
    }

    /// <inheritdoc />
    public async Task<DataRange> GetDataRangeAsync(IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var source = SourceFor(filters.Select(f => f.On));
        if (source == AggregationSource.Tag)
        {
            // The tag rollup has no net count per day on its own; a tag filter's range (not a dashboard query) reads the rows.
            source = AggregationSource.Raw;
        }

        var visible = await VisibleAsync(source, cancellationToken).ConfigureAwait(false);
        var r = (await QueryAsync(ClickHouseAggregationSql.DataRange(filters, source, visible), cancellationToken).ConfigureAwait(false)).Single();
        var count = ParseLong(r[2]);
        return count == 0 ? new DataRange(null, null, 0) : new DataRange(ParseDate(r[0]), ParseDate(r[1]), count);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PartitionVersion>> ListPartitionsAsync(CancellationToken cancellationToken = default) =>
        (await PointersAsync(cancellationToken).ConfigureAwait(false))
            .Select(p => new PartitionVersion(p.Account, DateTime.UnixEpoch.AddSeconds(p.PeriodSeconds), p.LoadId, p.RowCount, p.BilledCost))
            .ToList();

    /// <inheritdoc />
    public async IAsyncEnumerable<FocusRow> ReadRowsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var visible = await VisibleAsync(AggregationSource.Raw, cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT {ClickHouseRowCodec.SelectList} FROM {ClickHouseTopology.Rows} WHERE "
                  + ClickHouseAggregationSql.Where(from, to, filters, AggregationSource.Raw, visible) + " ORDER BY load_id, row_seq";
        await foreach (var fields in Coordinator.StreamAsync(sql, ClickHouseRowCodec.SelectCount, cancellationToken, QuerySettings(sql), rawColumns: ClickHouseRowCodec.ArrayFields).ConfigureAwait(false))
        {
            yield return ClickHouseRowCodec.Read(fields);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        // Open load sessions are not aborted here: like a process exit, their rows stay invisible and the next
        // open discards them.
        foreach (var s in _shards)
        {
            s.Dispose();
        }

        _writer.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The table an aggregation reads: the raw rows for a sample or percentiles, the source the spec names, or else the
    /// choice of <see cref="Routing"/>.
    /// </summary>
    internal AggregationSource SourceFor(CostAggregation spec) => spec switch
    {
        { Sample: not null } or { Percentiles: true } => AggregationSource.Raw,
        { Source: CostSource.Raw } => AggregationSource.Raw,
        { Grain: CostGrain.Hour } => spec.HourlyRollupCanAnswer && SampleRatio is null && (spec.Source == CostSource.Rollup || Routing != RollupRouting.RawOnly)
            ? AggregationSource.Hourly
            : AggregationSource.Raw,
        { Source: CostSource.Rollup, TagRollupKey: not null } => AggregationSource.Tag,
        { Source: CostSource.Rollup } => CostAggregation.SummaryHas(spec.Dimensions) ? AggregationSource.Summary : AggregationSource.Daily,
        _ => SourceFor(spec.GroupBy.Concat(spec.Filters.Select(f => f.On))),
    };

    private string? SampleFor(CostAggregation spec) => spec.Sample is { } ratio ? ClickHouseAggregationSql.SampleLiteral(ratio) : SampleRatio;

    /// <summary>The table a query on these grouping and filter dimensions reads, under the current <see cref="Routing"/>.</summary>
    internal AggregationSource SourceFor(IEnumerable<CostGrouping> dimensions)
    {
        var list = dimensions.ToList();
        var rollup = CostAggregation.TagRollupKeyOf(list) is not null ? AggregationSource.Tag
            : CostAggregation.SummaryHas(list) ? AggregationSource.Summary : AggregationSource.Daily;
        return Routing switch
        {
            _ when SampleRatio is not null => AggregationSource.Raw,
            RollupRouting.RawOnly => AggregationSource.Raw,
            RollupRouting.RollupOnly => rollup,
            RollupRouting.DailyOnly => rollup == AggregationSource.Tag ? rollup : AggregationSource.Daily,
            _ => ClickHouseAggregationSql.RollupCanAnswer(list) || rollup == AggregationSource.Tag ? rollup : AggregationSource.Raw,
        };
    }

    /// <summary>The published version of every pair, ordered by account and period.</summary>
    internal async Task<List<Pointer>> PointersAsync(CancellationToken cancellationToken)
    {
        const string sql = "SELECT billing_account_id, toUInt32(billing_period_start), max(load_id), argMax(row_count, load_id), argMax(billed_cost, load_id) " +
                           "FROM partition_versions GROUP BY billing_account_id, billing_period_start ORDER BY billing_account_id, billing_period_start";
        var rows = await Coordinator.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new Pointer(r[0]!, ParseLong(r[1]), ParseLong(r[2]), ParseLong(r[3]), ParseDecimal(r[4]))).ToList();
    }

    private async Task<string> VisibleAsync(AggregationSource source, CancellationToken cancellationToken)
    {
        var pointers = await PointersAsync(cancellationToken).ConfigureAwait(false);
        return source != AggregationSource.Raw
            ? VisibleCondition(pointers, "billing_account_id", "billing_period_start")
            : VisibleCondition(pointers, "BillingAccountId", "BillingPeriodStart");
    }

    /// <summary>Rows of published versions only: (account, period, load) in the pointer list.</summary>
    internal static string VisibleCondition(IReadOnlyList<Pointer> pointers, string account, string period)
    {
        if (pointers.Count == 0)
        {
            return "0";
        }

        var sb = new StringBuilder($"({account}, toUInt32({period}), load_id) IN (");
        for (var i = 0; i < pointers.Count; i++)
        {
            var p = pointers[i];
            sb.Append(i == 0 ? "(" : ", (");
            ClickHouseText.AppendQuoted(sb, p.Account);
            sb.Append(", ").Append(p.PeriodSeconds.ToString(CultureInfo.InvariantCulture))
              .Append(", ").Append(p.LoadId.ToString(CultureInfo.InvariantCulture)).Append(')');
        }

        return sb.Append(')').ToString();
    }

    private Task<List<string?[]>> QueryAsync(string sql, CancellationToken cancellationToken) =>
        Coordinator.QueryAsync(sql, cancellationToken, QuerySettings(sql));

    private async Task<string?> ScalarAsync(string sql, CancellationToken cancellationToken) =>
        (await QueryAsync(sql, cancellationToken).ConfigureAwait(false)).Single()[0];

    /// <summary>Limits raised for long pointer lists (the default max_query_size is 256 KiB).</summary>
    internal static IReadOnlyDictionary<string, string>? QuerySettings(string sql) => sql.Length < 200_000
        ? null
        : new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["max_query_size"] = (sql.Length * 2L + 65_536).ToString(CultureInfo.InvariantCulture),
            ["max_ast_elements"] = "10000000",
            ["max_expanded_ast_elements"] = "10000000",
        };

    private static CostLine ReadLine(string?[] r, CostAggregation spec)
    {
        var n = spec.GroupBy.Count;
        var keys = new string?[n];
        Array.Copy(r, 1, keys, 0, n);
        var o = 1 + n;
        var unitCount = ParseLong(r[o + 7]);
        var unitless = ParseLong(r[o + 8]);
        var single = unitCount == 1 && unitless == 0;
        var quantityRows = ParseLong(r[o + 6]);
        DateTime? hour = spec.Grain == CostGrain.Hour
            ? DateTime.SpecifyKind(DateTime.ParseExact(r[0]!, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc)
            : null;
        return new CostLine(
            spec.Grain == CostGrain.Total ? null : hour is { } h ? DateOnly.FromDateTime(h) : ParseDate(r[0]),
            keys,
            r[o]!,
            ParseDecimal(r[o + 2]),
            ParseDecimal(r[o + 3]),
            ParseDecimal(r[o + 4]),
            single && quantityRows > 0 ? ParseDecimal(r[o + 5]) : null,
            single ? r[o + 9] : null,
            ParseLong(r[o + 10]),
            r[o + 1] == "1")
        {
            PeriodStartTime = hour,
        };
    }

    internal static long ParseLong(string? s) => long.Parse(s ?? throw new StoreException("ClickHouse returned NULL where a number was expected."), CultureInfo.InvariantCulture);

    internal static decimal ParseDecimal(string? s) => s is null ? 0m : decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static DateOnly ParseDate(string? s) => DateOnly.ParseExact(s!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string Seconds(DateTime t) => ((long)(t - DateTime.UnixEpoch).TotalSeconds).ToString(CultureInfo.InvariantCulture);
}

/// <summary>The published version of one (account, billing period) pair.</summary>
internal sealed record Pointer(string Account, long PeriodSeconds, long LoadId, long RowCount, decimal BilledCost);

/// <summary>Which table aggregations read.</summary>
internal enum RollupRouting
{
    /// <summary>
    /// A rollup when every grouping and filter dimension is in it (the summary when it has them, else the daily rollup),
    /// the raw rows otherwise.
    /// </summary>
    Auto,

    /// <summary>Always the raw rows.</summary>
    RawOnly,

    /// <summary>
    /// Always a rollup: the tag rollup for a query on one tag key, the summary when it has the dimensions, else the daily
    /// rollup (fails for dimensions none has).
    /// </summary>
    RollupOnly,

    /// <summary>Always the daily rollup, even where the summary could answer, and the tag rollup for a query on one tag key (tests).</summary>
    DailyOnly,
}
