using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class EnsembleTests
{
    [Fact]
    public void Conformal_half_widths_cover_exchangeable_errors_near_nominal()
    {
        var rng = new Random(12);
        int inside90 = 0, inside50 = 0, total = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var rows = new double[4][];
            for (int k = 0; k < 4; k++)
            {
                rows[k] = Enumerable.Range(0, 10).Select(s => (1 + 0.2 * s) * Sim.Gauss(rng)).ToArray();
            }

            var h90 = Backtest.ConformalHalfWidth(rows[..3], 90);
            var h50 = Backtest.ConformalHalfWidth(rows[..3], 50);
            for (int s = 0; s < 10; s++)
            {
                total++;
                inside90 += Math.Abs(rows[3][s]) <= h90[s] ? 1 : 0;
                inside50 += Math.Abs(rows[3][s]) <= h50[s] ? 1 : 0;
            }
        }

        Assert.InRange(inside90 / (double)total, 0.86, 0.94);
        Assert.InRange(inside50 / (double)total, 0.44, 0.56);
    }

    [Fact]
    public void Auto_intervals_cover_held_out_values_near_nominal()
    {
        var auto = new AutoForecaster(new AutoForecasterOptions { Models = ["naive", "drift", "theta"] });
        int inside = 0, total = 0;
        for (int s = 0; s < 120; s++)
        {
            var y = Sim.Ar1(128, 0.8, 20, 1, 1000 + s);
            var r = auto.Forecast(new ForecastRequest { Values = y[..120], Horizon = 8, Levels = [95] });
            Assert.NotEmpty(r.BacktestCoverage);
            for (int h = 0; h < 8; h++)
            {
                total++;
                inside += y[120 + h] >= r.Intervals[0].Lower[h] && y[120 + h] <= r.Intervals[0].Upper[h] ? 1 : 0;
            }
        }

        Assert.InRange(inside / (double)total, 0.88, 0.995);
    }

    [Fact]
    public void Short_series_fall_back_to_naive_and_drift()
    {
        var r = new AutoForecaster().Forecast(new ForecastRequest { Values = [3, 4, 5, 7, 6, 8], Horizon = 3, SeasonalPeriods = [7] });
        Assert.Contains(r.Model, new[] { "naive", "drift" });
        Assert.Contains(r.Notes, n => n.Contains("short series", StringComparison.Ordinal));
        Assert.Equal(3, r.Mean.Count);
    }

    [Fact]
    public void Seasonal_models_are_skipped_without_two_full_seasons()
    {
        var y = Sim.Ar1(30, 0.5, 10, 1, 4);
        var r = new AutoForecaster(new AutoForecasterOptions { DetectSeasonality = false }).Forecast(new ForecastRequest { Values = y, Horizon = 5, SeasonalPeriods = [24] });
        Assert.DoesNotContain("snaive", r.Model);
        Assert.DoesNotContain("mstl", r.Model);
        Assert.Contains(r.Notes, n => n.Contains("seasonal models skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void Ensemble_picks_the_better_model_on_a_strongly_seasonal_series()
    {
        var y = Sim.TwoSeasons(24 * 7 * 4, 0.2, 3);
        var r = new AutoForecaster(new AutoForecasterOptions { Models = ["naive", "snaive", "drift"] }).Forecast(new ForecastRequest { Values = y, Horizon = 24, SeasonalPeriods = [24, 168] });
        Assert.Equal("snaive", r.Model);
        Assert.NotNull(r.BacktestMase);
        Assert.Contains(r.Notes, n => n.StartsWith("backtest MASE: snaive=", StringComparison.Ordinal));
    }

    [Fact]
    public void Ensemble_names_members_and_its_weights_sum_to_one()
    {
        var y = Sim.RandomWalk(200, 1, 50, 17).Select((v, t) => v + 0.05 * t).ToArray();
        var r = new AutoForecaster(new AutoForecasterOptions { Models = ["ets", "theta", "drift", "naive"] }).Forecast(new ForecastRequest { Values = y, Horizon = 10 });
        if (r.Model.StartsWith("ensemble(", StringComparison.Ordinal))
        {
            var weights = r.Detail.Split(" + ").Select(p => double.Parse(p[..p.IndexOf('·', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1, weights.Sum(), 2);
            Assert.Equal(IntervalMethod.Conformal, r.IntervalMethod);
            Assert.Equal(r.Model.Count(c => c == '+') + 1, weights.Length);
        }
        else
        {
            Assert.Contains(r.Model, new[] { "ets", "theta", "drift", "naive" });
        }
    }

    [Fact]
    public void Global_GBM_learns_shared_seasonality_across_series()
    {
        var train = new List<double[]>();
        var tests = new List<double[]>();
        for (int s = 0; s < 30; s++)
        {
            var rng = new Random(s);
            double level = 10 + 40 * rng.NextDouble(), amp = 0.2 + 0.3 * rng.NextDouble();
            var y = Enumerable.Range(0, 424).Select(t => level * (1 + amp * Math.Sin(2 * Math.PI * t / 24)) * (1 + 0.03 * Sim.Gauss(rng))).ToArray();
            train.Add(y[..400]);
            tests.Add(y[400..]);
        }

        using var gbm = GlobalGbm.Train(train, 24, [24]);
        var auto = new AutoForecaster(new AutoForecasterOptions { Models = [] });
        double maeGbm = 0, maeNaive = 0;
        for (int s = 0; s < train.Count; s++)
        {
            var r = auto.Forecast(new ForecastRequest { Values = train[s], Horizon = 24, SeasonalPeriods = [24] }, gbm);
            Assert.Equal("gbm", r.Model);
            maeGbm += Enumerable.Range(0, 24).Average(i => Math.Abs(tests[s][i] - r.Mean[i])) / train[s].Average();
            maeNaive += Enumerable.Range(0, 24).Average(i => Math.Abs(tests[s][i] - train[s][^1])) / train[s].Average();
        }

        Assert.True(maeGbm < 0.4 * maeNaive, $"gbm {maeGbm} naive {maeNaive}");
    }
}
