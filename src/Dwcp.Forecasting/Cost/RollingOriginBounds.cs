using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Cost;

/// <summary>
/// Errors of a rolling-origin backtest at every origin and step, from which the cost forecast derives the bounds of the
/// horizon sum and of every day. Origins end at n − j·step (j = 1, 2, …, at least <c>minTrain</c> training points, at
/// most <see cref="MaxOrigins"/>); each forecasts min(H, n − end) days, so a short history still yields many origins
/// for the first steps and a few for the last.
/// </summary>
internal sealed class RollingOriginBounds
{
    /// <summary>Most refits of the chosen model or combination.</summary>
    public const int MaxOrigins = 24;

    /// <summary>Fewest origins behind a step's error scale; beyond the last such step the scale is extrapolated.</summary>
    public const int MinOriginsPerStep = 8;

    private RollingOriginBounds(int[] ends, double[][] errors, int horizon)
    {
        Ends = ends;
        Errors = errors;
        Horizon = horizon;
        ObservedSteps = 0;
        for (int k = 1; k <= horizon; k++)
        {
            if (errors.Count(e => e.Length >= k) >= MinOriginsPerStep)
            {
                ObservedSteps = k;
            }
        }
    }

    /// <summary>Training-set ends of the origins, latest first.</summary>
    public int[] Ends { get; }

    /// <summary>Errors (actual − forecast) per origin and step; origin j has min(H, n − end_j) steps.</summary>
    public double[][] Errors { get; }

    /// <summary>The forecast horizon H.</summary>
    public int Horizon { get; }

    /// <summary>Largest step k with at least <see cref="MinOriginsPerStep"/> origins (0 when none).</summary>
    public int ObservedSteps { get; }

    /// <summary>Origins left out by the <c>skipEnd</c> rule.</summary>
    public int Skipped { get; private init; }

    /// <summary>Origins whose forecast covers the whole horizon.</summary>
    public IEnumerable<int> FullOrigins => Enumerable.Range(0, Ends.Length).Where(j => Errors[j].Length == Horizon);

    /// <summary>Runs <paramref name="reforecast"/> at every origin.</summary>
    /// <param name="y">The daily series.</param>
    /// <param name="horizon">Days to forecast.</param>
    /// <param name="minTrain">Fewest training days of an origin.</param>
    /// <param name="reforecast">The chosen model or combination, refitted on a prefix.</param>
    /// <param name="skipEnd">Training ends to leave out (e.g. those whose last day is an outlier); null keeps all.</param>
    public static RollingOriginBounds Run(double[] y, int horizon, int minTrain, Func<double[], double[]> reforecast, Func<int, bool>? skipEnd = null)
    {
        int n = y.Length;
        int span = n - minTrain;
        int step = Math.Max(1, Math.Min((int)Math.Ceiling(horizon / 6.0), span / MaxOrigins));
        var ends = new List<int>();
        var errors = new List<double[]>();
        int skipped = 0;
        for (int end = n - step; end >= minTrain && ends.Count < MaxOrigins; end -= step)
        {
            if (skipEnd?.Invoke(end) == true)
            {
                skipped++;
                continue;
            }

            var f = reforecast(y[..end]);
            int len = Math.Min(horizon, n - end);
            var e = new double[len];
            for (int s = 0; s < len; s++)
            {
                e[s] = y[end + s] - f[s];
            }

            ends.Add(end);
            errors.Add(e);
        }

        return new RollingOriginBounds([.. ends], [.. errors], horizon) { Skipped = skipped };
    }

    /// <summary>
    /// The same origins seen at a shorter horizon: each origin's errors cut to its first <paramref name="horizon"/> steps,
    /// so a period's bounds and accuracy come from the very refits behind the longest period.
    /// </summary>
    public RollingOriginBounds Truncate(int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(horizon, Horizon);
        return horizon == Horizon ? this : new RollingOriginBounds(Ends, [.. Errors.Select(e => e.Length > horizon ? e[..horizon] : e)], horizon) { Skipped = Skipped };
    }

    /// <summary>
    /// Half-widths of central intervals at <paramref name="level"/> for quantities built from the errors:
    /// <paramref name="cumulative"/> = true for the sum of the first k days (k = 1…H), false for day k alone.
    /// </summary>
    /// <remarks>
    /// σ_k = RMS over the origins of the quantity at step k (bias included; for days over steps k ± max(1, H/12)),
    /// for sums made non-decreasing, for k up to <see cref="ObservedSteps"/>. Beyond, σ_k = σ_K·(k/K)^b with b the least-squares slope of log σ_k on log k over
    /// k ∈ [K/3, K], clamped to [1, 1.5] for sums (from a persistent level error to random-walk errors; independent errors
    /// alone would give 0.5, but a level error always persists over the horizon) and [0, 0.5] for days
    /// (up to the √h growth of a random walk). The multiplier q is the level-quantile of the pooled scores |x_{j,k}|/σ_k
    /// over k ∈ [K/2, K] (type 7), so the interval is symmetric and has two non-zero sides unless every error is zero.
    /// </remarks>
    public double[] HalfWidths(double level, bool cumulative, out double growth)
    {
        growth = double.NaN;
        int kObs = ObservedSteps;
        var sigma = new double[Horizon];
        if (kObs == 0)
        {
            return sigma;
        }

        var values = Errors.Select(e => cumulative ? Cumulate(e) : e).ToArray();
        int w = cumulative ? 0 : Math.Max(1, Horizon / 12);
        for (int k = 0; k < kObs; k++)
        {
            double ss = 0;
            int c = 0;
            foreach (var v in values)
            {
                for (int i = Math.Max(0, k - w); i <= Math.Min(kObs - 1, k + w) && i < v.Length; i++)
                {
                    ss += v[i] * v[i];
                    c++;
                }
            }

            sigma[k] = Math.Sqrt(ss / c);
            if (cumulative && k > 0)
            {
                sigma[k] = Math.Max(sigma[k], sigma[k - 1]);
            }
        }

        if (kObs < Horizon)
        {
            growth = Math.Clamp(Slope(sigma, Math.Max(1, kObs / 3), kObs), cumulative ? 1.0 : 0, cumulative ? 1.5 : 0.5);
            for (int k = kObs; k < Horizon; k++)
            {
                sigma[k] = sigma[kObs - 1] * Math.Pow((k + 1) / (double)kObs, growth);
            }
        }

        var scores = new List<double>();
        foreach (var v in values)
        {
            for (int k = Math.Max(0, (kObs / 2) - 1); k < Math.Min(kObs, v.Length); k++)
            {
                if (sigma[k] > 0)
                {
                    scores.Add(Math.Abs(v[k]) / sigma[k]);
                }
            }
        }

        double q = scores.Count > 0 ? Stats.Quantile(scores, level / 100) : 0;
        var half = new double[Horizon];
        for (int k = 0; k < Horizon; k++)
        {
            half[k] = q * sigma[k];
        }

        return half;
    }

    private static double[] Cumulate(double[] e)
    {
        var c = new double[e.Length];
        double s = 0;
        for (int i = 0; i < e.Length; i++)
        {
            s += e[i];
            c[i] = s;
        }

        return c;
    }

    /// <summary>Least-squares slope of log σ on log k for k = from…to (1-based), or 0.5 when undefined.</summary>
    private static double Slope(double[] sigma, int from, int to)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int k = from; k <= to; k++)
        {
            if (sigma[k - 1] > 0)
            {
                xs.Add(Math.Log(k));
                ys.Add(Math.Log(sigma[k - 1]));
            }
        }

        if (xs.Count < 2)
        {
            return 0.5;
        }

        double mx = xs.Average(), my = ys.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            sxy += (xs[i] - mx) * (ys[i] - my);
            sxx += (xs[i] - mx) * (xs[i] - mx);
        }

        return sxx > 0 ? sxy / sxx : 0.5;
    }
}
