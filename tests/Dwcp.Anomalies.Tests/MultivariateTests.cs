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
