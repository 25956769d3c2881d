namespace Dwcp.Anomalies.Statistics;

/// <summary>Finds the dominant seasonal period of a series from its autocorrelation function.</summary>
public static class PeriodDetector
{
    /// <summary>Minimum autocorrelation at the chosen lag for a period to be reported.</summary>
    public const double MinAutocorrelation = 0.3;

    /// <summary>
    /// The lag (in samples) of the highest autocorrelation peak (or its shortest divisor peaking almost as high) of the linearly detrended series,
    /// after its first zero crossing, among lags 2..<paramref name="maxPeriod"/> (default n/3) whose autocorrelation is at least
    /// <see cref="MinAutocorrelation"/>; 0 when there is no such lag (no seasonality).
    /// </summary>
    public static int Detect(ReadOnlySpan<double> values, int? maxPeriod = null)
    {
        var n = values.Length;
        var maxLag = Math.Min(maxPeriod ?? (n / 3), (n / 2) - 1);
        if (maxLag < 3)
        {
            return 0;
        }

        var acf = Autocorrelation(values, maxLag);
        if (acf is null)
        {
            return 0;
        }

        // Skip the short-lag decay: peaks only count after the autocorrelation has first dropped below zero.
        var first = 1;
        while (first <= maxLag && acf[first] > 0)
        {
            first++;
        }

        var best = 0;
        for (var lag = Math.Max(2, first); lag <= maxLag; lag++)
        {
            if (acf[lag] >= MinAutocorrelation && (best == 0 || acf[lag] > acf[best]))
            {
                best = lag;
            }
        }

        if (best == 0)
        {
            return 0;
        }

        // The global peak may be a multiple of the true period (a week of days): prefer the shortest divisor whose
        // neighbourhood peaks almost as high.
        for (var k = best / Math.Max(2, first); k >= 2; k--)
        {
            var c = (int)Math.Round(best / (double)k);
            var top = 0;
            for (var lag = Math.Max(2, c - 2); lag <= Math.Min(maxLag, c + 2); lag++)
            {
                if (top == 0 || acf[lag] > acf[top])
                {
                    top = lag;
                }
            }

            if (top >= first && acf[top] >= 0.85 * acf[best])
            {
                return Refine(acf, top, first, maxLag);
            }
        }

        return Refine(acf, best, first, maxLag);
    }

    /// <summary>
    /// A broad peak's maximum moves with sampling noise; its centre is steadier: the midpoint of where the
    /// autocorrelation falls 10% below the peak on either side.
    /// </summary>
    private static int Refine(double[] acf, int peak, int first, int maxLag)
    {
        if (acf[peak] >= 0.95)
        {
            return peak; // a clean, near-deterministic cycle: the maximum itself is exact
        }

        var level = acf[peak] * 0.9;
        var left = peak;
        while (left > first && acf[left - 1] >= level)
        {
            left--;
        }

        var right = peak;
        while (right < maxLag && acf[right + 1] >= level)
        {
            right++;
        }

        if (right == maxLag || left == first)
        {
            return peak;
        }

        return (int)Math.Round((left + right) / 2.0);
    }

    /// <summary>
    /// A longer cycle made of whole periods (a week of days): the multiple m·<paramref name="period"/> (m ≥ 2, within
    /// <paramref name="maxPeriod"/>) whose autocorrelation peak beats the one at <paramref name="period"/> by at least
    /// 0.05; 0 when there is none.
    /// </summary>
    public static int DetectSecondary(ReadOnlySpan<double> values, int period, int? maxPeriod = null)
    {
        var n = values.Length;
        var maxLag = Math.Min(maxPeriod ?? (n / 3), (n / 2) - 1);
        if (period < 2 || 2 * period > maxLag)
        {
            return 0;
        }

        var acf = Autocorrelation(values, maxLag);
        if (acf is null)
        {
            return 0;
        }

        double Peak(int lag)
        {
            var best = double.NegativeInfinity;
            for (var l = Math.Max(1, lag - 2); l <= Math.Min(maxLag, lag + 2); l++)
            {
                best = Math.Max(best, acf[l]);
            }

            return best;
        }

        var basePeak = Peak(period);
        var result = 0;
        var resultPeak = basePeak + 0.05;
        for (var m = 2; m * period <= maxLag; m++)
        {
            var peak = Peak(m * period);
            if (peak >= resultPeak)
            {
                result = m * period;
                resultPeak = peak;
            }
        }

        return result;
    }

    /// <summary>Autocorrelation at lags 0..maxLag+1 of the linearly detrended series, normalised by overlap; null for a constant series.</summary>
    private static double[]? Autocorrelation(ReadOnlySpan<double> values, int maxLag)
    {
        var n = values.Length;
        // Linear detrend (least squares on the index).
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            sx += i;
            sy += values[i];
            sxx += (double)i * i;
            sxy += i * values[i];
        }

        var slope = ((n * sxy) - (sx * sy)) / ((n * sxx) - (sx * sx));
        var intercept = (sy - (slope * sx)) / n;
        var d = new double[n];
        double var0 = 0;
        for (var i = 0; i < n; i++)
        {
            d[i] = values[i] - (intercept + (slope * i));
            var0 += d[i] * d[i];
        }

        if (var0 <= 1e-12 * n)
        {
            return null;
        }

        var acf = new double[maxLag + 2];
        for (var lag = 1; lag <= maxLag + 1; lag++)
        {
            double s = 0;
            for (var i = lag; i < n; i++)
            {
                s += d[i] * d[i - lag];
            }

            // Normalise by the overlap so long lags are not shrunk towards 0.
            acf[lag] = s / var0 * n / (n - lag);
        }

        return acf;
    }
}
