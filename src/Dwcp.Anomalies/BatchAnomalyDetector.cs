using Dwcp.Anomalies.Detectors;
using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies;

/// <summary>The result of scoring a whole series at once.</summary>
/// <param name="Period">Seasonal period used (0 = none).</param>
/// <param name="Scores">One calibrated score per input point, in input order.</param>
/// <param name="Decomposition">The robust trend/seasonal/residual split.</param>
/// <param name="EsdAnomalies">Indices S-H-ESD declares anomalous at the chosen α (most extreme first).</param>
public sealed record BatchDetectionResult(int Period, AnomalyScore[] Scores, Decomposition Decomposition, int[] EsdAnomalies);

/// <summary>
/// Batch mode for whole series (e.g. a store's daily costs): the detectors may look at the whole series. Components:
/// |robust z| of the robust decomposition residual, spectral residual, and CUSUM of the residual z-scores. Each
/// component's statistic becomes an empirical tail probability pᵢ = #{j : sⱼ ≥ sᵢ}/n over the series (with an
/// exponential tail beyond the top k so extremes stay ordered), the smallest per point is ranked by plain ranks, and the score is 1 − that p, so on anomaly-free data about α of the points
/// score ≥ 1 − α. S-H-ESD runs beside it and its formal test result is reported in <see cref="BatchDetectionResult.EsdAnomalies"/>.
/// </summary>
public static class BatchAnomalyDetector
{
    /// <summary>Scores a whole series.</summary>
    /// <param name="values">The series in time order.</param>
    /// <param name="fpRate">Target false-positive rate α in (0, 1).</param>
    /// <param name="period">Seasonal period; null = detect, 0 = none.</param>
    public static BatchDetectionResult Detect(ReadOnlySpan<double> values, double fpRate = 0.05, int? period = null)
    {
        if (!(fpRate > 0 && fpRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fpRate), fpRate, "The false-positive rate must be between 0 and 1 (e.g. 0.05).");
        }

        var n = values.Length;
        var decomposition = RobustDecomposition.Decompose(values, period);
        if (n == 0)
        {
            return new BatchDetectionResult(decomposition.Period, [], decomposition, []);
        }

        var z = RobustDecomposition.RobustZ(decomposition.Residual);
        var absZ = z.Select(Math.Abs).ToArray();
        var spectral = n >= 64 ? SpectralResidualDetector.ScoreSeries(values) : new double[n];
        var cusum = CusumDetector.Run(z);
        var minP = new double[n];
        Array.Fill(minP, 1.0);
        foreach (var stat in new[] { absZ, spectral, cusum })
        {
            var p = TailProbabilities(stat);
            for (var i = 0; i < n; i++)
            {
                minP[i] = Math.Min(minP[i], p[i]);
            }
        }

        // Smaller min-p = more anomalous: rank the negated values so the tail is the upper one again.
        var final = RankTailProbabilities(minP.Select(v => -v).ToArray());
        var scores = new AnomalyScore[n];
        for (var i = 0; i < n; i++)
        {
            scores[i] = new AnomalyScore(1 - final[i], final[i], final[i] <= fpRate);
        }

        var esd = SeasonalHybridEsd.Detect(values, decomposition.Period);
        return new BatchDetectionResult(decomposition.Period, scores, decomposition, esd);
    }

    /// <summary>
    /// Rank tail probabilities, with the top k (k = max(3, min(10, n/10))) replaced by an exponential peaks-over-threshold
    /// tail p = (k/n)·exp(−(s − u)/β), u the k-th largest value and β the mean excess of the values above it. Without it the
    /// top value of every component would tie at 1/n and a huge spike could not outrank a component's mild maximum.
    /// </summary>
    internal static double[] TailProbabilities(double[] stats)
    {
        var p = RankTailProbabilities(stats);
        var n = stats.Length;
        var k = Math.Max(3, Math.Min(10, n / 10));
        if (n < 2 * k)
        {
            return p;
        }

        var sorted = stats.Order().ToArray();
        var u = sorted[n - k];
        var beta = 0.0;
        for (var i = n - k + 1; i < n; i++)
        {
            beta += sorted[i] - u;
        }

        beta /= k - 1;
        if (!(beta > 0))
        {
            return p;
        }

        for (var i = 0; i < n; i++)
        {
            if (stats[i] > u)
            {
                p[i] = Math.Min(p[i], k / (double)n * Math.Exp(-(stats[i] - u) / beta));
            }
        }

        return p;
    }

    /// <summary>pᵢ = #{j : sⱼ ≥ sᵢ} / n (ties share the larger, conservative, probability).</summary>
    internal static double[] RankTailProbabilities(double[] stats)
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
}
