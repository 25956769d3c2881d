using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Forecasting.Tests;

/// <summary>Recalibrated conformal intervals of <see cref="AutoForecaster"/>.</summary>
public class CalibrationTests
{
    [Fact]
    public void Auto_80_and_95_percent_intervals_cover_held_out_values_near_nominal()
    {
        var auto = new AutoForecaster(new AutoForecasterOptions { Models = ["theta", "snaive", "drift", "naive"] });
        int in80 = 0, in95 = 0, total = 0;
        for (int s = 0; s < 50; s++)
        {
            // Daily (24) season + AR(1) noise with known φ = 0.6, σ = 1.
            var noise = Sim.Ar1(24 * 21, 0.6, 0, 1, 3000 + s);
            var y = noise.Select((e, t) => 20 + (4 * Math.Sin(2 * Math.PI * t / 24)) + e).ToArray();
            int n = y.Length - 24;
            var r = auto.Forecast(new ForecastRequest { Values = y[..n], Horizon = 24, SeasonalPeriods = [24], Levels = [80, 95] });
            var i80 = r.Interval(80);
            var i95 = r.Interval(95);
            for (int h = 0; h < 24; h++)
            {
                double a = y[n + h];
                in80 += a >= i80.Lower[h] && a <= i80.Upper[h] ? 1 : 0;
                in95 += a >= i95.Lower[h] && a <= i95.Upper[h] ? 1 : 0;
                total++;
            }
        }

        // 1,200 points in 50 correlated paths: allow about ±6 points at 80% and −5/+4 at 95%.
        Assert.InRange(in80 / (double)total, 0.74, 0.88);
        Assert.InRange(in95 / (double)total, 0.90, 0.99);
    }

    [Fact]
    public void Calibrated_level_is_the_smallest_that_covers_the_held_out_origins()
    {
        // Four origins whose error scale differs by a factor of 2 each: pooled quantiles under-cover the held-out one.
        var rng = new Random(9);
        var errors = new[] { 0.5, 1, 2, 4 }.Select(sd => Enumerable.Range(0, 24).Select(_ => sd * Sim.Gauss(rng)).ToArray()).ToArray();
        Assert.True(Backtest.ConformalCoverage(errors, 80) < 0.80);
        double l = Backtest.CalibratedLevel(errors, 80);
        Assert.True(l > 80);
        Assert.True(Backtest.ConformalCoverage(errors, l) >= 0.80);
        Assert.True(Backtest.ConformalCoverage(errors, l - 0.2) < 0.80 || l - 0.2 < 80);
    }

    [Fact]
    public void Calibration_leaves_a_level_alone_when_the_held_out_origins_are_covered()
    {
        var rng = new Random(10);
        var errors = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 24).Select(_ => Sim.Gauss(rng)).ToArray()).ToArray();
        double cov = Backtest.ConformalCoverage(errors, 80);
        double l = Backtest.CalibratedLevel(errors, 80);
        Assert.Equal(cov >= 0.80 ? 80 : l, l);
        Assert.InRange(l, 80, 85);
    }

    [Fact]
    public void Extend_grows_the_last_half_width_as_the_square_root_of_the_step()
    {
        var r = Backtest.Extend([1, 2], 4);
        Assert.Equal([1, 2, 2 * Math.Sqrt(1.5), 2 * Math.Sqrt(2)], r);
    }

    [Fact]
    public void A_horizon_longer_than_the_backtest_allows_is_ranked_on_a_shorter_backtest()
    {
        var y = Sim.Ar1(36, 0.5, 100, 1, 12);
        var r = new AutoForecaster(new AutoForecasterOptions { Models = ["theta", "drift", "naive"] })
            .Forecast(new ForecastRequest { Values = y, Horizon = 30, Levels = [95] });

        // minTrain 10: no origin leaves 30 points after 10, so the backtest runs at horizon (36 − 10)/2 = 13 with two origins.
        Assert.Contains(r.Notes, n => n.Contains("backtest at horizon 13", StringComparison.Ordinal));
        Assert.Equal(IntervalMethod.Conformal, r.IntervalMethod);
        var iv = r.Interval(95);
        double half13 = iv.Upper[12] - r.Mean[12];
        Assert.Equal(half13 * Math.Sqrt(30 / 13.0), iv.Upper[29] - r.Mean[29], 9);
    }
}
