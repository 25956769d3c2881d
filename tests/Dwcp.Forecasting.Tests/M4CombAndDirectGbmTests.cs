using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class M4CombAndDirectGbmTests
{
    [Fact]
    public void Comb_reproduces_a_constant_series()
    {
        var r = new M4CombModel().Forecast(new ForecastRequest { Values = Enumerable.Repeat(42.0, 60).ToArray(), Horizon = 5 });
        Assert.All(r.Mean, v => Assert.Equal(42.0, v, 6));
    }

    [Fact]
    public void Comb_continues_a_noiseless_line_between_ses_and_the_line()
    {
        // SES forecasts stay at (about) the last value, Holt and damped continue the slope (damped less), so the
        // equal-weight mean lies strictly between the last value and the straight-line continuation, at about 2/3
        // of the line's rise (1/3 SES ≈ 0, 1/3 Holt = h, 1/3 damped ≈ h·0.98…): between 0.5 and 0.7 of it.
        var y = Enumerable.Range(0, 80).Select(t => 10 + 0.5 * t).ToArray();
        var r = new M4CombModel().Forecast(new ForecastRequest { Values = y, Horizon = 6 });
        for (int h = 1; h <= 6; h++)
        {
            double last = y[^1], line = last + 0.5 * h;
            double share = (r.Mean[h - 1] - last) / (line - last);
            Assert.InRange(share, 0.5, 0.7);
        }
    }

    [Fact]
    public void Comb_restores_a_multiplicative_season_by_the_m4_adjustment()
    {
        // A constant level times a fixed quarterly pattern: the adjusted series is constant (all members forecast
        // 100) and reseasonalising gives back the pattern at the forecast phases.
        double[] s = [0.8, 1.1, 1.3, 0.8];
        var y = Enumerable.Range(0, 64).Select(t => 100 * s[t % 4]).ToArray();
        var r = new M4CombModel().Forecast(new ForecastRequest { Values = y, Horizon = 8, SeasonalPeriods = [4] });
        for (int h = 0; h < 8; h++)
        {
            Assert.Equal(100 * s[(64 + h) % 4], r.Mean[h], 3);
        }
    }

    [Fact]
    public void Median_of_parts_is_taken_per_step()
    {
        double[][] parts = [[1, 10, 5], [3, 2, 5], [2, 6, -1]];
        Assert.Equal([2, 6, 5], Backtest.Median(parts));
        Assert.Equal([2, 6, 5], Backtest.Median(parts[..2]));
    }

    [Fact]
    public void Median_rule_forecast_is_the_median_of_the_members_own_forecasts()
    {
        var y = Sim.Ar1(120, 0.7, 50, 2, 77).Select((v, t) => v + 0.05 * t + 5 * Math.Sin(2 * Math.PI * t / 12)).ToArray();
        string[] names = ["naive", "drift", "snaive"];
        var auto = new AutoForecaster(new AutoForecasterOptions
        {
            Models = names,
            Combination = CombinationRule.Median,
            MaxRelativeError = 1e9,
            DetectSeasonality = false,
        });
        var req = new ForecastRequest { Values = y, Horizon = 6, SeasonalPeriods = [12] };
        var r = auto.Forecast(req);
        var own = names.Select(n => ModelCatalog.Create(n).Forecast(req).Mean).ToArray();
        for (int h = 0; h < 6; h++)
        {
            var col = own.Select(m => m[h]).Order().ToArray();
            Assert.Equal(col[1], r.Mean[h], 9);
        }

        Assert.StartsWith("ensemble(", r.Model, StringComparison.Ordinal);
    }

    [Fact]
    public void Direct_features_match_a_hand_computed_row()
    {
        var y = Enumerable.Range(1, 20).Select(v => (double)v).ToArray();   // y[t] = t + 1
        var f = GbmDirectFeatures.Build(y, origin: 10, step: 6, periods: [4], out double scale);
        // Window = 4: mean |y| of y[6..9] = (7+8+9+10)/4.
        Assert.Equal(8.5, scale, 12);
        float[] expected =
        [
            6,                                              // step
            10 / 8.5f, 9 / 8.5f, 8 / 8.5f, 7 / 8.5f,        // lags 1..4 at the origin
            8 / 8.5f, 4 / 8.5f, 6 / 8.5f,                   // t = 15, c = 2: y[7], y[3], mean of y[7], y[3]
            1,                                              // mean of the last 4 = 8.5, over the scale
        ];
        Assert.Equal(1 + 4 + 3 + 4 + 1, f.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], f[i], 5);
        }

        Assert.Equal(3, f[^1]);                             // position of t = 15 in the cycle of 4
    }

    [Fact]
    public void Direct_training_rows_never_use_values_after_the_hold_out_cut()
    {
        // Values after index 300 are huge; no label (target / scale of earlier values) may see them.
        var series = Enumerable.Range(0, 5).Select(s => Enumerable.Range(0, 400).Select(t => t < 300 ? 10 + Math.Sin(t + s) : 1e6).ToArray()).ToArray();
        var rng = new Random(3);
        foreach (var y in series)
        {
            var rows = GbmDirectFeatures.Rows(y, 300, 24, [24], 200, rng).ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.True(r.Label < 2, $"label {r.Label} saw data past the cut"));
            Assert.All(rows, r => Assert.InRange(r.Features[0], 1, 24));
        }
    }

    [Fact]
    public void Direct_global_model_beats_the_recursive_one_on_noisy_shared_seasonality()
    {
        var train = new List<double[]>();
        var tests = new List<double[]>();
        for (int s = 0; s < 10; s++)
        {
            var rng = new Random(100 + s);
            double level = 10 + 40 * rng.NextDouble(), amp = 0.2 + 0.3 * rng.NextDouble();
            double e = 0;
            var y = new double[298];
            for (int t = 0; t < y.Length; t++)
            {
                e = 0.8 * e + 0.05 * Sim.Gauss(rng);
                y[t] = level * (1 + amp * Math.Sin(2 * Math.PI * t / 24)) * Math.Exp(e);
            }

            train.Add(y[..250]);
            tests.Add(y[250..]);
        }

        double Error(GbmStrategy strategy)
        {
            using var gbm = GlobalGbm.Train(train, 48, [24], strategy: strategy);
            Assert.Equal(strategy, gbm.Strategy);
            return Enumerable.Range(0, train.Count).Average(s =>
                gbm.Predict(train[s], 48).Select((v, i) => Math.Abs(tests[s][i] - v)).Average() / train[s].Average());
        }

        double direct = Error(GbmStrategy.Direct), recursive = Error(GbmStrategy.Recursive);
        double snaive = Enumerable.Range(0, train.Count).Average(s =>
            Enumerable.Range(0, 48).Average(i => Math.Abs(tests[s][i] - train[s][250 - 24 + i % 24])) / train[s].Average());
        Assert.True(direct < snaive, $"direct {direct} vs seasonal naive {snaive}");
        Assert.True(direct < 1.1 * recursive, $"direct {direct} vs recursive {recursive}");
    }
}
