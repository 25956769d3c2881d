using System.Text;
using Dwcp.Core.Costs;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>Builds parameterised DuckDB SQL for a <see cref="CostAggregation"/>. Values are always parameters.</summary>
internal sealed class DuckDbAggregationSql
{
    private readonly List<DuckDBParameter> _parameters = [];

    public IReadOnlyList<DuckDBParameter> Parameters => _parameters;

    /// <summary>The SQL expression of a dimension over <c>visible_cost_rows</c>.</summary>
    public string Dimension(CostGrouping grouping) => grouping.Dimension switch
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
        sb.Append("charge_date BETWEEN ").Append(Param(from)).Append(" AND ").Append(Param(to));
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

    public static string Period(CostGrain grain) => grain switch
    {
        CostGrain.Day => "charge_date",
        CostGrain.Week => "CAST(date_trunc('week', charge_date) AS DATE)",
        CostGrain.Month => "CAST(date_trunc('month', charge_date) AS DATE)",
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
        sb.Append("WITH base AS (SELECT ").Append(Period(spec.Grain)).Append(" AS period");
        for (var i = 0; i < n; i++)
        {
            sb.Append(", ").Append(Dimension(spec.GroupBy[i])).Append(" AS ").Append(keys[i]);
        }

        sb.Append(", \"BillingCurrency\" AS currency, \"BilledCost\", \"EffectiveCost\", \"ListCost\", \"ConsumedQuantity\", \"ConsumedUnit\" FROM visible_cost_rows WHERE ")
          .Append(Where(spec.From, spec.To, spec.Filters)).Append("), folded AS (SELECT period, currency, \"BilledCost\", \"EffectiveCost\", \"ListCost\", \"ConsumedQuantity\", \"ConsumedUnit\"");

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

        sb.Append(", currency, is_other, sum(\"BilledCost\") AS billed_cost, sum(\"EffectiveCost\") AS effective_cost, sum(\"ListCost\") AS list_cost, ")
          .Append("sum(\"ConsumedQuantity\") AS consumed_quantity, count(DISTINCT \"ConsumedUnit\") AS unit_count, ")
          .Append("count(\"ConsumedQuantity\") FILTER (WHERE \"ConsumedUnit\" IS NULL) AS unitless, min(\"ConsumedUnit\") AS consumed_unit, count(*) AS row_count ")
          .Append("FROM folded GROUP BY period");
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
