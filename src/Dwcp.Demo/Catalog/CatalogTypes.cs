using Dwcp.Core;

namespace Dwcp.Demo.Catalog;

/// <summary>How a usage line's daily quantity behaves.</summary>
internal enum LineKind
{
    /// <summary>One virtual machine or node: 24 hours a day, or a weekday schedule outside production.</summary>
    Instance,
    /// <summary>A scaled group (scale set, node pool, cluster): instances x 24 hours, with seasonality and growth.</summary>
    Pool,
    /// <summary>Stored data: GB grows smoothly; priced per GB-month, consumed in GB-hours.</summary>
    Storage,
    /// <summary>Requests, transfer, scans, seconds: weekday-heavy, noisy, growing or shrinking.</summary>
    Metered,
}

/// <summary>A cloud region and its price level relative to the provider's cheapest region.</summary>
internal sealed record RegionDef(string Id, string Name, decimal PriceFactor);

/// <summary>A billing account (payer, enrollment, billing account, tenancy).</summary>
internal sealed record BillingAccountDef(
    string Id,
    string Name,
    string Type,
    string InvoicePrefix,
    decimal NegotiatedDiscount,
    decimal TaxRate)
{
    /// <summary>The invoicing entity when it differs from the provider's default.</summary>
    public string? InvoiceIssuer { get; init; }

    /// <summary>What the tax is called on the invoice.</summary>
    public string TaxName { get; init; } = "Sales tax";
}

/// <summary>A sub account (linked account, subscription, project, compartment, member account).</summary>
internal sealed record SubAccountDef(
    string Id,
    string Name,
    string Type,
    string BillingAccountId,
    string Environment,
    string Department)
{
    /// <summary>Regions this sub account may use; empty means any.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];
}

/// <summary>A provider service with its FOCUS category and subcategory.</summary>
internal sealed record ServiceDef(string Name, string Category, string Subcategory);

/// <summary>A priced SKU: list price per pricing unit in the provider's reference region.</summary>
internal sealed record SkuDef(string Code, string Meter, decimal Price, string PricingUnit, string ConsumedUnit, double Weight = 1);

/// <summary>
/// A group of similar usage lines: resources of one service (when <see cref="IdPattern"/> is set) or non-resource
/// charges (one line per eligible sub account and region).
/// </summary>
internal sealed record FleetDef(string Service, LineKind Kind, IReadOnlyList<SkuDef> Skus)
{
    /// <summary>Optional key that commitments and incidents use to find the fleet.</summary>
    public string? Key { get; init; }

    /// <summary>Number of resources (resource fleets only).</summary>
    public int Count { get; init; } = 1;

    /// <summary>Base quantity range: instances (pool), GB (storage) or consumed units per weekday (metered).</summary>
    public (double Min, double Max) Quantity { get; init; } = (1, 1);

    /// <summary>FOCUS ResourceType; null for non-resource charges.</summary>
    public string? ResourceType { get; init; }

    /// <summary>ResourceId template (see <c>Templates</c>); null for non-resource charges.</summary>
    public string? IdPattern { get; init; }

    /// <summary>ResourceName template.</summary>
    public string NamePattern { get; init; } = "{project}-{role}-{nn}";

    /// <summary>Role words used in resource names.</summary>
    public IReadOnlyList<string> Roles { get; init; } = ["app"];

    /// <summary>Instance kind: size units per instance (vCores, OCPUs ...), one drawn per resource; default one.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [1];

    /// <summary>Eligible sub account names; empty means every sub account of the provider.</summary>
    public IReadOnlyList<string> SubAccounts { get; init; } = [];

    /// <summary>Eligible region ids (the first is the most likely); empty means all; <c>global</c> means no region.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Range of the weekend level relative to a weekday (1 = flat).</summary>
    public (double Min, double Max) Weekend { get; init; } = (1, 1);

    /// <summary>Range of the monthly growth rate (0.03 = +3 % a month; negative shrinks).</summary>
    public (double Min, double Max) Growth { get; init; } = (0, 0);

    /// <summary>Relative standard deviation of day-to-day noise.</summary>
    public double Noise { get; init; } = 0.05;

    /// <summary>FOCUS PricingCategory of the lines (Standard or Dynamic).</summary>
    public string PricingCategory { get; init; } = "Standard";

    /// <summary>For Dynamic (spot) pricing: the paid price as a share of the list price.</summary>
    public decimal SpotShare { get; init; } = 1m;

    /// <summary>Whether production lines get the logistics peak season (late November to Christmas).</summary>
    public bool PeakSeason { get; init; }

    /// <summary>Number of resources (the last ones) retired part-way through the window.</summary>
    public int RetireCount { get; init; }

    /// <summary>Where in the window (0..1) the retired resources stop.</summary>
    public double RetireAt { get; init; }

    /// <summary>Where in the window (0..1) the fleet starts to exist (a new service adopted mid-year).</summary>
    public double StartsAt { get; init; }

    /// <summary>Whether the fleet is exempt from random churn (resources starting late or ending early).</summary>
    public bool Stable { get; init; }

    /// <summary>Whether instances always run 24 hours regardless of environment.</summary>
    public bool AlwaysOn { get; init; }
}

/// <summary>Everything about one provider: accounts, regions, services and fleets.</summary>
internal sealed record ProviderCatalog(
    CloudProvider Provider,
    string InvoiceIssuerName,
    string PublisherName,
    IReadOnlyList<BillingAccountDef> BillingAccounts,
    IReadOnlyList<SubAccountDef> SubAccounts,
    IReadOnlyList<RegionDef> Regions,
    IReadOnlyList<ServiceDef> Services,
    IReadOnlyList<FleetDef> Fleets)
{
    /// <summary>The FOCUS ProviderName.</summary>
    public string ProviderName => CloudProviders.CanonicalName(Provider);

    /// <summary>A service by name.</summary>
    public ServiceDef Service(string name) =>
        Services.FirstOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"Unknown {Provider} service '{name}'.");

    /// <summary>A sub account by name.</summary>
    public SubAccountDef SubAccount(string name) =>
        SubAccounts.FirstOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"Unknown {Provider} sub account '{name}'.");

    /// <summary>A region by id.</summary>
    public RegionDef Region(string id) =>
        Regions.FirstOrDefault(r => r.Id == id) ?? throw new InvalidOperationException($"Unknown {Provider} region '{id}'.");

    /// <summary>A billing account by id.</summary>
    public BillingAccountDef BillingAccount(string id) =>
        BillingAccounts.FirstOrDefault(b => b.Id == id) ?? throw new InvalidOperationException($"Unknown {Provider} billing account '{id}'.");
}
