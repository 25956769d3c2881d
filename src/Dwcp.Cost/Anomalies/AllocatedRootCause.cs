using Dwcp.Anomalies.Costs;

namespace Dwcp.Cost.Anomalies;

/// <summary>
/// Root cause that reconciles to the cent with the anomaly's own expected cost. For every dimension, the expected
/// total E is split over the dimension's values in proportion to their share of the baseline days' cost
/// (expected_v = E·baseline_v/baseline), actual_v is the value's cost on the day, and both are rounded to the cent
/// with the rounding remainder put on the largest value, so Σ expected_v = E, Σ actual_v = A (to the cent) and
/// Σ delta_v = A − E exactly in every dimension. Increases and decreases are kept apart, so offsetting changes both
/// show. The first contributor is the driver (see <see cref="Driver"/>); the others follow by gain, the part of the
/// change a value carries beyond its usual share of the cost.
/// </summary>
internal static class AllocatedRootCause
{
    /// <summary>The value that carries expected cost when there were no baseline rows to split it by.</summary>
    public const string NoBaseline = "(no baseline detail)";

    /// <summary>The value of rows without the dimension (e.g. no resource id): never the driver.</summary>
    public const string Missing = "(none)";

    /// <summary>Decomposes the change between the baseline days and the anomalous day.</summary>
    /// <param name="day">Rows of the anomalous day.</param>
    /// <param name="baseline">Rows of the baseline days.</param>
    /// <param name="expected">Expected total of the day, in cents.</param>
    /// <param name="top">Increases and decreases to keep.</param>
    public static RootCauseResult Decompose(IReadOnlyCollection<CostDetailRow> day, IReadOnlyCollection<CostDetailRow> baseline, decimal expected, int top = 10)
    {
        var actual = SeriesModel.Cents(day.Sum(r => r.Cost));
        var byDimension = new Dictionary<string, IReadOnlyList<CostContributor>>(StringComparer.Ordinal);
        var pool = new List<CostContributor>();
        foreach (var dim in CostDimensions.All)
        {
            var before = Sum(baseline, dim);
            var after = Sum(day, dim);
            var keys = before.Keys.Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var baseTotal = before.Values.Sum();
            Dictionary<string, decimal> rawExpected;
            if (baseTotal != 0)
            {
                rawExpected = keys.ToDictionary(k => k, k => expected * before.GetValueOrDefault(k) / baseTotal, StringComparer.Ordinal);
            }
            else
            {
                rawExpected = keys.ToDictionary(k => k, _ => 0m, StringComparer.Ordinal);
                if (expected != 0)
                {
                    keys.Add(NoBaseline);
                    rawExpected[NoBaseline] = expected;
                }
            }

            var exp = Apportion(rawExpected, expected);
            var act = Apportion(keys.ToDictionary(k => k, k => after.GetValueOrDefault(k), StringComparer.Ordinal), actual);
            var raw = keys.Select(k => (Key: k, Expected: exp[k], Actual: act[k], Delta: act[k] - exp[k],
                Change: !before.ContainsKey(k) && k != NoBaseline ? ContributorChange.New : !after.ContainsKey(k) ? ContributorChange.Gone : ContributorChange.Changed)).ToList();
            var gross = raw.Sum(r => Math.Abs(r.Delta));
            var list = raw
                .Select(r => new CostContributor(dim, r.Key, r.Expected, r.Actual, r.Delta, gross == 0 ? 0 : (double)(Math.Abs(r.Delta) / gross), r.Change))
                .OrderByDescending(c => Math.Abs(c.DollarDelta)).ThenBy(c => c.Value, StringComparer.Ordinal)
                .ToList();
            byDimension[dim] = list;
            if (keys.Count > 1)
            {
                pool.AddRange(list.Where(c => c.DollarDelta != 0));
            }
        }

        var delta = actual - expected;
        if (pool.Count == 0 && delta != 0)
        {
            // Every dimension has one value: the whole change sits in that one resource / SKU / account. Name them, most
            // specific first, rather than explain nothing.
            var single = SingleValueOrder
                .Select(d => byDimension[d].FirstOrDefault(c => c.DollarDelta != 0 && c.Value != Missing))
                .OfType<CostContributor>()
                .Take(top)
                .ToList();
            return new RootCauseResult(expected, actual, byDimension, [.. single.Where(c => c.DollarDelta > 0)], [.. single.Where(c => c.DollarDelta < 0)]);
        }

        var driver = Driver(byDimension, delta, expected);
        var lead = driver is null ? null : byDimension[driver].FirstOrDefault(c => Math.Sign(c.DollarDelta) == Math.Sign(delta) && c.Value != Missing);
        var increases = Rank(pool.Where(c => c.DollarDelta > 0), lead, delta, expected).Take(top).ToList();
        var decreases = Rank(pool.Where(c => c.DollarDelta < 0), lead, delta, expected).Take(top).ToList();
        return new RootCauseResult(expected, actual, byDimension, increases, decreases);
    }

    /// <summary>
    /// The driving dimension. A value's explanatory power is the share of the net change it carries (delta_v / delta);
    /// its gain is that power minus its usual share of the cost (expected_v / expected), so a value that is nearly all
    /// of the cost anyway (ChargeCategory Usage, one currency) explains nothing. Rows without a value ("(none)") never
    /// drive. Per dimension, the candidate is its largest same-direction value; it must have a gain of at least 0.2.
    /// Every candidate within 5% of the best power explains the change about as well; among those the most actionable
    /// wins, in the order resource, region, SKU, account, then the others (a change confined to one function is "that
    /// function", not its account; a region-wide transfer spike is "that region", even though the region's transfer
    /// SKU carries the same dollars).
    /// </summary>
    public static string? Driver(IReadOnlyDictionary<string, IReadOnlyList<CostContributor>> byDimension, decimal delta, decimal expected)
    {
        if (delta == 0)
        {
            return null;
        }

        var powers = new List<(string Dimension, double Power)>();
        foreach (var dim in CostDimensions.All)
        {
            if (!byDimension.TryGetValue(dim, out var list) || list.Count < 2)
            {
                continue;
            }

            var top = list.Where(c => Math.Sign(c.DollarDelta) == Math.Sign(delta) && c.Value != Missing).OrderByDescending(c => Math.Abs(c.DollarDelta)).FirstOrDefault();
            if (top is not null && Gain(top, delta, expected) >= 0.2)
            {
                powers.Add((dim, (double)(Math.Abs(top.DollarDelta) / Math.Abs(delta))));
            }
        }

        if (powers.Count == 0)
        {
            return null;
        }

        var best = powers.Max(p => p.Power);
        return powers.Where(p => p.Power >= best * 0.95).OrderByDescending(p => Actionability(p.Dimension)).First().Dimension;
    }

    /// <summary>|delta_v| / |delta| − |expected_v| / |expected|: how much more of the change a value carries than of the cost.</summary>
    private static double Gain(CostContributor c, decimal delta, decimal expected) =>
        (double)(Math.Abs(c.DollarDelta) / Math.Abs(delta)) - (expected == 0 ? 0 : (double)(Math.Abs(c.Expected) / Math.Abs(expected)));

    /// <summary>Dimensions named when none has two values, most specific first (currency never explains a change).</summary>
    private static readonly string[] SingleValueOrder =
        [CostDimensions.Resource, CostDimensions.Sku, CostDimensions.Account, CostDimensions.Region, CostDimensions.ChargeCategory, CostDimensions.PricingCategory, CostDimensions.CommitmentStatus];

    private static int Actionability(string dim) => dim switch
    {
        CostDimensions.Resource => 5,
        CostDimensions.Region => 4,
        CostDimensions.Sku => 3,
        CostDimensions.Account => 2,
        _ => 1,
    };

    /// <summary>The driver's value first, then by the part of |delta_v| beyond the value's usual share of the change.</summary>
    private static IEnumerable<CostContributor> Rank(IEnumerable<CostContributor> items, CostContributor? lead, decimal delta, decimal expected) =>
        items.OrderByDescending(c => c == lead ? 1 : 0)
            .ThenByDescending(c => delta == 0 ? (double)Math.Abs(c.DollarDelta) : Gain(c, delta, expected))
            .ThenByDescending(c => Math.Abs(c.DollarDelta))
            .ThenByDescending(c => Actionability(c.Dimension))
            .ThenBy(c => c.Dimension, StringComparer.Ordinal)
            .ThenBy(c => c.Value, StringComparer.Ordinal);

    private static Dictionary<string, decimal> Sum(IEnumerable<CostDetailRow> rows, string dim)
    {
        var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var key = r.ValueOf(dim);
            sums[key] = sums.GetValueOrDefault(key) + r.Cost;
        }

        return sums;
    }

    /// <summary>Rounds every value to the cent and puts the remainder (total − Σ rounded) on the largest |value|.</summary>
    private static Dictionary<string, decimal> Apportion(Dictionary<string, decimal> raw, decimal total)
    {
        var rounded = raw.ToDictionary(kv => kv.Key, kv => SeriesModel.Cents(kv.Value), StringComparer.Ordinal);
        var remainder = total - rounded.Values.Sum();
        if (remainder != 0 && rounded.Count > 0)
        {
            var largest = raw.OrderByDescending(kv => Math.Abs(kv.Value)).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
            rounded[largest] += remainder;
        }

        return rounded;
    }
}
