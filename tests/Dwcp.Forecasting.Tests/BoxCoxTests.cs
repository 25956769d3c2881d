using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;
using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Tests;

public class BoxCoxTests
{
    private const double Z95 = 1.959963984540054;

    [Fact]
    public void Transform_and_inverse_match_hand_computed_values()
    {
        // (4^0.5 − 1)/0.5 = (2 − 1)/0.5 = 2; log e² = 2; (0.5·2 + 1)^(1/0.5) = 4.
        Assert.Equal(2, BoxCox.Transform(4, 0.5), 12);
        Assert.Equal(2, BoxCox.Transform(Math.Exp(2), 0), 12);
        Assert.Equal(4, BoxCox.Inverse(2, 0.5), 12);
        Assert.Equal(Math.Exp(2), BoxCox.Inverse(2, 0), 12);
        // λw + 1 = 0.5·(−3) + 1 < 0: outside the range of the transform, the inverse is cut at 0.
        Assert.Equal(0, BoxCox.Inverse(-3, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoxCox.Transform(0, 0.5));
    }

    [Fact]
    public void Bias_adjusted_mean_matches_hand_computed_values()
    {
        // λ = 0: exp(ln 10)·(1 + 0.2/2) = 11.
        Assert.Equal(11, BoxCox.InverseMean(Math.Log(10), 0.2, 0), 10);
        // λ = 0.5, w = 2: median 4, λw + 1 = 2, factor 1 + 0.5·(1 − 0.5)/(2·2²) = 1.03125 → 4.125.
        Assert.Equal(4.125, BoxCox.InverseMean(2, 0.5, 0.5), 10);
        // Zero variance: the median.
        Assert.Equal(4, BoxCox.InverseMean(2, 0, 0.5), 12);
    }

    [Fact]
    public void Guerrero_finds_the_power_that_makes_block_spread_constant()
    {
        // Blocks of 2 points a ± d have sd = d·√2. sd ∝ mean → log (λ = 0); sd constant → λ = 1;
        // sd ∝ √mean → λ = 0.5 (s_i / m_i^(1−λ) is then the same for every block, coefficient of variation 0).
        double[] proportional = [0.5, 1.5, 5, 15, 50, 150];
        double[] constant = [1, 3, 11, 13, 101, 103];
        double r2 = Math.Sqrt(2);
        double[] sqrt = [4 - r2, 4 + r2, 16 - 2 * r2, 16 + 2 * r2, 64 - 4 * r2, 64 + 4 * r2];
        Assert.Equal(0, BoxCox.Guerrero(proportional, 2), 3);
        Assert.Equal(1, BoxCox.Guerrero(constant, 2), 3);
        Assert.Equal(0.5, BoxCox.Guerrero(sqrt, 2), 3);
        // Fewer than two blocks: no evidence, no transform.
        Assert.Equal(1, BoxCox.Guerrero([1, 2, 3], 2));
    }

    [Fact]
    public void Log_scale_drift_continues_exponential_growth_exactly()
    {
        var y = Enumerable.Range(0, 30).Select(t => 10 * Math.Pow(1.05, t)).ToArray();
        var r = new BoxCoxModel(new DriftModel(), 0).Forecast(new ForecastRequest { Values = y, Horizon = 3 });
        for (int h = 1; h <= 3; h++)
        {
            Assert.Equal(10 * Math.Pow(1.05, 29 + h), r.Mean[h - 1], 8);
        }

        // The untransformed drift extends a straight line and falls short of the curve.
        var plain = new DriftModel().Forecast(new ForecastRequest { Values = y, Horizon = 3 });
        Assert.True(plain.Mean[2] < 0.97 * r.Mean[2]);
        Assert.StartsWith("BoxCox(0.00)+", r.Detail);
    }

    [Fact]
    public void Log_scale_naive_gives_back_transformed_normal_bounds_and_a_bias_adjusted_mean()
    {
        double[] y = [100, 110, 99, 120, 115, 130];
        var r = new BoxCoxModel(new NaiveModel(), 0).Forecast(new ForecastRequest { Values = y, Horizon = 2, Levels = [95] });
        // By hand on the log scale: σ² = mean squared one-step log difference.
        double s2 = 0;
        for (int i = 1; i < y.Length; i++)
        {
            s2 += Math.Pow(Math.Log(y[i]) - Math.Log(y[i - 1]), 2);
        }

        s2 /= y.Length - 1;
        for (int h = 1; h <= 2; h++)
        {
            double sd = Math.Sqrt(s2 * h);
            Assert.Equal(130 * (1 + s2 * h / 2), r.Mean[h - 1], 9);
            Assert.Equal(130 * Math.Exp(-Z95 * sd), r.Interval(95).Lower[h - 1], 9);
            Assert.Equal(130 * Math.Exp(Z95 * sd), r.Interval(95).Upper[h - 1], 9);
        }

        Assert.Equal(IntervalMethod.Analytic, r.IntervalMethod);
        var median = new BoxCoxModel(new NaiveModel(), 0, biasAdjust: false).Forecast(new ForecastRequest { Values = y, Horizon = 2 });
        Assert.Equal(130, median.Mean[1], 9);
    }

    [Fact]
    public void A_series_with_a_non_positive_value_is_forecast_untransformed()
    {
        double[] y = [3, 0, 4, 5, 2, 6, 7, 5, 8, 9, 7, 10];
        var wrapped = new BoxCoxModel(new DriftModel(), 0).Forecast(new ForecastRequest { Values = y, Horizon = 4 });
        var plain = new DriftModel().Forecast(new ForecastRequest { Values = y, Horizon = 4 });
        Assert.Equal(plain.Mean, wrapped.Mean);
        Assert.Equal(plain.Detail, wrapped.Detail);

        var auto = new AutoForecaster(new AutoForecasterOptions { Models = ["theta", "drift"], BoxCoxModels = ["theta"] });
        var r = auto.Forecast(new ForecastRequest { Values = y, Horizon = 4 });
        Assert.DoesNotContain(r.Notes, n => n.StartsWith("Box-Cox", StringComparison.Ordinal));
    }

    [Fact]
    public void Auto_applies_Box_Cox_to_the_named_candidates_of_a_positive_series()
    {
        var rng = new Random(7);
        var y = Enumerable.Range(0, 120).Select(t => 50 * Math.Exp(0.01 * t + 0.05 * Sim.Gauss(rng))).ToArray();
        var r = new AutoForecaster(new AutoForecasterOptions { Models = ["theta"], BoxCoxModels = ["theta"] })
            .Forecast(new ForecastRequest { Values = y, Horizon = 6 });
        Assert.Contains(r.Notes, n => n.StartsWith("Box-Cox λ = ", StringComparison.Ordinal));
        Assert.StartsWith("BoxCox(", r.Detail);
        Assert.Equal("theta", r.Model);
    }

    [Fact]
    public void Sub_daily_series_leave_out_the_excluded_candidates()
    {
        var rng = new Random(11);
        var y = Enumerable.Range(0, 24 * 14).Select(t => 100 + 20 * Math.Sin(2 * Math.PI * t / 24) + Sim.Gauss(rng)).ToArray();
        var options = new AutoForecasterOptions { Models = ["theta", "m4comb", "snaive"], SubDailyExclude = ["m4comb"] };
        var hourly = new AutoForecaster(options).Forecast(new ForecastRequest { Values = y, Horizon = 24, SeasonalPeriods = [24, 168] });
        Assert.DoesNotContain("m4comb=", hourly.Notes.Single(n => n.StartsWith("backtest MASE", StringComparison.Ordinal)), StringComparison.Ordinal);
        var daily = new AutoForecaster(options).Forecast(new ForecastRequest { Values = y, Horizon = 24, SeasonalPeriods = [7] });
        Assert.Contains("m4comb=", daily.Notes.Single(n => n.StartsWith("backtest MASE", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
