namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// The tables of <see cref="ClickHouseRollupStore"/>: the real-time engine's closed windows (<c>stream_rollups</c>, and
/// <c>stream_custom_rollups</c> for custom aggregations) and the batch log that makes each append visible at once
/// (<c>stream_rollup_batches</c>, shared by both). Every statement is idempotent (<c>IF NOT EXISTS</c>), so a table added
/// later (the custom table) is created on an existing database at its next open; <see cref="ClickHouseCostStore"/>
/// applies them when it opens, after its own migrations. Existing statements are never edited: a change is a new one.
/// </summary>
internal static class ClickHouseRollupSchema
{
    /// <summary>The rollup table as read and written (Distributed when sharded).</summary>
    public const string Table = "stream_rollups";

    /// <summary>The batch log (coordinator only): one row per append, <c>committed</c> or <c>aborted</c>.</summary>
    public const string Batches = "stream_rollup_batches";

    /// <summary>The key of a row (a row with the same key replaces it), in the table's sorting order.</summary>
    public const string SortingKey =
        "metric, window_size_us, event_type, window_start, window_start_us, slide_us, resource_id, provider, region, service, account, tags";

    /// <summary>
    /// Sharding key of the Distributed table: the series and metric, so every window of a series (and every rewrite of a
    /// window) lands on one shard, where ReplacingMergeTree can collapse the rewrites.
    /// </summary>
    public const string ShardingKey = "cityHash64(metric, event_type, resource_id, provider, region, service, account, tags)";

    /// <summary>The custom-aggregation rollup table as read and written (Distributed when sharded).</summary>
    public const string CustomTable = "stream_custom_rollups";

    /// <summary>The key of a custom row, in the table's sorting order.</summary>
    public const string CustomSortingKey =
        "name, window_size_us, event_type, window_start, window_start_us, slide_us, resource_id, provider, region, service, account, tags";

    /// <summary>Sharding key of the custom Distributed table: the series and aggregation, as for <see cref="ShardingKey"/>.</summary>
    public const string CustomShardingKey = "cityHash64(name, event_type, resource_id, provider, region, service, account, tags)";

    /// <summary>The table holding a shard's rows.</summary>
    public static string Local(ClickHouseTopology t) => t.Sharded ? Table + "_local" : Table;

    /// <summary>The custom table holding a shard's rows.</summary>
    public static string CustomLocal(ClickHouseTopology t) => t.Sharded ? CustomTable + "_local" : CustomTable;

    /// <summary>The statements, with where and in which stage they run.</summary>
    public static IReadOnlyList<DdlStatement> Statements(ClickHouseTopology t)
    {
        var list = new List<DdlStatement>
        {
            new(DdlTarget.Coordinator, 1, $"""
                CREATE TABLE IF NOT EXISTS {Batches} (version UInt64, status String, row_count UInt64, written_at DateTime('UTC'))
                ENGINE = MergeTree ORDER BY version
                """),
            new(DdlTarget.EachShard, 1, RollupsDdl(Local(t))),
        };
        if (t.Sharded)
        {
            list.Add(new(DdlTarget.Distributed, 2,
                $"CREATE TABLE IF NOT EXISTS {Table} AS {Local(t)} ENGINE = Distributed({t.Cluster}, {t.Database}, {Local(t)}, {ShardingKey})"));
        }

        // Added after stream_rollups (custom aggregations): same staging, one table more.
        list.Add(new(DdlTarget.EachShard, 1, CustomDdl(CustomLocal(t))));
        if (t.Sharded)
        {
            list.Add(new(DdlTarget.Distributed, 2,
                $"CREATE TABLE IF NOT EXISTS {CustomTable} AS {CustomLocal(t)} ENGINE = Distributed({t.Cluster}, {t.Database}, {CustomLocal(t)}, {CustomShardingKey})"));
        }

        return list;
    }

    /// <summary>Applies <see cref="Statements"/>: stages in order, the statements of a stage concurrently.</summary>
    public static async Task EnsureAsync(ClickHouseHttpClient coordinator, IReadOnlyList<ClickHouseHttpClient> shards, ClickHouseTopology topology, CancellationToken cancellationToken)
    {
        foreach (var stage in Statements(topology).GroupBy(s => s.Stage).OrderBy(g => g.Key))
        {
            await Task.WhenAll(stage.SelectMany(st => (st.Target == DdlTarget.Coordinator ? [coordinator] : shards)
                .Select(server => server.ExecuteAsync(st.Sql, cancellationToken)))).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A Float64 computed at insert from its bit pattern: the text parser of ClickHouse (18.16 and, by default, later)
    /// can be off by one unit in the last place and flushes subnormals to zero, so values travel as bits and are
    /// exactly what the engine computed. <c>reinterpretAsFloat64(UInt64)</c> does not exist in 18.16; the String route does.
    /// </summary>
    private static string Float(string name) => $"{name} Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString({name}_bits))";

    /// <summary>
    /// One row per window × series × metric. Date-times are seconds plus a <c>…_us</c> column of microseconds (18.16 has
    /// no DateTime64). ReplacingMergeTree on the key with <c>version</c>: merges keep a key's latest row; reads take
    /// <c>argMax(…, version)</c> so a rewrite is never counted twice before a merge either. Month partitions of the
    /// window start; the sorting key follows the dashboard (a metric at a window size over a time range).
    /// </summary>
    private static string RollupsDdl(string name) => $"""
        CREATE TABLE IF NOT EXISTS {name} (
          window_start DateTime('UTC'), window_start_us UInt32, window_end DateTime('UTC'), window_end_us UInt32,
          window_size_us Int64, slide_us Int64,
          event_type String, resource_id String, provider String, region String, service String, account String, tags String,
          metric String, event_count Int64, value_count Int64,
          sum_bits UInt64, min_bits UInt64, max_bits UInt64, avg_bits UInt64, last_bits UInt64, p50_bits UInt64, p95_bits UInt64, p99_bits UInt64,
          last_at DateTime('UTC'), last_at_us UInt32, written_at DateTime('UTC'), version UInt64,
          {Float("sum")}, {Float("min")}, {Float("max")}, {Float("avg")}, {Float("last")}, {Float("p50")}, {Float("p95")}, {Float("p99")})
        ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(window_start)
        ORDER BY ({SortingKey})
        """;

    /// <summary>
    /// One row per window × series × custom aggregation, versioned and read like <c>stream_rollups</c> (ReplacingMergeTree,
    /// <c>argMax(…, version)</c> over committed versions). <c>type</c> is the JSON name of the aggregation type;
    /// <c>partial</c> is 1 when the aggregation began after the series' window had events.
    /// </summary>
    private static string CustomDdl(string name) => $"""
        CREATE TABLE IF NOT EXISTS {name} (
          window_start DateTime('UTC'), window_start_us UInt32, window_end DateTime('UTC'), window_end_us UInt32,
          window_size_us Int64, slide_us Int64,
          event_type String, resource_id String, provider String, region String, service String, account String, tags String,
          name String, type String, value_bits UInt64, partial UInt8, event_count Int64, written_at DateTime('UTC'), version UInt64,
          {Float("value")})
        ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(window_start)
        ORDER BY ({CustomSortingKey})
        """;
}
