using System.Text;
using Dwcp.Core.Costs;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// Builds parameterised DuckDB SQL for a <see cref="CostAggregation"/>. Values are always parameters. Over the raw rows
/// (<c>visible_cost_rows</c>) by default, or over the daily rollup (see <see cref="DuckDbDailyRollup"/>) when built with
/// <c>rollup: true</c>, or over the tag rollup (see <see cref="DuckDbTagRollup"/>) when also given a tag key.
/// </summary>
internal sealed class DuckDbAggregationSql(bool rollup = false, bool summary = false, string? tagKey = null)
{
    private readonly List<DuckDBParameter> _parameters = [];

    public IReadOnlyList<DuckDBParameter> Parameters => _parameters;

    /// <summary>True when this SQL reads the daily rollup.</summary>
    public bool Rollup => rollup;

    /// <summary>True when this SQL reads <c>cost_summary_daily</c> (valid only where <see cref="DuckDbDailyRollup.Fresh"/> holds).</summary>
    public bool Summary => rollup && summary;

    /// <summary>The CTE defining <c>cost_daily_visible</c> for this SQL's rollup level, over the range of the query.</summary>
    public string RollupWith(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters) => tagKey is not null
        ? DuckDbTagRollup.With(Param(tagKey), Param(from), Param(to), Summary, CostAggregation.UntaggedPossible(filters))
        : Summary ? DuckDbDailyRollup.SummaryWith : DuckDbDailyRollup.With;

    /// <summary>The SQL expression of a dimension over <c>visible_cost_rows</c> (or the rollup).</summary>
    public string Dimension(CostGrouping grouping) => rollup ? RollupDimension(grouping) : grouping.Dimension switch
    {
        CostDimension.Provider => "\"ProviderName\"",
        CostDimension.BillingAccount => "\"BillingAccountId\"",
        CostDimension.SubAccount => "\"SubAccountId\"",
        CostDimension.Service => "\"ServiceName\"",
        CostDimension.ServiceCategory => "\"ServiceCategory\"",
        CostDimension.Region => "coalesce(\"RegionId\", \"RegionName\")",
        CostDimension.Resource => "\"ResourceId\"",
        CostDimension.ChargeCategory => "\"ChargeCategory\"",
        CostDimension.PricingCategory => "\"PricingCategory\"",
        CostDimension.Currency => "\"BillingCurrency\"",
        CostDimension.Tag => $"list_extract(tag_values, list_position(tag_keys, {Param(grouping.TagKey ?? throw new StoreException("A tag grouping needs a tag key."))}))",
        _ => throw new StoreException($"Unknown dimension {grouping.Dimension}."),
    };

    private static string RollupDimension(CostGrouping grouping) => grouping.Dimension == CostDimension.Tag ? "tag_value" : RollupColumns.Of(grouping);

    /// <summary>Adds a parameter and returns its <c>$name</c> reference.</summary>
    public string Param(object? value)
    {
        var name = "p" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _parameters.Add(new DuckDBParameter(name, value));
        return "$" + name;
    }

    /// <summary>The WHERE clause for a range and filters.</summary>
    public string Where(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters)
    {
        var sb = new StringBuilder();
        sb.Append(rollup ? "day BETWEEN " : "charge_date BETWEEN ").Append(Param(from)).Append(" AND ").Append(Param(to));
        foreach (var f in filters)
        {
            sb.Append(" AND ").Append(Filter(f));
        }

        return sb.ToString();
    }

    private string Filter(CostFilter filter)
    {
        var expr = Dimension(filter.On);
        var nonNull = filter.Values.Where(v => v is not null).Distinct(StringComparer.Ordinal).ToList();
        var parts = new List<string>();
        if (nonNull.Count > 0)
        {
            parts.Add($"{expr} IN ({string.Join(", ", nonNull.Select(v => Param(v)))})");
        }

        if (filter.Values.Any(v => v is null))
        {
            parts.Add($"{expr} IS NULL");
        }

        return parts.Count == 0 ? "FALSE" : "(" + string.Join(" OR ", parts) + ")";
    }

    public static string Period(CostGrain grain, string day = "charge_date") => grain switch
    {
        CostGrain.Day => day,
        CostGrain.Hour when day == "charge_date" => "date_trunc('hour', \"ChargePeriodStart\")",
        CostGrain.Hour => throw new StoreException("The daily rollups have no hours; an hourly aggregation reads the raw rows."),
        CostGrain.Week => $"CAST(date_trunc('week', {day}) AS DATE)",
        CostGrain.Month => $"CAST(date_trunc('month', {day}) AS DATE)",
        _ => "CAST(NULL AS DATE)",
    };

    public static string Measure(CostMeasure measure) => measure switch
    {
        CostMeasure.Effective => "effective_cost",
        CostMeasure.List => "list_cost",
        _ => "billed_cost",
    };

    /// <summary>The grouped query (without ORDER/LIMIT), yielding period, k0..kn, currency, is_other and the measures.</summary>
    public string Grouped(CostAggregation spec)
    {
        var n = spec.GroupBy.Count;
        var keys = Enumerable.Range(0, n).Select(i => "k" + i).ToArray();
        var sb = new StringBuilder();
        if (rollup && (tagKey is null ? !spec.RollupCanAnswer || spec.TagRollupKey is not null : spec.TagRollupKey != tagKey))
        {
            throw new StoreException("The rollup cannot answer this aggregation (resource dimension, tags of two keys, hourly grain, sample or percentiles); read the raw rows.");
        }

        // Over the tag rollup the source holds signed parts (see DuckDbTagRollup.With): they are netted per line and unit first.
        var netted = rollup && tagKey is not null;
        sb.Append(rollup ? RollupWith(spec.From, spec.To, spec.Filters) + (netted ? ", signed AS (SELECT " : ", base AS (SELECT ") : "WITH base AS (SELECT ").Append(Period(spec.Grain, rollup ? "day" : "charge_date")).Append(" AS period");
        for (var i = 0; i < n; i++)
        {
            sb.Append(", ").Append(Dimension(spec.GroupBy[i])).Append(" AS ").Append(keys[i]);
        }

        // Uniform measure columns over either source: b, e, l (costs), q (quantity), qn (rows with a quantity), u (unit), n (rows).
        sb.Append(rollup
            ? ", currency, billed AS b, effective AS e, list AS l, qty AS q, qty_count AS qn, consumed_unit AS u, row_count AS n FROM cost_daily_visible WHERE "
            : ", \"BillingCurrency\" AS currency, \"BilledCost\" AS b, \"EffectiveCost\" AS e, \"ListCost\" AS l, \"ConsumedQuantity\" AS q, " +
              "CAST(\"ConsumedQuantity\" IS NOT NULL AS BIGINT) AS qn, \"ConsumedUnit\" AS u, 1 AS n" +
              (spec.Percentiles ? $", CAST(coalesce(\"{PercentileColumn(spec.RankBy)}\", 0) AS DOUBLE) AS y" : "") + " FROM visible_cost_rows WHERE ");
        sb.Append(Where(spec.From, spec.To, spec.Filters));
        if (spec.Sample is { } ratio)
        {
            sb.Append(" AND ").Append(SampleCondition(ratio));
        }

        if (netted)
        {
            sb.Append("), base AS (SELECT period");
            foreach (var k in keys)
            {
                sb.Append(", ").Append(k);
            }

            // A quantity that nets from rows without one (+x − x) is no quantity: null, as the rows give it.
            sb.Append(", currency, u, sum(b) AS b, sum(e) AS e, sum(l) AS l, CASE WHEN sum(qn) <> 0 THEN sum(q) END AS q, CAST(sum(qn) AS BIGINT) AS qn, CAST(sum(n) AS BIGINT) AS n ")
              .Append("FROM signed GROUP BY ALL HAVING sum(n) <> 0");
        }

        sb.Append("), folded AS (SELECT period, currency, b, e, l, q, qn, u, n").Append(spec.Percentiles ? ", y" : "");

        var keep = KeepCondition(spec.KeepKeys, keys);
        for (var i = 0; i < n; i++)
        {
            sb.Append(", CASE WHEN ").Append(keep).Append(" THEN ").Append(keys[i]).Append(" END AS ").Append(keys[i]);
        }

        sb.Append(", NOT (").Append(keep).Append(") AS is_other FROM base) ");
        sb.Append("SELECT period");
        foreach (var k in keys)
        {
            sb.Append(", ").Append(k);
        }

        sb.Append(", currency, is_other, sum(b) AS billed_cost, sum(e) AS effective_cost, sum(l) AS list_cost, ")
          .Append("sum(q) AS consumed_quantity, count(DISTINCT u) AS unit_count, ")
          .Append("CAST(coalesce(sum(qn) FILTER (WHERE u IS NULL), 0) AS BIGINT) AS unitless, min(u) AS consumed_unit, CAST(sum(n) AS BIGINT) AS row_count");
        if (spec.Sample is not null)
        {
            sb.Append(", sum(CAST(b AS DOUBLE) * CAST(b AS DOUBLE)) AS b2, sum(CAST(e AS DOUBLE) * CAST(e AS DOUBLE)) AS e2, sum(CAST(l AS DOUBLE) * CAST(l AS DOUBLE)) AS l2");
        }

        if (spec.Percentiles)
        {
            sb.Append(", quantile_cont(y, 0.95) AS p95, quantile_cont(y, 0.99) AS p99");
        }

        sb.Append(" FROM folded GROUP BY period");
        foreach (var k in keys)
        {
            sb.Append(", ").Append(k);
        }

        sb.Append(", currency, is_other");
        return sb.ToString();
    }

    /// <summary>ORDER BY for <see cref="Grouped"/>: period, currency, measure descending, "Other" last, keys.</summary>
    public static string OrderBy(CostAggregation spec)
    {
        var sb = new StringBuilder(" ORDER BY period NULLS FIRST, currency, is_other, ");
        sb.Append(Measure(spec.RankBy)).Append(" DESC");
        for (var i = 0; i < spec.GroupBy.Count; i++)
        {
            sb.Append(", k").Append(i).Append(" NULLS LAST");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The sample: a row is in it when a hash of its identity (load id, row sequence), mixed with
    /// <see cref="SampleSeed"/>, falls in the lowest <paramref name="ratio"/> of the hash range. The same ratio always
    /// selects the same rows (like ClickHouse's <c>SAMPLE</c> over its sampling key), whatever the thread count.
    /// </summary>
    public string SampleCondition(double ratio)
    {
        if (!(ratio > 0 && ratio <= 1))
        {
            throw new StoreException($"The sample ratio must be in (0, 1]; got {ratio}.");
        }

        return $"(hash(load_id, row_seq, {SampleSeed}) % 1000000) < {Param((long)Math.Round(ratio * 1_000_000))}";
    }

    /// <summary>Seed of the sample hash (fixed: answers are reproducible).</summary>
    public const int SampleSeed = 20_261_128;

    private static string PercentileColumn(CostMeasure measure) => measure switch
    {
        CostMeasure.Effective => "EffectiveCost",
        CostMeasure.List => "ListCost",
        _ => "BilledCost",
    };

    /// <summary>
    /// Completes a line read by the store with the optional columns after <c>row_count</c> (at
    /// <paramref name="first"/>): a sampled line's sums are scaled to estimates with intervals, and percentiles are added.
    /// </summary>
    public static CostLine Complete(CostLine line, System.Data.Common.DbDataReader r, CostAggregation spec, int first)
    {
        if (spec.Sample is { } ratio)
        {
            double Sq(int i) => r.IsDBNull(i) ? 0 : r.GetDouble(i);
            var (b, bi) = CostEstimate.Scale(ratio, line.BilledCost, Sq(first));
            var (e, ei) = CostEstimate.Scale(ratio, line.EffectiveCost, Sq(first + 1));
            var (l, li) = CostEstimate.Scale(ratio, line.ListCost, Sq(first + 2));
            line = line with
            {
                BilledCost = b,
                EffectiveCost = e,
                ListCost = l,
                ConsumedQuantity = line.ConsumedQuantity is { } q ? CostEstimate.Scale(ratio, q, 0).Estimate : null,
                RowCount = CostEstimate.ScaleCount(ratio, line.RowCount),
                Estimate = new CostEstimate(ratio, line.RowCount, bi, ei, li),
            };
            first += 3;
        }

        if (spec.Percentiles)
        {
            line = line with { Percentiles = new CostPercentiles(r.IsDBNull(first) ? 0 : r.GetDouble(first), r.IsDBNull(first + 1) ? 0 : r.GetDouble(first + 1)) };
        }

        return line;
    }

    private string KeepCondition(IReadOnlyList<IReadOnlyList<string?>>? keepKeys, string[] keys)
    {
        if (keepKeys is null)
        {
            return "TRUE";
        }

        if (keepKeys.Count == 0)
        {
            return "FALSE";
        }

        var alternatives = keepKeys.Select(tuple =>
        {
            if (tuple.Count != keys.Length)
            {
                throw new StoreException($"A kept key has {tuple.Count} values but the grouping has {keys.Length}.");
            }

            return "(" + string.Join(" AND ", keys.Select((k, i) => $"{k} IS NOT DISTINCT FROM {Param(tuple[i])}")) + ")";
        });
        return "(" + string.Join(" OR ", alternatives) + ")";
    }
}
