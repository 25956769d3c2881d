using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>A series split into trend + seasonal + residual.</summary>
public sealed record Decomposition(int Period, double[] Trend, double[] Seasonal, double[] Residual);

/// <summary>
/// Robust seasonal-trend decomposition for whole series (batch), an STL-like scheme built from medians so anomalies do
/// not bend the fit: trend₀ = centred moving 20%-trimmed mean over one period; seasonal = per-phase median of x − trend₀,
/// centred to median 0; trend = centred moving median of x − seasonal; residual = x − trend − seasonal. Without a
/// period, trend is a centred moving median of <see cref="NonSeasonalWindow"/> points and seasonal is 0.
/// <see cref="RobustZ"/> scales residuals by their median/MAD.
/// </summary>
public static class RobustDecomposition
{
    /// <summary>Trend window without seasonality.</summary>
    public const int NonSeasonalWindow = 7;

    /// <summary>Decomposes <paramref name="values"/>; <paramref name="period"/> null = detect, 0/1 = none.</summary>
    public static Decomposition Decompose(ReadOnlySpan<double> values, int? period = null)
    {
        var n = values.Length;
        var p = period ?? PeriodDetector.Detect(values);
        if (p < 2 || n < 2 * p)
        {
            p = 0;
        }

        var seasonal = new double[n];
        double[] trend;
        if (p == 0)
        {
            trend = MovingMedian(values, NonSeasonalWindow);
        }
        else
        {
            var trend0 = MovingTrimmedMean(values, p);
            var phase = new double[p];
            var bucket = new List<double>();
            for (var f = 0; f < p; f++)
            {
                bucket.Clear();
                for (var i = f; i < n; i += p)
                {
                    bucket.Add(values[i] - trend0[i]);
                }

                phase[f] = RobustStats.Median(bucket.ToArray());
            }

            var centre = RobustStats.Median(phase);
            for (var i = 0; i < n; i++)
            {
                seasonal[i] = phase[i % p] - centre;
            }

            var adjusted = new double[n];
            for (var i = 0; i < n; i++)
            {
                adjusted[i] = values[i] - seasonal[i];
            }

            trend = MovingMedian(adjusted, p);
        }

        var residual = new double[n];
        for (var i = 0; i < n; i++)
        {
            residual[i] = values[i] - trend[i] - seasonal[i];
        }

        return new Decomposition(p, trend, seasonal, residual);
    }

    /// <summary>Signed robust z-scores (r − median) / (1.4826·MAD); a zero MAD falls back to a tiny positive scale.</summary>
    public static double[] RobustZ(ReadOnlySpan<double> residuals)
    {
        var med = RobustStats.Median(residuals);
        var scale = RobustStats.MadToSigma * RobustStats.Mad(residuals, med);
        if (!(scale > 0))
        {
            scale = 1e-9 * (1 + Math.Abs(med));
        }

        var z = new double[residuals.Length];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = (residuals[i] - med) / scale;
        }

        return z;
    }

    /// <summary>
    /// Centred moving 20%-trimmed mean (window shrinks at the edges). Used for the first trend pass: a median over one
    /// cycle of a sinusoid is very noisy (few values lie near the level), a trimmed mean is not and still ignores spikes.
    /// </summary>
    internal static double[] MovingTrimmedMean(ReadOnlySpan<double> values, int window)
    {
        var n = values.Length;
        var result = new double[n];
        var half = Math.Max(1, window) / 2;
        for (var i = 0; i < n; i++)
        {
            var lo = Math.Max(0, i - half);
            var hi = Math.Min(n - 1, i + half);
            var slice = values[lo..(hi + 1)].ToArray();
            Array.Sort(slice);
            var cut = slice.Length / 5;
            double sum = 0;
            for (var j = cut; j < slice.Length - cut; j++)
            {
                sum += slice[j];
            }

            result[i] = sum / (slice.Length - (2 * cut));
        }

        return result;
    }

    /// <summary>Centred moving median: each point's median over ±window/2 points (the window shrinks at the edges, so the
    /// last values use only the points before them).</summary>
    /// <param name="values">The series.</param>
    /// <param name="window">Window length (odd lengths are centred exactly).</param>
    /// <returns>One median per point.</returns>
    public static double[] MovingMedian(ReadOnlySpan<double> values, int window)
    {
        var n = values.Length;
        var result = new double[n];
        var half = Math.Max(1, window) / 2;
        for (var i = 0; i < n; i++)
        {
            var lo = Math.Max(0, i - half);
            var hi = Math.Min(n - 1, i + half);
            result[i] = RobustStats.Median(values[lo..(hi + 1)]);
        }

        return result;
    }
}
