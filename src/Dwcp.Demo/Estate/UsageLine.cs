using Dwcp.Demo.Catalog;

namespace Dwcp.Demo.Estate;

/// <summary>When an instance runs.</summary>
internal enum Schedule
{
    /// <summary>24 hours every day.</summary>
    AlwaysOn,
    /// <summary>24 hours on weekdays, stopped at weekends.</summary>
    Weekdays,
    /// <summary>12 hours on weekdays (an office-hours scheduler), stopped at weekends.</summary>
    OfficeHours,
}

/// <summary>
/// One usage line of the estate: a resource, or a non-resource charge of one SKU in one sub account and region.
/// Each line produces at most one row per day.
/// </summary>
internal sealed record UsageLine
{
    /// <summary>Position in the estate; rows of a day are emitted in this order.</summary>
    public required int Index { get; init; }

    public required ProviderCatalog Provider { get; init; }

    public required FleetDef Fleet { get; init; }

    public required BillingAccountDef BillingAccount { get; init; }

    public required SubAccountDef SubAccount { get; init; }

    /// <summary>The region, or null for global services.</summary>
    public required RegionDef? Region { get; init; }

    public required ServiceDef Service { get; init; }

    public required SkuDef Sku { get; init; }

    public required string SkuId { get; init; }

    public required string SkuPriceId { get; init; }

    /// <summary>List (on-demand) price per pricing unit in this line's region.</summary>
    public required decimal ListUnitPrice { get; init; }

    /// <summary>Price after the billing account's negotiated discount (or the spot price for Dynamic lines).</summary>
    public required decimal ContractedUnitPrice { get; init; }

    public string? ResourceId { get; init; }

    public string? ResourceName { get; init; }

    /// <summary>Tags as JSON text, or null for untagged resources and non-resource charges.</summary>
    public string? TagsJson { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> NormalizedTags { get; init; } = [];

    /// <summary>Nominal weekday quantity at the start of the window (pool instances, GB or metered units).</summary>
    public required double BaseQuantity { get; init; }

    /// <summary>Size units per instance (vCores, OCPUs ...) for instance lines.</summary>
    public int SizeUnits { get; init; } = 1;

    public Schedule Schedule { get; init; } = Schedule.AlwaysOn;

    /// <summary>Weekend level relative to a weekday.</summary>
    public double WeekendFactor { get; init; } = 1;

    /// <summary>Monthly growth rate of the quantity.</summary>
    public double MonthlyGrowth { get; init; }

    /// <summary>Relative standard deviation of daily noise.</summary>
    public double Noise { get; init; }

    /// <summary>Whether the logistics peak season lifts this line.</summary>
    public bool Peak { get; init; }

    /// <summary>First window day (0-based) with usage.</summary>
    public int StartDay { get; init; }

    /// <summary>Window day (0-based, exclusive) after the last one with usage.</summary>
    public int EndDay { get; init; } = int.MaxValue;

    /// <summary>The FOCUS ServiceSubcategory of this line.</summary>
    public string Subcategory => Service.Subcategory;

    /// <summary>Whether the line exists on a window day.</summary>
    public bool IsActive(int day) => day >= StartDay && day < EndDay;
}
