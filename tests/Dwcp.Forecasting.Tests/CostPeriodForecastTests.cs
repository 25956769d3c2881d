using Dwcp.Forecasting.Cost;
using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Forecasting.Tests;

/// <summary>
/// Audit findings 3–5 of 2026-11-28: one forecast path for every period of a call, monthly postings forecast by
/// posting, lowConfidence when the backtest is bad or missing, and the period's current cost on short histories.
/// </summary>
public sealed class CostPeriodForecastTests
{
    private static readonly AutoForecasterOptions Fast = new() { Models = ["theta", "drift", "naive", "snaive"] };
    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    /// <summary>A weekly pattern around a rising level with seeded noise (all positive).</summary>
    private static List<DailyCost> Usage(int days, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, days).Select(i => new DailyCost(Jan1.AddDays(i),
            Math.Round((decimal)((1000 + (3 * i)) * (i % 7 is 5 or 6 ? 0.7 : 1.0) * (1 + (0.05 * Sim.Gauss(rng)))), 2)))];
    }

    /// <summary>Posting of 10,000 + 200·m on the 1st of month m (m = 0 for January 2024) on top of 10 a day, all of 2024.</summary>
    private static List<DailyCost> Postings(Func<DateOnly, bool> isPostingDay) =>
        [.. Enumerable.Range(0, 366).Select(i => Jan1.AddDays(i)).Select(d => new DailyCost(d, 10m + (isPostingDay(d) ? 10_000m + (200m * (d.Month - 1)) : 0m)))];

    [Fact]
    public void Period_sums_are_monotone_and_every_period_is_the_first_days_of_one_path()
    {
        var history = Usage(200, 3);
        int[] periods = [30, 31, 60, 61, 90];
        var fs = CostForecaster.ForecastPeriods(history, periods, 95, Fast);
        Assert.Equal(periods, fs.Select(f => f.HorizonDays));
        Assert.Single(fs.Select(f => f.Model).Distinct());
        Assert.DoesNotContain("monthly-postings", fs[0].Model, StringComparison.Ordinal);
        var path = fs[^1].Daily;
        Assert.Equal(90, path.Count);
        for (int p = 0; p < periods.Length; p++)
        {
            // The card is the sum of the first N days of the 90-day fan chart, to the cent.
            Assert.Equal(path.Take(periods[p]).Sum(d => d.Mean), fs[p].PredictedCost);
            Assert.Equal(path.Take(periods[p]), fs[p].Daily);
            Assert.True(fs[p].LowerBound < fs[p].PredictedCost && fs[p].PredictedCost < fs[p].UpperBound);
            Assert.Equal(history.Skip(200 - periods[p]).Sum(d => d.Cost), fs[p].CurrentCost);
            if (p > 0)
            {
                Assert.True(fs[p].PredictedCost >= fs[p - 1].PredictedCost, $"{periods[p]}d {fs[p].PredictedCost} < {periods[p - 1]}d {fs[p - 1].PredictedCost}");
            }
        }

        // The single-period call with the longest period gives the same path: the fan chart's call and the cards' agree.
        var alone = CostForecaster.Forecast(history, 90, 95, Fast);
        Assert.Equal(path, alone.Daily);
        Assert.Equal(fs[^1].LowerBound, alone.LowerBound);
    }

    [Fact]
    public void A_tax_like_series_posted_on_the_first_is_forecast_by_posting()
    {
        // Postings 10,000 + 200·m lie on a line, so the trend line (Theil–Sen) predicts them exactly and beats the
        // median of the last three in the posting backtest. Next postings: 2025-01-01 12,400 + 10, 02-01 12,600 + 10,
        // 03-01 12,800 + 10; every other day 10. By hand (2025 is not a leap year, so day 60 is 1 March):
        //   30d = 12,410 + 29·10 = 12,700;  59d = 12,410 + 12,610 + 57·10 = 25,590;
        //   60d = 25,020 + 12,810 + 57·10 = 38,400;  90d = 37,830 + 87·10 = 38,700.
        var fs = CostForecaster.ForecastPeriods(Postings(d => d.Day == 1), [30, 59, 60, 90], 95, Fast);
        decimal[] byHand = [12_700m, 25_590m, 38_400m, 38_700m];
        for (int p = 0; p < byHand.Length; p++)
        {
            Assert.InRange(fs[p].PredictedCost, byHand[p] - 0.05m, byHand[p] + 0.05m);
            Assert.True(fs[p].LowerBound <= fs[p].PredictedCost && fs[p].PredictedCost <= fs[p].UpperBound);
        }

        Assert.StartsWith("monthly-postings(day 1; trend", fs[0].Model, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2025, 1, 1), fs[^1].Daily[0].Date);
        Assert.Equal(12_410m, fs[^1].Daily[0].Mean);
        Assert.Equal(10m, fs[^1].Daily[1].Mean);
        Assert.Equal(12_810m, fs[^1].Daily[59].Mean);
        Assert.All(fs, f => Assert.True(f.AccuracyScore > 0.9, $"{f.HorizonDays}d accuracy {f.AccuracyScore}"));
        Assert.All(fs, f => Assert.False(f.LowConfidence, string.Join("; ", f.ConfidenceNotes)));
    }

    [Fact]
    public void Postings_on_the_last_day_of_the_month_follow_the_month_lengths()
    {
        static bool LastDay(DateOnly d) => d.Day == DateTime.DaysInMonth(d.Year, d.Month);
        var f = CostForecaster.ForecastPeriods(Postings(LastDay), [90], 95, Fast)[0];
        Assert.StartsWith("monthly-postings(day last", f.Model, StringComparison.Ordinal);
        var posted = f.Daily.Where(d => d.Mean > 1000).Select(d => d.Date).ToArray();
        Assert.Equal([new DateOnly(2025, 1, 31), new DateOnly(2025, 2, 28), new DateOnly(2025, 3, 31)], posted);
    }

    [Fact]
    public void Random_spikes_give_a_low_accuracy_score_and_low_confidence()
    {
        // Spikes of 5,000 on random days (probability 0.1) over 1 a day: no day-of-month schedule, and no daily model
        // can place them, so the backtest's absolute errors exceed half the actual cost.
        var rng = new Random(17);
        var history = Enumerable.Range(0, 240).Select(i => new DailyCost(Jan1.AddDays(i), rng.NextDouble() < 0.1 ? 5_000m : 1m)).ToList();
        var f = CostForecaster.ForecastPeriods(history, [30], 95, Fast)[0];
        Assert.DoesNotContain("monthly-postings", f.Model, StringComparison.Ordinal);
        Assert.NotNull(f.AccuracyScore);
        Assert.True(f.AccuracyScore < CostForecaster.LowAccuracyScore, $"accuracy {f.AccuracyScore}");
        Assert.True(f.LowConfidence);
        Assert.Contains(f.ConfidenceNotes, n => n.StartsWith("accuracy score", StringComparison.Ordinal) && n.Contains("below 0.5", StringComparison.Ordinal));
    }

    [Fact]
    public void No_backtest_means_no_accuracy_and_low_confidence_with_the_reason()
    {
        var f = CostForecaster.ForecastPeriods(Usage(45, 5), [30], 95, Fast)[0];
        Assert.Null(f.AccuracyScore);
        Assert.True(f.LowConfidence);
        Assert.Contains(f.ConfidenceNotes, n => n.StartsWith("no accuracy score: history of 45 days", StringComparison.Ordinal));
    }

    [Fact]
    public void A_history_shorter_than_the_period_scales_the_current_cost_and_says_so()
    {
        var history = Usage(10, 7);
        decimal tenDays = history.Sum(d => d.Cost);
        var fs = CostForecaster.ForecastPeriods(history, [5, 30, 90], 95, Fast);

        Assert.Equal(history.Skip(5).Sum(d => d.Cost), fs[0].CurrentCost);
        Assert.Equal(5, fs[0].CurrentCostDays);
        Assert.DoesNotContain(fs[0].ConfidenceNotes, n => n.Contains("currentCost", StringComparison.Ordinal));

        Assert.Equal(Math.Round(tenDays * 3, 2), fs[1].CurrentCost);
        Assert.Equal(Math.Round(tenDays * 9, 2), fs[2].CurrentCost);
        Assert.All(fs.Skip(1), f =>
        {
            Assert.Equal(10, f.CurrentCostDays);
            Assert.True(f.LowConfidence);
            Assert.Contains(f.ConfidenceNotes, n => n.StartsWith($"the history holds 10 days, fewer than the {f.HorizonDays}-day period", StringComparison.Ordinal));
        });
    }

    [Fact]
    public void Bad_periods_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CostForecaster.ForecastPeriods(Usage(50, 1), [], 95, Fast));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CostForecaster.ForecastPeriods(Usage(50, 1), [30, 0], 95, Fast));
        Assert.Contains("at least 1 day", e.Message, StringComparison.Ordinal);
    }
}
