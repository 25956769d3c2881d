using Dwcp.Forecasting.Models;
using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Ensemble;

/// <summary>Rolling-origin evaluation of one model: forecasts from several origins, each of full horizon length.</summary>
internal sealed class BacktestRun
{
    public required string Name { get; init; }

    /// <summary>Forecast means per origin (origin 0 = latest).</summary>
    public required double[][] Forecasts { get; init; }

    /// <summary>Model-based intervals per origin and level (lower, upper), or null when the model gave none.</summary>
    public required (double[] Lo, double[] Hi)[][]? Intervals { get; init; }

    public double Score { get; set; }
}

/// <summary>The origins and shared arithmetic of rolling-origin backtests.</summary>
internal static class Backtest
{
    /// <summary>Training-set ends n − (j+1)·h for j = 0..K−1, keeping at least <paramref name="minTrain"/> points.</summary>
    public static int[] Origins(int n, int horizon, int minTrain, int maxOrigins)
    {
        var r = new List<int>();
        for (int j = 0; j < maxOrigins; j++)
        {
            int end = n - (j + 1) * horizon;
            if (end < minTrain)
            {
                break;
            }

            r.Add(end);
        }

        return [.. r];
    }

    public static BacktestRun Run(ModelBase model, double[] y, int[] origins, int horizon, int[] periods, IReadOnlyList<double> levels)
    {
        var fc = new double[origins.Length][];
        (double[], double[])[][]? iv = new (double[], double[])[origins.Length][];
        for (int j = 0; j < origins.Length; j++)
        {
            var train = y[..origins[j]];
            var o = model.Run(train, horizon, periods);
            fc[j] = o.Mean;
            if (!o.HasIntervals)
            {
                iv = null;
            }
            else if (iv is not null)
            {
                iv[j] = [.. levels.Select(l => ModelBase.IntervalsFrom(o, l))];
            }
        }

        return new BacktestRun { Name = model.Name, Forecasts = fc, Intervals = iv };
    }

    /// <summary>Mean absolute error of all backtest forecasts divided by the in-sample MAE of the seasonal naive (MASE).</summary>
    public static double Mase(double[][] forecasts, double[] y, int[] origins, int m)
    {
        double err = 0;
        int cnt = 0;
        for (int j = 0; j < origins.Length; j++)
        {
            for (int s = 0; s < forecasts[j].Length; s++)
            {
                err += Math.Abs(y[origins[j] + s] - forecasts[j][s]);
                cnt++;
            }
        }

        return err / cnt / ScaleOf(y[..origins[^1]], m);
    }

    /// <summary>In-sample MAE of the seasonal naive forecast (lag m, or 1), never 0.</summary>
    public static double ScaleOf(ReadOnlySpan<double> y, int m)
    {
        int lag = m >= 1 && y.Length > m ? m : 1;
        double s = 0;
        int c = 0;
        for (int i = lag; i < y.Length; i++)
        {
            s += Math.Abs(y[i] - y[i - lag]);
            c++;
        }

        double scale = c > 0 ? s / c : 0;
        if (scale > 0)
        {
            return scale;
        }

        double mean = 0;
        foreach (var v in y)
        {
            mean += Math.Abs(v);
        }

        return y.Length > 0 && mean > 0 ? mean / y.Length : 1;
    }

    /// <summary>
    /// Conformal half-widths per horizon step. σ_s = RMS of the errors at steps within ±w of s (w = max(1, h/12)) over
    /// the origins, made non-decreasing in s. Scores are standardised out of sample: each origin's |e| is divided by the
    /// σ_s of the other origins (jackknife), so the quantile is not flattered by σ fitted to the same errors.
    /// q = the ⌈(N+1)·level⌉-th smallest of the N scores; half-width q·σ_s. When ⌈(N+1)·level⌉ &gt; N (too few scores
    /// to resolve the level, e.g. 99% from 14 scores) the largest score is extrapolated with a normal tail from the
    /// highest level it resolves, L_N = N/(N+1): q = max · z((1+level)/2) / z((1+L_N)/2), so higher levels stay wider.
    /// </summary>
    public static double[] ConformalHalfWidth(IReadOnlyList<double[]> errors, double level)
    {
        int h = errors[0].Length;
        var sigma = Sigma(errors);
        double floor = sigma.Max() * 1e-9 + 1e-12;
        var scores = new List<double>(errors.Count * h);
        for (int j = 0; j < errors.Count; j++)
        {
            var sj = errors.Count >= 2 ? Sigma([.. errors.Where((_, k) => k != j)]) : sigma;
            for (int s = 0; s < h; s++)
            {
                scores.Add(Math.Abs(errors[j][s]) / Math.Max(sj[s], floor));
            }
        }

        scores.Sort();
        int rank = (int)Math.Ceiling((scores.Count + 1) * level / 100.0);
        double q = rank > scores.Count ? ExtrapolatedTail(scores[^1], scores.Count, level) : scores[Math.Max(0, rank - 1)];
        var half = new double[h];
        for (int s = 0; s < h; s++)
        {
            half[s] = q * Math.Max(sigma[s], floor);
        }

        return half;
    }

    /// <summary>The standardised score at <paramref name="level"/> % beyond the largest of <paramref name="n"/> scores:
    /// a normal tail through the largest score at L_N = n/(n+1).</summary>
    internal static double ExtrapolatedTail(double largest, int n, double level)
    {
        double resolved = n / (n + 1.0);
        double target = Math.Min(level / 100.0, 0.999999);
        double ratio = Stats.NormalQuantile(0.5 + target / 2) / Stats.NormalQuantile(0.5 + resolved / 2);
        return largest * Math.Max(1.0, ratio);
    }

    private static double[] Sigma(IReadOnlyList<double[]> errors)
    {
        int h = errors[0].Length;
        int w = Math.Max(1, h / 12);
        var sigma = new double[h];
        for (int s = 0; s < h; s++)
        {
            double ss = 0;
            int c = 0;
            foreach (var e in errors)
            {
                for (int k = Math.Max(0, s - w); k <= Math.Min(h - 1, s + w); k++)
                {
                    ss += e[k] * e[k];
                    c++;
                }
            }

            sigma[s] = Math.Sqrt(ss / c);
            if (s > 0)
            {
                sigma[s] = Math.Max(sigma[s], sigma[s - 1]);
            }
        }

        return sigma;
    }

    /// <summary>
    /// Quantile recalibration on the validation folds: the smallest level ℓ′ ∈ [ℓ, 99.5] (bisection, 0.1 point) whose
    /// leave-one-origin-out coverage reaches ℓ. Conformal quantiles pooled over the steps of a few origins under-cover
    /// when errors within an origin are correlated; the held-out origins measure by how much. Returns ℓ when there
    /// are fewer than 2 origins or ℓ already covers.
    /// </summary>
    public static double CalibratedLevel(double[][] errors, double level)
    {
        if (errors.Length < 2 || ConformalCoverage(errors, level) >= level / 100)
        {
            return level;
        }

        double lo = level, hi = 99.5;
        if (ConformalCoverage(errors, hi) < level / 100)
        {
            return hi;
        }

        while (hi - lo > 0.1)
        {
            double mid = (lo + hi) / 2;
            if (ConformalCoverage(errors, mid) >= level / 100)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return hi;
    }

    /// <summary>Extends per-step half-widths measured up to step K to <paramref name="horizon"/> steps as w_K·√(s/K).</summary>
    public static double[] Extend(double[] half, int horizon)
    {
        if (half.Length >= horizon)
        {
            return half;
        }

        var r = new double[horizon];
        int k = half.Length;
        for (int s = 0; s < horizon; s++)
        {
            r[s] = s < k ? half[s] : half[k - 1] * Math.Sqrt((s + 1) / (double)k);
        }

        return r;
    }

    /// <summary>Leave-one-origin-out coverage of conformal intervals (needs ≥ 2 origins), else NaN.</summary>
    public static double ConformalCoverage(double[][] errors, double level)
    {
        if (errors.Length < 2)
        {
            return double.NaN;
        }

        int inside = 0, total = 0;
        for (int j = 0; j < errors.Length; j++)
        {
            var others = errors.Where((_, k) => k != j).ToList();
            var half = ConformalHalfWidth(others, level);
            for (int s = 0; s < errors[j].Length; s++)
            {
                total++;
                if (Math.Abs(errors[j][s]) <= half[s])
                {
                    inside++;
                }
            }
        }

        return inside / (double)total;
    }

    /// <summary>Share of backtest actuals inside model-based intervals, per level index.</summary>
    public static double ModelCoverage(BacktestRun run, double[] y, int[] origins, int levelIndex)
    {
        if (run.Intervals is null)
        {
            return double.NaN;
        }

        int inside = 0, total = 0;
        for (int j = 0; j < origins.Length; j++)
        {
            var (lo, hi) = run.Intervals[j][levelIndex];
            for (int s = 0; s < lo.Length; s++)
            {
                double a = y[origins[j] + s];
                total++;
                if (a >= lo[s] && a <= hi[s])
                {
                    inside++;
                }
            }
        }

        return inside / (double)total;
    }

    public static double[][] Errors(double[][] forecasts, double[] y, int[] origins)
    {
        var r = new double[origins.Length][];
        for (int j = 0; j < origins.Length; j++)
        {
            r[j] = new double[forecasts[j].Length];
            for (int s = 0; s < r[j].Length; s++)
            {
                r[j][s] = y[origins[j] + s] - forecasts[j][s];
            }
        }

        return r;
    }

    public static double[] Combine(IReadOnlyList<double[]> parts, IReadOnlyList<double> weights)
    {
        var r = new double[parts[0].Length];
        for (int k = 0; k < parts.Count; k++)
        {
            for (int s = 0; s < r.Length; s++)
            {
                r[s] += weights[k] * parts[k][s];
            }
        }

        return r;
    }

    /// <summary>Per-step median of the parts (mean of the middle two for an even count).</summary>
    public static double[] Median(IReadOnlyList<double[]> parts)
    {
        var r = new double[parts[0].Length];
        var col = new double[parts.Count];
        for (int s = 0; s < r.Length; s++)
        {
            for (int k = 0; k < parts.Count; k++)
            {
                col[k] = parts[k][s];
            }

            Array.Sort(col);
            int mid = col.Length / 2;
            r[s] = col.Length % 2 == 1 ? col[mid] : (col[mid - 1] + col[mid]) / 2;
        }

        return r;
    }

    /// <summary>Per-step trimmed mean: the lowest and highest part dropped when there are at least three, the rest averaged.</summary>
    public static double[] TrimmedMean(IReadOnlyList<double[]> parts)
    {
        if (parts.Count < 3)
        {
            return Combine(parts, [.. parts.Select(_ => 1.0 / parts.Count)]);
        }

        var r = new double[parts[0].Length];
        for (int s = 0; s < r.Length; s++)
        {
            double sum = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int k = 0; k < parts.Count; k++)
            {
                double v = parts[k][s];
                sum += v;
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }

            r[s] = (sum - lo - hi) / (parts.Count - 2);
        }

        return r;
    }

    internal static double Sum(IEnumerable<double> x) => x.Sum();

    internal static double MeanOf(double[] x) => Stats.Mean(x);
}
