namespace Dwcp.Forecasting.Numerics;

/// <summary>Small statistics helpers on spans of doubles.</summary>
internal static class Stats
{
    public static double Mean(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x)
        {
            s += v;
        }

        return x.Length == 0 ? double.NaN : s / x.Length;
    }

    /// <summary>Sample variance (n − 1 denominator).</summary>
    public static double Variance(ReadOnlySpan<double> x)
    {
        if (x.Length < 2)
        {
            return 0;
        }

        double m = Mean(x), s = 0;
        foreach (var v in x)
        {
            s += (v - m) * (v - m);
        }

        return s / (x.Length - 1);
    }

    /// <summary>Quantile with linear interpolation (R type 7) of an unsorted sample.</summary>
    public static double Quantile(IReadOnlyList<double> sample, double p)
    {
        var s = sample.ToArray();
        Array.Sort(s);
        return QuantileSorted(s, p);
    }

    public static double QuantileSorted(double[] s, double p)
    {
        if (s.Length == 0)
        {
            return double.NaN;
        }

        double h = (s.Length - 1) * Math.Clamp(p, 0, 1);
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, s.Length - 1);
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
    }

    /// <summary>Standard normal quantile (Acklam's rational approximation refined by one Halley step; |error| &lt; 1e-12).</summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0 || p >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Probability must be strictly between 0 and 1.");
        }

        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        double x;
        if (p < 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p <= 1 - 0.02425)
        {
            double q = p - 0.5, r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        else
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        double e = 0.5 * Erfc(-x / Math.Sqrt(2)) - p;
        double u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    /// <summary>Complementary error function to ~1e-14: Taylor series of erf for |x| &lt; 2, Lentz continued fraction beyond.</summary>
    public static double Erfc(double x)
    {
        if (x < 0)
        {
            return 2 - Erfc(-x);
        }

        if (x < 2)
        {
            double sum = 0, term = x;
            for (int k = 0; k < 100; k++)
            {
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }

                term *= -x * x / (k + 1);
            }

            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }

        // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated by modified Lentz.
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 300; k++)
        {
            double a = k / 2.0;
            d = x + a * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>Two-sided normal multiplier for a central interval at <paramref name="level"/> percent.</summary>
    public static double Z(double level) => NormalQuantile(0.5 + level / 200.0);

    /// <summary>Autocorrelation at lags 1..maxLag.</summary>
    public static double[] Acf(ReadOnlySpan<double> x, int maxLag)
    {
        int n = x.Length;
        double m = Mean(x);
        double c0 = 0;
        for (int i = 0; i < n; i++)
        {
            c0 += (x[i] - m) * (x[i] - m);
        }

        var r = new double[maxLag + 1];
        r[0] = 1;
        for (int k = 1; k <= maxLag && k < n; k++)
        {
            double c = 0;
            for (int i = k; i < n; i++)
            {
                c += (x[i] - m) * (x[i - k] - m);
            }

            r[k] = c0 == 0 ? 0 : c / c0;
        }

        return r;
    }

    /// <summary>Ordinary least squares line y = a + b·t for t = 1..n.</summary>
    public static (double A, double B) LinearTrend(ReadOnlySpan<double> y)
    {
        int n = y.Length;
        if (n < 2)
        {
            return (n == 1 ? y[0] : 0, 0);
        }

        double tm = (n + 1) / 2.0, ym = Mean(y), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++)
        {
            double t = i + 1 - tm;
            sxy += t * (y[i] - ym);
            sxx += t * t;
        }

        double b = sxy / sxx;
        return (ym - b * tm, b);
    }
}
