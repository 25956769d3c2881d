using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class ArimaTests
{
    [Fact]
    public void AR1_recovers_phi_and_mean_from_a_simulated_series()
    {
        var y = Sim.Ar1(2000, 0.7, 10, 1, 42);
        var fit = ArimaCore.Fit(y, new ArimaOrder(1, 0, 0, 0, 0, 0, 1, true))!;
        Assert.Equal(0.7, fit.Ar[0], 0.05);
        Assert.Equal(10, fit.Mean, 0.2);
        Assert.Equal(1, fit.Sigma2, 0.1);
    }

    [Fact]
    public void MA1_recovers_theta_from_a_simulated_series()
    {
        var rng = new Random(7);
        double prev = 0;
        var y = new double[2000];
        for (int t = 0; t < y.Length; t++)
        {
            double e = Sim.Gauss(rng);
            y[t] = e + 0.5 * prev;
            prev = e;
        }

        var fit = ArimaCore.Fit(y, new ArimaOrder(0, 0, 1, 0, 0, 0, 1, false))!;
        Assert.Equal(0.5, fit.Ma[0], 0.06);
    }

    [Fact]
    public void AR1_forecast_and_variance_match_the_closed_forms()
    {
        var y = Sim.Ar1(500, 0.6, 5, 2, 3);
        var fit = ArimaCore.Fit(y, new ArimaOrder(1, 0, 0, 0, 0, 0, 1, true))!;
        var (mean, sd) = ArimaCore.Forecast(y, fit, 6);
        double phi = fit.Ar[0], mu = fit.Mean;
        for (int h = 1; h <= 6; h++)
        {
            Assert.Equal(mu + Math.Pow(phi, h) * (y[^1] - mu), mean[h - 1], 9);
            double v = fit.Sigma2 * (1 - Math.Pow(phi, 2 * h)) / (1 - phi * phi);
            Assert.Equal(Math.Sqrt(v), sd[h - 1], 9);
        }
    }

    [Fact]
    public void Stationarity_test_agrees_with_the_AR2_triangle()
    {
        var rng = new Random(1);
        int checkedCount = 0;
        for (int i = 0; i < 2000; i++)
        {
            double p1 = rng.NextDouble() * 4 - 2, p2 = rng.NextDouble() * 2 - 1;
            double margin = Math.Min(Math.Min(1 - p1 - p2, 1 - p2 + p1), 1 - Math.Abs(p2));
            if (Math.Abs(margin) < 0.01)
            {
                continue;
            }

            checkedCount++;
            Assert.Equal(margin > 0, ArimaCore.IsStationary([p1, p2]));
        }

        Assert.True(checkedCount > 1500);
    }

    [Fact]
    public void Auto_ARIMA_differences_a_random_walk_and_not_a_stationary_AR1()
    {
        Assert.Equal(1, ArimaModel.Search(Sim.RandomWalk(400, 1, 100, 5), [])!.Order.D);
        Assert.Equal(0, ArimaModel.Search(Sim.Ar1(400, 0.5, 100, 1, 5), [])!.Order.D);
    }

    [Fact]
    public void Seasonal_ARIMA_forecasts_a_seasonal_series_better_than_the_mean()
    {
        var noise = Sim.Ar1(300, 0.5, 0, 1, 9);
        var y = Enumerable.Range(0, 300).Select(t => 50 + 10 * Math.Sin(2 * Math.PI * t / 12) + noise[t]).ToArray();
        var r = new ArimaModel().Forecast(new ForecastRequest { Values = y[..276], Horizon = 24, SeasonalPeriods = [12] });
        Assert.Contains("[12]", r.Detail);
        double mae = Enumerable.Range(0, 24).Average(i => Math.Abs(y[276 + i] - r.Mean[i]));
        double maeMean = Enumerable.Range(0, 24).Average(i => Math.Abs(y[276 + i] - 50));
        Assert.True(mae < 0.3 * maeMean, $"MAE {mae} vs {maeMean}");
    }
}
