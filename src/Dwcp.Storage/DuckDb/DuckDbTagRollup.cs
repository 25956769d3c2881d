using System.Text;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// The tag rollups of the DuckDB store, built like the daily ones (<see cref="DuckDbDailyRollup"/>) at two levels:
/// <list type="bullet">
/// <item><c>cost_tag_daily</c>: per load, one row per (billing account, billing period, day, tag key, tag value, summary
/// dimensions, currency, unit) with the sums and counts of the rows carrying that tag. A row with three tags counts once
/// under each of its three keys. Built once per committed load (marker table <c>cost_tag_daily_loads</c>), by the first
/// tag query after the commit.</item>
/// <item><c>cost_tag_summary_daily</c>: the same over the visible versions only, without load and billing period, rebuilt
/// when the visible versions change and guarded by the same kind of fingerprint as <c>cost_summary_daily</c>
/// (<c>cost_tag_summary_state</c>).</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>Rows without the tag are not stored: the untagged group of key K is the summary rollup minus the rows tagged K
/// (<see cref="With"/>). The difference is taken per line of the answer and unit, and units whose row count nets to zero
/// are dropped, so every measure of the untagged group (sums, row and unit counts) is that of exactly the rows without
/// the tag.</para>
/// <para>Sub-accounts are not a dimension here (they would multiply the rows once more): a query that groups or filters
/// by sub-account and tag reads the raw rows.</para>
/// </remarks>
internal sealed class DuckDbTagRollup
{
    /// <summary>Summary dimensions (the daily rollup's without sub-account): (column, expression over the rows).</summary>
    private static readonly (string Column, string Source)[] Dimensions = DuckDbDailyRollup.Dimensions.Where(d => d.Column != "sub_account").ToArray();

    /// <summary>Columns of the netted source a tag query reads, besides the measures.</summary>
    private static readonly string GroupColumns = "day, billing_account_id, " + string.Join(", ", Dimensions.Select(d => d.Column));

    private const string Measures = "billed, effective, list, qty, qty_count, row_count";

    private const string TagFresh =
        "coalesce((SELECT fingerprint FROM cost_tag_summary_state), '') = " + DuckDbDailyRollup.Fingerprint;

    /// <summary>True when both summaries (<c>cost_summary_daily</c> and <c>cost_tag_summary_daily</c>) match the visible versions.</summary>
    public const string Fresh = "SELECT " + DuckDbDailyRollup.FreshCondition + " AND " + TagFresh;

    private readonly Lock _gate = new();

    /// <summary>Migration 4: the tag rollup tables.</summary>
    public static string Version4() => $"""
        CREATE TABLE cost_tag_daily (load_id BIGINT NOT NULL, billing_account_id VARCHAR NOT NULL,
          billing_period_start TIMESTAMP NOT NULL, day DATE NOT NULL, tag_key VARCHAR NOT NULL, tag_value VARCHAR,
          {string.Join(", ", Dimensions.Select(d => d.Column + " VARCHAR"))}, {MeasureColumns()});
        CREATE TABLE cost_tag_daily_loads (load_id BIGINT PRIMARY KEY, row_count BIGINT NOT NULL);
        CREATE TABLE cost_tag_summary_daily (day DATE NOT NULL, billing_account_id VARCHAR NOT NULL, tag_key VARCHAR NOT NULL,
          tag_value VARCHAR, {string.Join(", ", Dimensions.Select(d => d.Column + " VARCHAR"))}, {MeasureColumns()});
        CREATE TABLE cost_tag_summary_state (fingerprint VARCHAR NOT NULL);
        """;

    private static string MeasureColumns() =>
        $"billed {DuckDbSchema.DecimalType}, effective {DuckDbSchema.DecimalType}, list {DuckDbSchema.DecimalType}, " +
        $"qty {DuckDbSchema.DecimalType}, qty_count BIGINT NOT NULL, row_count BIGINT NOT NULL";

    /// <summary>
    /// The per-load tag aggregate of the rows <paramref name="rows"/> selects (an inner SELECT's FROM and WHERE over
    /// <c>cost_rows r</c>), for one key or all. A key repeated within a row counts once, at its first position, as the
    /// raw query's <c>list_position</c> reads it.
    /// </summary>
    private static string Aggregate(string rows, string? keyCondition = null)
    {
        var sb = new StringBuilder("SELECT load_id, billing_account_id, billing_period_start, day, tag_key, tag_value");
        foreach (var (column, _) in Dimensions)
        {
            sb.Append(", ").Append(column);
        }

        sb.Append(", sum(b) AS billed, sum(e) AS effective, sum(l) AS list, sum(q) AS qty, count(q) AS qty_count, count(*) AS row_count FROM (SELECT r.load_id, ")
          .Append("r.\"BillingAccountId\" AS billing_account_id, r.\"BillingPeriodStart\" AS billing_period_start, r.charge_date AS day");
        foreach (var (column, source) in Dimensions)
        {
            sb.Append(", ").Append(source).Append(" AS ").Append(column);
        }

        sb.Append(", r.\"BilledCost\" AS b, r.\"EffectiveCost\" AS e, r.\"ListCost\" AS l, r.\"ConsumedQuantity\" AS q, r.tag_keys AS all_keys, ")
          .Append("unnest(r.tag_keys) AS tag_key, unnest(r.tag_values) AS tag_value, unnest(range(1, len(r.tag_keys) + 1)) AS tag_pos ")
          .Append(rows).Append(") WHERE list_position(all_keys, tag_key) = tag_pos");
        if (keyCondition is not null)
        {
            sb.Append(" AND ").Append(keyCondition);
        }

        return sb.Append(" GROUP BY ALL").ToString();
    }

    /// <summary>
    /// The CTE <c>cost_daily_visible</c> of a query on one tag key: the groups carrying the key with its value, the daily
    /// rollup with a null tag, and the tagged groups again, negated, with a null tag. Summed per line of the answer, the
    /// null tag holds exactly the rows without the key; the aggregation nets per (period, keys, currency, unit) and drops
    /// what nets to no rows (see <see cref="DuckDbAggregationSql.Grouped"/>), so unit counts stay exact too.
    /// </summary>
    /// <param name="key">The tag key, as an SQL parameter reference.</param>
    /// <param name="from">First day, as an SQL parameter reference (every part is cut to the query's range).</param>
    /// <param name="to">Last day, as an SQL parameter reference.</param>
    /// <param name="summary">Read the visible-only summaries (valid only where <see cref="Fresh"/> held) instead of the per-load rollups.</param>
    /// <param name="untagged">False when a tag filter excludes untagged rows: then only the tagged groups are read.</param>
    public static string With(string key, string from, string to, bool summary, bool untagged = true)
    {
        var range = $"day BETWEEN {from} AND {to}";
        var tagged = summary
            ? $"SELECT * FROM cost_tag_summary_daily WHERE tag_key = {key} AND {range}"
            : $"SELECT d.* EXCLUDE (load_id, billing_period_start) FROM cost_tag_daily d JOIN partition_versions p ON d.load_id = p.load_id " +
              $"AND d.billing_account_id = p.billing_account_id AND d.billing_period_start = p.billing_period_start WHERE d.tag_key = {key} AND d.{range} " +
              "UNION ALL SELECT * EXCLUDE (load_id, billing_period_start) FROM (" + Aggregate(
                  "FROM cost_rows r JOIN (SELECT * FROM partition_versions WHERE load_id NOT IN (SELECT load_id FROM cost_tag_daily_loads)) u " +
                  "ON r.load_id = u.load_id AND r.\"BillingAccountId\" = u.billing_account_id AND r.\"BillingPeriodStart\" = u.billing_period_start " +
                  $"WHERE r.charge_date BETWEEN {from} AND {to}", $"tag_key = {key}") + ")";
        if (!untagged)
        {
            return $"WITH cost_daily_visible AS (SELECT {GroupColumns}, tag_value, {Measures} FROM ({tagged}))";
        }

        var all = summary
            ? $"SELECT {GroupColumns}, {Measures} FROM cost_summary_daily WHERE {range}"
            : $"SELECT {GroupColumns}, {Measures} FROM ({DuckDbDailyRollup.VisibleBody}) WHERE {range}";
        // One scan of the tagged groups yields both their positive (tag value) and negative (untagged) copies.
        return $"WITH cost_daily_visible AS (SELECT {GroupColumns}, CASE WHEN s.sign = 1 THEN tag_value END AS tag_value, " +
               "CASE WHEN s.sign = 1 THEN billed ELSE -billed END AS billed, CASE WHEN s.sign = 1 THEN effective ELSE -effective END AS effective, " +
               "CASE WHEN s.sign = 1 THEN list ELSE -list END AS list, CASE WHEN s.sign = 1 THEN qty ELSE -qty END AS qty, " +
               "qty_count * s.sign AS qty_count, row_count * s.sign AS row_count " +
               $"FROM ({tagged}) t CROSS JOIN (VALUES (1), (-1)) s(sign) " +
               $"UNION ALL SELECT {GroupColumns}, CAST(NULL AS VARCHAR) AS tag_value, {Measures} FROM ({all}))";
    }

    /// <summary>
    /// Builds the tag rollup of every visible load that has none, and rebuilds the tag summary when the visible versions
    /// changed. Serialised; each build commits together with its markers.
    /// </summary>
    public void Refresh(Func<DuckDBConnection> connect) => DuckDbDailyRollup.RefreshLevels(_gate, connect, new DuckDbDailyRollup.RollupLevels(
        "cost_tag_daily", "cost_tag_daily_loads", "cost_tag_summary_daily", "cost_tag_summary_state",
        ["day", "billing_account_id", "tag_key", "tag_value", .. Dimensions.Select(d => d.Column)],
        rows => Aggregate(rows) + " ORDER BY tag_key, tag_value, day", SummaryOrder: "d.tag_key, d.tag_value, d.day"));
}
