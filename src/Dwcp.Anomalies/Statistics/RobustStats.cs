namespace Dwcp.Anomalies.Statistics;

/// <summary>Robust location/scale estimates and the distribution functions the detectors need.</summary>
public static class RobustStats
{
    /// <summary>Consistency factor turning a MAD into a standard deviation under a normal distribution.</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>Longest input copied on the stack (2 KB) rather than into a new array.</summary>
    private const int StackLimit = 256;

    /// <summary>The median of <paramref name="values"/> (NaN when empty). Does not modify the input.</summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        // A stack copy for the short windows the online detectors pass (no allocation per point); the same sort either way.
        var copy = values.Length <= StackLimit ? stackalloc double[values.Length] : new double[values.Length];
        values.CopyTo(copy);
        copy.Sort();
        return MedianOfSorted(copy);
    }

    /// <summary>The median of an already sorted span.</summary>
    public static double MedianOfSorted(ReadOnlySpan<double> sorted)
    {
        var n = sorted.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        return (n & 1) == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }

    /// <summary>The median absolute deviation from <paramref name="center"/> (not scaled by <see cref="MadToSigma"/>).</summary>
    public static double Mad(ReadOnlySpan<double> values, double center)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var dev = values.Length <= StackLimit ? stackalloc double[values.Length] : new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            dev[i] = Math.Abs(values[i] - center);
        }

        dev.Sort();
        return MedianOfSorted(dev);
    }

    /// <summary>
    /// The MAD of a sorted span around its median in O(n): distances to the left and right of the median are each
    /// sorted, so the median of their union is found by merging.
    /// </summary>
    public static double MadOfSorted(ReadOnlySpan<double> sorted)
    {
        var n = sorted.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        var m = MedianOfSorted(sorted);
        var hi = n / 2; // first index with value >= m (for odd n the median itself, distance 0)
        var lo = hi - 1;
        // Merge the distances (m - sorted[lo], lo descending) and (sorted[hi] - m, hi ascending).
        var k1 = (n - 1) / 2;
        var k2 = n / 2;
        double a = 0, b = 0;
        for (var k = 0; k <= k2; k++)
        {
            double next;
            var dl = lo >= 0 ? m - sorted[lo] : double.PositiveInfinity;
            var dr = hi < n ? sorted[hi] - m : double.PositiveInfinity;
            if (dl <= dr)
            {
                next = dl;
                lo--;
            }
            else
            {
                next = dr;
                hi++;
            }

            if (k == k1)
            {
                a = next;
            }

            if (k == k2)
            {
                b = next;
            }
        }

        return 0.5 * (a + b);
    }

    /// <summary>Linear-interpolated quantile <paramref name="q"/> in [0, 1] of a sorted span (type 7, as R and NumPy).</summary>
    public static double QuantileOfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        var h = (sorted.Length - 1) * Math.Clamp(q, 0, 1);
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    /// <summary>Standard normal cumulative distribution function.</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>Complementary error function (W. J. Cody's rational approximation via Numerical Recipes erfcc, |rel err| &lt; 1.2e-7).</summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        ReadOnlySpan<double> c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 1; i--)
        {
            poly = (poly + c[i]) * t;
        }

        var ans = t * Math.Exp((-z * z) + c[0] + poly);
        return x >= 0 ? ans : 2.0 - ans;
    }

    /// <summary>Upper tail P(X ≥ x) of a chi-square distribution with <paramref name="dof"/> degrees of freedom.</summary>
    public static double ChiSquareSurvival(double x, int dof) => x <= 0 ? 1.0 : UpperRegularizedGamma(dof / 2.0, x / 2.0);

    /// <summary>Student t cumulative distribution function with <paramref name="dof"/> degrees of freedom.</summary>
    public static double StudentTCdf(double t, double dof)
    {
        var x = dof / (dof + (t * t));
        var tail = 0.5 * RegularizedIncompleteBeta(dof / 2.0, 0.5, x);
        return t >= 0 ? 1.0 - tail : tail;
    }

    /// <summary>Quantile of the Student t distribution (bisection on <see cref="StudentTCdf"/>; p in (0, 1)).</summary>
    public static double StudentTQuantile(double p, double dof)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1.0);
        double lo = -1e4, hi = 1e4;
        for (var i = 0; i < 200; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (StudentTCdf(mid, dof) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }

    private static double UpperRegularizedGamma(double a, double x)
    {
        if (x < a + 1)
        {
            // Series for P(a, x).
            double sum = 1.0 / a, del = sum, ap = a;
            for (var n = 0; n < 500; n++)
            {
                ap += 1;
                del *= x / ap;
                sum += del;
                if (Math.Abs(del) < Math.Abs(sum) * 1e-15)
                {
                    break;
                }
            }

            return 1.0 - (sum * Math.Exp((-x) + (a * Math.Log(x)) - LogGamma(a)));
        }

        // Continued fraction for Q(a, x) (modified Lentz).
        double b = x + 1 - a, c = 1.0 / 1e-300, d = 1.0 / b, h = d;
        for (var i = 1; i < 500; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < 1e-300)
            {
                d = 1e-300;
            }

            c = b + (an / c);
            if (Math.Abs(c) < 1e-300)
            {
                c = 1e-300;
            }

            d = 1.0 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-15)
            {
                break;
            }
        }

        return Math.Exp((-x) + (a * Math.Log(x)) - LogGamma(a)) * h;
    }

    private static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var bt = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2) ? bt * BetaContinuedFraction(a, b, x) / a : 1 - (bt * BetaContinuedFraction(b, a, 1 - x) / b);
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - (qab * x / qap);
        if (Math.Abs(d) < 1e-300)
        {
            d = 1e-300;
        }

        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 500; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < 1e-300 ? 1e-300 : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < 1e-300 ? 1e-300 : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < 1e-300 ? 1e-300 : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < 1e-300 ? 1e-300 : c;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>log Γ(x) for x &gt; 0 (Lanczos approximation, g = 7).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var a = g[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++)
        {
            a += g[i] / (x + i);
        }

        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }
}
