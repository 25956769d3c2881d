using Dwcp.Core;
using Dwcp.Core.Costs;
using GraphQL.Types;

namespace Dwcp.Server.Graph;

/// <summary>AWS, AZURE, GCP, ORACLE, IBM, ALIBABA, OTHER.</summary>
public sealed class CloudProviderEnum : EnumerationGraphType<CloudProvider>
{
    public CloudProviderEnum()
    {
        Name = "CloudProvider";
        Description = "A cloud provider. FOCUS ProviderName values map onto it (\"Microsoft\" → AZURE, \"Google Cloud\" → GCP, …); any other provider is OTHER, with its raw name in providerName.";
    }
}

/// <summary>The dimensions cost can be grouped by.</summary>
public sealed class CostGroupByEnum : EnumerationGraphType<CostDimension>
{
    public CostGroupByEnum()
    {
        Name = "CostGroupBy";
        Description = "A FOCUS dimension to group by. TAG needs the tagKey argument.";
    }
}

/// <summary>How values are aggregated within a time bucket.</summary>
public enum CostAggregationKind
{
    /// <summary>Total cost in the bucket.</summary>
    Sum,
    /// <summary>Average daily cost in the bucket (total divided by the bucket's days inside the range).</summary>
    Avg,
    /// <summary>Number of FOCUS charge rows in the bucket.</summary>
    Count,
}

/// <summary>SUM, AVG, COUNT.</summary>
public sealed class AggregationEnum : EnumerationGraphType<CostAggregationKind>
{
    public AggregationEnum()
    {
        Name = "Aggregation";
        Description = "SUM: total in the bucket; AVG: average daily cost in the bucket; COUNT: number of charge rows.";
    }
}

/// <summary>BILLED, EFFECTIVE, LIST.</summary>
public sealed class CostTypeEnum : EnumerationGraphType<CostMeasure>
{
    public CostTypeEnum()
    {
        Name = "CostType";
        Description = "BILLED: FOCUS BilledCost (invoice view, default); EFFECTIVE: EffectiveCost (amortised); LIST: ListCost.";
    }
}

/// <summary>Time resolution of metrics.</summary>
public enum Granularity
{
    /// <summary>UTC days.</summary>
    Daily,
    /// <summary>ISO weeks starting Monday.</summary>
    Weekly,
    /// <summary>Calendar months.</summary>
    Monthly,
    /// <summary>One bucket for the whole range.</summary>
    Total,
    /// <summary>UTC hours of the charge start.</summary>
    Hourly,
}

/// <summary>DAILY, WEEKLY, MONTHLY, TOTAL, HOURLY.</summary>
public sealed class GranularityEnum : EnumerationGraphType<Granularity>
{
    public GranularityEnum()
    {
        Name = "Granularity";
    }
}

/// <summary>INCREASING, DECREASING, STABLE.</summary>
public sealed class TrendEnum : EnumerationGraphType<CostTrend>
{
    public TrendEnum()
    {
        Name = "Trend";
        Description = "Direction of the least-squares line through daily cost: ±5% or more of the mean daily cost over the range (docs/cost-queries.md).";
    }
}
