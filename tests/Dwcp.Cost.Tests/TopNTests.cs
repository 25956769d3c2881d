using Dwcp.Tests;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Cost.Tests;

/// <summary>Top-N answers: the N largest groups keep their identity, the rest fold into "Other".</summary>
public sealed class TopNTests(TopNStore store) : LoadedStoreTests<TopNStore>(store)
{
    private static readonly DateOnly From = new(2024, 1, 3);
    private static readonly DateOnly To = new(2024, 2, 10);

    // A hand-made month, away from the generated estate: amounts per service and currency over June 2023.
    private static readonly DateOnly June1 = new(2023, 6, 1);
    private static readonly DateOnly June30 = new(2023, 6, 30);

    private CostQueryService Service() => new(Store);

    private static readonly CostFilter UsdOnly = new(new CostGrouping(CostDimension.Currency), ["USD"]);

    private List<FocusRow> UsdInRange => Loaded.Where(r => Rows.InRange(r, From, To) && r.BillingCurrency == "USD").ToList();

    /// <summary>The N services with the largest sum of the measure, computed from the rows.</summary>
    private static HashSet<string> TopServices(IEnumerable<FocusRow> rows, CostMeasure measure, int n)
    {
        var sums = rows.GroupBy(r => r.ServiceName!).Select(g => (Service: g.Key, Sum: g.Sum(r => Rows.Measure(r, measure)))).ToList();
        Assert.Equal(sums.Count, sums.Select(s => s.Sum).Distinct().Count()); // no ties, so the top N is unambiguous
        return sums.OrderByDescending(s => s.Sum).Take(n).Select(s => s.Service).ToHashSet(StringComparer.Ordinal);
    }

    public static TheoryData<int, CostMeasure> Cases => new()
    {
        { 1, CostMeasure.Billed },
        { 3, CostMeasure.Billed },
        { 6, CostMeasure.Billed },
        { 2, CostMeasure.Effective },
        { 4, CostMeasure.Effective },
        { 3, CostMeasure.List },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Kept_groups_are_the_N_largest_by_the_ranking_measure_and_Other_holds_the_rest(int n, CostMeasure rankBy)
    {
        var q = Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Service)) with { TopN = n, RankBy = rankBy, Filters = [UsdOnly] };
        var result = await Service().QueryAsync(q, CostScope.Everything);

        var rows = UsdInRange;
        var top = TopServices(rows, rankBy, n);
        var kept = result.Lines.Where(l => !l.IsOther).ToList();
        Assert.Equal(top.Order(StringComparer.Ordinal), kept.Select(l => l.Keys[0]!).Order(StringComparer.Ordinal));
        foreach (var line in kept)
        {
            var group = rows.Where(r => r.ServiceName == line.Keys[0]).ToList();
            Assert.Equal(group.Sum(r => r.BilledCost!.Value), line.BilledCost);
            Assert.Equal(group.Sum(r => r.EffectiveCost!.Value), line.EffectiveCost);
            Assert.Equal(group.Sum(r => r.ListCost!.Value), line.ListCost);
            Assert.Equal(group.Count, line.RowCount);
        }

        var rest = rows.Where(r => !top.Contains(r.ServiceName!)).ToList();
        var other = Assert.Single(result.Lines, l => l.IsOther);
        Assert.Equal([null], other.Keys);
        Assert.Equal("USD", other.Currency);
        Assert.Equal(rest.Sum(r => r.BilledCost!.Value), other.BilledCost);
        Assert.Equal(rest.Sum(r => r.EffectiveCost!.Value), other.EffectiveCost);
        Assert.Equal(rest.Sum(r => r.ListCost!.Value), other.ListCost);
        Assert.Equal(rest.Count, other.RowCount);
        Assert.Same(other, result.Lines[^1]);

        var total = Assert.Single(result.Totals);
        Assert.Equal(total.BilledCost, result.Lines.Sum(l => l.BilledCost));
        Assert.Equal(total.EffectiveCost, result.Lines.Sum(l => l.EffectiveCost));
        Assert.Equal(total.ListCost, result.Lines.Sum(l => l.ListCost));
        Assert.Equal(total.RowCount, result.Lines.Sum(l => l.RowCount));
        Assert.Equal(rows.Sum(r => r.BilledCost!.Value), total.BilledCost);
    }

    [Fact]
    public async Task Ranking_by_effective_cost_keeps_other_groups_than_ranking_by_billed_cost()
    {
        // Guards the test data: the measures must disagree somewhere for the ranking measure to be observable.
        var rows = UsdInRange;
        var byBilled = TopServices(rows, CostMeasure.Billed, 2);
        var byEffective = TopServices(rows, CostMeasure.Effective, 2);
        var byList = TopServices(rows, CostMeasure.List, 2);
        Assert.False(byBilled.SetEquals(byEffective) && byBilled.SetEquals(byList), "the estate should rank differently by some measure");

        foreach (var (measure, expected) in new[] { (CostMeasure.Billed, byBilled), (CostMeasure.Effective, byEffective), (CostMeasure.List, byList) })
        {
            var q = Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Service)) with { TopN = 2, RankBy = measure, Filters = [UsdOnly] };
            var result = await Service().QueryAsync(q, CostScope.Everything);
            Assert.Equal(expected.Order(StringComparer.Ordinal), result.Lines.Where(l => !l.IsOther).Select(l => l.Keys[0]!).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task With_N_at_least_the_number_of_groups_there_is_no_Other_line()
    {
        var q = Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Service)) with { TopN = 7, Filters = [UsdOnly] };
        var result = await Service().QueryAsync(q, CostScope.Everything);
        Assert.Equal(7, result.Lines.Count);
        Assert.DoesNotContain(result.Lines, l => l.IsOther);
    }

    [Fact]
    public async Task Day_grain_has_one_Other_line_per_day_and_the_lines_of_each_day_add_up_to_that_day()
    {
        var q = Query(From, To, CostGrain.Day, new CostGrouping(CostDimension.Service)) with { TopN = 3, Filters = [UsdOnly] };
        var result = await Service().QueryAsync(q, CostScope.Everything);

        var rows = UsdInRange;
        var top = TopServices(rows, CostMeasure.Billed, 3);
        Assert.Equal(top.Order(StringComparer.Ordinal), result.Lines.Where(l => !l.IsOther).Select(l => l.Keys[0]!).Distinct().Order(StringComparer.Ordinal));
        foreach (var day in rows.Select(Rows.Day).Distinct())
        {
            var ofDay = rows.Where(r => Rows.Day(r) == day).ToList();
            var lines = result.Lines.Where(l => l.PeriodStart == day).ToList();
            Assert.Equal(ofDay.Sum(r => r.BilledCost!.Value), lines.Sum(l => l.BilledCost));

            var rest = ofDay.Where(r => !top.Contains(r.ServiceName!)).ToList();
            var others = lines.Where(l => l.IsOther).ToList();
            if (rest.Count == 0)
            {
                Assert.Empty(others);
            }
            else
            {
                var other = Assert.Single(others);
                Assert.Equal(rest.Sum(r => r.BilledCost!.Value), other.BilledCost);
                Assert.Equal(rest.Count, other.RowCount);
            }

            foreach (var line in lines.Where(l => !l.IsOther))
            {
                Assert.Equal(ofDay.Where(r => r.ServiceName == line.Keys[0]).Sum(r => r.BilledCost!.Value), line.BilledCost);
            }
        }

        Assert.Equal(result.Lines.Count, result.Lines.Select(l => (l.PeriodStart, Rows.KeyText(l.Keys), l.IsOther)).Distinct().Count());
        Assert.Equal(Assert.Single(result.Totals).BilledCost, result.Lines.Sum(l => l.BilledCost));
    }

    [Fact]
    public async Task With_two_currencies_groups_rank_by_their_largest_single_currency_total()
    {
        var q = Query(June1, June30, CostGrain.Total, new CostGrouping(CostDimension.Service)) with { TopN = 1 };
        var result = await Service().QueryAsync(q, CostScope.Everything);

        // Y (100 USD) beats X (60 USD, 60 EUR): amounts in different currencies are never added.
        var kept = Assert.Single(result.Lines, l => !l.IsOther);
        Assert.Equal(["Y"], kept.Keys);
        Assert.Equal("USD", kept.Currency);
        Assert.Equal(100m, kept.BilledCost);

        var otherUsd = Assert.Single(result.Lines, l => l.IsOther && l.Currency == "USD");
        Assert.Equal(65m, otherUsd.BilledCost); // X 60 + W 5
        var otherEur = Assert.Single(result.Lines, l => l.IsOther && l.Currency == "EUR");
        Assert.Equal(70m, otherEur.BilledCost); // X 60 + Z 10
        Assert.Equal(3, result.Lines.Count);

        Assert.Equal(["EUR", "USD"], result.Totals.Select(t => t.Currency));
        Assert.Equal(70m, result.Totals[0].BilledCost);
        Assert.Equal(165m, result.Totals[1].BilledCost);
    }

    [Fact]
    public async Task With_two_currencies_every_line_holds_one_currency_and_each_currency_adds_up_to_its_total()
    {
        var q = Query(From, To, CostGrain.Week, new CostGrouping(CostDimension.Service)) with { TopN = 2 };
        var result = await Service().QueryAsync(q, CostScope.Everything);

        var rows = Loaded.Where(r => Rows.InRange(r, From, To)).ToList();
        var ranked = rows.GroupBy(r => (r.ServiceName!, r.BillingCurrency!))
            .Select(g => (Service: g.Key.Item1, Sum: g.Sum(r => r.BilledCost!.Value)))
            .GroupBy(x => x.Service)
            .Select(g => (Service: g.Key, Max: g.Max(x => x.Sum)))
            .OrderByDescending(x => x.Max)
            .ToList();
        Assert.Equal(ranked.Count, ranked.Select(x => x.Max).Distinct().Count());
        var top = ranked.Take(2).Select(x => x.Service).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(top.Order(StringComparer.Ordinal), result.Lines.Where(l => !l.IsOther).Select(l => l.Keys[0]!).Distinct().Order(StringComparer.Ordinal));

        Assert.Equal(2, result.Totals.Count);
        foreach (var t in result.Totals)
        {
            var ofCurrency = rows.Where(r => r.BillingCurrency == t.Currency).ToList();
            Assert.Equal(ofCurrency.Sum(r => r.BilledCost!.Value), t.BilledCost);
            Assert.Equal(t.BilledCost, result.Lines.Where(l => l.Currency == t.Currency).Sum(l => l.BilledCost));
            var otherOfCurrency = ofCurrency.Where(r => !top.Contains(r.ServiceName!)).Sum(r => r.BilledCost!.Value);
            Assert.Equal(otherOfCurrency, result.Lines.Where(l => l.IsOther && l.Currency == t.Currency).Sum(l => l.BilledCost));
        }
    }

    [Fact]
    public async Task A_group_whose_key_is_null_can_be_among_the_top_N()
    {
        var q = Query(new DateOnly(2023, 7, 1), new DateOnly(2023, 7, 31), CostGrain.Total, new CostGrouping(CostDimension.Region)) with { TopN = 2 };
        var result = await Service().QueryAsync(q, CostScope.Everything);

        Assert.Equal(3, result.Lines.Count);
        Assert.Equal(["us-east-1"], result.Lines[0].Keys);
        Assert.Equal(50m, result.Lines[0].BilledCost);
        Assert.False(result.Lines[0].IsOther);

        var noRegion = Assert.Single(result.Lines, l => !l.IsOther && l.Keys[0] is null);
        Assert.Equal(40m, noRegion.BilledCost);
        Assert.Equal(2, noRegion.RowCount);

        var other = Assert.Single(result.Lines, l => l.IsOther);
        Assert.Equal(35m, other.BilledCost); // eu-west-1 30 + ap-south-1 5
        Assert.Equal(125m, Assert.Single(result.Totals).BilledCost);
    }
}

/// <summary>The estate plus hand-made rows in June and July 2023 (accounts H and R).</summary>
public sealed class TopNStore : LoadedStore
{
    private static readonly DateOnly June1 = new(2023, 6, 1);

    private static readonly List<FocusRow> HandMade =
    [
        // X: 60 USD + 60 EUR (120 if currencies were added), Y: 100 USD, Z: 10 EUR, W: 5 USD.
        TestRows.Make("H", June1, "X", 25m, currency: "USD"),
        TestRows.Make("H", June1.AddDays(3), "X", 35m, currency: "USD"),
        TestRows.Make("H", June1.AddDays(1), "X", 60m, currency: "EUR"),
        TestRows.Make("H", June1, "Y", 40m, currency: "USD"),
        TestRows.Make("H", June1.AddDays(3), "Y", 60m, currency: "USD"),
        TestRows.Make("H", June1.AddDays(2), "Z", 10m, currency: "EUR"),
        TestRows.Make("H", June1.AddDays(3), "W", 5m, currency: "USD"),

        // Regions in July 2023: us-east-1 50, no region 40, eu-west-1 30, ap-south-1 5 (all USD).
        TestRows.Make("R", new DateOnly(2023, 7, 1), "s", 50m, region: "us-east-1"),
        TestRows.Make("R", new DateOnly(2023, 7, 2), "s", 15m, region: null),
        TestRows.Make("R", new DateOnly(2023, 7, 3), "s", 25m, region: null),
        TestRows.Make("R", new DateOnly(2023, 7, 1), "s", 30m, region: "eu-west-1"),
        TestRows.Make("R", new DateOnly(2023, 7, 2), "s", 5m, region: "ap-south-1"),
    ];

    protected override IEnumerable<FocusRow> MakeRows() => Estate.Make().Concat(HandMade);
}
