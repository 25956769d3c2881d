namespace Dwcp.Anomalies.Costs;

/// <summary>The dimensions root-cause analysis decomposes a change over.</summary>
public static class CostDimensions
{
    /// <summary>Sub/billing account.</summary>
    public const string Account = "account";

    /// <summary>Region.</summary>
    public const string Region = "region";

    /// <summary>SKU or usage type.</summary>
    public const string Sku = "sku";

    /// <summary>Resource id.</summary>
    public const string Resource = "resource";

    /// <summary>FOCUS ChargeCategory (Usage, Purchase, Tax, Credit, Adjustment).</summary>
    public const string ChargeCategory = "charge_category";

    /// <summary>FOCUS PricingCategory (Standard/On-Demand, Committed, Dynamic/Spot, Other).</summary>
    public const string PricingCategory = "pricing_category";

    /// <summary>Commitment status (e.g. Covered, Uncovered/On-Demand).</summary>
    public const string CommitmentStatus = "commitment_status";

    /// <summary>Billing currency.</summary>
    public const string Currency = "currency";

    /// <summary>All dimensions, in reporting order.</summary>
    public static IReadOnlyList<string> All { get; } = [Account, Region, Sku, Resource, ChargeCategory, PricingCategory, CommitmentStatus, Currency];
}

/// <summary>One cost detail row (e.g. one FOCUS row aggregated to the day): its dimension values and cost.</summary>
public sealed record CostDetailRow
{
    /// <summary>Account.</summary>
    public string? Account { get; init; }

    /// <summary>Region.</summary>
    public string? Region { get; init; }

    /// <summary>SKU / usage type.</summary>
    public string? Sku { get; init; }

    /// <summary>Resource id.</summary>
    public string? Resource { get; init; }

    /// <summary>Charge category.</summary>
    public string? ChargeCategory { get; init; }

    /// <summary>Pricing category.</summary>
    public string? PricingCategory { get; init; }

    /// <summary>Commitment status.</summary>
    public string? CommitmentStatus { get; init; }

    /// <summary>Currency.</summary>
    public string? Currency { get; init; }

    /// <summary>Cost of the row.</summary>
    public required decimal Cost { get; init; }

    /// <summary>The row's value of a dimension (<see cref="CostDimensions"/>); "(none)" when missing.</summary>
    public string ValueOf(string dimension) => (dimension switch
    {
        CostDimensions.Account => Account,
        CostDimensions.Region => Region,
        CostDimensions.Sku => Sku,
        CostDimensions.Resource => Resource,
        CostDimensions.ChargeCategory => ChargeCategory,
        CostDimensions.PricingCategory => PricingCategory,
        CostDimensions.CommitmentStatus => CommitmentStatus,
        CostDimensions.Currency => Currency,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown cost dimension; see CostDimensions.All."),
    }) ?? "(none)";
}

/// <summary>The decomposition of a day's cost change.</summary>
/// <param name="Expected">Baseline daily cost (sum of baseline rows / baseline days), to the cent.</param>
/// <param name="Actual">The anomalous day's cost.</param>
/// <param name="ByDimension">Every value's contribution per dimension, ranked by |delta|.</param>
/// <param name="Increases">Top increases over all informative dimensions, ranked by delta (largest first).</param>
/// <param name="Decreases">Top decreases, ranked by |delta| (largest first).</param>
public sealed record RootCauseResult(
    decimal Expected, decimal Actual, IReadOnlyDictionary<string, IReadOnlyList<CostContributor>> ByDimension,
    IReadOnlyList<CostContributor> Increases, IReadOnlyList<CostContributor> Decreases)
{
    /// <summary>Actual − expected.</summary>
    public decimal Delta => Actual - Expected;
}

/// <summary>
/// Root cause by additive decomposition: for each dimension and value v, expected_v = (Σ baseline cost with v) /
/// baseline days, actual_v = Σ anomalous-day cost with v, delta_v = actual_v − expected_v (rounded to the cent). The
/// deltas of one dimension sum to the total change (up to rounding), so every dimension is a full explanation at its
/// own grain. Increases and decreases are reported separately, each ranked by |delta|, so a resource that grew by
/// $500 and one that shrank by $480 both show, instead of netting to $20. A dimension with one value on both sides
/// (e.g. a single currency) explains nothing and is left out of the top lists; when no dimension has two values, the
/// single values (resource, SKU, account, region, charge, pricing, commitment) are named instead, each with the whole change.
/// </summary>
public static class RootCauseAnalyzer
{
    /// <summary>Decomposes the change between the baseline days and the anomalous day.</summary>
    /// <param name="anomalousDay">Detail rows of the anomalous day.</param>
    /// <param name="baseline">Detail rows of all baseline (expected) days together.</param>
    /// <param name="baselineDays">How many days <paramref name="baseline"/> covers (≥ 1).</param>
    /// <param name="top">How many increases and decreases to keep.</param>
    public static RootCauseResult Analyze(IReadOnlyCollection<CostDetailRow> anomalousDay, IReadOnlyCollection<CostDetailRow> baseline, int baselineDays, int top = 5)
    {
        ArgumentNullException.ThrowIfNull(anomalousDay);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentOutOfRangeException.ThrowIfLessThan(baselineDays, 1);
        var expectedTotal = Cents(baseline.Sum(r => r.Cost) / baselineDays);
        var actualTotal = anomalousDay.Sum(r => r.Cost);
        var byDimension = new Dictionary<string, IReadOnlyList<CostContributor>>();
        var pool = new List<CostContributor>();
        foreach (var dim in CostDimensions.All)
        {
            var before = baseline.GroupBy(r => r.ValueOf(dim)).ToDictionary(g => g.Key, g => g.Sum(r => r.Cost) / baselineDays, StringComparer.Ordinal);
            var after = anomalousDay.GroupBy(r => r.ValueOf(dim)).ToDictionary(g => g.Key, g => g.Sum(r => r.Cost), StringComparer.Ordinal);
            var keys = before.Keys.Union(after.Keys, StringComparer.Ordinal).ToList();
            var raw = keys.Select(k =>
            {
                var e = Cents(before.GetValueOrDefault(k));
                var a = after.GetValueOrDefault(k);
                var change = !before.ContainsKey(k) ? ContributorChange.New : !after.ContainsKey(k) ? ContributorChange.Gone : ContributorChange.Changed;
                return (Key: k, Expected: e, Actual: a, Delta: Cents(a - e), Change: change);
            }).ToList();
            var gross = raw.Sum(r => Math.Abs(r.Delta));
            var list = raw
                .Select(r => new CostContributor(dim, r.Key, r.Expected, r.Actual, r.Delta, gross == 0 ? 0 : (double)(Math.Abs(r.Delta) / gross), r.Change))
                .OrderByDescending(c => Math.Abs(c.DollarDelta))
                .ThenBy(c => c.Value, StringComparer.Ordinal)
                .ToList();
            byDimension[dim] = list;
            var informative = keys.Count > 1;
            if (informative)
            {
                pool.AddRange(list.Where(c => c.DollarDelta != 0));
            }
        }

        if (pool.Count == 0)
        {
            // Every dimension has one value: the whole change sits in that one resource / SKU / account. Name them, most
            // specific first, rather than explain nothing.
            var single = SingleValueOrder
                .Select(d => byDimension[d].FirstOrDefault(c => c.DollarDelta != 0))
                .OfType<CostContributor>()
                .Take(top)
                .ToList();
            return new RootCauseResult(expectedTotal, actualTotal, byDimension,
                [.. single.Where(c => c.DollarDelta > 0)], [.. single.Where(c => c.DollarDelta < 0)]);
        }

        var increases = pool.Where(c => c.DollarDelta > 0).OrderByDescending(c => c.DollarDelta).ThenBy(c => c.Dimension, StringComparer.Ordinal).Take(top).ToList();
        var decreases = pool.Where(c => c.DollarDelta < 0).OrderBy(c => c.DollarDelta).ThenBy(c => c.Dimension, StringComparer.Ordinal).Take(top).ToList();
        return new RootCauseResult(expectedTotal, actualTotal, byDimension, increases, decreases);
    }

    /// <summary>Dimensions named when none has two values, most specific first (currency never explains a change).</summary>
    private static readonly string[] SingleValueOrder =
        [CostDimensions.Resource, CostDimensions.Sku, CostDimensions.Account, CostDimensions.Region, CostDimensions.ChargeCategory, CostDimensions.PricingCategory, CostDimensions.CommitmentStatus];

    private static decimal Cents(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
