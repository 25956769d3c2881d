using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Analysis;

/// <summary>
/// Classical decomposition with a centred moving-average trend, as used by the M4 benchmarks (Naive2, Theta) for
/// seasonal adjustment. Multiplicative when every value is positive, additive otherwise.
/// </summary>
internal sealed class ClassicalDecomposition
{
    private ClassicalDecomposition(int period, bool multiplicative, double[] indices)
    {
        Period = period;
        Multiplicative = multiplicative;
        Indices = indices;
    }

    public int Period { get; }

    public bool Multiplicative { get; }

    /// <summary>Seasonal index per phase (phase = time index mod period); mean 1 (multiplicative) or 0 (additive).</summary>
    public double[] Indices { get; }

    /// <summary>The M4 seasonality test: |r_m| &gt; 1.645·sqrt((1 + 2·Σ_{k&lt;m} r_k²)/n) (90%, one-sided).</summary>
    public static bool IsSeasonal(ReadOnlySpan<double> y, int period)
    {
        if (period < 2 || y.Length < 3 * period)
        {
            return false;
        }

        var r = Stats.Acf(y, period);
        double s = 0;
        for (int k = 1; k < period; k++)
        {
            s += r[k] * r[k];
        }

        double limit = 1.645 * Math.Sqrt((1 + 2 * s) / y.Length);
        return Math.Abs(r[period]) > limit;
    }

    /// <summary>Decomposes <paramref name="y"/> (needs ≥ 2 full periods).</summary>
    public static ClassicalDecomposition Fit(ReadOnlySpan<double> y, int period, bool? multiplicative = null)
    {
        int n = y.Length;
        bool mult = multiplicative ?? AllPositive(y);
        var trend = CentredMovingAverage(y, period);
        var sums = new double[period];
        var counts = new int[period];
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(trend[i]) || (mult && trend[i] == 0))
            {
                continue;
            }

            sums[i % period] += mult ? y[i] / trend[i] : y[i] - trend[i];
            counts[i % period]++;
        }

        var idx = new double[period];
        for (int p = 0; p < period; p++)
        {
            idx[p] = counts[p] > 0 ? sums[p] / counts[p] : (mult ? 1 : 0);
        }

        double mean = idx.Average();
        for (int p = 0; p < period; p++)
        {
            idx[p] = mult ? idx[p] / mean : idx[p] - mean;
        }

        return new ClassicalDecomposition(period, mult, idx);
    }

    public double IndexAt(int time) => Indices[((time % Period) + Period) % Period];

    public double[] Adjust(ReadOnlySpan<double> y)
    {
        var r = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            r[i] = Multiplicative ? y[i] / IndexAt(i) : y[i] - IndexAt(i);
        }

        return r;
    }

    /// <summary>Puts the season back on values for times start, start+1, ….</summary>
    public void Reseasonalize(Span<double> values, int start)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Multiplicative ? values[i] * IndexAt(start + i) : values[i] + IndexAt(start + i);
        }
    }

    public static bool AllPositive(ReadOnlySpan<double> y)
    {
        foreach (var v in y)
        {
            if (!(v > 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Centred moving average of order m (2×m for even m); NaN where the window does not fit. O(n) by prefix sums.</summary>
    public static double[] CentredMovingAverage(ReadOnlySpan<double> y, int m)
    {
        int n = y.Length;
        var t = new double[n];
        Array.Fill(t, double.NaN);
        var pre = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            pre[i + 1] = pre[i] + y[i];
        }

        int half = m / 2;
        for (int i = half; i < n - half; i++)
        {
            if (m % 2 == 1)
            {
                t[i] = (pre[i + half + 1] - pre[i - half]) / m;
            }
            else
            {
                double inner = pre[i + half] - pre[i - half + 1];
                t[i] = (inner + 0.5 * (y[i - half] + y[i + half])) / m;
            }
        }

        return t;
    }
}
