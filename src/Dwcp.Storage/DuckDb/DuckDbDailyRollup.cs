using System.Text;
using Dwcp.Core.Costs;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// The daily rollups of the DuckDB store, at two levels:
/// <list type="bullet">
/// <item><c>cost_daily</c>: one row per (load, billing account, billing period, day, rollup dimensions, currency, unit) with
/// the sums and counts. Versioned like the rows: a rollup row carries its load id, account and billing period, and readers
/// join it on <c>partition_versions</c> exactly as <c>visible_cost_rows</c> does, so a restatement switches rows and rollup
/// in the same commit. A committed load's rows never change, so its rollup is built once, in one transaction together
/// with its marker in <c>cost_daily_loads</c>.</item>
/// <item><c>cost_summary_daily</c>: the visible versions only, without load, billing period and sub-account, so the
/// dashboard's queries (totals, service series, top-N, provider/region breakdowns) read a few thousand rows with no join.
/// It is rebuilt from <c>cost_daily</c> whenever the set of visible versions changes, and carries the fingerprint of the
/// <c>partition_versions</c> it was built from (<c>cost_summary_state</c>). A reader checks that fingerprint against
/// the current versions in the same transaction (one snapshot) as its query, and reads <c>cost_daily</c> instead when
/// they differ, so a summary built before a restatement is never read after it.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>Both are derived caches maintained at read time: the first rollup read after a commit builds what is missing.
/// Reads never wait for it to be complete: <see cref="With"/> adds, in the same statement and snapshot, the raw rows of
/// visible loads not yet rolled up, so a rollup answer always equals the raw answer. That part is an inner join whose
/// small side (visible pairs of unbuilt loads) is normally empty, so DuckDB skips the scan of the rows altogether. The
/// tables can be emptied at any time; they are rebuilt.</para>
/// </remarks>
internal sealed class DuckDbDailyRollup
{
    /// <summary>Rollup columns: (column, expression over cost_rows).</summary>
    internal static readonly (string Column, string Source)[] Dimensions =
    [
        ("provider", "\"ProviderName\""),
        ("sub_account", "\"SubAccountId\""),
        ("service", "\"ServiceName\""),
        ("service_category", "\"ServiceCategory\""),
        ("region", "coalesce(\"RegionId\", \"RegionName\")"),
        ("charge_category", "\"ChargeCategory\""),
        ("pricing_category", "\"PricingCategory\""),
        ("currency", "\"BillingCurrency\""),
        ("consumed_unit", "\"ConsumedUnit\""),
    ];

    /// <summary>The columns of <c>cost_summary_daily</c> besides the measures: the fine rollup's without sub-account.</summary>
    private static readonly string[] SummaryColumns =
        ["day", "billing_account_id", .. Dimensions.Select(d => d.Column).Where(c => c != "sub_account")];

    private static readonly string Aggregate = BuildAggregate();

    /// <summary>
    /// The fingerprint of the visible versions: their count and the sum of a hash of each (load, account, period). Any
    /// publish or restatement changes it (up to a 64-bit hash collision, which would need two different version sets
    /// with the same count and hash sum).
    /// </summary>
    internal const string Fingerprint =
        "(SELECT CAST(count(*) AS VARCHAR) || ':' || CAST(coalesce(sum(hash(load_id, billing_account_id, billing_period_start)), 0) AS VARCHAR) FROM partition_versions)";

    private readonly Lock _gate = new();

    /// <summary>The body of <see cref="With"/>: the fine rollup of the visible versions, built or rolled up on the fly.</summary>
    internal static readonly string VisibleBody =
        "SELECT d.* FROM cost_daily d JOIN partition_versions p ON d.load_id = p.load_id " +
        "AND d.billing_account_id = p.billing_account_id AND d.billing_period_start = p.billing_period_start UNION ALL " +
        Aggregate + " FROM cost_rows r JOIN (SELECT * FROM partition_versions WHERE load_id NOT IN (SELECT load_id FROM cost_daily_loads)) u " +
        "ON r.load_id = u.load_id AND r.\"BillingAccountId\" = u.billing_account_id AND r.\"BillingPeriodStart\" = u.billing_period_start GROUP BY ALL";

    /// <summary>
    /// The CTE <c>cost_daily_visible</c>: the rollup of visible versions plus, rolled up on the fly, the visible rows of
    /// loads whose rollup is not built yet. Starts with <c>WITH</c>.
    /// </summary>
    public static readonly string With = "WITH cost_daily_visible AS (" + VisibleBody + ")";

    /// <summary>
    /// The CTE <c>cost_daily_visible</c> over the summary. Only valid inside a transaction where <see cref="Fresh"/> held.
    /// </summary>
    public const string SummaryWith = "WITH cost_daily_visible AS (SELECT * FROM cost_summary_daily)";

    /// <summary>The condition that <c>cost_summary_daily</c> was built from the versions visible now.</summary>
    internal const string FreshCondition = "coalesce((SELECT fingerprint FROM cost_summary_state), '') = " + Fingerprint;

    /// <summary>The condition that a summary whose fingerprint is kept in <paramref name="stateTable"/> was built from the versions visible now.</summary>
    internal static string FreshConditionOf(string stateTable) => $"coalesce((SELECT fingerprint FROM {stateTable}), '') = {Fingerprint}";

    /// <summary>True when <c>cost_summary_daily</c> was built from the versions visible now.</summary>
    public const string Fresh = "SELECT " + FreshCondition;

    /// <summary>Migration 3: the rollup tables (created lazily before it, hence IF NOT EXISTS).</summary>
    public static string Version3() => $"""
        CREATE TABLE IF NOT EXISTS cost_daily (load_id BIGINT NOT NULL, billing_account_id VARCHAR NOT NULL,
          billing_period_start TIMESTAMP NOT NULL, day DATE NOT NULL, {string.Join(", ", Dimensions.Select(d => d.Column + " VARCHAR"))},
          billed {DuckDbSchema.DecimalType}, effective {DuckDbSchema.DecimalType}, list {DuckDbSchema.DecimalType},
          qty {DuckDbSchema.DecimalType}, qty_count BIGINT NOT NULL, row_count BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS cost_daily_loads (load_id BIGINT PRIMARY KEY, row_count BIGINT NOT NULL);
        CREATE TABLE cost_summary_daily (day DATE NOT NULL, billing_account_id VARCHAR NOT NULL,
          {string.Join(", ", Dimensions.Where(d => d.Column != "sub_account").Select(d => d.Column + " VARCHAR"))},
          billed {DuckDbSchema.DecimalType}, effective {DuckDbSchema.DecimalType}, list {DuckDbSchema.DecimalType},
          qty {DuckDbSchema.DecimalType}, qty_count BIGINT NOT NULL, row_count BIGINT NOT NULL);
        CREATE TABLE cost_summary_state (fingerprint VARCHAR NOT NULL);
        """;

    /// <summary>Totals per currency over the rollup (currency, billed, effective, list, rows).</summary>
    public static string Totals(DuckDbAggregationSql sql, DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters) =>
        sql.RollupWith(from, to, filters) + " SELECT currency, sum(billed), sum(effective), sum(list), CAST(sum(row_count) AS BIGINT) FROM cost_daily_visible WHERE "
        + sql.Where(from, to, filters) + " GROUP BY 1 ORDER BY 1";

    /// <summary>
    /// Builds the rollup of every visible load that has none, and rebuilds the summary when the visible versions changed.
    /// Concurrent callers are serialised; each build commits together with its markers, so a failed build leaves nothing
    /// behind.
    /// </summary>
    public void Refresh(Func<DuckDBConnection> connect) => RefreshLevels(_gate, connect, new RollupLevels(
        "cost_daily", "cost_daily_loads", "cost_summary_daily", "cost_summary_state", SummaryColumns,
        rows => $"{Aggregate} {rows} GROUP BY ALL", SummaryOrder: null));

    /// <summary>The tables of a two-level rollup (per load, then visible versions only) and how to build them.</summary>
    /// <param name="PerLoad">The per-load rollup table.</param>
    /// <param name="Markers">Its marker table: (load_id, row_count) of every load built.</param>
    /// <param name="Summary">The visible-versions table.</param>
    /// <param name="State">The table holding the fingerprint the summary was built from.</param>
    /// <param name="SummaryColumns">The summary's columns besides the measures (all in the per-load table too).</param>
    /// <param name="BuildSelect">The per-load aggregate SELECT for the rows of a FROM … WHERE clause over <c>cost_rows r</c>.</param>
    /// <param name="SummaryOrder">Order of the summary's insert (so zone maps prune a filter on its leading column), or null.</param>
    internal sealed record RollupLevels(string PerLoad, string Markers, string Summary, string State, IReadOnlyList<string> SummaryColumns,
        Func<string, string> BuildSelect, string? SummaryOrder);

    /// <summary>
    /// Builds the per-load rollup of every visible load without one and rebuilds the summary when the visible versions
    /// changed, in one transaction (see <see cref="Refresh"/>).
    /// </summary>
    internal static void RefreshLevels(Lock gate, Func<DuckDBConnection> connect, RollupLevels t)
    {
        lock (gate)
        {
            using var c = connect();
            var missing = $"SELECT DISTINCT load_id FROM partition_versions WHERE load_id NOT IN (SELECT load_id FROM {t.Markers})";
            var freshCondition = FreshConditionOf(t.State);
            bool unbuilt, stale;
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = $"SELECT EXISTS ({missing}), NOT ({freshCondition})";
                using var r = cmd.ExecuteReader();
                r.Read();
                unbuilt = r.GetBoolean(0);
                stale = r.GetBoolean(1);
            }

            if (!unbuilt && !stale)
            {
                return;
            }

            try
            {
                using var tx = c.BeginTransaction();
                if (unbuilt)
                {
                    var temp = t.PerLoad + "_missing";
                    DuckDbSchema.Execute(c, $"CREATE TEMP TABLE IF NOT EXISTS {temp} (load_id BIGINT); DELETE FROM {temp}; INSERT INTO {temp} " + missing);
                    DuckDbSchema.Execute(c, $"INSERT INTO {t.PerLoad} {t.BuildSelect($"FROM cost_rows r WHERE r.load_id IN (SELECT load_id FROM {temp})")}");
                    DuckDbSchema.Execute(c, $"INSERT INTO {t.Markers} SELECT m.load_id, (SELECT count(*) FROM cost_rows r WHERE r.load_id = m.load_id) FROM {temp} m");
                    // Rollups of loads no longer visible anywhere (fully restated) are dead weight.
                    DuckDbSchema.Execute(c, $"DELETE FROM {t.PerLoad} WHERE load_id NOT IN (SELECT load_id FROM partition_versions)");
                }

                var columns = string.Join(", ", t.SummaryColumns.Select(col => "d." + col));
                DuckDbSchema.Execute(c, $"""
                    DELETE FROM {t.Summary};
                    INSERT INTO {t.Summary} SELECT {columns},
                      sum(d.billed), sum(d.effective), sum(d.list), sum(d.qty), CAST(sum(d.qty_count) AS BIGINT), CAST(sum(d.row_count) AS BIGINT)
                    FROM {t.PerLoad} d JOIN partition_versions p ON d.load_id = p.load_id AND d.billing_account_id = p.billing_account_id
                      AND d.billing_period_start = p.billing_period_start
                    GROUP BY {columns}{(t.SummaryOrder is null ? "" : " ORDER BY " + t.SummaryOrder)};
                    DELETE FROM {t.State};
                    INSERT INTO {t.State} SELECT {Fingerprint};
                    """);
                tx.Commit();
            }
            catch (DuckDBException ex) when (ex.Message.Contains("onflict", StringComparison.Ordinal) || ex.Message.Contains("onstraint", StringComparison.Ordinal))
            {
                // Another store object on the same file built the same load or summary first. Nothing is lost: this build
                // rolled back, reads roll up unbuilt loads on the fly, and a stale summary is never read.
            }
        }
    }

    private static string BuildAggregate()
    {
        var sb = new StringBuilder("SELECT r.load_id, \"BillingAccountId\" AS billing_account_id, \"BillingPeriodStart\" AS billing_period_start, charge_date AS day");
        foreach (var (column, source) in Dimensions)
        {
            sb.Append(", ").Append(source).Append(" AS ").Append(column);
        }

        return sb.Append(", sum(\"BilledCost\") AS billed, sum(\"EffectiveCost\") AS effective, sum(\"ListCost\") AS list, ")
            .Append("sum(\"ConsumedQuantity\") AS qty, count(\"ConsumedQuantity\") AS qty_count, count(*) AS row_count").ToString();
    }
}
