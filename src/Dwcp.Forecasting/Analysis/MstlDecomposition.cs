using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Analysis;

/// <summary>
/// MSTL-style additive decomposition y = T + Σ S_p + R for several periods: for each period (ascending), two passes of
/// (centred moving-average trend of the partially adjusted series → cycle-subseries means over ±3 neighbouring cycles →
/// removal of the seasonal's own moving average). Trend ends are extended linearly. Simpler than loess-based STL, same
/// role: seasonal strengths and seasonal adjustment.
/// </summary>
internal sealed class MstlDecomposition
{
    private MstlDecomposition(int[] periods, double[][] seasonals, double[] trend, double[] remainder)
    {
        Periods = periods;
        Seasonals = seasonals;
        Trend = trend;
        Remainder = remainder;
    }

    public int[] Periods { get; }

    public double[][] Seasonals { get; }

    public double[] Trend { get; }

    public double[] Remainder { get; }

    /// <summary>Decomposes y over the periods that have at least two full cycles.</summary>
    public static MstlDecomposition Fit(double[] y, IEnumerable<int> periods, int cycleHalfWindow = 3)
    {
        int n = y.Length;
        var ps = periods.Where(p => p >= 2 && n >= 2 * p).Distinct().Order().ToArray();
        var seasonals = ps.Select(_ => new double[n]).ToArray();
        var adjusted = (double[])y.Clone();
        for (int iter = 0; iter < 2; iter++)
        {
            for (int k = 0; k < ps.Length; k++)
            {
                int p = ps[k];
                for (int t = 0; t < n; t++)
                {
                    adjusted[t] += seasonals[k][t];
                }

                var trend = SmoothTrend(adjusted, p);
                var detr = new double[n];
                for (int t = 0; t < n; t++)
                {
                    detr[t] = adjusted[t] - trend[t];
                }

                var s = CycleSmooth(detr, p, cycleHalfWindow);
                var sTrend = SmoothTrend(s, p);
                for (int t = 0; t < n; t++)
                {
                    seasonals[k][t] = s[t] - sTrend[t];
                    adjusted[t] -= seasonals[k][t];
                }
            }
        }

        var tr = ps.Length > 0 ? SmoothTrend(adjusted, ps[^1]) : SmoothTrend(adjusted, Math.Max(3, Math.Min(n / 4, 13)));
        var rem = new double[n];
        for (int t = 0; t < n; t++)
        {
            rem[t] = adjusted[t] - tr[t];
        }

        return new MstlDecomposition(ps, seasonals, tr, rem);
    }

    /// <summary>Seasonally adjusted series y − Σ S_p.</summary>
    public double[] Adjusted(double[] y)
    {
        var r = (double[])y.Clone();
        foreach (var s in Seasonals)
        {
            for (int t = 0; t < r.Length; t++)
            {
                r[t] -= s[t];
            }
        }

        return r;
    }

    /// <summary>Strength of the seasonal of period p: max(0, 1 − Var(R)/Var(S_p + R)); 0 when p was not used.</summary>
    public double SeasonalStrength(int period)
    {
        int k = Array.IndexOf(Periods, period);
        if (k < 0)
        {
            return 0;
        }

        var sr = new double[Remainder.Length];
        for (int t = 0; t < sr.Length; t++)
        {
            sr[t] = Seasonals[k][t] + Remainder[t];
        }

        double v = Stats.Variance(sr);
        return v <= 0 ? 0 : Math.Max(0, 1 - Stats.Variance(Remainder) / v);
    }

    /// <summary>Strength of the trend: max(0, 1 − Var(R)/Var(T + R)).</summary>
    public double TrendStrength()
    {
        var tr = new double[Remainder.Length];
        for (int t = 0; t < tr.Length; t++)
        {
            tr[t] = Trend[t] + Remainder[t];
        }

        double v = Stats.Variance(tr);
        return v <= 0 ? 0 : Math.Max(0, 1 - Stats.Variance(Remainder) / v);
    }

    /// <summary>Centred moving average of order p with both ends extended linearly from the nearest half-period of the trend.</summary>
    internal static double[] SmoothTrend(double[] x, int p)
    {
        int n = x.Length;
        if (n < p + 1)
        {
            var flat = new double[n];
            Array.Fill(flat, Stats.Mean(x));
            return flat;
        }

        var t = ClassicalDecomposition.CentredMovingAverage(x, p);
        int first = p / 2, last = n - 1 - p / 2;
        int span = Math.Max(1, Math.Min(p / 2, last - first));
        double slopeEnd = (t[last] - t[last - span]) / span;
        double slopeStart = (t[first + span] - t[first]) / span;
        for (int i = last + 1; i < n; i++)
        {
            t[i] = t[last] + slopeEnd * (i - last);
        }

        for (int i = first - 1; i >= 0; i--)
        {
            t[i] = t[first] - slopeStart * (first - i);
        }

        return t;
    }

    private static double[] CycleSmooth(double[] x, int p, int half)
    {
        int n = x.Length;
        var r = new double[n];
        for (int t = 0; t < n; t++)
        {
            double s = 0;
            int c = 0;
            for (int k = -half; k <= half; k++)
            {
                int j = t + k * p;
                if (j >= 0 && j < n)
                {
                    s += x[j];
                    c++;
                }
            }

            r[t] = s / c;
        }

        return r;
    }
}
