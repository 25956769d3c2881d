using System.Text;
using Dwcp.Core.Costs;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// The daily rollup of the DuckDB store: one row per (load, billing account, billing period, day, rollup dimensions,
/// currency, unit) with the sums and counts, so dashboard queries read thousands of rows instead of millions.
/// </summary>
/// <remarks>
/// <para>Versioned like the rows: a rollup row carries its load id, account and billing period, and readers join it on
/// <c>partition_versions</c> exactly as <c>visible_cost_rows</c> does, so a restatement switches rows and rollup in the same
/// commit. A committed load's rows never change, so its rollup is built once, in one transaction together with its
/// marker in <c>cost_daily_loads</c>.</para>
/// <para>It is a derived cache maintained at read time: the first rollup read after a commit builds the rollup of
/// every visible load that has none (one GROUP BY over that load's rows). Reads never wait for it to be complete:
/// <see cref="With"/> adds, in the same statement and snapshot, the raw rows of visible loads not yet rolled up, so a
/// rollup answer always equals the raw answer. That part is an inner join whose small side (visible pairs of unbuilt
/// loads) is normally empty, so DuckDB skips the scan of the rows altogether. The tables can be dropped at any time;
/// they are rebuilt.</para>
/// </remarks>
internal sealed class DuckDbDailyRollup
{
    /// <summary>Rollup columns: (column, expression over cost_rows).</summary>
    private static readonly (string Column, string Source)[] Dimensions =
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

    private static readonly string Aggregate = BuildAggregate();

    private readonly Lock _gate = new();
    private bool _created;

    /// <summary>
    /// The CTE <c>cost_daily_visible</c>: the rollup of visible versions plus, rolled up on the fly, the visible rows of
    /// loads whose rollup is not built yet. Starts with <c>WITH</c>.
    /// </summary>
    public static readonly string With =
        "WITH cost_daily_visible AS (SELECT d.* FROM cost_daily d JOIN partition_versions p ON d.load_id = p.load_id " +
        "AND d.billing_account_id = p.billing_account_id AND d.billing_period_start = p.billing_period_start UNION ALL " +
        Aggregate + " FROM cost_rows r JOIN (SELECT * FROM partition_versions WHERE load_id NOT IN (SELECT load_id FROM cost_daily_loads)) u " +
        "ON r.load_id = u.load_id AND r.\"BillingAccountId\" = u.billing_account_id AND r.\"BillingPeriodStart\" = u.billing_period_start GROUP BY ALL)";

    /// <summary>The rollup column of a dimension.</summary>
    public static string Column(CostGrouping grouping) => grouping.Dimension switch
    {
        CostDimension.Provider => "provider",
        CostDimension.BillingAccount => "billing_account_id",
        CostDimension.SubAccount => "sub_account",
        CostDimension.Service => "service",
        CostDimension.ServiceCategory => "service_category",
        CostDimension.Region => "region",
        CostDimension.ChargeCategory => "charge_category",
        CostDimension.PricingCategory => "pricing_category",
        CostDimension.Currency => "currency",
        _ => throw new StoreException($"The daily rollup has no {grouping} dimension; the query must read the raw rows."),
    };

    /// <summary>Totals per currency over the rollup (currency, billed, effective, list, rows).</summary>
    public static string Totals(DuckDbAggregationSql sql, DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters) =>
        With + " SELECT currency, sum(billed), sum(effective), sum(list), CAST(sum(row_count) AS BIGINT) FROM cost_daily_visible WHERE "
        + sql.Where(from, to, filters) + " GROUP BY 1 ORDER BY 1";

    /// <summary>
    /// Creates the tables if needed and builds the rollup of every visible load that has none. Concurrent callers are
    /// serialised; the build and its marker commit together, so a failed build leaves nothing behind.
    /// </summary>
    public void Refresh(Func<DuckDBConnection> connect)
    {
        lock (_gate)
        {
            using var c = connect();
            if (!_created)
            {
                DuckDbSchema.Execute(c, $"""
                    CREATE TABLE IF NOT EXISTS cost_daily (load_id BIGINT NOT NULL, billing_account_id VARCHAR NOT NULL,
                      billing_period_start TIMESTAMP NOT NULL, day DATE NOT NULL, {string.Join(", ", Dimensions.Select(d => d.Column + " VARCHAR"))},
                      billed {DuckDbSchema.DecimalType}, effective {DuckDbSchema.DecimalType}, list {DuckDbSchema.DecimalType},
                      qty {DuckDbSchema.DecimalType}, qty_count BIGINT NOT NULL, row_count BIGINT NOT NULL);
                    CREATE TABLE IF NOT EXISTS cost_daily_loads (load_id BIGINT PRIMARY KEY, row_count BIGINT NOT NULL);
                    """);
                _created = true;
            }

            const string missing = "SELECT DISTINCT load_id FROM partition_versions WHERE load_id NOT IN (SELECT load_id FROM cost_daily_loads)";
            if (Convert.ToInt64(DuckDbSchema.Scalar(c, $"SELECT count(*) FROM ({missing})"), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return;
            }

            try
            {
                using var tx = c.BeginTransaction();
                DuckDbSchema.Execute(c, "CREATE TEMP TABLE IF NOT EXISTS rollup_missing (load_id BIGINT); DELETE FROM rollup_missing; INSERT INTO rollup_missing " + missing);
                DuckDbSchema.Execute(c, $"INSERT INTO cost_daily {Aggregate} FROM cost_rows r WHERE r.load_id IN (SELECT load_id FROM rollup_missing) GROUP BY ALL");
                DuckDbSchema.Execute(c, "INSERT INTO cost_daily_loads SELECT m.load_id, (SELECT count(*) FROM cost_rows r WHERE r.load_id = m.load_id) FROM rollup_missing m");
                // Rollups of loads no longer visible anywhere (fully restated) are dead weight.
                DuckDbSchema.Execute(c, "DELETE FROM cost_daily WHERE load_id NOT IN (SELECT load_id FROM partition_versions)");
                tx.Commit();
            }
            catch (DuckDBException ex) when (ex.Message.Contains("onflict", StringComparison.Ordinal) || ex.Message.Contains("onstraint", StringComparison.Ordinal))
            {
                // Another store object on the same file built the same load first (its marker is the primary key). Nothing
                // is lost: this build rolled back, and reads roll up unbuilt loads on the fly.
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
