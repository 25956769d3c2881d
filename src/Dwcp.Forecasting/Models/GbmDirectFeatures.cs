using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Models;

/// <summary>How <see cref="GlobalGbm"/> produces multi-step forecasts.</summary>
public enum GbmStrategy
{
    /// <summary>One-step model applied recursively (each forecast becomes a lag of the next).</summary>
    Recursive,

    /// <summary>
    /// One model for every step: the step number is a feature and all other features are taken at the forecast
    /// origin, so no forecast is fed back (no error accumulation along the horizon).
    /// </summary>
    Direct,
}

/// <summary>
/// Features of the direct strategy for the value at t = o + k − 1 seen from origin o (history y[..o]), all divided by
/// the mean |y| of the last window before o (the largest period, else 24): the step k; lags 1…L at the origin;
/// for each period p the two most recent same-phase values of t that are known at o (y[t − c·p], y[t − (c+1)·p],
/// c = ⌈k/p⌉) and the mean of up to four of them; mean and standard deviation of the last L values and of the window;
/// the position of t within each cycle. Unknown values are NaN (LightGBM treats them as missing).
/// </summary>
internal static class GbmDirectFeatures
{
    public static int Count(int[] periods) => 1 + ShortLags(periods) + 3 * periods.Length + 4 + periods.Length;

    public static int ShortLags(int[] periods) => periods.Length > 0 ? Math.Min(periods[0], 48) : 12;

    public static int Window(int[] periods) => periods.Length > 0 ? periods[^1] : 24;

    /// <summary>Smallest origin that leaves a full window and one cycle of the largest period behind it.</summary>
    public static int FirstOrigin(int[] periods) => Math.Max(ShortLags(periods), Window(periods)) + 1;

    public static float[] Build(double[] y, int origin, int step, int[] periods, out double scale, bool log = false, int scaleWindow = 0)
    {
        int window = Window(periods), l = ShortLags(periods);
        scale = Scale(y, origin, periods, scaleWindow);
        var f = new float[Count(periods)];
        int i = 0;
        f[i++] = step;
        for (int lag = 1; lag <= l; lag++)
        {
            f[i++] = origin - lag >= 0 ? Tx(y[origin - lag], scale, log) : float.NaN;
        }

        int t = origin + step - 1;
        foreach (var p in periods)
        {
            int c = (step + p - 1) / p;
            f[i++] = Value(y, t - c * p, origin, scale, log);
            f[i++] = Value(y, t - (c + 1) * p, origin, scale, log);
            double acc = 0;
            int cnt = 0;
            for (int j = c; j < c + 4; j++)
            {
                int idx = t - j * p;
                if (idx >= 0 && idx < origin)
                {
                    acc += y[idx];
                    cnt++;
                }
            }

            f[i++] = cnt > 0 ? Tx(acc / cnt, scale, log) : float.NaN;
        }

        GlobalGbm.AppendWindowFeatures(f, i, y, origin, l, window, scale, t, periods);
        if (log)
        {
            // The two window means (positions i and i + 2) on the log scale; the standard deviations stay relative.
            f[i] = (float)Math.Log(Math.Max(f[i], Floor));
            f[i + 2] = (float)Math.Log(Math.Max(f[i + 2], Floor));
        }

        return f;
    }

    /// <summary>Smallest ratio to the scale taken on the log scale (guards a value ≤ 0 met at prediction time).</summary>
    public const double Floor = 1e-6;

    /// <summary>v / scale, or log(v / scale) (floored at <see cref="Floor"/>) on the log scale.</summary>
    public static float Tx(double v, double scale, bool log) => log ? (float)Math.Log(Math.Max(v / scale, Floor)) : (float)(v / scale);

    /// <summary>
    /// The training label of y at step <paramref name="step"/> from <paramref name="origin"/>: (y − base) / scale, or
    /// on the log scale log(y / scale) for <see cref="GbmTarget.Level"/> and log(y / base) (the ratio to the base)
    /// for the other targets.
    /// </summary>
    public static float Label(double[] y, int origin, int step, int[] periods, GbmTarget target, double scale, bool log)
    {
        double v = y[origin + step - 1];
        if (!log)
        {
            return (float)((v - Base(y, origin, step, periods, target)) / scale);
        }

        return target == GbmTarget.Level ? Tx(v, scale, true) : Tx(v, scale, true) - Tx(Base(y, origin, step, periods, target), scale, true);
    }

    /// <summary>Inverse of <see cref="Label"/>: the forecast of y from the model's prediction.</summary>
    public static double Inverse(double prediction, double[] y, int origin, int step, int[] periods, GbmTarget target, double scale, bool log)
    {
        if (!log)
        {
            return Base(y, origin, step, periods, target) + prediction * scale;
        }

        double b = target == GbmTarget.Level ? 0 : Tx(Base(y, origin, step, periods, target), scale, true);
        return scale * Math.Exp(prediction + b);
    }

    /// <summary>
    /// Training rows of one series: origins stepping back from the last one whose targets stay before
    /// <paramref name="end"/>, each with a few seeded random steps in 1…<paramref name="horizon"/>, about
    /// <paramref name="rows"/> in all; label (y − <see cref="Base"/>) / scale.
    /// </summary>
    public static IEnumerable<(float[] Features, float Label)> Rows(double[] y, int end, int horizon, int[] periods, int rows, Random rng, GbmTarget target = GbmTarget.Level, bool log = false, int scaleWindow = 0)
    {
        const int stepsPerOrigin = 4;
        int first = FirstOrigin(periods);
        int last = end - 1;
        if (last < first)
        {
            yield break;
        }

        int origins = Math.Max(1, rows / stepsPerOrigin);
        int stride = Math.Max(1, (last - first + 1) / origins);
        for (int o = last; o >= first; o -= stride)
        {
            for (int r = 0; r < stepsPerOrigin; r++)
            {
                int k = 1 + rng.Next(horizon);
                if (o + k - 1 >= end)
                {
                    k = 1 + rng.Next(end - o);
                }

                var f = Build(y, o, k, periods, out double scale, log, scaleWindow);
                yield return (f, Label(y, o, k, periods, target, scale, log));
            }
        }
    }

    /// <summary>
    /// The base forecast of y[origin + step − 1] for <paramref name="target"/> (0 for <see cref="GbmTarget.Level"/>);
    /// the model learns (y − base) / scale. Falls back to the last value when the period's same-phase value is unknown.
    /// </summary>
    public static double Base(double[] y, int origin, int step, int[] periods, GbmTarget target)
    {
        if (target == GbmTarget.Level || origin < 1)
        {
            return 0;
        }

        double last = y[origin - 1];
        if (target == GbmTarget.LastValue || periods.Length == 0)
        {
            return last;
        }

        int p = periods[0], t = origin + step - 1, c = (step + p - 1) / p;
        if (target == GbmTarget.SeasonalNaive)
        {
            int idx = t - c * p;
            return idx >= 0 ? y[idx] : last;
        }

        double acc = 0;
        int cnt = 0;
        for (int j = c; j < c + 4; j++)
        {
            int idx = t - j * p;
            if (idx >= 0)
            {
                acc += y[idx];
                cnt++;
            }
        }

        return cnt > 0 ? acc / cnt : last;
    }

    /// <summary>
    /// For <see cref="GbmTarget.Auto"/>: the concrete base with the smallest mean |y − base| / scale over origins spread
    /// over every series (all steps 1…<paramref name="horizon"/>, targets before each series' <c>Length − holdOut</c>).
    /// </summary>
    public static GbmTarget ChooseBase(IReadOnlyList<double[]> series, int horizon, int[] periods, int holdOut)
    {
        GbmTarget[] kinds = [GbmTarget.LastValue, GbmTarget.SeasonalNaive, GbmTarget.SeasonalMean];
        var err = new double[kinds.Length];
        int first = FirstOrigin(periods);
        foreach (var y in series)
        {
            int end = y.Length - Math.Max(0, holdOut);
            int stride = Math.Max(1, (end - horizon - first) / 10);
            for (int o = end - horizon; o >= first; o -= stride)
            {
                double scale = Scale(y, o, periods);
                for (int k = 1; k <= horizon; k++)
                {
                    for (int b = 0; b < kinds.Length; b++)
                    {
                        err[b] += Math.Abs(y[o + k - 1] - Base(y, o, k, periods, kinds[b])) / scale;
                    }
                }
            }
        }

        int best = 0;
        for (int b = 1; b < kinds.Length; b++)
        {
            if (err[b] < err[best])
            {
                best = b;
            }
        }

        return kinds[best];
    }

    /// <summary>
    /// Mean |y| of the last <paramref name="window"/> points (0: the largest period, else 24) before
    /// <paramref name="origin"/>; 1 when zero.
    /// </summary>
    public static double Scale(double[] y, int origin, int[] periods, int window = 0)
    {
        double sum = 0;
        int w = Math.Min(window > 0 ? window : Window(periods), origin);
        for (int k = 1; k <= w; k++)
        {
            sum += Math.Abs(y[origin - k]);
        }

        return w > 0 && sum > 0 ? sum / w : 1;
    }

    private static float Value(double[] y, int idx, int origin, double scale, bool log) =>
        idx >= 0 && idx < origin ? Tx(y[idx], scale, log) : float.NaN;
}
