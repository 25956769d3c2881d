using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class GbmLogScaleTests
{
    [Fact]
    public void Log_scale_features_and_labels_by_hand()
    {
        var y = Enumerable.Range(1, 40).Select(v => (double)v).ToArray();   // y[t] = t + 1
        // Origin 30, step 6 → t = 35; period 4: c = 2, same-phase y[27] = 28 and y[23] = 24; scale = mean of y[26..29] = 28.5.
        var lin = GbmDirectFeatures.Build(y, 30, 6, [4], out double s1);
        var log = GbmDirectFeatures.Build(y, 30, 6, [4], out double s2, log: true);
        Assert.Equal(28.5, s1, 12);
        Assert.Equal(s1, s2);
        Assert.Equal(6, log[0]);                                   // the step is not transformed
        Assert.Equal(Math.Log(30 / 28.5), log[1], 5);              // lag 1 = y[29] = 30
        Assert.Equal(Math.Log(27 / 28.5), log[4], 5);              // lag 4 = y[26] = 27
        Assert.Equal(Math.Log(28 / 28.5), log[5], 5);              // y[t − 2·4] = y[27]
        Assert.Equal(Math.Log(24 / 28.5), log[6], 5);              // y[t − 3·4] = y[23]
        Assert.Equal(Math.Log(lin[7]), log[7], 5);                 // mean of the same-phase values, log of the linear feature
        Assert.Equal(lin[^1], log[^1]);                            // the cycle position is not transformed

        Assert.Equal(Math.Log(36 / 28.5), GbmDirectFeatures.Label(y, 30, 6, [4], GbmTarget.Level, s1, log: true), 5);
        Assert.Equal(Math.Log(36.0 / 28), GbmDirectFeatures.Label(y, 30, 6, [4], GbmTarget.SeasonalNaive, s1, log: true), 5);
        Assert.Equal((36 - 28) / 28.5, GbmDirectFeatures.Label(y, 30, 6, [4], GbmTarget.SeasonalNaive, s1, log: false), 5);
    }

    [Fact]
    public void Scale_window_by_hand()
    {
        var y = Enumerable.Range(1, 40).Select(v => (double)v).ToArray();   // y[t] = t + 1
        Assert.Equal(28.5, GbmDirectFeatures.Scale(y, 30, [4]), 12);            // default: the largest period, y[26..29]
        Assert.Equal(29.5, GbmDirectFeatures.Scale(y, 30, [4], 2), 12);         // last two: y[28], y[29]
        Assert.Equal(15.5, GbmDirectFeatures.Scale(y, 30, [4], 100), 12);       // capped at the origin: y[0..29]
        var f = GbmDirectFeatures.Build(y, 30, 1, [4], out double scale, scaleWindow: 2);
        Assert.Equal(29.5, scale, 12);
        Assert.Equal(30 / 29.5, f[1], 5);
    }

    [Theory]
    [InlineData(GbmTarget.Level, true)]
    [InlineData(GbmTarget.SeasonalNaive, true)]
    [InlineData(GbmTarget.LastValue, false)]
    [InlineData(GbmTarget.Level, false)]
    public void Inverse_undoes_the_label(GbmTarget target, bool log)
    {
        var rng = new Random(3);
        var y = Enumerable.Range(0, 120).Select(t => 50 + (10 * Math.Sin(t / 3.0)) + rng.NextDouble()).ToArray();
        for (int step = 1; step <= 12; step++)
        {
            _ = GbmDirectFeatures.Build(y, 100, step, [12], out double scale, log);
            double label = GbmDirectFeatures.Label(y, 100, step, [12], target, scale, log);
            Assert.Equal(y[100 + step - 1], GbmDirectFeatures.Inverse(label, y, 100, step, [12], target, scale, log), 4);
        }
    }

    [Fact]
    public void Log_scale_is_used_only_when_every_value_is_positive()
    {
        var rng = new Random(8);
        var train = Enumerable.Range(0, 6).Select(s => Enumerable.Range(0, 300).Select(t => 20 * Math.Exp(0.5 * Math.Sin(2 * Math.PI * t / 24)) * (1 + (0.02 * Sim.Gauss(rng)))).ToArray()).ToList();
        using var positive = GlobalGbm.Train(train, 24, [24], options: new GbmOptions { LogScale = true, Iterations = 60 });
        Assert.True(positive.LogScale);
        train[2][17] = 0;
        using var withZero = GlobalGbm.Train(train, 24, [24], options: new GbmOptions { LogScale = true, Iterations = 60 });
        Assert.False(withZero.LogScale);
        using var linear = GlobalGbm.Train(train, 24, [24], options: new GbmOptions { Iterations = 60 });
        Assert.False(linear.LogScale);
    }

    [Fact]
    public void Log_scale_model_follows_a_multiplicative_season()
    {
        var rng = new Random(21);
        // Multiplicative daily pattern on levels 5…5000: on the log scale every series has the same shape.
        double Truth(double level, int t) => level * Math.Exp(0.6 * Math.Sin(2 * Math.PI * t / 24));
        double[] levels = [5, 40, 300, 900, 5000, 70];
        var train = levels.Select(l => Enumerable.Range(0, 400).Select(t => Truth(l, t) * Math.Exp(0.03 * Sim.Gauss(rng))).ToArray()).ToList();
        using var gbm = GlobalGbm.Train(train, 24, [24], options: new GbmOptions { LogScale = true, Iterations = 120 });
        Assert.True(gbm.LogScale);
        for (int s = 0; s < levels.Length; s++)
        {
            var f = gbm.Predict(train[s], 24);
            double mape = Enumerable.Range(0, 24).Average(i => Math.Abs(f[i] / Truth(levels[s], 400 + i) - 1));
            Assert.True(mape < 0.05, $"series {s}: mean absolute % error against the noiseless signal {mape:P1}");
        }
    }

    [Fact]
    public void Forced_member_replaces_the_weakest_of_the_top_k_when_close_enough()
    {
        string[] names = ["ets", "arima", "gbm", "theta", "mstl"];
        double[] scores = [0.80, 0.90, 0.95, 0.85, 1.30];
        List<int> ranked = [0, 3, 1, 2, 4];   // by score
        var options = new AutoForecasterOptions { AlwaysInclude = ["gbm"] };
        // gbm (0.95 ≤ 1.25 · 0.80) is 4th: it takes the 3rd place, arima moves down.
        Assert.Equal([0, 3, 2, 1, 4], MemberRules.WithForced(ranked, scores, names, options));
        // Too far from the best: unchanged.
        Assert.Equal(ranked, MemberRules.WithForced(ranked, scores, names, options with { AlwaysIncludeWithin = 1.1 }));
        // Already in the top 3 (top-4 rule): unchanged.
        Assert.Equal(ranked, MemberRules.WithForced(ranked, scores, names, options with { FixedMembers = 4 }));
        // No forced names: unchanged.
        Assert.Equal(ranked, MemberRules.WithForced(ranked, scores, names, new AutoForecasterOptions()));
    }

    [Fact]
    public void Forced_gbm_joins_the_ensemble_end_to_end()
    {
        var rng = new Random(13);
        var train = Enumerable.Range(0, 8).Select(s => Enumerable.Range(0, 360).Select(t => 30 + (8 * Math.Sin(2 * Math.PI * (t + s) / 24)) + (2 * Sim.Gauss(rng))).ToArray()).ToList();
        using var gbm = GlobalGbm.Train(train, 24, [24], holdOut: 3 * 24, options: new GbmOptions { Iterations = 60 });
        var req = new ForecastRequest { Values = train[0], Horizon = 24, SeasonalPeriods = [24] };
        string[] pool = ["snaive", "theta", "drift", "naive"];
        var plain = new AutoForecaster(new AutoForecasterOptions { Models = pool, BacktestOrigins = 3 }).Forecast(req, gbm);
        var forced = new AutoForecaster(new AutoForecasterOptions { Models = pool, BacktestOrigins = 3, AlwaysInclude = ["gbm"], AlwaysIncludeWithin = 100 }).Forecast(req, gbm);
        Assert.Contains("gbm", forced.Model, StringComparison.Ordinal);
        Assert.StartsWith("ensemble(", forced.Model, StringComparison.Ordinal);
        if (!plain.Model.Contains("gbm", StringComparison.Ordinal))
        {
            Assert.NotEqual(plain.Mean[0], forced.Mean[0], 9);
        }
    }
}
