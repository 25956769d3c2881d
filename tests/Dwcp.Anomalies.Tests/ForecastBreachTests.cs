using Dwcp.Anomalies.Detectors;
using Dwcp.Forecasting;
using Dwcp.Forecasting.Models;

namespace Dwcp.Anomalies.Tests;

public sealed class ForecastBreachTests
{
    [Fact]
    public void Breach_is_the_distance_beyond_the_mean_in_half_widths_of_its_own_side()
    {
        // Interval [8, 11] around 10: above, one half-width is 1; below, it is 2.
        Assert.Equal(2.0, ForecastIntervalBreach.Breach(12, 10, 8, 11), 12);
        Assert.Equal(2.0, ForecastIntervalBreach.Breach(6, 10, 8, 11), 12);
        Assert.Equal(0.5, ForecastIntervalBreach.Breach(9, 10, 8, 11), 12);
        Assert.Equal(0.0, ForecastIntervalBreach.Breach(5, double.NaN, 8, 11));
    }

    [Fact]
    public void Each_point_is_scored_against_the_forecasting_engines_theta_forecast_from_its_past()
    {
        // Trend + season 12 + noise, refit every point: the statistic at t must equal the breach of x[t] against a Theta
        // forecast fitted here, independently, on the 500 points before t with the 95% interval.
        var rng = new Random(4);
        var x = Enumerable.Range(0, 160).Select(t => 50 + (0.2 * t) + (5 * Math.Sin(2 * Math.PI * t / 12)) + Series.Gaussian(rng)).ToArray();
        x[130] += 12;
        var stats = ForecastIntervalBreach.Score(x, 12, new ForecastBreachOptions { RefitEvery = 1 });
        foreach (var t in new[] { 40, 77, 130, 159 })
        {
            var f = new ThetaModel().Forecast(new ForecastRequest { Values = x[..t], Horizon = 1, SeasonalPeriods = [12], Levels = [95] });
            var expected = ForecastIntervalBreach.Breach(x[t], f.Mean[0], f.Intervals[0].Lower[0], f.Intervals[0].Upper[0]);
            Assert.Equal(expected, stats[t], 9);
        }

        Assert.Equal(130, Series.ArgMax(stats));
        Assert.True(stats[130] > 2, $"breach at the spike {stats[130]:F2}");
        // About 5% of clean points lie outside a 95% interval (stat > 1): allow 0–15% of the 135 scored forward points.
        var outside = Enumerable.Range(ForecastIntervalBreach.MinTrain(12), 160 - ForecastIntervalBreach.MinTrain(12)).Count(t => t != 130 && stats[t] > 1);
        Assert.InRange(outside, 0, 20);
    }

    [Fact]
    public void The_first_points_are_scored_by_a_backcast_and_refits_every_k_points_use_h_step_forecasts()
    {
        var rng = new Random(6);
        var x = Enumerable.Range(0, 200).Select(_ => 20 + Series.Gaussian(rng)).ToArray();
        x[5] += 10; // before the training minimum of 24 points: only the backcast can see it
        var stats = ForecastIntervalBreach.Score(x, 0, new ForecastBreachOptions { RefitEvery = 4 });
        Assert.Equal(5, Series.ArgMax(stats));

        // Point 24 + 4 + 2 = 30 is the 3-step forecast from origin 28, fitted on points 0..27.
        var f = new ThetaModel().Forecast(new ForecastRequest { Values = x[..28], Horizon = 4, Levels = [95] });
        Assert.Equal(ForecastIntervalBreach.Breach(x[30], f.Mean[2], f.Intervals[0].Lower[2], f.Intervals[0].Upper[2]), stats[30], 9);
    }

    [Fact]
    public void Unknown_model_names_are_rejected_with_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastIntervalBreach.Score(new double[100], 0, new ForecastBreachOptions { Model = "prophet" }));
        Assert.Contains("theta", e.Message);
    }
}

public sealed class EngineIntervalForecasterTests
{
    [Fact]
    public void Forecasts_are_the_engines_h_step_forecasts_from_the_last_refit_and_use_only_the_past()
    {
        var rng = new Random(12);
        var x = Enumerable.Range(0, 60).Select(t => 30 + (0.1 * t) + Series.Gaussian(rng)).ToArray();
        var f = new EngineIntervalForecaster("theta", period: 0, level: 99, refitEvery: 12);
        for (var t = 0; t < 30; t++)
        {
            Assert.Equal(t < 24, !f.Forecast().IsValid); // 24 points before the first fit
            f.Observe(x[t]);
        }

        // First refit at point 24 on x[0..24); point 30 is its 7-step forecast.
        var expected = new ThetaModel().Forecast(new ForecastRequest { Values = x[..24], Horizon = 12, Levels = [99] });
        var got = f.Forecast();
        Assert.Equal(expected.Mean[6], got.Point, 9);
        Assert.Equal((expected.Intervals[0].Lower[6], expected.Intervals[0].Upper[6]), (got.Lower, got.Upper));

        // In the online ensemble, a prefix scores identically (the refits only see the past).
        var options = new OnlineDetectorOptions { Period = 0, IntervalModel = "theta", MinCalibrationHistory = 20 };
        var full = OnlineAnomalyDetector.ScoreAll(Series.Seasonal(300, 0, 1, seed: 3), options);
        var cut = OnlineAnomalyDetector.ScoreAll(Series.Seasonal(300, 0, 1, seed: 3)[..170], options);
        Assert.Equal(cut.Select(s => s.Score), full.Take(170).Select(s => s.Score));
    }
}
