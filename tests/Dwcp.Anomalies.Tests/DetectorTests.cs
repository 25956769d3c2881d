using Dwcp.Anomalies.Detectors;

namespace Dwcp.Anomalies.Tests;

/// <summary>Each detector on seeded series: injected spikes and level shifts are found where they were put; clean series stay quiet.</summary>
public sealed class DetectorTests
{
    private const int Period = 24;

    private static double[] WithSpike(int at, double size, int seed = 1)
    {
        var x = Series.Seasonal(600, Period, noise: 1, seed);
        x[at] += size;
        return x;
    }

    private static double[] WithShift(int at, double size, int seed = 2)
    {
        var x = Series.Seasonal(600, Period, noise: 1, seed);
        for (var i = at; i < x.Length; i++)
        {
            x[i] += size;
        }

        return x;
    }

    [Fact]
    public void OnlineSeasonalResidual_peaks_at_an_injected_spike()
    {
        var stats = Series.Online(new OnlineSeasonalResidualDetector(Period), WithSpike(400, 12));
        Assert.Equal(400, Series.ArgMax(stats, 200));
        Assert.True(stats[400] > 8, $"z at the spike was {stats[400]:F1}");
    }

    [Fact]
    public void OnlineSeasonalResidual_is_quiet_on_a_clean_series()
    {
        var stats = Series.Online(new OnlineSeasonalResidualDetector(Period), Series.Seasonal(600, Period, 1, seed: 3));
        // |z| of Gaussian residuals: beyond 5 has probability ~6e-7 per point.
        Assert.True(stats.Skip(200).Max() < 5, $"max |z| {stats.Skip(200).Max():F2}");
    }

    [Fact]
    public void IntervalBreach_breaches_at_the_spike_and_rarely_elsewhere()
    {
        var d = new IntervalBreachDetector(new SeasonalConformalForecaster(Period, coverage: 0.99));
        var x = WithSpike(450, 15);
        var breaches = new List<int>();
        for (var i = 0; i < x.Length; i++)
        {
            d.Update(x[i]);
            if (i >= 200 && d.LastBreached)
            {
                breaches.Add(i);
            }
        }

        Assert.Contains(450, breaches);
        // 99% intervals: about 1% of 400 clean points (4) breach; allow up to 4% for small-sample noise.
        Assert.InRange(breaches.Count, 1, 16);
    }

    [Fact]
    public void SeasonalConformalForecaster_covers_about_the_requested_share()
    {
        var f = new SeasonalConformalForecaster(Period, coverage: 0.9);
        var x = Series.Seasonal(3000, Period, 1, seed: 5);
        int inside = 0, scored = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var fc = f.Forecast();
            if (i >= 500 && fc.IsValid)
            {
                scored++;
                inside += x[i] >= fc.Lower && x[i] <= fc.Upper ? 1 : 0;
            }

            f.Observe(x[i]);
        }

        // Binomial sd at 2500 points is 0.6%; ±3% allows for the serial dependence of the median forecasts.
        Assert.InRange(inside / (double)scored, 0.87, 0.93);
    }

    [Fact]
    public void Cusum_on_residual_z_alarms_soon_after_a_level_shift()
    {
        var residual = new OnlineSeasonalResidualDetector(Period);
        var cusum = new CusumDetector();
        var x = WithShift(400, 4);
        var first = -1;
        var direction = 0;
        for (var i = 0; i < x.Length; i++)
        {
            residual.Update(x[i]);
            var s = cusum.Update(residual.LastZ);
            if (i >= 200 && s > 10 && first < 0)
            {
                first = i;
                direction = cusum.Direction;
            }
        }

        Assert.InRange(first, 400, 405);
        Assert.Equal(1, direction);
    }

    [Fact]
    public void Cusum_stays_low_on_a_clean_series()
    {
        var residual = new OnlineSeasonalResidualDetector(Period);
        var cusum = new CusumDetector();
        var max = 0.0;
        var x = Series.Seasonal(600, Period, 1, seed: 9);
        for (var i = 0; i < x.Length; i++)
        {
            residual.Update(x[i]);
            var s = cusum.Update(residual.LastZ);
            max = i >= 200 ? Math.Max(max, s) : max;
        }

        Assert.True(max < 10, $"max CUSUM {max:F1}");
    }

    [Fact]
    public void BayesianChangePoint_resets_the_run_length_at_a_shift()
    {
        var d = new BayesianChangePointDetector();
        var rng = new Random(4);
        var z = Enumerable.Range(0, 400).Select(i => Series.Gaussian(rng) + (i >= 250 ? 4 : 0)).ToArray();
        var recent = new double[z.Length];
        var runLengthAt260 = 0;
        for (var i = 0; i < z.Length; i++)
        {
            recent[i] = d.Update(z[i]);
            if (i == 260)
            {
                runLengthAt260 = d.MapRunLength;
            }
        }

        Assert.InRange(runLengthAt260, 8, 14); // the run restarted at 250 ± 2
        Assert.InRange(Series.ArgMax(recent, 100), 250, 254);
        Assert.True(recent.Take(250).Skip(50).Max() < 0.5, "no change point believed before the shift");
    }

    [Fact]
    public void SpectralResidual_peaks_at_an_injected_spike()
    {
        var stats = SpectralResidualDetector.ScoreSeries(WithSpike(333, 12));
        Assert.Equal(333, Series.ArgMax(stats, 100));
    }

    [Fact]
    public void RobustDecomposition_recovers_the_seasonal_shape_and_flags_the_spike()
    {
        var x = WithSpike(300, 10);
        var d = RobustDecomposition.Decompose(x, Period);
        Assert.Equal(Period, d.Period);
        // Seasonal component ≈ 10·sin(2πt/24) (noise sd 1, median of 25 values per phase → error well under 1).
        for (var i = 0; i < Period; i++)
        {
            Assert.InRange(d.Seasonal[i] - (10 * Math.Sin(2 * Math.PI * i / Period)), -1, 1);
        }

        var z = RobustDecomposition.RobustZ(d.Residual).Select(Math.Abs).ToArray();
        Assert.Equal(300, Series.ArgMax(z));
    }

    [Fact]
    public void SeasonalHybridEsd_finds_exactly_the_injected_spikes()
    {
        var x = Series.Seasonal(500, Period, 1, seed: 12);
        x[100] += 9;
        x[250] -= 11;
        x[420] += 14;
        var found = SeasonalHybridEsd.Detect(x, Period);
        Assert.Equal([100, 250, 420], found.Order().ToArray());
        Assert.Equal(420, found[0]); // the most extreme is removed first
    }

    [Fact]
    public void SeasonalHybridEsd_is_quiet_on_a_clean_series()
    {
        Assert.Empty(SeasonalHybridEsd.Detect(Series.Seasonal(500, Period, 1, seed: 13), Period));
    }

    [Fact]
    public void WindowShift_variance_rises_right_after_the_noise_triples()
    {
        var rng = new Random(6);
        var z = Enumerable.Range(0, 600).Select(i => Series.Gaussian(rng) * (i >= 400 ? 3 : 1)).ToArray();
        var stats = Series.Online(new WindowShiftDetector(6, variance: true), z);
        // Σz²/6 is χ²(6)/6 before the change: above 5 has probability 4e-5 per point.
        Assert.True(stats.Take(400).Max() < 5, $"max before {stats.Take(400).Max():F2}");
        var first = Array.FindIndex(stats, 400, s => s >= 5);
        Assert.InRange(first, 400, 410);
    }

    [Fact]
    public void WindowShift_mean_detects_a_small_sustained_shift_a_z_score_misses()
    {
        var rng = new Random(7);
        var z = Enumerable.Range(0, 600).Select(i => Series.Gaussian(rng) + (i >= 300 ? 1.5 : 0)).ToArray();
        var stats = Series.Online(new WindowShiftDetector(6), z);
        Assert.True(stats.Take(300).Max() < 3.6, $"max before {stats.Take(300).Max():F2}"); // |N(0,1)| > 3.6: p = 3e-4
        Assert.InRange(Array.FindIndex(stats, 300, s => s >= 3.6), 300, 312);
    }
}
