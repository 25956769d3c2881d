using System.Globalization;
using System.Text;
using Dwcp.Core.Costs;

namespace Dwcp.Storage.ClickHouse;

/// <summary>Which table an aggregation reads.</summary>
internal enum AggregationSource
{
    /// <summary><c>cost_rows</c>: every dimension, every row.</summary>
    Raw,

    /// <summary><c>cost_daily</c>: the daily rollup, for groupings and filters on its dimensions only.</summary>
    Daily,

    /// <summary><c>cost_summary_daily</c>: the daily rollup without sub-account, for the dashboard's queries.</summary>
    Summary,

    /// <summary><c>cost_summary_hourly</c>: the summary per UTC hour, for hourly aggregations on summary dimensions.</summary>
    Hourly,

    /// <summary>
    /// <c>cost_tag_daily</c> for the tagged groups of one key, with <c>cost_summary_daily</c> for the untagged group (the
    /// summary minus the tagged groups), for queries on one tag key and summary dimensions.
    /// </summary>
    Tag,
}

/// <summary>
/// Builds ClickHouse SQL for a <see cref="CostAggregation"/> with the same semantics as the DuckDB store: currency is
/// always a key, usage is summed only when a line has one unit, kept keys stay and the rest fold into one "Other"
/// line per period and currency. Values are inlined as escaped literals (18.16 has no query parameters over HTTP).
/// </summary>
/// <remarks>
/// Two levels: the first groups the source by (period, keys, currency, unit) — over the rollup this is where the
/// aggregate states are merged — and the second folds keys into "Other" and computes the line measures, identically
/// for both sources, so both give the same numbers.
/// </remarks>
internal static class ClickHouseAggregationSql
{
    private const string Zero = "toDecimal128(0, 15)";
    private static readonly DateOnly MinDay = new(1970, 1, 1);
    private static readonly DateOnly MaxDay = new(2105, 12, 31);

    /// <summary>True when the daily rollup holds every dimension the query groups or filters by.</summary>
    public static bool RollupCanAnswer(IEnumerable<CostGrouping> dimensions) => CostAggregation.RollupHas(dimensions);

    /// <summary>A sampling ratio in (0, 1] as a <c>SAMPLE</c> literal.</summary>
    public static string SampleLiteral(double ratio) => ratio > 0 && ratio <= 1
        ? ratio.ToString("0.0#################", CultureInfo.InvariantCulture)
        : throw new StoreException($"The sample ratio must be in (0, 1]; got {ratio}.");

    private static string Float(string column) => $"toFloat64(ifNull({column}, {Zero}))";

    private static string PercentileColumn(CostMeasure measure) => measure switch
    {
        CostMeasure.Effective => "EffectiveCost",
        CostMeasure.List => "ListCost",
        _ => "BilledCost",
    };

    /// <summary>
    /// The SQL expression of a dimension over the source; over the tag rollup, a tag is <paramref name="tagValue"/> (the
    /// value column in the tagged part, null in the untagged part).
    /// </summary>
    public static string Dimension(CostGrouping grouping, AggregationSource source, string? tagValue = null)
    {
        if (source is AggregationSource.Summary or AggregationSource.Tag or AggregationSource.Hourly && grouping.Dimension == CostDimension.SubAccount)
        {
            throw new StoreException("The summary rollup has no sub-account dimension; the query must read the daily rollup or the raw rows.");
        }

        if (source == AggregationSource.Tag && grouping.Dimension == CostDimension.Tag)
        {
            return tagValue ?? throw new StoreException("A tag over the tag rollup needs its value column.");
        }

        if (source != AggregationSource.Raw)
        {
            return RollupColumns.Of(grouping);
        }

        return grouping.Dimension switch
        {
            CostDimension.Provider => "ProviderName",
            CostDimension.BillingAccount => "BillingAccountId",
            CostDimension.SubAccount => "SubAccountId",
            CostDimension.Service => "ServiceName",
            CostDimension.ServiceCategory => "ServiceCategory",
            CostDimension.Region => "coalesce(RegionId, RegionName)",
            CostDimension.Resource => "ResourceId",
            CostDimension.ChargeCategory => "ChargeCategory",
            CostDimension.PricingCategory => "PricingCategory",
            CostDimension.Currency => "BillingCurrency",
            CostDimension.Tag => TagValue(grouping.TagKey ?? throw new StoreException("A tag grouping needs a tag key.")),
            _ => throw new StoreException($"Unknown dimension {grouping.Dimension}."),
        };
    }

    private static string TagValue(string key)
    {
        var k = ClickHouseText.Literal(key);
        return $"if(has(tag_keys, {k}), tag_values[indexOf(tag_keys, {k})], NULL)";
    }

    /// <summary>The WHERE condition: visible versions, the day range (inclusive) and every filter.</summary>
    public static string Where(DateOnly? from, DateOnly? to, IReadOnlyList<CostFilter> filters, AggregationSource source, string visible, string? tagValue = null)
    {
        var sb = new StringBuilder(visible);
        var day = DayColumn(source);
        if (from is { } f && to is { } t)
        {
            // ClickHouse dates hold 1970-01-01 … 2105-12-31: clamp the range, and an empty one matches nothing.
            var lo = f < MinDay ? MinDay : f;
            var hi = t > MaxDay ? MaxDay : t;
            sb.Append(lo > hi ? " AND 0" : $" AND {day} BETWEEN {ClickHouseText.DateLiteral(lo)} AND {ClickHouseText.DateLiteral(hi)}");
        }

        foreach (var filter in filters)
        {
            sb.Append(" AND ").Append(Filter(filter, source, tagValue));
        }

        return sb.ToString();
    }

    private static string Filter(CostFilter filter, AggregationSource source, string? tagValue)
    {
        var expr = Dimension(filter.On, source, tagValue);
        var nonNull = filter.Values.Where(v => v is not null).Distinct(StringComparer.Ordinal).ToList();
        var parts = new List<string>();
        if (nonNull.Count > 0)
        {
            parts.Add($"{expr} IN ({string.Join(", ", nonNull.Select(ClickHouseText.Literal))})");
        }

        if (filter.Values.Any(v => v is null))
        {
            parts.Add($"isNull({expr})");
        }

        return parts.Count == 0 ? "0" : "(" + string.Join(" OR ", parts) + ")";
    }

    private static string DayColumn(AggregationSource source) => source switch
    {
        AggregationSource.Raw => "charge_date",
        AggregationSource.Hourly => "toDate(hour)",
        _ => "day",
    };

    private static string Period(CostGrain grain, AggregationSource source)
    {
        var day = DayColumn(source);
        return grain switch
        {
            CostGrain.Day => day,
            CostGrain.Hour => source switch
            {
                AggregationSource.Raw => "toStartOfHour(ChargePeriodStart)",
                AggregationSource.Hourly => "hour",
                _ => throw new StoreException("The daily rollups have no hours; an hourly aggregation reads the hourly rollup or the raw rows."),
            },
            CostGrain.Week => $"toMonday({day})",
            CostGrain.Month => $"toStartOfMonth({day})",
            _ => "toDate(0)",
        };
    }

    /// <summary>
    /// Level one: the source grouped by (period, k0…kn, cur, unit) with b1, e1, l1 (costs), q1 and qn1 (quantity sum
    /// and how many rows had one) and n1 (rows).
    /// </summary>
    public static string Level1(DateOnly? from, DateOnly? to, CostGrain grain, IReadOnlyList<CostGrouping> groupBy, IReadOnlyList<CostFilter> filters,
        AggregationSource source, string visible, string? sample = null, bool squares = false, CostMeasure? percentiles = null)
    {
        if (source == AggregationSource.Tag)
        {
            return TagLevel1(from, to, grain, groupBy, filters, visible);
        }

        var sb = new StringBuilder("SELECT ").Append(Period(grain, source)).Append(" AS period");
        for (var i = 0; i < groupBy.Count; i++)
        {
            sb.Append(", ").Append(Dimension(groupBy[i], source)).Append(" AS k").Append(i);
        }

        if (source != AggregationSource.Raw)
        {
            sb.Append(", ifNull(currency, '') AS cur, consumed_unit AS unit, sumMerge(billed) AS b1, sumMerge(effective) AS e1, sumMerge(list) AS l1, ")
              .Append("sumMerge(qty) AS q1, sumMerge(qty_count) AS qn1, countMerge(row_count) AS n1 FROM ").Append(RollupTable(source));
        }
        else
        {
            sb.Append($", ifNull(BillingCurrency, '') AS cur, ConsumedUnit AS unit, sum(ifNull(BilledCost, {Zero})) AS b1, sum(ifNull(EffectiveCost, {Zero})) AS e1, ")
              .Append($"sum(ifNull(ListCost, {Zero})) AS l1, sum(ifNull(ConsumedQuantity, {Zero})) AS q1, sum(toUInt64(isNotNull(ConsumedQuantity))) AS qn1, ")
              .Append("count() AS n1");
            if (squares)
            {
                sb.Append($", sum({Float("BilledCost")} * {Float("BilledCost")}) AS b2, sum({Float("EffectiveCost")} * {Float("EffectiveCost")}) AS e2, ")
                  .Append($"sum({Float("ListCost")} * {Float("ListCost")}) AS l2");
            }

            if (percentiles is { } m)
            {
                sb.Append($", quantilesState(0.95, 0.99)({Float(PercentileColumn(m))}) AS qs1");
            }

            sb.Append(" FROM ").Append(ClickHouseTopology.Rows);
            if (sample is not null)
            {
                sb.Append(" SAMPLE ").Append(sample);
            }
        }

        sb.Append(" WHERE ").Append(Where(from, to, filters, source, visible)).Append(" GROUP BY period");
        for (var i = 0; i < groupBy.Count; i++)
        {
            sb.Append(", k").Append(i);
        }

        return sb.Append(", cur, unit").ToString();
    }

    /// <summary>
    /// Level one over the tag rollup, for a query on one tag key: the groups tagged with the key (value from
    /// <c>cost_tag_daily</c>), plus the summary and minus the tagged groups with a null tag, summed per (period, keys,
    /// currency, unit). What is left under a null tag is exactly the rows without the key; a group whose row count nets
    /// to zero has no such rows and is dropped, so unit counts stay exact. Filters apply in each part to the value the
    /// part gives the tag, which is the value its rows have.
    /// </summary>
    private static string TagLevel1(DateOnly? from, DateOnly? to, CostGrain grain, IReadOnlyList<CostGrouping> groupBy, IReadOnlyList<CostFilter> filters, string visible)
    {
        var key = CostAggregation.TagRollupKeyOf(groupBy.Concat(filters.Select(f => f.On)))
                  ?? throw new StoreException("The tag rollup answers queries on exactly one tag key and summary dimensions; read the raw rows.");
        const string untagged = "CAST(NULL AS Nullable(String))";
        var keyCondition = $"tag_key = {ClickHouseText.Literal(key)}";
        var sb = new StringBuilder("SELECT period");
        for (var i = 0; i < groupBy.Count; i++)
        {
            sb.Append(", k").Append(i);
        }

        // When a tag filter excludes untagged rows, the tagged groups alone answer: no summary, no negated copy, and the
        // tag filter is applied in the scan.
        var untaggedPossible = CostAggregation.UntaggedPossible(filters);
        sb.Append(", cur, unit, sum(tb) AS b1, sum(te) AS e1, sum(tl) AS l1, sum(tq) AS q1, sum(tqn) AS qn1, sum(tn) AS n1 FROM (")
          .Append(TaggedParts()).Append(untaggedPossible ? " UNION ALL " + SummaryPart() : "").Append(") GROUP BY period");
        for (var i = 0; i < groupBy.Count; i++)
        {
            sb.Append(", k").Append(i);
        }

        return sb.Append(", cur, unit HAVING n1 != 0").ToString();

        // The tagged groups are read once, merged to the answer's lines (with the tag value tv), then doubled by
        // ARRAY JOIN: sign 1 keeps the value and the amounts, sign -1 has a null tag and negated amounts. Tag filters
        // apply after the doubling, to the value each copy has.
        string TaggedParts()
        {
            var inner = new StringBuilder("SELECT ").Append(Period(grain, AggregationSource.Tag)).Append(" AS period");
            for (var i = 0; i < groupBy.Count; i++)
            {
                if (groupBy[i].Dimension != CostDimension.Tag)
                {
                    inner.Append(", ").Append(Dimension(groupBy[i], AggregationSource.Tag)).Append(" AS k").Append(i);
                }
            }

            inner.Append(", toNullable(tag_value) AS tv, ifNull(currency, '') AS cur, consumed_unit AS unit, sumMerge(billed) AS b0, sumMerge(effective) AS e0, ")
                 .Append("sumMerge(list) AS l0, sumMerge(qty) AS q0, toInt64(sumMerge(qty_count)) AS qn0, toInt64(countMerge(row_count)) AS n0 FROM ")
                 .Append(ClickHouseTopology.Tag).Append(" WHERE ")
                 .Append(untaggedPossible
                     ? Where(from, to, filters.Where(f => f.On.Dimension != CostDimension.Tag).ToList(), AggregationSource.Tag, visible)
                     : Where(from, to, filters, AggregationSource.Tag, visible, "toNullable(tag_value)"))
                 .Append(" AND ").Append(keyCondition).Append(" GROUP BY period");
            for (var i = 0; i < groupBy.Count; i++)
            {
                if (groupBy[i].Dimension != CostDimension.Tag)
                {
                    inner.Append(", k").Append(i);
                }
            }

            inner.Append(", tv, cur, unit");
            const string signed = "if(sign = 1, tv, NULL)";
            var outer = new StringBuilder("SELECT period");
            for (var i = 0; i < groupBy.Count; i++)
            {
                outer.Append(groupBy[i].Dimension == CostDimension.Tag ? $", {signed} AS k{i}" : $", k{i}");
            }

            outer.Append(", cur, unit, if(sign = 1, b0, -b0) AS tb, if(sign = 1, e0, -e0) AS te, if(sign = 1, l0, -l0) AS tl, if(sign = 1, q0, -q0) AS tq, ")
                 .Append("qn0 * sign AS tqn, n0 * sign AS tn FROM (").Append(inner).Append(untaggedPossible ? ") ARRAY JOIN [1, -1] AS sign WHERE " : ") ARRAY JOIN [1] AS sign WHERE ")
                 .Append(Where(null, null, filters.Where(f => f.On.Dimension == CostDimension.Tag).ToList(), AggregationSource.Tag, "1", signed));
            return outer.ToString();
        }

        // The summary with a null tag: every row once.
        string SummaryPart()
        {
            var part = new StringBuilder("SELECT ").Append(Period(grain, AggregationSource.Tag)).Append(" AS period");
            for (var i = 0; i < groupBy.Count; i++)
            {
                part.Append(", ").Append(Dimension(groupBy[i], AggregationSource.Tag, untagged)).Append(" AS k").Append(i);
            }

            part.Append(", ifNull(currency, '') AS cur, consumed_unit AS unit, sumMerge(billed) AS tb, sumMerge(effective) AS te, ")
                .Append("sumMerge(list) AS tl, sumMerge(qty) AS tq, toInt64(sumMerge(qty_count)) AS tqn, toInt64(countMerge(row_count)) AS tn FROM ")
                .Append(ClickHouseTopology.Summary).Append(" WHERE ").Append(Where(from, to, filters, AggregationSource.Tag, visible, untagged)).Append(" GROUP BY period");
            for (var i = 0; i < groupBy.Count; i++)
            {
                part.Append(", k").Append(i);
            }

            return part.Append(", cur, unit").ToString();
        }
    }

    /// <summary>
    /// The grouped query (no ORDER/LIMIT) yielding period, f0…fn, cur, is_other, billed_cost, effective_cost, list_cost,
    /// qty_sum, qty_count, unit_count, unitless, consumed_unit, row_count.
    /// </summary>
    public static string Grouped(CostAggregation spec, AggregationSource source, string visible, string? sample = null)
    {
        var n = spec.GroupBy.Count;
        var keep = KeepCondition(spec.KeepKeys, n);
        var sb = new StringBuilder("SELECT period");
        for (var i = 0; i < n; i++)
        {
            sb.Append(keep is null ? $", k{i} AS f{i}" : $", if({keep}, k{i}, NULL) AS f{i}");
        }

        sb.Append(", cur, ").Append(keep is null ? "toUInt8(0)" : $"toUInt8(NOT ({keep}))").Append(" AS is_other, ")
          .Append("sum(b1) AS billed_cost, sum(e1) AS effective_cost, sum(l1) AS list_cost, sum(q1) AS qty_sum, sum(qn1) AS qty_count, ")
          .Append("ifNull(uniqExact(unit), 0) AS unit_count, sumIf(qn1, isNull(unit)) AS unitless, min(unit) AS consumed_unit, sum(n1) AS row_count");
        var squares = spec.Sample is not null && source == AggregationSource.Raw;
        if (squares)
        {
            sb.Append(", sum(b2) AS b2s, sum(e2) AS e2s, sum(l2) AS l2s");
        }

        if (spec.Percentiles)
        {
            sb.Append(", arrayElement(quantilesMerge(0.95, 0.99)(qs1), 1) AS p95, arrayElement(quantilesMerge(0.95, 0.99)(qs1), 2) AS p99");
        }

        sb.Append(" FROM (")
          .Append(Level1(spec.From, spec.To, spec.Grain, spec.GroupBy, spec.Filters, source, visible, sample, squares, spec.Percentiles ? spec.RankBy : null))
          .Append(") GROUP BY period");
        for (var i = 0; i < n; i++)
        {
            sb.Append(", f").Append(i);
        }

        return sb.Append(", cur, is_other").ToString();
    }

    /// <summary>ORDER BY for <see cref="Grouped"/>: period, currency, "Other" last, measure descending, keys (nulls last).</summary>
    public static string OrderBy(CostAggregation spec)
    {
        var sb = new StringBuilder(" ORDER BY period, cur, is_other, ").Append(spec.RankBy switch
        {
            CostMeasure.Effective => "effective_cost",
            CostMeasure.List => "list_cost",
            _ => "billed_cost",
        }).Append(" DESC");
        for (var i = 0; i < spec.GroupBy.Count; i++)
        {
            sb.Append(", f").Append(i).Append(" ASC NULLS LAST");
        }

        return sb.ToString();
    }

    /// <summary>LIMIT clause for a page.</summary>
    public static string Limit(int? limit, long offset)
    {
        if (limit is null && offset <= 0)
        {
            return "";
        }

        var count = limit is { } l ? Math.Max(0, l).ToString(CultureInfo.InvariantCulture) : ulong.MaxValue.ToString(CultureInfo.InvariantCulture);
        return $" LIMIT {Math.Max(0, offset).ToString(CultureInfo.InvariantCulture)}, {count}";
    }

    /// <summary>Totals per currency: cur, billed, effective, list, rows.</summary>
    public static string Totals(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, AggregationSource source, string visible) =>
        "SELECT cur, sum(b1), sum(e1), sum(l1), sum(n1) FROM (" + Level1(from, to, CostGrain.Total, [], filters, source, visible) + ") GROUP BY cur ORDER BY cur";

    /// <summary>First day, last day and row count (days are meaningless when the count is 0). Not over the tag rollup.</summary>
    public static string DataRange(IReadOnlyList<CostFilter> filters, AggregationSource source, string visible) => source is AggregationSource.Tag or AggregationSource.Hourly
        ? throw new StoreException("The data range of a tag filter reads the raw rows.")
        : source != AggregationSource.Raw
        ? $"SELECT min(day), max(day), countMerge(row_count) FROM {RollupTable(source)} WHERE {Where(null, null, filters, source, visible)}"
        : $"SELECT min(charge_date), max(charge_date), count() FROM {ClickHouseTopology.Rows} WHERE {Where(null, null, filters, source, visible)}";

    private static string RollupTable(AggregationSource source) => source switch
    {
        AggregationSource.Summary => ClickHouseTopology.Summary,
        AggregationSource.Hourly => ClickHouseTopology.Hourly,
        _ => ClickHouseTopology.Daily,
    };

    /// <summary>The "kept" condition over k0…kn (null-safe equality), or null when nothing is folded.</summary>
    private static string? KeepCondition(IReadOnlyList<IReadOnlyList<string?>>? keepKeys, int n)
    {
        if (keepKeys is null)
        {
            return null;
        }

        if (keepKeys.Count == 0)
        {
            return "0";
        }

        var alternatives = keepKeys.Select(tuple =>
        {
            if (tuple.Count != n)
            {
                throw new StoreException($"A kept key has {tuple.Count} values but the grouping has {n}.");
            }

            return n == 0 ? "1" : "(" + string.Join(" AND ", tuple.Select((v, i) => v is null ? $"isNull(k{i})" : $"ifNull(k{i} = {ClickHouseText.Literal(v)}, 0)")) + ")";
        });
        return "(" + string.Join(" OR ", alternatives) + ")";
    }
}
