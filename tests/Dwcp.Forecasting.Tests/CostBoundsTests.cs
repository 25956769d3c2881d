using Dwcp.Forecasting.Cost;
using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Forecasting.Tests;

/// <summary>Calibration of the horizon-sum bounds of <see cref="CostForecaster"/> on series with known noise.</summary>
public class CostBoundsTests
{
    private static readonly AutoForecasterOptions Fast = new() { Models = ["theta", "drift", "naive", "snaive"] };
    private const double NoiseSd = 40;

    /// <summary>Level 1000, weekends 25% lower, independent N(0, 40²) noise; seeded.</summary>
    private static List<DailyCost> Series(int days, int seed)
    {
        var rng = new Random(seed);
        var start = new DateOnly(2025, 1, 6);
        return [.. Enumerable.Range(0, days).Select(i =>
            new DailyCost(start.AddDays(i), Math.Round((decimal)((i % 7 >= 5 ? 750 : 1000) + NoiseSd * Sim.Gauss(rng)), 2)))];
    }

    [Fact]
    public void Sum_bounds_cover_the_true_sum_at_80_and_95_percent_over_many_origins()
    {
        int in80 = 0, in95 = 0, total = 0;
        var halfWidths95 = new List<double>();
        for (int s = 0; s < 30; s++)
        {
            var all = Series(290, 500 + s);
            foreach (var cut in new[] { 200, 230, 260 })
            {
                var history = all.Take(cut).ToList();
                decimal truth = all.Skip(cut).Take(30).Sum(d => d.Cost);
                var f80 = CostForecaster.Forecast(history, 30, 80, Fast);
                var f95 = CostForecaster.Forecast(history, 30, 95, Fast);
                in80 += truth >= f80.LowerBound && truth <= f80.UpperBound ? 1 : 0;
                in95 += truth >= f95.LowerBound && truth <= f95.UpperBound ? 1 : 0;
                halfWidths95.Add((double)(f95.UpperBound - f95.LowerBound) / 2);
                total++;
            }
        }

        // 90 forecasts: binomial standard error ≈ 4.2 points at 80% and 2.3 at 95%; tolerance about two of them.
        Assert.InRange(in80 / (double)total, 0.70, 0.92);
        Assert.InRange(in95 / (double)total, 0.88, 1.0);

        // An oracle that knew the mean would need ±1.96·40·√30 ≈ 429; estimated models need more, but not absurdly more.
        double oracle = 1.96 * NoiseSd * Math.Sqrt(30);
        halfWidths95.Sort();
        Assert.InRange(halfWidths95[halfWidths95.Count / 2], oracle, 3 * oracle);
    }

    [Fact]
    public void Long_horizons_on_a_112_day_history_have_sane_extrapolated_bounds_flagged_low_confidence()
    {
        int inside = 0;
        const int series = 24;
        for (int s = 0; s < series; s++)
        {
            var all = Series(202, 900 + s);
            var f = CostForecaster.Forecast(all.Take(112).ToList(), 90, 95, Fast);
            decimal truth = all.Skip(112).Sum(d => d.Cost);
            inside += truth >= f.LowerBound && truth <= f.UpperBound ? 1 : 0;

            Assert.True(f.LowConfidence);
            Assert.Contains(f.ConfidenceNotes, n => n.Contains("extrapolated", StringComparison.Ordinal));
            Assert.True(f.ObservedHorizonDays is > 0 and < 90, $"observed {f.ObservedHorizonDays}");
            Assert.True(f.LowerBound < f.PredictedCost && f.PredictedCost < f.UpperBound);

            // The old random-walk bounds were ±120% of the sum; the noise here is 4% of a day, so ±25% is already generous.
            Assert.True(f.UpperBound - f.PredictedCost < 0.25m * f.PredictedCost, $"{f.LowerBound} .. {f.PredictedCost} .. {f.UpperBound}");
        }

        Assert.InRange(inside / (double)series, 0.85, 1.0);
    }

    [Fact]
    public void Both_sides_are_non_zero_for_sums_and_days_and_zero_only_for_constant_data()
    {
        var f = CostForecaster.Forecast(Series(150, 7), 60, 95, Fast);
        Assert.True(f.PredictedCost - f.LowerBound > 0 && f.UpperBound - f.PredictedCost > 0);
        Assert.InRange(f.PredictedCost - f.LowerBound - (f.UpperBound - f.PredictedCost), -0.02m, 0.02m);
        Assert.All(f.Daily, d => Assert.True(d.Lower < d.Mean && d.Mean < d.Upper, $"{d.Date}: {d.Lower} {d.Mean} {d.Upper}"));

        var start = new DateOnly(2025, 1, 1);
        var flat = Enumerable.Range(0, 120).Select(i => new DailyCost(start.AddDays(i), 100m)).ToList();
        var c = CostForecaster.Forecast(flat, 30, 95, Fast);
        Assert.Equal(3000m, c.PredictedCost);
        Assert.Equal(c.PredictedCost, c.LowerBound);
        Assert.Equal(c.PredictedCost, c.UpperBound);
    }

    [Fact]
    public void Half_widths_grow_as_the_fitted_power_beyond_the_observed_steps()
    {
        var y = new double[80];
        var rng = new Random(3);
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = 10 + Sim.Gauss(rng);
        }

        // minTrain 40, H 60: step max(1, min(⌈60/6⌉, 40/24)) = 1, so 24 origins end at 79…56 and forecast 1…24 days;
        // at least 8 origins reach day k while 25 − k ≥ 8, i.e. k ≤ 17.
        var bt = RollingOriginBounds.Run(y, 60, 40, prefix => Enumerable.Repeat(10.0, 60).ToArray());
        Assert.Equal(Enumerable.Range(0, 24).Select(j => 79 - j), bt.Ends);
        Assert.Equal(17, bt.ObservedSteps);
        var half = bt.HalfWidths(95, cumulative: true, out double b);
        Assert.InRange(b, 1.0, 1.5);
        int k = bt.ObservedSteps;
        for (int s = k; s < 60; s++)
        {
            Assert.Equal(half[k - 1] * Math.Pow((s + 1) / (double)k, b), half[s], 9);
        }
    }
}
