namespace Dwcp.Forecasting.Numerics;

/// <summary>
/// The Box-Cox power transform for strictly positive data: w = (y^λ − 1)/λ, or log y when λ = 0, with its inverse,
/// the bias-adjusted back-transformed mean and Guerrero's (1993) choice of λ.
/// </summary>
public static class BoxCox
{
    /// <summary>Smallest λ <see cref="Guerrero"/> returns (0 = log).</summary>
    public const double MinLambda = 0;

    /// <summary>Largest λ <see cref="Guerrero"/> returns (1 = a shift, no change of shape).</summary>
    public const double MaxLambda = 1;

    /// <summary>Transforms one strictly positive value.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="y"/> is not positive.</exception>
    public static double Transform(double y, double lambda)
    {
        if (!(y > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(y), y, "Box-Cox needs strictly positive values; forecast the series untransformed.");
        }

        return lambda == 0 ? Math.Log(y) : (Math.Pow(y, lambda) - 1) / lambda;
    }

    /// <summary>Inverse transform (the back-transformed median when w is a mean of a symmetric distribution); 0 where λw + 1 ≤ 0.</summary>
    public static double Inverse(double w, double lambda)
    {
        if (lambda == 0)
        {
            return Math.Exp(w);
        }

        double b = lambda * w + 1;
        return b <= 0 ? 0 : Math.Pow(b, 1 / lambda);
    }

    /// <summary>
    /// Bias-adjusted back-transformed mean: Inverse(w)·[1 + σ²(1 − λ)/(2(λw + 1)²)] (second-order Taylor expansion,
    /// as in Hyndman &amp; Athanasopoulos, FPP3 §5.6); exp(w)·(1 + σ²/2) for λ = 0.
    /// </summary>
    public static double InverseMean(double w, double variance, double lambda)
    {
        double median = Inverse(w, lambda);
        if (!(variance > 0))
        {
            return median;
        }

        double b = lambda * w + 1;
        if (b <= 0)
        {
            return median;
        }

        return median * (1 + variance * (1 - lambda) / (2 * b * b));
    }

    /// <summary>
    /// Guerrero's λ: the series is cut into consecutive non-overlapping blocks of <paramref name="period"/> points
    /// (the first incomplete one dropped); λ minimises the coefficient of variation of s_i / m_i^(1−λ) over the blocks
    /// (m_i, s_i the block mean and standard deviation), searched on [<see cref="MinLambda"/>, <see cref="MaxLambda"/>]
    /// (a 0.01 grid refined by golden section). Returns 1 when there are fewer than two blocks.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not strictly positive.</exception>
    public static double Guerrero(ReadOnlySpan<double> y, int period)
    {
        int m = Math.Max(2, period);
        int blocks = y.Length / m;
        if (blocks < 2)
        {
            return 1;
        }

        var logMean = new double[blocks];
        var logSd = new double[blocks];
        int start = y.Length - blocks * m;
        int used = 0;
        for (int b = 0; b < blocks; b++)
        {
            var block = y.Slice(start + b * m, m);
            foreach (var v in block)
            {
                if (!(v > 0))
                {
                    throw new ArgumentException($"Box-Cox needs strictly positive values; found {v}.", nameof(y));
                }
            }

            double sd = Math.Sqrt(Stats.Variance(block));
            if (sd > 0)
            {
                logMean[used] = Math.Log(Stats.Mean(block));
                logSd[used] = Math.Log(sd);
                used++;
            }
        }

        if (used < 2)
        {
            return 1;
        }

        double Cv(double lambda)
        {
            // ratio_i = s_i / m_i^(1−λ), computed in logs so large levels cannot overflow.
            double sum = 0, sum2 = 0;
            for (int i = 0; i < used; i++)
            {
                double r = Math.Exp(logSd[i] - (1 - lambda) * logMean[i]);
                sum += r;
                sum2 += r * r;
            }

            double mean = sum / used;
            double variance = Math.Max(0, (sum2 - used * mean * mean) / (used - 1));
            return Math.Sqrt(variance) / mean;
        }

        double best = MinLambda, bestCv = double.PositiveInfinity;
        for (int k = 0; k <= 100; k++)
        {
            double l = MinLambda + (MaxLambda - MinLambda) * k / 100;
            double c = Cv(l);
            if (c < bestCv)
            {
                bestCv = c;
                best = l;
            }
        }

        double lo = Math.Max(MinLambda, best - 0.01), hi = Math.Min(MaxLambda, best + 0.01);
        const double G = 0.6180339887498949;
        for (int it = 0; it < 30; it++)
        {
            double a = hi - G * (hi - lo), c = lo + G * (hi - lo);
            if (Cv(a) < Cv(c))
            {
                hi = c;
            }
            else
            {
                lo = a;
            }
        }

        double mid = (lo + hi) / 2;
        return Cv(mid) < bestCv ? mid : best;
    }
}
