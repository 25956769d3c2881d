using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Seasonal hybrid ESD (Hochenbaum, Vallis &amp; Kejariwal, 2017; Twitter's AnomalyDetection): residuals
/// r = x − seasonal − median(x) from the robust decomposition, then the generalized ESD test (Rosner, 1983) with the
/// median and MAD in place of mean and standard deviation: Rᵢ = max |r − median| / MAD over the points not yet removed,
/// λᵢ = (n−i)·t(p, n−i−1) / √((n−i−1+t²)(n−i+1)) with p = 1 − α/(2(n−i+1)); the anomalies are the first k removed
/// points, k the largest i with Rᵢ &gt; λᵢ, searching at most <c>maxAnomalies</c>·n points.
/// </summary>
public static class SeasonalHybridEsd
{
    /// <summary>Indices of the anomalies, in the order they were removed (most extreme first).</summary>
    public static int[] Detect(ReadOnlySpan<double> values, int? period = null, double maxAnomalies = 0.02, double alpha = 0.05)
    {
        var n = values.Length;
        if (n < 8)
        {
            return [];
        }

        var d = RobustDecomposition.Decompose(values, period);
        var median = RobustStats.Median(values);
        var residual = new double[n];
        for (var i = 0; i < n; i++)
        {
            residual[i] = values[i] - d.Seasonal[i] - median;
        }

        return GeneralizedEsd(residual, Math.Max(1, (int)Math.Floor(maxAnomalies * n)), alpha);
    }

    /// <summary>The robust generalized ESD test on <paramref name="data"/>, testing up to <paramref name="maxOutliers"/> points.</summary>
    public static int[] GeneralizedEsd(ReadOnlySpan<double> data, int maxOutliers, double alpha = 0.05)
    {
        var n = data.Length;
        var remaining = new List<int>(Enumerable.Range(0, n));
        var removed = new List<int>();
        var count = 0;
        var buffer = new double[n];
        for (var i = 1; i <= Math.Min(maxOutliers, n - 3); i++)
        {
            for (var j = 0; j < remaining.Count; j++)
            {
                buffer[j] = data[remaining[j]];
            }

            var span = buffer.AsSpan(0, remaining.Count);
            var med = RobustStats.Median(span);
            var mad = RobustStats.MadToSigma * RobustStats.Mad(span, med);
            var worst = 0;
            var worstDev = -1.0;
            for (var j = 0; j < remaining.Count; j++)
            {
                var dev = Math.Abs(data[remaining[j]] - med);
                if (dev > worstDev)
                {
                    worstDev = dev;
                    worst = j;
                }
            }

            var r = mad > 0 ? worstDev / mad : worstDev > 0 ? double.PositiveInfinity : 0;
            var p = 1 - (alpha / (2.0 * (n - i + 1)));
            var t = RobustStats.StudentTQuantile(p, n - i - 1);
            var lambda = (n - i) * t / Math.Sqrt((n - i - 1 + (t * t)) * (n - i + 1));
            removed.Add(remaining[worst]);
            remaining.RemoveAt(worst);
            if (r > lambda)
            {
                count = i;
            }
        }

        return removed.Take(count).ToArray();
    }
}
