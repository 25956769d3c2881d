using Dwcp.Forecasting.Models;

namespace Dwcp.Forecasting.Tests;

public class EtsThetaTests
{
    private static readonly EtsSpec Ann = new(false, EtsTrend.None, EtsSeason.None);

    private static double[] LocalLevel(int n, int seed)
    {
        var rng = new Random(seed);
        var y = new double[n];
        double l = 50;
        for (int t = 0; t < n; t++)
        {
            l += 0.8 * Sim.Gauss(rng);
            y[t] = l + 1.5 * Sim.Gauss(rng);
        }

        return y;
    }

    [Fact]
    public void Filter_runs_simple_exponential_smoothing_as_computed_by_hand()
    {
        double l = 1, b = 0;
        double lik = EtsCore.Filter([1, 2, 3], Ann, 0, 0.5, 0, 0, 1, ref l, ref b, [], out double sse);
        // l: 1 → 1 → 1.5 → 2.25; errors 0, 1, 1.5.
        Assert.Equal(2.25, l, 12);
        Assert.Equal(3.25, sse, 12);
        Assert.Equal(3 * Math.Log(3.25 / 3), lik, 12);
    }

    [Fact]
    public void SES_maximum_likelihood_matches_a_grid_search_with_closed_form_initial_level()
    {
        var y = LocalLevel(120, 11);
        var fit = EtsCore.Fit(y, Ann, 0)!;
        double l = fit.InitialLevel, b = 0;
        EtsCore.Filter(y, Ann, 0, fit.Alpha, 0, 0, 1, ref l, ref b, [], out double sse);

        double bestSse = double.MaxValue, bestAlpha = 0;
        for (double a = 0.0005; a < 1; a += 0.0005)
        {
            // One-step forecast = (1−a)^(t−1)·l0 + c_t, so the best l0 is a least-squares coefficient.
            double c = 0, sa = 0, saa = 0;
            var cs = new double[y.Length];
            for (int t = 0; t < y.Length; t++)
            {
                cs[t] = c;
                c = a * y[t] + (1 - a) * c;
            }

            double w = 1;
            for (int t = 0; t < y.Length; t++)
            {
                sa += w * (y[t] - cs[t]);
                saa += w * w;
                w *= 1 - a;
            }

            double l0 = sa / saa, s = 0;
            w = 1;
            for (int t = 0; t < y.Length; t++)
            {
                double e = y[t] - cs[t] - w * l0;
                s += e * e;
                w *= 1 - a;
            }

            if (s < bestSse)
            {
                bestSse = s;
                bestAlpha = a;
            }
        }

        Assert.True(sse <= bestSse * (1 + 1e-4), $"ML SSE {sse} vs grid {bestSse}");
        Assert.Equal(bestAlpha, fit.Alpha, 2);
    }

    [Fact]
    public void Holt_continues_an_exact_line()
    {
        var y = Enumerable.Range(1, 30).Select(t => 3 + 2.0 * t).ToArray();
        var fit = EtsCore.Fit(y, new EtsSpec(false, EtsTrend.Additive, EtsSeason.None), 0)!;
        var f = EtsForecast.PointForecast(fit, 5);
        for (int h = 1; h <= 5; h++)
        {
            Assert.Equal(3 + 2.0 * (30 + h), f[h - 1], 3);
        }
    }

    [Fact]
    public void Analytic_ETS_variance_agrees_with_simulated_paths()
    {
        var rng = new Random(4);
        var y = Enumerable.Range(0, 120).Select(t => 20 + 0.1 * t + (t % 4 == 0 ? 3 : t % 4 == 2 ? -2 : 0) + Sim.Gauss(rng)).ToArray();
        var fit = EtsCore.Fit(y, new EtsSpec(false, EtsTrend.Damped, EtsSeason.Additive), 4)!;
        var sd = EtsForecast.AnalyticSd(fit, 12)!;
        var paths = EtsForecast.Simulate(fit, 12, 20000, 99);
        var mean = EtsForecast.PointForecast(fit, 12);
        foreach (int h in new[] { 1, 4, 5, 12 })
        {
            double m = paths.Average(p => p[h - 1]);
            double v = paths.Sum(p => (p[h - 1] - m) * (p[h - 1] - m)) / (paths.Length - 1);
            Assert.Equal(sd[h - 1], Math.Sqrt(v), sd[h - 1] * 0.03);
            Assert.Equal(mean[h - 1], m, sd[h - 1] * 0.05);
        }
    }

    [Fact]
    public void Auto_ETS_never_uses_multiplicative_forms_when_a_value_is_not_positive()
    {
        var y = Sim.Ar1(80, 0.5, 1, 2, 8);
        Assert.Contains(y, v => v <= 0);
        var r = new EtsModel().Forecast(new ForecastRequest { Values = y, Horizon = 4, SeasonalPeriods = [4] });
        Assert.StartsWith("ETS(A,", r.Detail);
        Assert.DoesNotContain(",M)", r.Detail);
    }

    [Fact]
    public void Theta_equals_the_average_of_the_theta_lines()
    {
        var y = LocalLevel(60, 21).Select((v, t) => v + 0.3 * t).ToArray();
        int n = y.Length, h = 8;
        var output = ThetaModel.Forecast(y, h, out double alpha, out _);
        var ses = EtsCore.Fit(y, Ann, 0)!;

        double tm = (n + 1) / 2.0, ym = y.Average();
        double b = Enumerable.Range(1, n).Sum(t => (t - tm) * (y[t - 1] - ym)) / Enumerable.Range(1, n).Sum(t => (t - tm) * (t - tm));
        double a = ym - b * tm;
        double lz = 2 * ses.InitialLevel - a;
        for (int t = 1; t <= n; t++)
        {
            double z = 2 * y[t - 1] - (a + b * t);
            lz = alpha * z + (1 - alpha) * lz;
        }

        for (int k = 1; k <= h; k++)
        {
            double lines = 0.5 * (a + b * (n + k)) + 0.5 * lz;
            Assert.Equal(lines, output.Mean[k - 1], 9);
        }
    }

    [Fact]
    public void Theta_interval_widens_as_SES_with_drift()
    {
        var y = LocalLevel(60, 5);
        var o = ThetaModel.Forecast(y, 3, out double alpha, out _);
        Assert.Equal(o.StdDev![0] * Math.Sqrt(1 + alpha * alpha * 2), o.StdDev[2], 9);
    }
}
