using Dwcp.Anomalies.Detectors;

namespace Dwcp.Anomalies.Tests;

public sealed class MultivariateTests
{
    /// <summary>Three series: b follows a closely (ρ ≈ 0.95), c is independent; all share a 24-point season.</summary>
    private static double[][] Related(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new double[n];
        var b = new double[n];
        var c = new double[n];
        for (var t = 0; t < n; t++)
        {
            var s = 10 * Math.Sin(2 * Math.PI * t / 24);
            var common = Series.Gaussian(rng);
            a[t] = 100 + s + common;
            b[t] = 50 + (0.5 * s) + (0.95 * common) + (0.3 * Series.Gaussian(rng));
            c[t] = 20 + Series.Gaussian(rng);
        }

        return [a, b, c];
    }

    [Fact]
    public void Finds_a_broken_relationship_that_no_single_series_shows()
    {
        var x = Related(720, seed: 3);
        // a up by 2σ and b down by 2σ at t = 500: each alone is an unremarkable 2σ move.
        x[0][500] += 2;
        x[1][500] -= 2;
        var r = RobustMahalanobisDetector.Detect(x, period: 24);
        Assert.Equal(500, Series.ArgMax(r.Distances));
        Assert.True(r.PValues[500] < 1e-6, $"p = {r.PValues[500]:E2}");
        // The contributions sum to D², and a and b carry it, not c.
        Assert.Equal(r.Distances[500], r.Contributions[500].Sum(), 9);
        Assert.True(r.Contributions[500][2] < 0.1 * r.Distances[500]);
        Assert.InRange(r.Shrinkage, 0, 1);
    }

    [Fact]
    public void P_values_are_roughly_uniform_on_clean_related_series()
    {
        var r = RobustMahalanobisDetector.Detect(Related(2000, seed: 4), period: 24);
        var rate = r.PValues.Count(p => p <= 0.05) / 2000.0;
        // Binomial sd at n = 2000 is 0.005; the estimated covariance and decomposition add error: allow ±0.02.
        Assert.InRange(rate, 0.03, 0.07);
    }

    [Fact]
    public void Rejects_misaligned_series_with_a_clear_message()
    {
        var e = Assert.Throws<ArgumentException>(() => RobustMahalanobisDetector.Detect([new double[10], new double[9]]));
        Assert.Contains("same length", e.Message);
    }
}

public sealed class OnlineMultivariateTests
{
    /// <summary>cpu and memory move together (ρ ≈ 0.95), disk is independent; no season.</summary>
    private static double[][] Rows(int n, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ =>
        {
            var common = Series.Gaussian(rng);
            return new[] { 50 + (5 * common), 70 + (5 * ((0.95 * common) + (0.31 * Series.Gaussian(rng)))), 10 + Series.Gaussian(rng) };
        })];
    }

    [Fact]
    public void A_broken_relationship_is_flagged_from_the_past_only_and_named_by_its_drivers()
    {
        var rows = Rows(200, seed: 7);
        // cpu +1.2σ and memory −1.2σ: each alone stays within 3σ, but the pair is about 7 sd off their usual difference.
        rows[180][0] += 6;
        rows[180][1] -= 6;
        var d = new OnlineMultivariateDetector(3, fpRate: 0.01);
        MultivariateScore? at180 = null;
        for (var t = 0; t < rows.Length; t++)
        {
            var s = d.Score(rows[t]);
            Assert.Equal(t < 30, s is null); // warming up: 30 vectors
            if (t == 180)
            {
                at180 = s;
            }
        }

        var r = at180!;
        Assert.True(r.IsAnomaly, $"p = {r.PValue:E2}");
        Assert.True(r.PValue < 1e-3, $"p = {r.PValue:E2}");
        Assert.All(r.Z, z => Assert.InRange(Math.Abs(z), 0, 3));
        Assert.Equal([0, 1], r.Drivers.Order());
        Assert.Equal(r.Distance, r.Contributions.Sum(), 9);
        // Leaving out cpu or memory removes most of D² (each is inconsistent with the other); leaving out disk does not.
        Assert.All(r.Influence, v => Assert.InRange(v, 0, r.Distance + 1e-9));
        Assert.True(r.Influence[2] < 0.1 * r.Distance, $"disk influence {r.Influence[2]:F2} of {r.Distance:F2}");

        // Expected values are the medians of the 120 vectors before t = 180 (computed here independently).
        for (var j = 0; j < 3; j++)
        {
            var past = rows[60..180].Select(v => v[j]).Order().ToArray();
            Assert.Equal((past[59] + past[60]) / 2, r.Expected[j], 9);
        }
    }

    [Fact]
    public void On_clean_related_metrics_about_alpha_of_the_points_are_flagged()
    {
        var rows = Rows(3000, seed: 8);
        var d = new OnlineMultivariateDetector(3, fpRate: 0.05);
        var all = new List<MultivariateScore?>();
        foreach (var v in rows)
        {
            all.Add(d.Score(v));
        }

        var scored = all.Skip(200).ToArray();
        var rate = scored.Count(s => s!.IsAnomaly) / (double)scored.Length;
        // Binomial sd at n = 2,800 is 0.004; conformal p-values over a moving window: allow 3·2·sd.
        Assert.InRange(rate, 0.05 - 0.025, 0.05 + 0.025);
    }

    [Fact]
    public void Rejects_a_vector_of_the_wrong_size_with_a_clear_message()
    {
        var e = Assert.Throws<ArgumentException>(() => new OnlineMultivariateDetector(3).Score([1.0, 2.0]));
        Assert.Contains("Expected 3 values", e.Message);
    }
}
