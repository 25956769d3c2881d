using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Tests;

public sealed class NullTailTests
{
    [Fact]
    public void Tail_p_values_of_half_normal_statistics_match_the_exact_normal_tail()
    {
        // |N(0, 1)| has the exact upper tail 2·(1 − Φ(s)); the fit sees only the 70–92.5% quantiles, so beyond them it
        // extrapolates. Within a factor 1.6 from s = 2.3 (p ≈ 0.02) to s = 3.5 (p ≈ 0.0005).
        var rng = new Random(3);
        var s = Enumerable.Range(0, 4000).Select(_ => Math.Abs(Series.Gaussian(rng))).ToArray();
        var p = NullTail.PValues(s);
        var checkedPoints = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] is > 2.3 and < 3.5)
            {
                var exact = 2 * (1 - RobustStats.NormalCdf(s[i]));
                Assert.InRange(p[i] / exact, 1 / 1.6, 1.6);
                checkedPoints++;
            }
        }

        Assert.True(checkedPoints > 50, $"{checkedPoints} points checked");
    }

    [Fact]
    public void Below_the_tail_p_values_are_the_empirical_ones_and_short_series_get_only_those()
    {
        var s = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        var p = NullTail.PValues(s);
        // s = 50 has 51 values ≥ it: p = 0.51, below u (the 70% quantile).
        Assert.Equal(0.51, p[49], 12);
        var shortSeries = new[] { 1.0, 5, 3, 2 };
        Assert.Equal([1.0, 0.25, 0.5, 0.75], NullTail.PValues(shortSeries));
    }

    [Fact]
    public void An_exponential_tail_is_recovered_with_its_scale()
    {
        // Exp(β = 2) excesses: the fit must give ξ ≈ 0 and σ ≈ 2 (quantile matching on 4,000 draws: ±15%).
        var rng = new Random(11);
        var excess = Enumerable.Range(0, 4000).Select(_ => -2 * Math.Log(1 - rng.NextDouble())).ToArray();
        var tail = NullTail.Fit(excess, 1e-12);
        Assert.InRange(tail.Xi, -0.1, 0.1);
        Assert.InRange(tail.Sigma, 1.7, 2.3);
        Assert.Equal(Math.Exp(-1), new NullTail.GpdTail(0, 2, double.PositiveInfinity).Survival(2), 12);
    }

    [Fact]
    public void A_constant_statistic_flags_nothing()
    {
        var p = NullTail.PValues(new double[200]);
        Assert.All(p, v => Assert.Equal(1.0, v));
    }
}
