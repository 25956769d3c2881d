using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class NaiveModelsTests
{
    private static readonly double[] Y = [5, 7, 6, 9, 8, 10, 12, 11];

    [Fact]
    public void Naive_forecasts_the_last_value_with_random_walk_intervals()
    {
        var r = new NaiveModel().Forecast(new ForecastRequest { Values = Y, Horizon = 3, Levels = [95] });
        // One-step differences 2,-1,3,-1,2,2,-1: mean square = (4+1+9+1+4+4+1)/7 = 24/7.
        double sigma = Math.Sqrt(24.0 / 7);
        for (int h = 1; h <= 3; h++)
        {
            Assert.Equal(11, r.Mean[h - 1]);
            Assert.Equal(11 + 1.959963984540054 * sigma * Math.Sqrt(h), r.Interval(95).Upper[h - 1], 9);
            Assert.Equal(11 - 1.959963984540054 * sigma * Math.Sqrt(h), r.Interval(95).Lower[h - 1], 9);
        }

        Assert.Equal(IntervalMethod.Analytic, r.IntervalMethod);
    }

    [Fact]
    public void Seasonal_naive_repeats_the_last_cycle_and_widens_per_cycle()
    {
        double[] y = [1, 5, 3, 10, 2, 6, 4, 12];
        var r = new SeasonalNaiveModel().Forecast(new ForecastRequest { Values = y, Horizon = 6, SeasonalPeriods = [4], Levels = [80] });
        Assert.Equal([2.0, 6, 4, 12, 2, 6], r.Mean);
        // Seasonal differences: 1,1,1,2 → σ² = 7/4; step 5 lies in the second cycle: σ·√2.
        double sigma = Math.Sqrt(7.0 / 4);
        double z80 = 1.2815515655446004;
        Assert.Equal(4 + z80 * sigma, r.Interval(80).Upper[2], 9);
        Assert.Equal(2 + z80 * sigma * Math.Sqrt(2), r.Interval(80).Upper[4], 9);
    }

    [Fact]
    public void Drift_extends_the_line_through_first_and_last_points()
    {
        var r = new DriftModel().Forecast(new ForecastRequest { Values = Y, Horizon = 2 });
        double b = (11.0 - 5) / 7;
        Assert.Equal(11 + b, r.Mean[0], 12);
        Assert.Equal(11 + 2 * b, r.Mean[1], 12);
    }

    [Fact]
    public void Naive2_reseasonalises_the_naive_forecast_of_the_adjusted_series()
    {
        int m = 4;
        var y = Enumerable.Range(0, 40).Select(t => (100 + t) * (t % m == 0 ? 1.5 : t % m == 1 ? 0.5 : 1.0)).ToArray();
        var r = new Naive2Model().Forecast(new ForecastRequest { Values = y, Horizon = 4, SeasonalPeriods = [m] });
        // Indices from the decomposition are close to the true 1.5/0.5/1/1 pattern, so the forecasts keep the pattern.
        Assert.True(r.Mean[0] > 1.3 * r.Mean[2] && r.Mean[1] < 0.6 * r.Mean[2]);
        Assert.StartsWith("Naive2[4]", r.Detail);
        var flat = new Naive2Model().Forecast(new ForecastRequest { Values = Sim.Ar1(60, 0.3, 50, 1, 3), Horizon = 4, SeasonalPeriods = [m] });
        Assert.Equal("Naive2", flat.Detail);
    }

    [Fact]
    public void Invalid_requests_are_rejected_with_the_reason()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new NaiveModel().Forecast(new ForecastRequest { Values = Y, Horizon = 0 }));
        Assert.Contains("Horizon", ex.Message);
        var nan = Assert.Throws<ArgumentException>(() => new NaiveModel().Forecast(new ForecastRequest { Values = [1, double.NaN], Horizon = 1 }));
        Assert.Contains("index 1", nan.Message);
    }
}
