using Dwcp.Tests;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Cost.Tests;

/// <summary>
/// Totals, average daily cost and trend (docs/cost-queries.md): r = b·(D−1)/mean over daily totals t = 0..D−1 with
/// days without charges as zero; r ≥ +0.05 INCREASING, r ≤ −0.05 DECREASING, else STABLE; STABLE when D &lt; 2 or
/// mean ≤ 0.
/// </summary>
public sealed class TrendRuleTests
{
    private const double Threshold = 0.05;
    private static readonly DateOnly Jan1 = new(2024, 1, 1);
    private static readonly DateOnly Jan31 = new(2024, 1, 31);

    private static Dictionary<DateOnly, decimal> Series(DateOnly from, params decimal[] values) =>
        values.Select((v, i) => (Day: from.AddDays(i), v)).ToDictionary(x => x.Day, x => x.v);

    // ---- The rule itself, on hand-computed series (internal Summarize) ----

    [Fact]
    public void A_linear_rise_from_100_to_130_over_31_days_is_increasing_by_30_over_115()
    {
        var s = CostQueryService.Summarize("USD", Jan1, 31, Series(Jan1, Enumerable.Range(100, 31).Select(v => (decimal)v).ToArray()), Threshold);
        Assert.Equal("USD", s.Currency);
        Assert.Equal(31, s.Days);
        Assert.Equal(3565m, s.TotalCost);          // 31 · 115
        Assert.Equal(115m, s.AverageDailyCost);
        Assert.Equal(CostTrend.Increasing, s.Trend);
        Assert.Equal(30.0 / 115.0, s.RelativeChange!.Value, 12);
    }

    [Fact]
    public void A_linear_fall_from_130_to_100_is_decreasing_by_30_over_115()
    {
        var s = CostQueryService.Summarize("USD", Jan1, 31, Series(Jan1, Enumerable.Range(100, 31).Reverse().Select(v => (decimal)v).ToArray()), Threshold);
        Assert.Equal(CostTrend.Decreasing, s.Trend);
        Assert.Equal(-30.0 / 115.0, s.RelativeChange!.Value, 12);
        Assert.Equal(115m, s.AverageDailyCost);
    }

    [Fact]
    public void A_flat_series_is_stable_with_no_change()
    {
        var s = CostQueryService.Summarize("EUR", Jan1, 10, Series(Jan1, Enumerable.Repeat(42.5m, 10).ToArray()), Threshold);
        Assert.Equal(CostTrend.Stable, s.Trend);
        Assert.Equal(0.0, s.RelativeChange!.Value, 12);
        Assert.Equal(425m, s.TotalCost);
        Assert.Equal(42.5m, s.AverageDailyCost);
    }

    [Fact]
    public void Days_without_charges_count_as_zero()
    {
        // 10, 10, 0, 0, 0, 0, 10: with the zero days the fitted line falls; by hand b = −140/196 = −5/7,
        // mean = 30/7, r = (−5/7)·6 / (30/7) = −1. Only the three days with charges would look flat.
        var byDay = new Dictionary<DateOnly, decimal> { [Jan1] = 10m, [Jan1.AddDays(1)] = 10m, [Jan1.AddDays(6)] = 10m };
        var s = CostQueryService.Summarize("USD", Jan1, 7, byDay, Threshold);
        Assert.Equal(CostTrend.Decreasing, s.Trend);
        Assert.Equal(-1.0, s.RelativeChange!.Value, 12);
        Assert.Equal(30m, s.TotalCost);
        Assert.Equal(30m / 7m, s.AverageDailyCost);
    }

    [Fact]
    public void A_single_charge_on_the_last_day_is_increasing()
    {
        // 0, 0, 0, 0, 50: b = (5·200 − 10·50) / (5·30 − 100) = 10, mean = 10, r = 10·4/10 = 4.
        var s = CostQueryService.Summarize("USD", Jan1, 5, new Dictionary<DateOnly, decimal> { [Jan1.AddDays(4)] = 50m }, Threshold);
        Assert.Equal(CostTrend.Increasing, s.Trend);
        Assert.Equal(4.0, s.RelativeChange!.Value, 12);
        Assert.Equal(10m, s.AverageDailyCost);
    }

    [Fact]
    public void Exactly_plus_five_percent_is_increasing_and_exactly_minus_five_percent_is_decreasing()
    {
        // Two days 39, 41: b = 2, mean = 40, r = 2·1/40 = 0.05 exactly.
        var up = CostQueryService.Summarize("USD", Jan1, 2, Series(Jan1, 39m, 41m), Threshold);
        Assert.Equal(0.05, up.RelativeChange);
        Assert.Equal(CostTrend.Increasing, up.Trend);

        var down = CostQueryService.Summarize("USD", Jan1, 2, Series(Jan1, 41m, 39m), Threshold);
        Assert.Equal(-0.05, down.RelativeChange);
        Assert.Equal(CostTrend.Decreasing, down.Trend);

        // Five days 78..82: b = 1, mean = 80, r = 1·4/80 = 0.05 exactly.
        var five = CostQueryService.Summarize("USD", Jan1, 5, Series(Jan1, 78m, 79m, 80m, 81m, 82m), Threshold);
        Assert.Equal(0.05, five.RelativeChange);
        Assert.Equal(CostTrend.Increasing, five.Trend);
        var fiveDown = CostQueryService.Summarize("USD", Jan1, 5, Series(Jan1, 82m, 81m, 80m, 79m, 78m), Threshold);
        Assert.Equal(-0.05, fiveDown.RelativeChange);
        Assert.Equal(CostTrend.Decreasing, fiveDown.Trend);
    }

    [Fact]
    public void Just_inside_the_threshold_is_stable()
    {
        // 400, 419: r = 2·19/819 ≈ 0.0464 < 0.05.
        var up = CostQueryService.Summarize("USD", Jan1, 2, Series(Jan1, 400m, 419m), Threshold);
        Assert.Equal(38.0 / 819.0, up.RelativeChange!.Value, 12);
        Assert.Equal(CostTrend.Stable, up.Trend);

        var down = CostQueryService.Summarize("USD", Jan1, 2, Series(Jan1, 419m, 400m), Threshold);
        Assert.Equal(-38.0 / 819.0, down.RelativeChange!.Value, 12);
        Assert.Equal(CostTrend.Stable, down.Trend);
    }

    [Fact]
    public void The_threshold_is_a_parameter()
    {
        var byDay = Series(Jan1, 39m, 41m); // r = 0.05
        Assert.Equal(CostTrend.Stable, CostQueryService.Summarize("USD", Jan1, 2, byDay, 0.06).Trend);
        Assert.Equal(CostTrend.Increasing, CostQueryService.Summarize("USD", Jan1, 2, byDay, 0.04).Trend);
    }

    [Fact]
    public void One_day_is_stable_with_no_relative_change()
    {
        var s = CostQueryService.Summarize("USD", Jan1, 1, Series(Jan1, 77m), Threshold);
        Assert.Equal(CostTrend.Stable, s.Trend);
        Assert.Null(s.RelativeChange);
        Assert.Equal(77m, s.TotalCost);
        Assert.Equal(77m, s.AverageDailyCost);
        Assert.Equal(1, s.Days);
    }

    [Theory]
    [InlineData(new[] { 0.0, 0.0, 0.0 })]
    [InlineData(new[] { -10.0, -20.0, -30.0 })]
    [InlineData(new[] { -10.0, 10.0 })]
    [InlineData(new[] { 5.0, -50.0, 0.0, 20.0 })]
    public void A_mean_that_is_not_positive_is_stable_with_no_relative_change(double[] values)
    {
        var s = CostQueryService.Summarize("USD", Jan1, values.Length, Series(Jan1, values.Select(v => (decimal)v).ToArray()), Threshold);
        Assert.Equal(CostTrend.Stable, s.Trend);
        Assert.Null(s.RelativeChange);
        Assert.Equal(values.Sum(v => (decimal)v), s.TotalCost);
    }

    [Fact]
    public void No_charges_at_all_is_stable_with_zero_totals()
    {
        var s = CostQueryService.Summarize("USD", Jan1, 14, new Dictionary<DateOnly, decimal>(), Threshold);
        Assert.Equal(0m, s.TotalCost);
        Assert.Equal(0m, s.AverageDailyCost);
        Assert.Equal(CostTrend.Stable, s.Trend);
        Assert.Null(s.RelativeChange);
    }

    [Fact]
    public void Noisy_series_agree_with_the_centred_least_squares_formula()
    {
        var rng = new Random(5);
        for (var run = 0; run < 50; run++)
        {
            var days = rng.Next(2, 90);
            var y = Enumerable.Range(0, days).Select(_ => rng.Next(0, 4) == 0 ? 0.0 : rng.Next(0, 100_000) / 100.0).ToList();
            var byDay = y.Select((v, t) => (t, v)).Where(x => x.v != 0).ToDictionary(x => Jan1.AddDays(x.t), x => (decimal)x.v);
            var s = CostQueryService.Summarize("USD", Jan1, days, byDay, Threshold);
            var expected = TrendReference.RelativeChange(y);
            if (expected is null)
            {
                Assert.Null(s.RelativeChange);
                continue;
            }

            Assert.Equal(expected.Value, s.RelativeChange!.Value, 9);
            var trend = expected.Value >= Threshold ? CostTrend.Increasing : expected.Value <= -Threshold ? CostTrend.Decreasing : CostTrend.Stable;
            if (Math.Abs(Math.Abs(expected.Value) - Threshold) > 1e-9)
            {
                Assert.Equal(trend, s.Trend);
            }
        }
    }
}

/// <summary>Reference computations for the trend rule, independent of the product.</summary>
internal static class TrendReference
{
    /// <summary>The relative change by the centred least-squares formula: a second method, independent of the product's sums.</summary>
    public static double? RelativeChange(IReadOnlyList<double> y)
    {
        var d = y.Count;
        if (d < 2)
        {
            return null;
        }

        var mean = y.Average();
        if (mean <= 0)
        {
            return null;
        }

        var tMean = (d - 1) / 2.0;
        var num = 0.0;
        var den = 0.0;
        for (var t = 0; t < d; t++)
        {
            num += (t - tMean) * (y[t] - mean);
            den += (t - tMean) * (t - tMean);
        }

        return num / den * (d - 1) / mean;
    }
}

/// <summary><see cref="CostQueryService.SummarizeAsync"/> end to end over a real store.</summary>
public sealed class SummaryTests(SummaryStore store) : LoadedStoreTests<SummaryStore>(store)
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);
    private static readonly DateOnly Jan31 = new(2024, 1, 31);

    private CostQueryService Service(CostQueryOptions? options = null) => new(Store, options);

    [Fact]
    public async Task SummarizeAsync_gives_one_summary_per_currency_with_the_documented_trend()
    {
        var summaries = await Service().SummarizeAsync(Jan1, Jan31, [], CostMeasure.Billed, CostScope.Everything);

        Assert.Equal(["EUR", "GBP", "JPY", "USD"], summaries.Select(s => s.Currency));
        var eur = summaries[0];
        var gbp = summaries[1];
        var jpy = summaries[2];
        var usd = summaries[3];

        Assert.Equal(3565m, usd.TotalCost);
        Assert.Equal(115m, usd.AverageDailyCost);
        Assert.Equal(CostTrend.Increasing, usd.Trend);
        Assert.Equal(30.0 / 115.0, usd.RelativeChange!.Value, 12);
        Assert.Equal(31, usd.Days);

        Assert.Equal(3565m, eur.TotalCost);
        Assert.Equal(CostTrend.Decreasing, eur.Trend);
        Assert.Equal(-30.0 / 115.0, eur.RelativeChange!.Value, 12);

        Assert.Equal(1550m, gbp.TotalCost);
        Assert.Equal(50m, gbp.AverageDailyCost);
        Assert.Equal(CostTrend.Stable, gbp.Trend);

        // 30 over 31 days; the fit over the 31 days (mostly zero) falls.
        Assert.Equal(30m, jpy.TotalCost);
        Assert.Equal(30m / 31m, jpy.AverageDailyCost);
        Assert.Equal(CostTrend.Decreasing, jpy.Trend);
        Assert.Equal(TrendReference.RelativeChange([10, 10, 0, 0, 0, 0, 10, .. Enumerable.Repeat(0.0, 24)])!.Value, jpy.RelativeChange!.Value, 12);
    }

    [Fact]
    public async Task The_average_divides_by_every_day_of_the_range_including_days_without_charges()
    {
        // January 1..February 9 is 40 days; USD has charges on 32 of them (January and the 1st of February).
        var feb9 = new DateOnly(2024, 2, 9);
        var summaries = await Service().SummarizeAsync(Jan1, feb9, [], CostMeasure.Billed, CostScope.Everything);
        var usd = Assert.Single(summaries, s => s.Currency == "USD");
        Assert.Equal(40, usd.Days);
        Assert.Equal(3565m + 1_000_000m, usd.TotalCost);
        Assert.Equal((3565m + 1_000_000m) / 40m, usd.AverageDailyCost);

        var y = Enumerable.Range(0, 40).Select(t => t < 31 ? 100.0 + t : t == 31 ? 1_000_000.0 : 0.0).ToList();
        Assert.Equal(TrendReference.RelativeChange(y)!.Value, usd.RelativeChange!.Value, 9);

        var gbp = Assert.Single(summaries, s => s.Currency == "GBP");
        Assert.Equal(1550m / 40m, gbp.AverageDailyCost);
        Assert.Equal(CostTrend.Decreasing, gbp.Trend); // 31 days at 50, then 9 days at 0
    }

    [Fact]
    public async Task The_measure_chooses_the_series()
    {
        var summaries = await Service().SummarizeAsync(Jan1, Jan31, [], CostMeasure.Effective, CostScope.Everything);
        var usd = Assert.Single(summaries, s => s.Currency == "USD");
        Assert.Equal(50m * 31, usd.TotalCost);
        Assert.Equal(CostTrend.Stable, usd.Trend);

        // EUR effective rises 50..80: b = 1, mean = 65, r = 30/65.
        var eur = Assert.Single(summaries, s => s.Currency == "EUR");
        Assert.Equal(CostTrend.Increasing, eur.Trend);
        Assert.Equal(30.0 / 65.0, eur.RelativeChange!.Value, 12);
    }

    [Fact]
    public async Task Filters_apply_to_summaries()
    {
        var filters = new[] { new CostFilter(new CostGrouping(CostDimension.Service), ["compute"]), new CostFilter(new CostGrouping(CostDimension.Currency), ["USD"]) };
        var s = Assert.Single(await Service().SummarizeAsync(Jan1, Jan31, filters, CostMeasure.Billed, CostScope.Everything));
        Assert.Equal(3565m * 0.25m, s.TotalCost);
        Assert.Equal(115m * 0.25m, s.AverageDailyCost);
        Assert.Equal(30.0 / 115.0, s.RelativeChange!.Value, 12);
    }

    [Fact]
    public async Task The_scope_applies_to_summaries()
    {
        var summaries = await Service().SummarizeAsync(Jan1, Jan31, [], CostMeasure.Billed, CostScope.Parse("tag:Department=Eng"));
        var usd = Assert.Single(summaries, s => s.Currency == "USD");
        Assert.Equal(3565m * 0.75m, usd.TotalCost);
        Assert.Empty(await Service().SummarizeAsync(Jan1, Jan31, [], CostMeasure.Billed, CostScope.Parse("account=S9")));
    }

    [Fact]
    public async Task A_one_day_range_is_stable()
    {
        var day = Jan1.AddDays(10);
        var usd = Assert.Single(await Service().SummarizeAsync(day, day, [], CostMeasure.Billed, CostScope.Everything), s => s.Currency == "USD");
        Assert.Equal(110m, usd.TotalCost);
        Assert.Equal(110m, usd.AverageDailyCost);
        Assert.Equal(CostTrend.Stable, usd.Trend);
        Assert.Null(usd.RelativeChange);
    }

    [Fact]
    public async Task SummarizeAsync_refuses_an_end_before_the_start_and_a_range_over_the_limit()
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => Service().SummarizeAsync(Jan31, Jan1, [], CostMeasure.Billed, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("2024-01-31", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2024-01-01", ex.Message, StringComparison.Ordinal);

        var limited = Service(new CostQueryOptions { MaxRangeDays = 30 });
        var limit = await Assert.ThrowsAsync<CostQueryException>(() => limited.SummarizeAsync(Jan1, Jan31, [], CostMeasure.Billed, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.LimitExceeded, limit.Kind);
    }

    [Fact]
    public async Task A_custom_trend_threshold_from_the_options_is_used()
    {
        // USD r = 30/115 ≈ 0.26: increasing at 5 %, stable at 30 %.
        var strict = Service(new CostQueryOptions { TrendThreshold = 0.3 });
        var usd = Assert.Single(await strict.SummarizeAsync(Jan1, Jan31, [], CostMeasure.Billed, CostScope.Everything), s => s.Currency == "USD");
        Assert.Equal(CostTrend.Stable, usd.Trend);
        Assert.Equal(30.0 / 115.0, usd.RelativeChange!.Value, 12);
    }
}

/// <summary>
/// January 2024, per currency: USD rises 100..130, EUR falls 130..100, GBP is flat at 50, JPY only on three days
/// (10 on the 1st, 2nd and 7th). Each daily amount is split over two rows and two accounts; December and February
/// rows lie outside the range.
/// </summary>
public sealed class SummaryStore : LoadedStore
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);
    private readonly List<FocusRow> _rows = [];

    protected override IEnumerable<FocusRow> MakeRows()
    {
        _rows.Clear();
        for (var t = 0; t < 31; t++)
        {
            var day = Jan1.AddDays(t);
            AddDay(day, "USD", 100m + t, effective: 50m);
            AddDay(day, "EUR", 130m - t, effective: 50m + t);
            AddDay(day, "GBP", 50m, effective: 50m);
        }

        AddDay(Jan1, "JPY", 10m, 10m);
        AddDay(Jan1.AddDays(1), "JPY", 10m, 10m);
        AddDay(Jan1.AddDays(6), "JPY", 10m, 10m);
        AddDay(new DateOnly(2023, 12, 31), "USD", 1_000_000m, 1m);
        AddDay(new DateOnly(2024, 2, 1), "USD", 1_000_000m, 1m);
        return _rows;
    }

    private void AddDay(DateOnly day, string currency, decimal billed, decimal effective)
    {
        _rows.Add(TestRows.Make("S1", day, "compute", billed * 0.25m, effective * 0.25m, currency: currency));
        _rows.Add(TestRows.Make("S2", day, "storage", billed * 0.75m, effective * 0.75m, currency: currency, tags: new Dictionary<string, string> { ["Department"] = "Eng" }));
    }
}
