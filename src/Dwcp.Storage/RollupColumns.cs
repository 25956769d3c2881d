using Dwcp.Core.Costs;

namespace Dwcp.Storage;

/// <summary>The column names of the daily cost rollups, shared by every backend (DuckDB and ClickHouse name them alike).</summary>
public static class RollupColumns
{
    /// <summary>The rollup column of a dimension.</summary>
    /// <exception cref="StoreException">The rollups have no such dimension (resource, tag): the query must read the raw rows.</exception>
    public static string Of(CostGrouping grouping) => grouping.Dimension switch
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
}
