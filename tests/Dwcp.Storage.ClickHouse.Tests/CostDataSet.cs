using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>
/// A seeded, deliberately awkward cost data set (two currencies, null regions with names, missing tags, mixed and
/// missing units, 15-decimal amounts) in two deliveries, the second restating one account-month; and a battery of
/// aggregation specs covering every grain, dimension, filter kind, kept keys, ranking and paging.
/// </summary>
internal static class CostDataSet
{
    public static readonly DateOnly From = new(2024, 1, 1);
    public static readonly DateOnly To = new(2024, 3, 31);

    public static (List<FocusRow> First, List<FocusRow> Restatement) Deliveries(int seed = 11, int rows = 800)
    {
        var rng = new Random(seed);
        var first = Enumerable.Range(0, rows).Select(i => Row(rng, i, From.AddDays(rng.Next(91)), null)).ToList();
        // The restatement replaces account A1 for January only, with fewer rows and other amounts.
        var restated = Enumerable.Range(0, rows / 8).Select(i => Row(rng, 10_000 + i, From.AddDays(rng.Next(31)), "A1")).ToList();
        return (first, restated);
    }

    private static FocusRow Row(Random rng, int i, DateOnly day, string? account)
    {
        account ??= "A" + (1 + rng.Next(3));
        var currency = account == "A3" && rng.Next(3) > 0 ? "EUR" : "USD";
        var billed = Math.Round((decimal)rng.NextDouble() * 1000m, 15) - (rng.Next(20) == 0 ? 500m : 0m);
        var tags = new Dictionary<string, string>();
        if (rng.Next(3) > 0)
        {
            tags["Department"] = rng.Next(2) == 0 ? "Eng" : "Ops";
        }

        if (rng.Next(2) == 0)
        {
            tags["Env"] = rng.Next(2) == 0 ? "prod" : "dev";
        }

        var (consumed, unit) = rng.Next(6) switch
        {
            0 => ((decimal?)null, (string?)null),
            1 => (Math.Round((decimal)rng.NextDouble() * 10m, 6), (string?)null),
            2 => (null, "Hours"),
            3 => (Math.Round((decimal)rng.NextDouble() * 50m, 4), "GB"),
            _ => (Math.Round((decimal)rng.NextDouble() * 24m, 3), "Hours"),
        };
        var region = rng.Next(5) switch { 0 => null, 1 => "eu-west-1", _ => "us-east-1" };
        var row = TestRows.Make(
            account, day, "svc" + rng.Next(6), billed,
            effective: Math.Round(billed * (decimal)(0.7 + 0.3 * rng.NextDouble()), 13),
            list: Math.Round(billed * 1.25m, 15),
            provider: rng.Next(4) == 0 ? "Azure" : "AWS",
            currency: currency,
            region: region,
            tags: tags.Count > 0 ? tags : null,
            consumed: consumed,
            unit: unit,
            resource: rng.Next(4) == 0 ? null : "r" + rng.Next(10));
        row.RegionName = region is null && rng.Next(2) == 0 ? "Frankfurt" : null;
        row.SubAccountId = rng.Next(3) switch { 0 => null, 1 => "sub1", _ => "sub2" };
        row.ServiceCategory = rng.Next(3) == 0 ? "Storage" : "Compute";
        row.ChargeCategory = rng.Next(5) == 0 ? "Purchase" : "Usage";
        row.PricingCategory = rng.Next(3) switch { 0 => null, 1 => "Standard", _ => "Committed" };
        row.ChargePeriodStart = row.ChargePeriodStart!.Value.AddHours(rng.Next(24));
        row.SourceFile = "delivery.csv";
        row.SourceLine = i + 2;
        return row;
    }

    /// <summary>The filter sets the specs use (totals and data ranges are checked once per set).</summary>
    public static readonly CostFilter[][] Filters =
    [
        [],
        [new(new(CostDimension.BillingAccount), ["A1", "A3"])],
        [new(new(CostDimension.Region), ["us-east-1", null])],
        [new(new(CostDimension.Currency), ["EUR"])],
        [new(CostGrouping.ForTag("Department"), ["Eng", null])],
        [new(new(CostDimension.Service), ["svc1", "svc2"]), new(new(CostDimension.Provider), ["AWS"])],
        [new(new(CostDimension.PricingCategory), [null])],
        [new(new(CostDimension.Service), [])],
    ];

    /// <summary>The aggregation specs every backend must answer identically.</summary>
    public static IEnumerable<CostAggregation> Specs()
    {
        CostGrouping[][] groupings =
        [
            [],
            [new(CostDimension.Service)],
            [new(CostDimension.Provider), new(CostDimension.Region)],
            [new(CostDimension.BillingAccount), new(CostDimension.SubAccount)],
            [new(CostDimension.ServiceCategory), new(CostDimension.ChargeCategory), new(CostDimension.PricingCategory)],
            [new(CostDimension.Currency)],
            [new(CostDimension.Resource)],
            [CostGrouping.ForTag("Department")],
            [CostGrouping.ForTag("Env"), new(CostDimension.Service)],
        ];
        var grains = Enum.GetValues<CostGrain>();
        var measures = Enum.GetValues<CostMeasure>();
        // Every grouping once, with grains, filters and measures rotating so that each of them occurs several times.
        for (var n = 0; n < groupings.Length * 2; n++)
        {
            yield return new CostAggregation
            {
                From = From.AddDays(n % 5),
                To = To.AddDays(-(n % 7)),
                GroupBy = groupings[n % groupings.Length],
                Grain = grains[n % grains.Length],
                Filters = Filters[n % Filters.Length],
                RankBy = measures[n % measures.Length],
            };
        }

        var service = new CostGrouping(CostDimension.Service);
        yield return new CostAggregation { From = From, To = To, GroupBy = [service], KeepKeys = [["svc1"], ["svc4"]] };
        yield return new CostAggregation { From = From, To = To, GroupBy = [service], Grain = CostGrain.Month, KeepKeys = [["svc0"]], Limit = 4, Offset = 2 };
        yield return new CostAggregation { From = From, To = To, GroupBy = [new(CostDimension.Region)], KeepKeys = [[null], ["eu-west-1"]], RankBy = CostMeasure.List };
        yield return new CostAggregation { From = From, To = To, GroupBy = [service, new(CostDimension.Region)], KeepKeys = [["svc2", null]], Grain = CostGrain.Week };
        yield return new CostAggregation { From = From, To = To, GroupBy = [CostGrouping.ForTag("Department")], KeepKeys = [] };
        yield return new CostAggregation { From = From, To = To, GroupBy = [service], Grain = CostGrain.Day, Limit = 10, Offset = 25 };
        // Tag queries: one key (the tag rollup), the untagged group kept or filtered, and shapes only the rows can answer.
        var dept = CostGrouping.ForTag("Department");
        var env = CostGrouping.ForTag("Env");
        yield return new CostAggregation { From = From, To = To, GroupBy = [dept, service], KeepKeys = [[null, "svc1"], ["Eng", "svc2"]], Grain = CostGrain.Month };
        yield return new CostAggregation { From = From, To = To, GroupBy = [dept], Filters = [new(dept, ["Ops", null]), new(new(CostDimension.Currency), ["USD"])], Grain = CostGrain.Week };
        yield return new CostAggregation { From = From.AddDays(9), To = To, GroupBy = [new(CostDimension.Region), env], Grain = CostGrain.Day, Limit = 12, Offset = 3, RankBy = CostMeasure.Effective };
        yield return new CostAggregation { From = From, To = To, GroupBy = [new(CostDimension.ChargeCategory)], Filters = [new(env, [null])] };
        yield return new CostAggregation { From = From, To = To, GroupBy = [service], Filters = [new(env, ["prod"])], Grain = CostGrain.Month };
        yield return new CostAggregation { From = From, To = To, GroupBy = [dept, new(CostDimension.Region)], Filters = [new(dept, ["Eng", "Ops"]), new(new(CostDimension.Provider), ["AWS"])] };
        yield return new CostAggregation { From = From, To = To, GroupBy = [dept, env] };
        yield return new CostAggregation { From = From, To = To, GroupBy = [dept, new(CostDimension.SubAccount)], Grain = CostGrain.Month };
        yield return new CostAggregation { From = new DateOnly(1900, 1, 1), To = new DateOnly(9999, 1, 1), GroupBy = [new(CostDimension.Currency)] };
        yield return new CostAggregation { From = To, To = From, GroupBy = [service] };
    }

    /// <summary>A line as comparable values (decimals compare by value, keys by content).</summary>
    public static string Describe(CostLine l) =>
        $"{l.PeriodStart}|{l.PeriodStartTime:yyyy-MM-dd HH:mm}|{string.Join("|", l.Keys.Select(k => k ?? "<null>"))}|{l.Currency}|{N(l.BilledCost)}|{N(l.EffectiveCost)}|{N(l.ListCost)}|" +
        $"{(l.ConsumedQuantity is { } q ? N(q) : "-")}|{l.ConsumedUnit ?? "-"}|{l.RowCount}|{l.IsOther}";

    /// <summary>A decimal without trailing zeros, so equal values print equally.</summary>
    public static string N(decimal d) => (d / 1.000000000000000000000000000000000m).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
