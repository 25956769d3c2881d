using System.Text;
using Dwcp.Core.Focus;

namespace Dwcp.Storage.ClickHouse;

/// <summary>Where a DDL statement runs.</summary>
internal enum DdlTarget
{
    /// <summary>The coordinator (first URL) only: load bookkeeping.</summary>
    Coordinator,

    /// <summary>Every shard: the tables that hold rows (plain names on a single server, <c>_local</c> when sharded).</summary>
    EachShard,

    /// <summary>Every shard, only when sharded: the Distributed tables over the local ones.</summary>
    Distributed,
}

/// <summary>One DDL statement of a migration: where it runs, and its stage (stages run in order, statements of a stage concurrently).</summary>
internal sealed record DdlStatement(DdlTarget Target, int Stage, string Sql);

/// <summary>
/// The ClickHouse schema as numbered migrations. Statements are idempotent (<c>IF NOT EXISTS</c>) so a migration
/// interrupted half-way is simply run again at the next open; the version row is written after all of them.
/// </summary>
internal static class ClickHouseSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 4;

    /// <summary>Money and quantities: exact, 15 decimal places, as in the DuckDB store.</summary>
    public const string DecimalType = "Decimal(38, 15)";

    /// <summary>Date-times: seconds in UTC, plus a <c>…_us</c> UInt32 column with the microseconds (no DateTime64 in 18.16).</summary>
    public const string DateTimeType = "DateTime('UTC')";

    /// <summary>Suffix of the microseconds column of a date-time column.</summary>
    public const string MicrosSuffix = "_us";

    /// <summary>Columns that must not be NULL (they are in the sorting key or the pair key).</summary>
    public static readonly HashSet<string> NotNullColumns = new(StringComparer.Ordinal) { "BillingAccountId", "BillingPeriodStart", "ChargePeriodStart" };

    /// <summary>Sharding key of the Distributed tables: all rows of one (account, billing period) version sit on one shard.</summary>
    public const string ShardingKey = "cityHash64(BillingAccountId, BillingPeriodStart)";

    /// <summary>The rollup dimensions (column in the rollup, expression over <c>cost_rows</c>), all grouped by in the MVs.</summary>
    public static readonly (string Column, string Source)[] DailyDimensions =
    [
        ("provider", "ProviderName"),
        ("sub_account", "SubAccountId"),
        ("service", "ServiceName"),
        ("service_category", "ServiceCategory"),
        ("region", "coalesce(RegionId, RegionName)"),
        ("charge_category", "ChargeCategory"),
        ("pricing_category", "PricingCategory"),
        ("currency", "BillingCurrency"),
        ("consumed_unit", "ConsumedUnit"),
    ];

    /// <summary>
    /// Dimensions of <c>cost_summary_daily</c>, the dashboard's rollup: the daily rollup's without sub-account, which is
    /// what multiplies its rows (a sub-account per team or project), so dashboard queries read far fewer rows.
    /// </summary>
    public static readonly (string Column, string Source)[] SummaryDimensions = DailyDimensions.Where(d => d.Column != "sub_account").ToArray();

    /// <summary>Dimensions of the hourly rollup.</summary>
    public static readonly (string Column, string Source)[] HourlyDimensions =
    [
        ("provider", "ProviderName"),
        ("service", "ServiceName"),
        ("region", "coalesce(RegionId, RegionName)"),
        ("currency", "BillingCurrency"),
    ];

    /// <summary>The migrations, in order.</summary>
    public static IReadOnlyList<(int Version, string Description, IReadOnlyList<DdlStatement> Statements)> Migrations(ClickHouseTopology t) =>
    [
        (1, "FOCUS 1.2 cost rows, versioned loads with partition pointers, daily and hourly rollups", Version1(t)),
        (2, "cost_summary_daily: the daily rollup without sub-account, for dashboard queries", Version2(t)),
        (3, "cost_tag_daily: the summary rollup per tag key and value, for tag queries", Version3(t)),
        (4, "cost_summary_hourly: the summary rollup per UTC hour with every measure, replacing cost_hourly", Version4(t)),
    ];

    /// <summary>Every column of <c>cost_rows</c> in insert order (the micros column follows its date-time column).</summary>
    public static IReadOnlyList<string> RowColumns { get; } = BuildRowColumns();

    private static List<string> BuildRowColumns()
    {
        var cols = new List<string> { "load_id", "row_seq", "charge_date" };
        foreach (var c in FocusColumns.All)
        {
            cols.Add(c.Name);
            if (c.DataType == FocusDataType.DateTime)
            {
                cols.Add(c.Name + MicrosSuffix);
            }
        }

        cols.AddRange(["tag_keys", "tag_values", "x_extensions", "source_file", "source_line"]);
        return cols;
    }

    private static List<DdlStatement> Version1(ClickHouseTopology t)
    {
        // Stage 1: tables; stage 2: what reads them (materialised views, Distributed tables).
        var list = new List<DdlStatement>
        {
            new(DdlTarget.Coordinator, 1, """
                CREATE TABLE IF NOT EXISTS loads (
                  load_id UInt64, revision UInt8, status String, description String,
                  started_at DateTime('UTC'), committed_at Nullable(DateTime('UTC')), row_count UInt64, owner String)
                ENGINE = ReplacingMergeTree(revision) ORDER BY load_id
                """),
            new(DdlTarget.Coordinator, 1, """
                CREATE TABLE IF NOT EXISTS load_files (load_id UInt64, path String, sha256 String, row_count UInt64)
                ENGINE = MergeTree ORDER BY (sha256, load_id)
                """),
            new(DdlTarget.Coordinator, 1, $"""
                CREATE TABLE IF NOT EXISTS partition_history (
                  billing_account_id String, billing_period_start DateTime('UTC'), load_id UInt64, row_count UInt64,
                  billed_cost {DecimalType}, published_at DateTime('UTC'), replaced_load_id Nullable(UInt64))
                ENGINE = MergeTree ORDER BY (billing_account_id, billing_period_start, load_id)
                """),
            new(DdlTarget.Coordinator, 1, $"""
                CREATE TABLE IF NOT EXISTS partition_versions (
                  billing_account_id String, billing_period_start DateTime('UTC'), load_id UInt64, row_count UInt64,
                  billed_cost {DecimalType}, published_at DateTime('UTC'))
                ENGINE = ReplacingMergeTree(load_id) ORDER BY (billing_account_id, billing_period_start)
                """),
            new(DdlTarget.Coordinator, 1, """
                CREATE TABLE IF NOT EXISTS purged_versions (
                  billing_account_id String, billing_period_start DateTime('UTC'), load_id UInt64, purged_at DateTime('UTC'))
                ENGINE = MergeTree ORDER BY (billing_account_id, billing_period_start, load_id)
                """),
            new(DdlTarget.EachShard, 1, CostRowsDdl(t.RowsLocal)),
            new(DdlTarget.EachShard, 1, DailyDdl(t.DailyLocal)),
            new(DdlTarget.EachShard, 2, DailyViewDdl(t)),
            new(DdlTarget.EachShard, 1, HourlyDdl(t.LegacyHourlyLocal)),
            new(DdlTarget.EachShard, 2, HourlyViewDdl(t)),
        };

        if (t.Sharded)
        {
            list.Add(new(DdlTarget.Distributed, 2, $"CREATE TABLE IF NOT EXISTS {ClickHouseTopology.Rows} AS {t.RowsLocal} ENGINE = Distributed({t.Cluster}, {t.Database}, {t.RowsLocal}, {ShardingKey})"));
            list.Add(new(DdlTarget.Distributed, 2, $"CREATE TABLE IF NOT EXISTS {ClickHouseTopology.Daily} AS {t.DailyLocal} ENGINE = Distributed({t.Cluster}, {t.Database}, {t.DailyLocal})"));
            list.Add(new(DdlTarget.Distributed, 2, $"CREATE TABLE IF NOT EXISTS {ClickHouseTopology.LegacyHourly} AS {t.LegacyHourlyLocal} ENGINE = Distributed({t.Cluster}, {t.Database}, {t.LegacyHourlyLocal})"));
        }

        return list;
    }

    private static List<DdlStatement> Version2(ClickHouseTopology t)
    {
        // Stage 1: the table; stage 2: fill it from the rows already stored (only while it is empty, so running the
        // migration again after an interruption does not count them twice); stage 3: the view that keeps it current.
        // Migrations run at open, before this process loads anything.
        var list = new List<DdlStatement>
        {
            new(DdlTarget.EachShard, 1, RollupDdl(t.SummaryLocal, "day Date", "day", SummaryDimensions, withPairAndUnit: true)),
            new(DdlTarget.EachShard, 2, $"INSERT INTO {t.SummaryLocal} " + RollupSelect(t.RowsLocal, "charge_date AS day", "day", SummaryDimensions, withPairAndUnit: true,
                where: $"(SELECT count() FROM {t.SummaryLocal}) = 0")),
            new(DdlTarget.EachShard, 3, RollupViewDdl(t.SummaryLocal + "_mv", t.SummaryLocal, t.RowsLocal, "charge_date AS day", "day", SummaryDimensions, withPairAndUnit: true)),
        };

        if (t.Sharded)
        {
            list.Add(new(DdlTarget.Distributed, 3, $"CREATE TABLE IF NOT EXISTS {ClickHouseTopology.Summary} AS {t.SummaryLocal} ENGINE = Distributed({t.Cluster}, {t.Database}, {t.SummaryLocal})"));
        }

        return list;
    }

    private static List<DdlStatement> Version3(ClickHouseTopology t)
    {
        // As migration 2: the table, a one-time fill from the rows already stored, then the view.
        var list = new List<DdlStatement>
        {
            new(DdlTarget.EachShard, 1, RollupDdl(t.TagLocal, "day Date", "day", SummaryDimensions, withPairAndUnit: true, tags: true)),
            new(DdlTarget.EachShard, 2, $"INSERT INTO {t.TagLocal} " + RollupSelect(t.RowsLocal, "charge_date AS day", "day", SummaryDimensions, withPairAndUnit: true,
                where: $"(SELECT count() FROM {t.TagLocal}) = 0", tags: true)),
            new(DdlTarget.EachShard, 3, $"CREATE MATERIALIZED VIEW IF NOT EXISTS {t.TagLocal}_mv TO {t.TagLocal} AS\n" +
                RollupSelect(t.RowsLocal, "charge_date AS day", "day", SummaryDimensions, withPairAndUnit: true, tags: true)),
        };

        if (t.Sharded)
        {
            list.Add(new(DdlTarget.Distributed, 3, $"CREATE TABLE IF NOT EXISTS {ClickHouseTopology.Tag} AS {t.TagLocal} ENGINE = Distributed({t.Cluster}, {t.Database}, {t.TagLocal})"));
        }

        return list;
    }

    private static List<DdlStatement> Version4(ClickHouseTopology t)
    {
        // As migration 2, then the old hourly rollup (four dimensions, cost only: it could answer no query) goes.
        const string hour = "toStartOfHour(ChargePeriodStart) AS hour";
        var list = new List<DdlStatement>
        {
            new(DdlTarget.EachShard, 1, RollupDdl(t.HourlyLocal, "hour DateTime('UTC')", "toDate(hour)", SummaryDimensions, withPairAndUnit: true)),
            new(DdlTarget.EachShard, 2, $"INSERT INTO {t.HourlyLocal} " + RollupSelect(t.RowsLocal, hour, "hour", SummaryDimensions, withPairAndUnit: true,
                where: $"(SELECT count() FROM {t.HourlyLocal}) = 0")),
            new(DdlTarget.EachShard, 3, RollupViewDdl(t.HourlyLocal + "_mv", t.HourlyLocal, t.RowsLocal, hour, "hour", SummaryDimensions, withPairAndUnit: true)),
            new(DdlTarget.EachShard, 4, $"DROP TABLE IF EXISTS {t.LegacyHourlyLocal}_mv"),
            new(DdlTarget.EachShard, 5, $"DROP TABLE IF EXISTS {t.LegacyHourlyLocal}"),
        };

        if (t.Sharded)
        {
            list.Add(new(DdlTarget.Distributed, 3, $"CREATE TABLE IF NOT EXISTS {ClickHouseTopology.Hourly} AS {t.HourlyLocal} ENGINE = Distributed({t.Cluster}, {t.Database}, {t.HourlyLocal})"));
            list.Add(new(DdlTarget.Distributed, 4, $"DROP TABLE IF EXISTS {ClickHouseTopology.LegacyHourly}"));
        }

        return list;
    }

    private static string CostRowsDdl(string name)
    {
        var sb = new StringBuilder($"CREATE TABLE IF NOT EXISTS {name} (\n  load_id UInt64, row_seq UInt64, charge_date Date");
        foreach (var c in FocusColumns.All)
        {
            var type = c.DataType switch
            {
                FocusDataType.Decimal => DecimalType,
                FocusDataType.DateTime => DateTimeType,
                _ => "String",
            };
            var nullable = !NotNullColumns.Contains(c.Name);
            sb.Append(",\n  ").Append(c.Name).Append(' ').Append(nullable ? $"Nullable({type})" : type);
            if (c.DataType == FocusDataType.DateTime)
            {
                sb.Append(", ").Append(c.Name).Append(MicrosSuffix).Append(" UInt32");
            }
        }

        sb.Append(",\n  tag_keys Array(String), tag_values Array(String), x_extensions Nullable(String), source_file Nullable(String), source_line Int64)\n");
        // Month partitions; the key follows the dashboard's access paths (account, day, service); the sample key
        // (a hash of the row's sequence number) is in the key so that approximate queries can use SAMPLE.
        sb.Append("ENGINE = MergeTree PARTITION BY toYYYYMM(charge_date)\n")
          .Append("ORDER BY (BillingAccountId, charge_date, ifNull(ServiceName, ''), load_id, intHash32(row_seq))\n")
          .Append("SAMPLE BY intHash32(row_seq)");
        return sb.ToString();
    }

    private static string DailyDdl(string name) => RollupDdl(name, "day Date", "day", DailyDimensions, withPairAndUnit: true);

    private static string HourlyDdl(string name) => RollupDdl(name, "hour DateTime('UTC')", "toDate(hour)", HourlyDimensions, withPairAndUnit: false);

    /// <summary>
    /// A rollup table. With <paramref name="tags"/>, one row per tag key and value as well (<c>tag_key, tag_value</c> lead
    /// the sorting key, so a query on one key reads only its range, and a filter on values only theirs).
    /// </summary>
    private static string RollupDdl(string name, string timeColumn, string dayExpr, (string Column, string Source)[] dims, bool withPairAndUnit, bool tags = false)
    {
        var sb = new StringBuilder($"CREATE TABLE IF NOT EXISTS {name} (\n  load_id UInt64, billing_account_id String, billing_period_start DateTime('UTC'), {timeColumn}");
        if (tags)
        {
            sb.Append(", tag_key String, tag_value String");
        }

        foreach (var (column, _) in dims)
        {
            sb.Append(", ").Append(column).Append(" Nullable(String)");
        }

        sb.Append($",\n  billed AggregateFunction(sum, {DecimalType}), effective AggregateFunction(sum, {DecimalType}), list AggregateFunction(sum, {DecimalType})");
        if (withPairAndUnit)
        {
            sb.Append($", qty AggregateFunction(sum, {DecimalType}), qty_count AggregateFunction(sum, UInt64)");
        }

        sb.Append(", row_count AggregateFunction(count))\n");
        // Every dimension is in the sorting key (as value and null flag: Nullable columns cannot be key columns), so
        // merges only ever combine rows of the same group.
        sb.Append($"ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM({dayExpr})\nORDER BY (")
          .Append(tags ? "tag_key, tag_value, " : "").Append($"load_id, billing_account_id, billing_period_start, {timeColumn.Split(' ')[0]}");
        foreach (var (column, _) in dims)
        {
            sb.Append(", ifNull(").Append(column).Append(", ''), isNull(").Append(column).Append(')');
        }

        sb.Append(')');
        return sb.ToString();
    }

    private static string DailyViewDdl(ClickHouseTopology t) =>
        RollupViewDdl(t.DailyLocal + "_mv", t.DailyLocal, t.RowsLocal, "charge_date AS day", "day", DailyDimensions, withPairAndUnit: true);

    private static string HourlyViewDdl(ClickHouseTopology t) =>
        RollupViewDdl(t.LegacyHourlyLocal + "_mv", t.LegacyHourlyLocal, t.RowsLocal, "toStartOfHour(ChargePeriodStart) AS hour", "hour", HourlyDimensions, withPairAndUnit: false);

    /// <summary>A materialised view into a rollup. Aggregates get aliases unlike any source column (18.16 rejects <c>sumState(x) AS x</c>).</summary>
    private static string RollupViewDdl(string view, string target, string source, string time, string timeAlias, (string Column, string Source)[] dims, bool withPairAndUnit) =>
        $"CREATE MATERIALIZED VIEW IF NOT EXISTS {view} TO {target} AS\n" + RollupSelect(source, time, timeAlias, dims, withPairAndUnit);

    /// <summary>
    /// The aggregate-state SELECT of a rollup over the rows (the body of its view), with an optional WHERE. With
    /// <paramref name="tags"/>, each row is repeated once per tag (ARRAY JOIN); a key repeated within a row counts once,
    /// at its first position, as the raw rows' <c>indexOf</c> reads it.
    /// </summary>
    private static string RollupSelect(string source, string time, string timeAlias, (string Column, string Source)[] dims, bool withPairAndUnit, string? where = null, bool tags = false)
    {
        var zero = $"toDecimal128(0, 15)";
        var sb = new StringBuilder($"SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, {time}");
        if (tags)
        {
            sb.Append(", tag_key, tag_value");
        }

        foreach (var (column, src) in dims)
        {
            sb.Append(", ").Append(src).Append(" AS ").Append(column);
        }

        sb.Append($",\n  sumState(ifNull(BilledCost, {zero})) AS billed, sumState(ifNull(EffectiveCost, {zero})) AS effective, sumState(ifNull(ListCost, {zero})) AS list");
        if (withPairAndUnit)
        {
            sb.Append($", sumState(ifNull(ConsumedQuantity, {zero})) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count");
        }

        sb.Append(", countState() AS row_count\nFROM ").Append(source);
        if (tags)
        {
            sb.Append(" ARRAY JOIN tag_keys AS tag_key, tag_values AS tag_value, arrayEnumerate(tag_keys) AS tag_pos");
        }

        var conditions = new[] { tags ? "indexOf(tag_keys, tag_key) = tag_pos" : null, where }.OfType<string>().ToList();
        if (conditions.Count > 0)
        {
            sb.Append(" WHERE ").Append(string.Join(" AND ", conditions));
        }

        sb.Append("\nGROUP BY load_id, billing_account_id, billing_period_start, ").Append(timeAlias).Append(tags ? ", tag_key, tag_value" : "");
        foreach (var (column, _) in dims)
        {
            sb.Append(", ").Append(column);
        }

        return sb.ToString();
    }
}

/// <summary>Single server or sharded, and the table names that follow from it.</summary>
internal sealed record ClickHouseTopology(string Database, bool Sharded, string Cluster)
{
    /// <summary>The table every read and write of rows goes through (Distributed when sharded).</summary>
    public const string Rows = "cost_rows";

    /// <summary>The daily rollup as read.</summary>
    public const string Daily = "cost_daily";

    /// <summary>The hourly summary rollup as read.</summary>
    public const string Hourly = "cost_summary_hourly";

    /// <summary>The first hourly rollup (migration 1; dropped by migration 4).</summary>
    public const string LegacyHourly = "cost_hourly";

    /// <summary>The dashboard's daily rollup (no sub-account) as read.</summary>
    public const string Summary = "cost_summary_daily";

    /// <summary>The tag rollup as read.</summary>
    public const string Tag = "cost_tag_daily";

    /// <summary>The table holding a shard's tag rollup.</summary>
    public string TagLocal => Sharded ? "cost_tag_daily_local" : Tag;

    /// <summary>The table holding a shard's rows.</summary>
    public string RowsLocal => Sharded ? "cost_rows_local" : Rows;

    /// <summary>The table holding a shard's daily rollup.</summary>
    public string DailyLocal => Sharded ? "cost_daily_local" : Daily;

    /// <summary>The table holding a shard's dashboard rollup.</summary>
    public string SummaryLocal => Sharded ? "cost_summary_daily_local" : Summary;

    /// <summary>The table holding a shard's hourly rollup.</summary>
    public string HourlyLocal => Sharded ? "cost_summary_hourly_local" : Hourly;

    /// <summary>The table that held a shard's first hourly rollup.</summary>
    public string LegacyHourlyLocal => Sharded ? "cost_hourly_local" : LegacyHourly;
}
