using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

/// <summary>ETS with seasonal periods longer than 24 (decomposition + ETS, the long cycle added back).</summary>
public class EtsLongSeasonTests
{
    /// <summary>A fixed weekly (168-hour) shape: a smoothed seeded random walk, centred, standard deviation 1.</summary>
    private static double[] WeeklyShape(int seed)
    {
        var rng = new Random(seed);
        var raw = new double[168];
        double x = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            x += Sim.Gauss(rng);
            raw[i] = x;
        }

        var smooth = raw.Select((_, i) => Enumerable.Range(-3, 7).Average(d => raw[(i + d + 168) % 168])).ToArray();
        double mean = smooth.Average();
        double sd = Math.Sqrt(smooth.Average(v => (v - mean) * (v - mean)));
        return [.. smooth.Select(v => (v - mean) / sd)];
    }

    private static double Rmse(IReadOnlyList<double> f, Func<int, double> truth) =>
        Math.Sqrt(Enumerable.Range(0, f.Count).Average(h => (f[h] - truth(h)) * (f[h] - truth(h))));

    [Fact]
    public void A_168_hour_season_is_forecast_from_its_shape()
    {
        var shape = WeeklyShape(17);
        var rng = new Random(18);
        const int n = 168 * 6;
        double Truth(int t) => 50 + (8 * shape[t % 168]);
        var y = Enumerable.Range(0, n).Select(t => Truth(t) + Sim.Gauss(rng)).ToArray();

        var r = new EtsModel().Forecast(new ForecastRequest { Values = y, Horizon = 168, SeasonalPeriods = [168] });
        Assert.Contains("S[168]", r.Detail, StringComparison.Ordinal);
        double rmse = Rmse(r.Mean, h => Truth(n + h));

        // Without the long season the forecast is flat and misses the whole 8-sd pattern (RMSE ≈ 8).
        var flat = new EtsModel().Forecast(new ForecastRequest { Values = y, Horizon = 168 });
        Assert.True(Rmse(flat.Mean, h => Truth(n + h)) > 6);
        Assert.True(rmse < 1.5, $"RMSE {rmse} of {r.Detail}");

        // The 95% intervals hold the noisy future about as often as they claim.
        var future = Enumerable.Range(0, 168).Select(h => Truth(n + h) + Sim.Gauss(rng)).ToArray();
        var iv = r.Interval(95);
        double cover = Enumerable.Range(0, 168).Count(h => future[h] >= iv.Lower[h] && future[h] <= iv.Upper[h]) / 168.0;
        Assert.InRange(cover, 0.85, 1.0);
    }

    [Fact]
    public void Daily_season_stays_in_the_state_space_and_the_weekly_one_is_added_back()
    {
        const int n = 168 * 5;
        var y = Sim.TwoSeasons(n + 168, 0.5, 21);
        var r = new EtsModel().Forecast(new ForecastRequest { Values = y[..n], Horizon = 168, SeasonalPeriods = [24, 168] });
        Assert.Contains("[24]", r.Detail, StringComparison.Ordinal);
        Assert.Contains("S[168]", r.Detail, StringComparison.Ordinal);

        // Only the daily season (the earlier behaviour) leaves the weekly sine of amplitude 2 (RMSE √2 ≈ 1.41) unexplained.
        double rmse = Rmse(r.Mean, h => Sim.Truth(n + h));
        Assert.True(rmse < 0.8, $"RMSE {rmse} of {r.Detail}");
    }

    [Fact]
    public void A_weak_long_season_is_left_alone()
    {
        var y = Sim.Ar1(800, 0.5, 100, 1, 5);
        var r = new EtsModel().Forecast(new ForecastRequest { Values = y, Horizon = 48, SeasonalPeriods = [168] });
        Assert.DoesNotContain("S[", r.Detail, StringComparison.Ordinal);
    }
}
