using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Analysis;

/// <summary>Direction of the trend of a series.</summary>
public enum TrendDirection
{
    /// <summary>No material or significant change of level.</summary>
    Stable,

    /// <summary>The level rises.</summary>
    Increasing,

    /// <summary>The level falls.</summary>
    Decreasing,
}

/// <summary>Shape of a non-stable trend.</summary>
public enum TrendShape
{
    /// <summary>Stable series.</summary>
    None,

    /// <summary>Straight line fits at least as well as an exponential.</summary>
    Linear,

    /// <summary>Constant growth rate (log-linear) fits clearly better (positive series only).</summary>
    Exponential,
}

/// <summary>One candidate seasonal period and its measured strength.</summary>
/// <param name="Period">Period in steps.</param>
/// <param name="Strength">max(0, 1 − Var(R)/Var(S+R)) from the MSTL-style decomposition; 0 when fewer than two cycles.</param>
/// <param name="Present">Strength ≥ <see cref="SeriesAnalysis.SeasonalityThreshold"/> and at least two full cycles.</param>
public sealed record SeasonalityInfo(int Period, double Strength, bool Present);

/// <summary>What <see cref="SeriesAnalysis.Analyze"/> found in a series.</summary>
public sealed record SeriesProfile
{
    /// <summary>Number of observations.</summary>
    public required int Length { get; init; }

    /// <summary>Number of values equal to zero.</summary>
    public required int Zeros { get; init; }

    /// <summary>Number of negative values (credits); any value ≤ 0 disables multiplicative forms.</summary>
    public required int Negatives { get; init; }

    /// <summary>Candidate periods with their strengths.</summary>
    public required IReadOnlyList<SeasonalityInfo> Seasonalities { get; init; }

    /// <summary>Trend direction.</summary>
    public required TrendDirection Trend { get; init; }

    /// <summary>Trend shape.</summary>
    public required TrendShape TrendShape { get; init; }

    /// <summary>Least-squares slope per step of the seasonally adjusted series.</summary>
    public required double TrendSlope { get; init; }

    /// <summary>Trend strength max(0, 1 − Var(R)/Var(T+R)).</summary>
    public required double TrendStrength { get; init; }

    /// <summary>Indexes where a piecewise-linear segmentation starts a new segment.</summary>
    public required IReadOnlyList<int> ChangePoints { get; init; }

    /// <summary>Indexes whose remainder lies beyond 3 IQR from the quartiles.</summary>
    public required IReadOnlyList<int> Outliers { get; init; }

    /// <summary>Fewer than 10 observations: only naive and drift are used.</summary>
    public bool IsShort => Length < SeriesAnalysis.MinimumForModels;

    /// <summary>Periods judged present, ascending.</summary>
    public IReadOnlyList<int> PresentPeriods => [.. Seasonalities.Where(s => s.Present).Select(s => s.Period).Order()];
}

/// <summary>Seasonality, trend, change-point and outlier analysis of one equally spaced series.</summary>
public static class SeriesAnalysis
{
    /// <summary>Seasonal strength at or above which a period counts as present.</summary>
    public const double SeasonalityThreshold = 0.3;

    /// <summary>Below this length only naive and drift are used.</summary>
    public const int MinimumForModels = 10;

    /// <summary>Analyses <paramref name="values"/> (no missing values) for the candidate periods.</summary>
    public static SeriesProfile Analyze(IReadOnlyList<double> values, IReadOnlyList<int> candidatePeriods)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(candidatePeriods);
        var y = values.ToArray();
        int n = y.Length;
        var dec = MstlDecomposition.Fit(y, candidatePeriods);
        var seas = candidatePeriods.Distinct().Order().Select(p =>
        {
            double s = dec.SeasonalStrength(p);
            return new SeasonalityInfo(p, s, n >= 2 * p && s >= SeasonalityThreshold);
        }).ToList();
        var adjusted = dec.Adjusted(y);
        var (dir, shape, slope) = ClassifyTrend(adjusted);
        int minSeg = Math.Max(8, candidatePeriods.Count > 0 ? candidatePeriods.Min() : 8);
        return new SeriesProfile
        {
            Length = n,
            Zeros = y.Count(v => v == 0),
            Negatives = y.Count(v => v < 0),
            Seasonalities = seas,
            Trend = dir,
            TrendShape = shape,
            TrendSlope = slope,
            TrendStrength = n >= 4 ? dec.TrendStrength() : 0,
            ChangePoints = n >= 2 * minSeg ? ChangePoints(adjusted, minSeg) : [],
            Outliers = n >= 8 ? Outliers(dec.Remainder) : [],
        };
    }

    /// <summary>Seasonal strength of one period (0 with fewer than two cycles).</summary>
    public static double SeasonalStrength(IReadOnlyList<double> y, int period)
    {
        ArgumentNullException.ThrowIfNull(y);
        var arr = y.ToArray();
        return arr.Length < 2 * period ? 0 : MstlDecomposition.Fit(arr, [period]).SeasonalStrength(period);
    }

    /// <summary>
    /// Classifies the trend of a (seasonally adjusted) series: stable when the fitted total change is under 5% of the
    /// mean absolute level or the slope's t-statistic (standard error inflated for lag-1 autocorrelation) is under 2;
    /// exponential when the series is positive and a log-linear fit has ≤ 90% of the linear fit's squared error.
    /// </summary>
    public static (TrendDirection Direction, TrendShape Shape, double Slope) ClassifyTrend(IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(y);
        var arr = y.ToArray();
        int n = arr.Length;
        if (n < 3)
        {
            return (TrendDirection.Stable, TrendShape.None, n == 2 ? arr[1] - arr[0] : 0);
        }

        var (a, b) = Stats.LinearTrend(arr);
        var resid = new double[n];
        double sse = 0;
        for (int i = 0; i < n; i++)
        {
            resid[i] = arr[i] - (a + b * (i + 1));
            sse += resid[i] * resid[i];
        }

        double r1 = Math.Clamp(Stats.Acf(resid, 1)[1], -0.9, 0.95);
        double tm = (n + 1) / 2.0, sxx = 0;
        for (int i = 1; i <= n; i++)
        {
            sxx += (i - tm) * (i - tm);
        }

        double se = Math.Sqrt(sse / (n - 2) / sxx * (1 + r1) / (1 - r1));
        double level = arr.Select(v => Math.Abs(v)).Average();
        double change = Math.Abs(b * (n - 1));
        bool stable = level == 0 || change < 0.05 * level || (se > 0 && Math.Abs(b) / se < 2);
        if (stable)
        {
            return (TrendDirection.Stable, TrendShape.None, b);
        }

        var shape = TrendShape.Linear;
        if (arr.All(v => v > 0))
        {
            var (la, lb) = Stats.LinearTrend(arr.Select(v => Math.Log(v)).ToArray());
            double sseExp = 0;
            for (int i = 0; i < n; i++)
            {
                double f = Math.Exp(la + lb * (i + 1));
                sseExp += (arr[i] - f) * (arr[i] - f);
            }

            if (sseExp <= 0.9 * sse)
            {
                shape = TrendShape.Exponential;
            }
        }

        return (b > 0 ? TrendDirection.Increasing : TrendDirection.Decreasing, shape, b);
    }

    /// <summary>
    /// Binary segmentation with piecewise-linear segments: a split is kept when it lowers the squared error by more
    /// than 3·log(n)·σ², σ from the MAD of first differences; at most 5 change points, segments ≥ <paramref name="minSegment"/>.
    /// </summary>
    public static IReadOnlyList<int> ChangePoints(IReadOnlyList<double> y, int minSegment = 8)
    {
        ArgumentNullException.ThrowIfNull(y);
        var arr = y.ToArray();
        int n = arr.Length;
        if (n < 2 * minSegment)
        {
            return [];
        }

        var diffs = new double[n - 1];
        for (int i = 1; i < n; i++)
        {
            diffs[i - 1] = arr[i] - arr[i - 1];
        }

        double med = Stats.Quantile(diffs, 0.5);
        double mad = Stats.Quantile(diffs.Select(d => Math.Abs(d - med)).ToArray(), 0.5) * 1.4826;
        double sigma2 = Math.Max(mad * mad / 2, 1e-12 * (1 + arr.Select(v => v * v).Average()));
        double penalty = 3 * Math.Log(n) * sigma2;
        var pre = new Prefix(arr);
        var cps = new List<int>();
        var queue = new Queue<(int A, int B)>();
        queue.Enqueue((0, n));
        while (queue.Count > 0 && cps.Count < 5)
        {
            var (a, b) = queue.Dequeue();
            if (b - a < 2 * minSegment)
            {
                continue;
            }

            double whole = pre.Sse(a, b);
            double bestGain = 0;
            int bestK = -1;
            for (int k = a + minSegment; k <= b - minSegment; k++)
            {
                double gain = whole - pre.Sse(a, k) - pre.Sse(k, b);
                if (gain > bestGain)
                {
                    bestGain = gain;
                    bestK = k;
                }
            }

            if (bestK > 0 && bestGain > penalty)
            {
                cps.Add(bestK);
                queue.Enqueue((a, bestK));
                queue.Enqueue((bestK, b));
            }
        }

        cps.Sort();
        return cps;
    }

    /// <summary>Indexes of values outside [Q1 − 3·IQR, Q3 + 3·IQR].</summary>
    public static IReadOnlyList<int> Outliers(IReadOnlyList<double> remainder)
    {
        ArgumentNullException.ThrowIfNull(remainder);
        var s = remainder.ToArray();
        Array.Sort(s);
        double q1 = Stats.QuantileSorted(s, 0.25), q3 = Stats.QuantileSorted(s, 0.75), iqr = q3 - q1;
        var r = new List<int>();
        for (int i = 0; i < remainder.Count; i++)
        {
            if (iqr > 0 && (remainder[i] < q1 - 3 * iqr || remainder[i] > q3 + 3 * iqr))
            {
                r.Add(i);
            }
        }

        return r;
    }

    /// <summary>Replaces NaN values by linear interpolation (constant at the ends); returns how many were filled.</summary>
    public static int FillMissing(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int filled = 0;
        int n = values.Length;
        int prev = -1;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsNaN(values[i]))
            {
                if (i - prev > 1)
                {
                    for (int j = prev + 1; j < i; j++)
                    {
                        values[j] = prev < 0 ? values[i] : values[prev] + (values[i] - values[prev]) * (j - prev) / (i - prev);
                        filled++;
                    }
                }

                prev = i;
            }
        }

        if (prev < 0)
        {
            throw new ArgumentException("Every value is missing; nothing to interpolate from.", nameof(values));
        }

        for (int j = prev + 1; j < n; j++)
        {
            values[j] = values[prev];
            filled++;
        }

        return filled;
    }

    /// <summary>Prefix sums for O(1) least-squares line errors on any segment.</summary>
    private sealed class Prefix
    {
        private readonly double[] _y, _y2, _t, _t2, _ty;

        public Prefix(double[] y)
        {
            int n = y.Length;
            _y = new double[n + 1];
            _y2 = new double[n + 1];
            _t = new double[n + 1];
            _t2 = new double[n + 1];
            _ty = new double[n + 1];
            for (int i = 0; i < n; i++)
            {
                _y[i + 1] = _y[i] + y[i];
                _y2[i + 1] = _y2[i] + y[i] * y[i];
                _t[i + 1] = _t[i] + i;
                _t2[i + 1] = _t2[i] + (double)i * i;
                _ty[i + 1] = _ty[i] + i * y[i];
            }
        }

        public double Sse(int a, int b)
        {
            int m = b - a;
            double sy = _y[b] - _y[a], sy2 = _y2[b] - _y2[a], st = _t[b] - _t[a], st2 = _t2[b] - _t2[a], sty = _ty[b] - _ty[a];
            double sxx = st2 - st * st / m, sxy = sty - st * sy / m, syy = sy2 - sy * sy / m;
            return sxx <= 0 ? Math.Max(syy, 0) : Math.Max(syy - sxy * sxy / sxx, 0);
        }
    }
}
