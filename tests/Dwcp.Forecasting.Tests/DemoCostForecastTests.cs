using Dwcp.Demo;
using Dwcp.Forecasting.Cost;

namespace Dwcp.Forecasting.Tests;

/// <summary>Daily cost of the seed-42 demo estate (13 months), summed from the generated FOCUS rows once per class.</summary>
public sealed class DemoDailyCost
{
    public DemoDailyCost()
    {
        var total = new SortedDictionary<DateOnly, decimal>();
        var ec2 = new SortedDictionary<DateOnly, decimal>();
        foreach (var row in new DemoDataGenerator(new DemoOptions { Seed = 42 }).GenerateRows())
        {
            var day = DateOnly.FromDateTime(row.ChargePeriodStart!.Value);
            decimal cost = row.BilledCost ?? 0;
            total[day] = total.GetValueOrDefault(day) + cost;
            if (row.ProviderName == "AWS" && row.ServiceName == "Amazon Elastic Compute Cloud")
            {
                ec2[day] = ec2.GetValueOrDefault(day) + cost;
            }
        }

        Total = [.. total.Select(kv => new DailyCost(kv.Key, kv.Value))];
        Ec2 = [.. ec2.Select(kv => new DailyCost(kv.Key, kv.Value))];
    }

    public IReadOnlyList<DailyCost> Total { get; }

    public IReadOnlyList<DailyCost> Ec2 { get; }

    public IReadOnlyList<DailyCost> Series(string name) => name == "total" ? Total : Ec2;
}

/// <summary>The defects seen on the demo data: absurd 60/90-day bounds on 112 days, and a lower bound equal to the mean.</summary>
public sealed class DemoCostForecastTests(DemoDailyCost demo) : IClassFixture<DemoDailyCost>
{
    private const int HeldOut = 90;

    [Theory]
    [InlineData("total", 112)]
    [InlineData("total", 307)]
    [InlineData("ec2", 112)]
    [InlineData("ec2", 307)]
    public void Bounds_bracket_the_mean_on_both_sides_and_hold_the_held_out_truth(string series, int historyDays)
    {
        var all = demo.Series(series);
        Assert.Equal(397, all.Count);
        var history = all.Skip(all.Count - HeldOut - historyDays).Take(historyDays).ToList();
        foreach (var h in new[] { 30, 60, 90 })
        {
            var f = CostForecaster.Forecast(history, h, 95);
            decimal truth = all.Skip(all.Count - HeldOut).Take(h).Sum(d => d.Cost);
            string what = $"{series}, {historyDays} days, {h}d: {f.LowerBound} .. {f.PredictedCost} .. {f.UpperBound}, truth {truth} ({f.Model}; {f.BoundsMethod})";
            Assert.True(f.PredictedCost - f.LowerBound > 0.005m * f.PredictedCost, "lower side: " + what);
            Assert.True(f.UpperBound - f.PredictedCost > 0.005m * f.PredictedCost, "upper side: " + what);
            Assert.True(f.LowerBound > 0, "a cost sum bound below zero: " + what);
            Assert.InRange(truth, f.LowerBound, f.UpperBound);
            Assert.Equal(historyDays < 2 * h, f.AccuracyScore is null);
        }
    }

    [Fact]
    public void The_last_112_days_do_not_extrapolate_the_year_end_dip()
    {
        // The estate's cost rises all year; its last ten days dip (holidays). Trend members followed the dip to a
        // 90-day forecast of about half the cost of the last 90 days; the cap keeps the trend from opposing the history's.
        var history = demo.Total.Skip(demo.Total.Count - 112).ToList();
        var capped = CostForecaster.Forecast(history, 90, 95);
        var free = CostForecaster.Forecast(history, 90, 95, trendPolicy: CostTrendPolicy.Free);
        decimal last90 = history.Skip(112 - 90).Sum(d => d.Cost);
        Assert.True(free.PredictedCost < 0.6m * last90, $"uncapped {free.PredictedCost} vs last 90 days {last90}");
        Assert.InRange(capped.PredictedCost, 0.8m * last90, 1.2m * last90);
        Assert.True(CostTrendCap.PairSlope([.. capped.Daily.Select(d => (double)d.Mean)]) >= -0.05, "daily means are rounded to cents");
        Assert.NotNull(capped.TrendAdjustment);
    }

    [Fact]
    public void The_last_year_gives_two_sided_bounds_at_30_60_and_90_days()
    {
        var history = demo.Total.Skip(demo.Total.Count - 365).ToList();
        foreach (var h in new[] { 30, 60, 90 })
        {
            var f = CostForecaster.Forecast(history, h, 95);
            Assert.True(f.LowerBound < f.PredictedCost && f.PredictedCost < f.UpperBound, $"{h}d: {f.LowerBound} .. {f.PredictedCost} .. {f.UpperBound}");
            Assert.False(f.LowConfidence, $"{h}d: " + string.Join("; ", f.ConfidenceNotes));
            Assert.NotNull(f.AccuracyScore);
        }
    }
}
