using Dwcp.Forecasting.Cost;
using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Forecasting.Tests;

public class CostTrendCapTests
{
    private static readonly double[] Week = [10, 12, 11, 13, 12, 4, 5];

    /// <summary>a + b·t plus a weekly pattern, with an optional spike every 30 days.</summary>
    private static double[] Line(int n, double a, double b, double spike = 0, int start = 0) =>
        [.. Enumerable.Range(start, n).Select(t => a + (b * (t - start)) + Week[t % 7] + (spike > 0 && t % 30 == 3 ? spike : 0))];

    [Fact]
    public void Pair_slope_by_hand_on_a_short_series()
    {
        // Fewer than 8 points: lag-1 pairs. x = 1, 2, 4, 8: slopes (d=1) 1, 2, 4; (d=2) 1.5, 3; (d=3) 7/3 → sorted
        // 1, 1.5, 2, 7/3, 3, 4 → median (2 + 7/3)/2.
        Assert.Equal((2 + (7.0 / 3)) / 2, CostTrendCap.PairSlope([1, 2, 4, 8]), 12);
        Assert.Equal(0, CostTrendCap.PairSlope([5]));
    }

    [Fact]
    public void Pair_slope_ignores_the_weekly_pattern_and_monthly_spikes()
    {
        // Pairs a whole number of weeks apart cancel the weekly pattern exactly; the spikes touch few pairs.
        Assert.Equal(2.5, CostTrendCap.PairSlope(Line(90, 100, 2.5)), 9);
        Assert.Equal(-1.25, CostTrendCap.PairSlope(Line(120, 500, -1.25, spike: 400)), 9);
    }

    [Fact]
    public void A_trend_opposite_to_the_history_becomes_flat_from_the_first_day()
    {
        var history = Line(112, 100, 0.5);          // rising 0.5/day
        var forecast = Line(30, 150, -3, start: 112); // the models extrapolate a fall of 3/day
        foreach (var policy in new[] { CostTrendPolicy.CappedByHistory, CostTrendPolicy.NoOppositeTrend })
        {
            var capped = CostTrendCap.Apply(history, forecast, policy, out double hs, out double fs, out double used);
            Assert.Equal(0.5, hs, 9);
            Assert.Equal(-3, fs, 9);
            Assert.Equal(0, used);
            for (int k = 0; k < 30; k++)
            {
                // f'_k = f_k + (0 − (−3))·k (k from 1): 150 − 3(k−1) + 3k = 153 plus the weekly pattern.
                Assert.Equal(153 + Week[(112 + k) % 7], capped[k], 9);
            }
        }
    }

    [Fact]
    public void A_steeper_trend_in_the_history_direction_is_cut_only_by_the_capped_policy()
    {
        var history = Line(112, 100, 0.5);
        var forecast = Line(30, 160, 2, start: 112);
        var capped = CostTrendCap.Apply(history, forecast, CostTrendPolicy.CappedByHistory, out _, out _, out double used);
        Assert.Equal(0.5, used, 9);
        // f'_k = 160 + 2(k−1) + (0.5 − 2)·k + weekly, at k = 30: 160 + 58 − 45 = 173.
        Assert.Equal(173 + Week[(112 + 29) % 7], capped[29], 9);
        Assert.Same(forecast, CostTrendCap.Apply(history, forecast, CostTrendPolicy.NoOppositeTrend, out _, out _, out _));
        Assert.Same(forecast, CostTrendCap.Apply(history, forecast, CostTrendPolicy.Free, out _, out _, out _));
        // A falling history keeps a falling forecast under NoOppositeTrend, and a rising one is flattened.
        var falling = Line(112, 300, -0.5);
        var down = Line(30, 100, -1, start: 112);
        Assert.Same(down, CostTrendCap.Apply(falling, down, CostTrendPolicy.NoOppositeTrend, out _, out _, out _));
        CostTrendCap.Apply(falling, forecast, CostTrendPolicy.NoOppositeTrend, out _, out _, out double flat);
        Assert.Equal(0, flat);
    }

    [Fact]
    public void Short_histories_are_left_alone()
    {
        var forecast = Line(30, 150, -3);
        Assert.Same(forecast, CostTrendCap.Apply(Line(CostTrendCap.MinHistoryDays - 1, 100, 1), forecast, CostTrendPolicy.CappedByHistory, out _, out _, out _));
    }

    [Fact]
    public void Cost_forecast_after_a_dip_in_a_rising_history_does_not_extrapolate_the_dip()
    {
        // 95 days rising 10/day with a weekly pattern, then 17 days falling 1.5% a day (a post-peak decline): a trend
        // model follows it down. With the cap the 60-day forecast stays at the level reached: its robust slope is 0.
        var start = new DateOnly(2025, 1, 1);
        var rng = new Random(7);
        var history = Enumerable.Range(0, 112).Select(i =>
        {
            double v = (2000 + (10 * i)) * (Week[i % 7] / 10) * (i >= 95 ? 1 - (0.015 * (i - 95)) : 1) * (1 + (0.01 * Sim.Gauss(rng)));
            return new DailyCost(start.AddDays(i), Math.Round((decimal)v, 2));
        }).ToList();
        var options = new AutoForecasterOptions { Models = ["ets"] };
        var free = CostForecaster.Forecast(history, 60, 95, options, CostTrendPolicy.Free);
        var capped = CostForecaster.Forecast(history, 60, 95, options);
        double freeSlope = CostTrendCap.PairSlope([.. free.Daily.Select(d => (double)d.Mean)]);
        double cappedSlope = CostTrendCap.PairSlope([.. capped.Daily.Select(d => (double)d.Mean)]);
        Assert.True(freeSlope < -1, $"the uncapped models follow the dip: slope {freeSlope}");
        Assert.InRange(cappedSlope, -1e-6, 1e-6);
        Assert.NotNull(capped.TrendAdjustment);
        Assert.Null(free.TrendAdjustment);
        Assert.True(capped.PredictedCost > free.PredictedCost);
        // The first day is not moved by more than the slope difference.
        Assert.InRange((double)(capped.Daily[0].Mean - free.Daily[0].Mean), 0, -freeSlope + 1);
        Assert.InRange(capped.PredictedCost - capped.Daily.Sum(d => d.Mean), -0.5m, 0.5m);
    }
}
