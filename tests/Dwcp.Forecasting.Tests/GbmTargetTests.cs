using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class GbmTargetTests
{
    [Fact]
    public void Base_forecasts_by_hand()
    {
        var y = Enumerable.Range(1, 20).Select(v => (double)v).ToArray();   // y[t] = t + 1
        // Origin 10 (history y[0..9]), step 6 → t = 15; period 4, c = ⌈6/4⌉ = 2.
        Assert.Equal(0, GbmDirectFeatures.Base(y, 10, 6, [4], GbmTarget.Level));
        Assert.Equal(10, GbmDirectFeatures.Base(y, 10, 6, [4], GbmTarget.LastValue));          // y[9]
        Assert.Equal(8, GbmDirectFeatures.Base(y, 10, 6, [4], GbmTarget.SeasonalNaive));      // y[15 − 8] = y[7]
        Assert.Equal((8 + 4) / 2.0, GbmDirectFeatures.Base(y, 10, 6, [4], GbmTarget.SeasonalMean)); // y[7], y[3]; y[−1], y[−5] unknown
        Assert.Equal(10, GbmDirectFeatures.Base(y, 10, 6, [], GbmTarget.SeasonalNaive));      // no period: naive
    }

    [Fact]
    public void Training_labels_are_the_scaled_difference_from_the_base()
    {
        var rng = new Random(5);
        var y = Enumerable.Range(0, 200).Select(t => 50 + (10 * Math.Sin(2 * Math.PI * t / 24)) + Sim.Gauss(rng)).ToArray();
        var rows = GbmDirectFeatures.Rows(y, 200, 12, [24], 40, new Random(1), GbmTarget.SeasonalNaive).ToList();
        var again = new Random(1);
        // Replay the same origins and steps: the label must be (y_t − y_{t−24c}) / scale.
        int first = GbmDirectFeatures.FirstOrigin([24]);
        int stride = Math.Max(1, (199 - first + 1) / (40 / 4));
        int r = 0;
        for (int o = 199; o >= first; o -= stride)
        {
            for (int i = 0; i < 4; i++, r++)
            {
                int k = 1 + again.Next(12);
                if (o + k - 1 >= 200)
                {
                    k = 1 + again.Next(200 - o);
                }

                int t = o + k - 1;
                double scale = y[(o - 24)..o].Average(Math.Abs);
                Assert.Equal(k, rows[r].Features[0]);
                Assert.Equal((y[t] - y[t - 24]) / scale, rows[r].Label, 4);
            }
        }

        Assert.Equal(rows.Count, r);
    }

    [Fact]
    public void Auto_base_is_seasonal_for_seasonal_series_and_naive_for_random_walks()
    {
        var rng = new Random(11);
        var seasonal = Enumerable.Range(0, 4).Select(s => Enumerable.Range(0, 400).Select(t => 100 + (30 * Math.Sin(2 * Math.PI * (t + s) / 24)) + Sim.Gauss(rng)).ToArray()).ToArray();
        Assert.NotEqual(GbmTarget.LastValue, GbmDirectFeatures.ChooseBase(seasonal, 24, [24], 0));
        var walks = Enumerable.Range(0, 4).Select(_ =>
        {
            double v = 1000;
            return Enumerable.Range(0, 400).Select(_ => v += 5 * Sim.Gauss(rng)).ToArray();
        }).ToArray();
        Assert.Equal(GbmTarget.LastValue, GbmDirectFeatures.ChooseBase(walks, 24, [24], 0));
    }

    [Fact]
    public void Global_model_with_a_residual_target_reports_it_and_adds_the_base_back()
    {
        var rng = new Random(9);
        var train = Enumerable.Range(0, 6).Select(s => Enumerable.Range(0, 300).Select(t => 20 + (5 * Math.Sin(2 * Math.PI * t / 24)) + (0.3 * Sim.Gauss(rng))).ToArray()).ToList();
        using var gbm = GlobalGbm.Train(train, 24, [24], options: new GbmOptions { Target = GbmTarget.Auto, Iterations = 60 });
        Assert.NotEqual(GbmTarget.Auto, gbm.Target);
        var f = gbm.Predict(train[0], 24);
        // The level (≈ 20) comes from the base; a model that forgot to add it back would forecast ≈ 0.
        double truthMae = Enumerable.Range(0, 24).Average(i => Math.Abs(f[i] - (20 + (5 * Math.Sin(2 * Math.PI * (300 + i) / 24)))));
        Assert.True(truthMae < 1, $"MAE against the noiseless signal {truthMae}");
    }

    [Fact]
    public void Weight_power_zero_equals_the_equal_weight_rule()
    {
        var rng = new Random(4);
        var y = Enumerable.Range(0, 150).Select(t => 40 + (0.1 * t) + (6 * Math.Sin(2 * Math.PI * t / 12)) + Sim.Gauss(rng)).ToArray();
        var req = new ForecastRequest { Values = y, Horizon = 12, SeasonalPeriods = [12] };
        string[] models = ["snaive", "drift", "theta", "naive"];
        var equal = new AutoForecaster(new AutoForecasterOptions { Models = models, Combination = CombinationRule.Equal }).Forecast(req);
        var power0 = new AutoForecaster(new AutoForecasterOptions { Models = models, WeightPower = 0 }).Forecast(req);
        var squared = new AutoForecaster(new AutoForecasterOptions { Models = models }).Forecast(req);   // default WeightPower 2
        Assert.StartsWith("ensemble(", equal.Model, StringComparison.Ordinal);
        Assert.Equal(equal.Model, power0.Model);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(equal.Mean[i], power0.Mean[i], 9);
        }

        Assert.NotEqual(equal.Mean[11], squared.Mean[11], 6);
    }
}
