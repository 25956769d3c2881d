using Dwcp.Forecasting.Analysis;
using Dwcp.Forecasting.Cost;
using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Forecasting.Tests;

public class CostForecasterTests
{
    private static readonly AutoForecasterOptions Fast = new() { Models = ["theta", "drift", "naive", "snaive"] };

    private static List<DailyCost> Costs(int days, double noise, int seed, double weekly = 0.3, double growth = 0)
    {
        var rng = new Random(seed);
        var start = new DateOnly(2025, 1, 1);
        return [.. Enumerable.Range(0, days).Select(i =>
            new DailyCost(start.AddDays(i), Math.Round((decimal)((1000 + growth * i) * (start.AddDays(i).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1 - weekly : 1) * (1 + noise * Sim.Gauss(rng))), 2)))];
    }

    [Fact]
    public void Totals_bounds_and_seasonality_follow_the_history()
    {
        var h = Costs(200, 0.03, 1);
        var f = CostForecaster.Forecast(h, 30, 95, Fast);
        Assert.Equal(h.Skip(170).Sum(d => d.Cost), f.CurrentCost);
        Assert.Equal(30, f.Daily.Count);
        Assert.Equal(new DateOnly(2025, 7, 20), f.Daily[0].Date);
        Assert.InRange(f.PredictedCost - f.Daily.Sum(d => d.Mean), -0.15m, 0.15m);
        Assert.True(f.LowerBound <= f.PredictedCost && f.PredictedCost <= f.UpperBound);
        Assert.True(f.UpperBound - f.LowerBound < f.Daily.Sum(d => d.Upper - d.Lower), "sum bounds are narrower than added per-day bounds");
        Assert.True(f.WeeklySeasonality > 0.8, $"weekly {f.WeeklySeasonality}");
        Assert.True(f.MonthlySeasonality < 0.3, $"monthly {f.MonthlySeasonality}");
        Assert.Equal(TrendDirection.Stable, f.Trend);
        Assert.NotNull(f.AccuracyScore);
        Assert.Contains("conformal", f.BoundsMethod, StringComparison.Ordinal);
        Assert.False(f.LowConfidence, string.Join("; ", f.ConfidenceNotes));
    }

    [Fact]
    public void Accuracy_score_is_measured_per_series_and_null_for_short_series()
    {
        var smooth = CostForecaster.Forecast(Costs(150, 0.01, 2), 30, 95, Fast);
        var noisy = CostForecaster.Forecast(Costs(150, 0.25, 3), 30, 95, Fast);
        Assert.NotNull(smooth.AccuracyScore);
        Assert.NotNull(noisy.AccuracyScore);
        Assert.True(smooth.AccuracyScore > noisy.AccuracyScore, $"{smooth.AccuracyScore} vs {noisy.AccuracyScore}");
        Assert.InRange(smooth.AccuracyScore!.Value, 0.95, 1.0);

        var shortSeries = CostForecaster.Forecast(Costs(20, 0.05, 4), 30, 95, Fast);
        Assert.Null(shortSeries.AccuracyScore);
        Assert.Contains("shorter than", shortSeries.AccuracyUnavailableReason, StringComparison.Ordinal);
        Assert.Equal(30, shortSeries.Daily.Count);
        Assert.True(shortSeries.LowerBound <= shortSeries.PredictedCost && shortSeries.PredictedCost <= shortSeries.UpperBound);
    }

    [Fact]
    public void Growing_costs_have_an_increasing_trend()
    {
        var f = CostForecaster.Forecast(Costs(120, 0.02, 5, growth: 5), 30, 95, Fast);
        Assert.Equal(TrendDirection.Increasing, f.Trend);
        Assert.True(f.PredictedCost > f.CurrentCost);
    }

    [Fact]
    public void Horizon_sum_bounds_cover_the_true_sum_in_most_series()
    {
        int inside = 0;
        const int series = 24;
        for (int s = 0; s < series; s++)
        {
            var all = Costs(190, 0.08, 100 + s);
            var f = CostForecaster.Forecast(all.Take(160).ToList(), 30, 95, Fast);
            decimal actual = all.Skip(160).Sum(d => d.Cost);
            inside += actual >= f.LowerBound && actual <= f.UpperBound ? 1 : 0;
        }

        Assert.InRange(inside / (double)series, 0.8, 1.0);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CostForecaster.Forecast(Costs(50, 0.1, 1), 0));
        Assert.Throws<ArgumentException>(() => CostForecaster.Forecast([new DailyCost(new DateOnly(2025, 1, 1), 5)], 30));
    }
}
