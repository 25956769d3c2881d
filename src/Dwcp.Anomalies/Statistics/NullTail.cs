namespace Dwcp.Anomalies.Statistics;

/// <summary>
/// Batch p-values from a statistic's null distribution estimated on the bulk of the series, so that the few anomalous
/// points do not define their own reference. Below u, the 70% quantile of the statistic (1 − <see cref="TailFraction"/>),
/// the p-value is the plain empirical one, #{j : sⱼ ≥ sᵢ}/n. Above u it is (m/n)·S(s − u), S the survival function of a
/// generalised Pareto distribution fitted to the excesses over u by quantile matching on their median and upper quartile,
/// i.e. the statistic's 85% and 92.5% quantiles (robust: the top 7.5% of the points, where anomalies sit, do not enter
/// the fit, and the usual thresholds α = 0.1, 0.05, 0.01 are extrapolations from the bulk, not matched quantiles): for GPD
/// excesses Q(0.75)/Q(0.5) = 2^ξ + 1, so ξ = log₂(Q₇₅/Q₅₀ − 1) (clamped to [−0.5, 0.5]) and σ = Q₅₀·ξ/(2^ξ − 1)
/// (Q₅₀/ln 2 when ξ = 0; ξ ≥ 0 below <see cref="MinExcessForLightTail"/> excesses). A light tail (ξ &lt; 0) has a finite end point; beyond twice the upper-quartile excess the tail
/// continues as an exponential with the GPD's hazard there, so extremes keep distinct, ordered p-values. On anomaly-free
/// data P(p ≤ α) ≈ α for α &lt; <see cref="TailFraction"/>, up to the fit's error, rather than exactly α by construction.
/// </summary>
internal static class NullTail
{
    /// <summary>Share of the points (the upper tail) whose p-values come from the fitted tail.</summary>
    public const double TailFraction = 0.3;

    /// <summary>
    /// Fewest excesses (points above u) for a light, bounded tail (ξ &lt; 0); with fewer the shape is too uncertain to
    /// trust an end point, so ξ ≥ 0: conservative (fewer flags than α) for light-tailed statistics on short series such
    /// as a few months of daily costs.
    /// </summary>
    public const int MinExcessForLightTail = 100;

    /// <summary>Fewest points for a tail fit; shorter series get the empirical p-values only.</summary>
    public const int MinPoints = 40;

    /// <summary>The p-value of every statistic (larger = more anomalous) under the bulk-fitted null.</summary>
    public static double[] PValues(double[] stats)
    {
        var n = stats.Length;
        var p = RankPValues(stats);
        if (n < MinPoints)
        {
            return p;
        }

        var sorted = stats.Order().ToArray();
        var u = sorted[n - (int)Math.Ceiling(TailFraction * n) - 1];
        var excess = sorted.Where(s => s > u).Select(s => s - u).ToArray();
        var m = excess.Length;
        if (m < 8)
        {
            return p;
        }

        var tail = Fit(excess, Math.Max(1e-12, Math.Abs(sorted[^1] - sorted[0]) * 1e-9), lightTail: m >= MinExcessForLightTail);
        for (var i = 0; i < n; i++)
        {
            if (stats[i] > u)
            {
                p[i] = Math.Max(m / (double)n * tail.Survival(stats[i] - u), 1e-300);
            }
        }

        return p;
    }

    /// <summary>pᵢ = #{j : sⱼ ≥ sᵢ} / n (ties share the larger, conservative, probability).</summary>
    public static double[] RankPValues(double[] stats)
    {
        var n = stats.Length;
        var order = Enumerable.Range(0, n).OrderByDescending(i => stats[i]).ToArray();
        var p = new double[n];
        var k = 0;
        while (k < n)
        {
            var end = k;
            while (end + 1 < n && stats[order[end + 1]] == stats[order[k]])
            {
                end++;
            }

            for (var j = k; j <= end; j++)
            {
                p[order[j]] = (end + 1.0) / n;
            }

            k = end + 1;
        }

        return p;
    }

    /// <summary>Quantile-matching GPD fit of positive excesses (see the type's summary).</summary>
    internal static GpdTail Fit(double[] excess, double minScale, bool lightTail = true)
    {
        var sorted = excess.Order().ToArray();
        var q50 = RobustStats.QuantileOfSorted(sorted, 0.5);
        var q75 = RobustStats.QuantileOfSorted(sorted, 0.75);
        if (!(q50 > minScale) || !(q75 > q50))
        {
            // Ties at the bottom of the tail: an exponential through the upper quartile (or the floor).
            return new GpdTail(0, Math.Max(q75 / Math.Log(4), minScale), double.PositiveInfinity);
        }

        var xi = Math.Clamp(Math.Log2(Math.Max((q75 / q50) - 1, 1e-12)), lightTail ? -0.5 : 0, 0.5);
        var sigma = Math.Abs(xi) < 1e-9 ? q50 / Math.Log(2) : q50 * xi / (Math.Pow(2, xi) - 1);
        var splice = xi < 0 ? Math.Min(2 * q75, 0.5 * (-sigma / xi)) : double.PositiveInfinity;
        return new GpdTail(xi, Math.Max(sigma, minScale), splice);
    }

    /// <summary>A GPD excess tail, continued as an exponential beyond <paramref name="Splice"/> when ξ &lt; 0.</summary>
    internal readonly record struct GpdTail(double Xi, double Sigma, double Splice)
    {
        public double Survival(double e)
        {
            if (e <= 0)
            {
                return 1;
            }

            if (e > Splice)
            {
                var hazard = 1 / (Sigma + (Xi * Splice));
                return Gpd(Splice) * Math.Exp(-(e - Splice) * hazard);
            }

            return Gpd(e);
        }

        private double Gpd(double e) => Math.Abs(Xi) < 1e-9 ? Math.Exp(-e / Sigma) : Math.Pow(Math.Max(1 + (Xi * e / Sigma), 0), -1 / Xi);
    }
}
