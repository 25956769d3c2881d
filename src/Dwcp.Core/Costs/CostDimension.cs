namespace Dwcp.Core.Costs;

/// <summary>A FOCUS dimension that cost can be grouped or filtered by.</summary>
public enum CostDimension
{
    /// <summary>ProviderName.</summary>
    Provider,
    /// <summary>BillingAccountId.</summary>
    BillingAccount,
    /// <summary>SubAccountId.</summary>
    SubAccount,
    /// <summary>ServiceName.</summary>
    Service,
    /// <summary>ServiceCategory.</summary>
    ServiceCategory,
    /// <summary>RegionId (falls back to RegionName when the id is null).</summary>
    Region,
    /// <summary>ResourceId.</summary>
    Resource,
    /// <summary>ChargeCategory.</summary>
    ChargeCategory,
    /// <summary>PricingCategory.</summary>
    PricingCategory,
    /// <summary>BillingCurrency. Every answer is split by it implicitly; it can also be filtered on.</summary>
    Currency,
    /// <summary>The value of one tag key (normalised view: keys trimmed). Needs <see cref="CostGrouping.TagKey"/>.</summary>
    Tag,
}

/// <summary>A dimension to group or filter by; for <see cref="CostDimension.Tag"/> the tag key.</summary>
public readonly record struct CostGrouping(CostDimension Dimension, string? TagKey = null)
{
    /// <summary>Groups by a tag key.</summary>
    public static CostGrouping ForTag(string key) => new(CostDimension.Tag, key);

    /// <summary>A readable name: the dimension, or <c>tag:Key</c>.</summary>
    public override string ToString() => Dimension == CostDimension.Tag ? $"tag:{TagKey}" : Dimension.ToString();
}

/// <summary>
/// Keeps only rows whose value for <see cref="On"/> is one of <see cref="Values"/>. A null entry in
/// <see cref="Values"/> matches rows where the value is null (for a tag: rows without that tag).
/// </summary>
public sealed record CostFilter(CostGrouping On, IReadOnlyList<string?> Values);

/// <summary>The time resolution of a cost answer.</summary>
public enum CostGrain
{
    /// <summary>One total over the whole range.</summary>
    Total,
    /// <summary>UTC calendar days.</summary>
    Day,
    /// <summary>ISO weeks, starting Monday (UTC).</summary>
    Week,
    /// <summary>Calendar months (UTC).</summary>
    Month,
    /// <summary>UTC hours of ChargePeriodStart (the line's <see cref="CostLine.PeriodStartTime"/> gives the hour).</summary>
    Hour,
}

/// <summary>Which FOCUS cost column a figure is taken from.</summary>
public enum CostMeasure
{
    /// <summary>BilledCost: the invoice view.</summary>
    Billed,
    /// <summary>EffectiveCost: the amortised view.</summary>
    Effective,
    /// <summary>ListCost: at public list prices.</summary>
    List,
}
