using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Models;

/// <summary>A (seasonal) ARIMA order (p,d,q)(P,D,Q)[m] with or without a constant.</summary>
internal readonly record struct ArimaOrder(int P, int D, int Q, int SP, int SD, int SQ, int M, bool Constant)
{
    public int ParameterCount => P + Q + SP + SQ + (Constant ? 1 : 0);

    public override string ToString() =>
        $"ARIMA({P},{D},{Q})" + (M > 1 && (SP + SD + SQ) > 0 ? $"({SP},{SD},{SQ})[{M}]" : "") + (Constant ? (D + SD == 0 ? " with mean" : " with drift") : "");
}

/// <summary>A fitted ARIMA model estimated by conditional sum of squares (CSS).</summary>
internal sealed class ArimaFit
{
    public required ArimaOrder Order { get; init; }

    public required double[] Ar { get; init; }

    public required double[] Ma { get; init; }

    public required double[] SAr { get; init; }

    public required double[] SMa { get; init; }

    public required double Mean { get; init; }

    public required double Sigma2 { get; init; }

    public required double Aicc { get; init; }

    /// <summary>One-step residuals aligned with the original series (0 where undefined).</summary>
    public required double[] Residuals { get; init; }
}

/// <summary>ARIMA estimation (CSS by Nelder–Mead), forecasting and ψ-weight variances.</summary>
internal static class ArimaCore
{
    /// <summary>Applies (1−B)^d (1−B^m)^D.</summary>
    public static double[] Difference(double[] y, int d, int sd, int m)
    {
        var w = y;
        for (int i = 0; i < sd; i++)
        {
            var r = new double[w.Length - m];
            for (int t = 0; t < r.Length; t++)
            {
                r[t] = w[t + m] - w[t];
            }

            w = r;
        }

        for (int i = 0; i < d; i++)
        {
            var r = new double[w.Length - 1];
            for (int t = 0; t < r.Length; t++)
            {
                r[t] = w[t + 1] - w[t];
            }

            w = r;
        }

        return w;
    }

    /// <summary>Multiplies polynomials given as coefficient arrays (index = power of B).</summary>
    public static double[] Multiply(double[] a, double[] b)
    {
        var r = new double[a.Length + b.Length - 1];
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = 0; j < b.Length; j++)
            {
                r[i + j] += a[i] * b[j];
            }
        }

        return r;
    }

    /// <summary>1 − Σ φ_i B^(i·step) (sign −1) or 1 + Σ θ_i B^(i·step) (sign +1).</summary>
    public static double[] Poly(double[] c, int step, double sign)
    {
        var r = new double[c.Length * step + 1];
        r[0] = 1;
        for (int i = 0; i < c.Length; i++)
        {
            r[(i + 1) * step] = sign * c[i];
        }

        return r;
    }

    /// <summary>True when all roots of 1 − Σ φ_i z^i lie outside the unit circle (Schur–Cohn step-down test).</summary>
    public static bool IsStationary(double[] phi)
    {
        int p = phi.Length;
        if (p == 0)
        {
            return true;
        }

        var a = (double[])phi.Clone();
        for (int k = p; k >= 1; k--)
        {
            double r = a[k - 1];
            if (Math.Abs(r) >= 0.999)
            {
                return false;
            }

            var next = new double[k - 1];
            for (int i = 0; i < k - 1; i++)
            {
                next[i] = (a[i] + r * a[k - 2 - i]) / (1 - r * r);
            }

            a = next;
        }

        return true;
    }

    /// <summary>Sparse (lag, coefficient) lists of the full AR (as y_t = Σ a_k y_{t−k}) and MA operators.</summary>
    public static (int[] ArLag, double[] ArCoef, int[] MaLag, double[] MaCoef, double ArAtOne) Operators(double[] ar, double[] sar, double[] ma, double[] sma, int m)
    {
        var arPoly = Multiply(Poly(ar, 1, -1), Poly(sar, m, -1));
        var maPoly = Multiply(Poly(ma, 1, 1), Poly(sma, m, 1));
        var al = new List<int>();
        var ac = new List<double>();
        for (int k = 1; k < arPoly.Length; k++)
        {
            if (arPoly[k] != 0)
            {
                al.Add(k);
                ac.Add(-arPoly[k]);
            }
        }

        var ml = new List<int>();
        var mc = new List<double>();
        for (int k = 1; k < maPoly.Length; k++)
        {
            if (maPoly[k] != 0)
            {
                ml.Add(k);
                mc.Add(maPoly[k]);
            }
        }

        return ([.. al], [.. ac], [.. ml], [.. mc], arPoly.Sum());
    }

    /// <summary>CSS residuals of w − μ; returns the sum of squares and the count of residuals used.</summary>
    public static double Css(double[] w, double mu, int[] al, double[] ac, int[] ml, double[] mc, double[] e, out int used, int sumFrom = 0)
    {
        int start = al.Length == 0 ? 0 : al[^1];
        double sse = 0;
        used = 0;
        Array.Clear(e);
        for (int t = start; t < w.Length; t++)
        {
            double v = w[t] - mu;
            for (int k = 0; k < al.Length; k++)
            {
                v -= ac[k] * (w[t - al[k]] - mu);
            }

            for (int k = 0; k < ml.Length; k++)
            {
                int lag = t - ml[k];
                if (lag >= 0)
                {
                    v -= mc[k] * e[lag];
                }
            }

            e[t] = v;
            if (t >= sumFrom)
            {
                sse += v * v;
                used++;
            }
        }

        return sse;
    }

    /// <summary>
    /// Fits by CSS. The sum of squares starts at the same index for every order of a search (the largest AR lag the
    /// search allows: 5 + 2m, capped at a third of the sample) so AICc values are comparable across orders.
    /// </summary>
    public static ArimaFit? Fit(double[] y, ArimaOrder o, bool quick = false)
    {
        var w = Difference(y, o.D, o.SD, o.M);
        int np = o.P + o.Q + o.SP + o.SQ;
        int sumFrom = Math.Min(5 + (o.M > 1 ? 2 * o.M : 0), w.Length / 3);
        if (w.Length - sumFrom < np + 10 || w.Length < o.P + o.SP * o.M + 3)
        {
            return null;
        }

        double wMean = Stats.Mean(w);
        var e = new double[w.Length];
        (double[] Ar, double[] Ma, double[] SAr, double[] SMa, double Mu) Unpack(double[] x)
        {
            int k = 0;
            var ar = x[k..(k += o.P)];
            var ma = x[k..(k += o.Q)];
            var sar = x[k..(k += o.SP)];
            var sma = x[k..(k += o.SQ)];
            double mu = o.Constant ? x[k] : 0;
            return (ar, ma, sar, sma, mu);
        }

        double Objective(double[] x)
        {
            var (ar, ma, sar, sma, mu) = Unpack(x);
            if (!IsStationary(ar) || !IsStationary(sar) || !IsStationary([.. ma.Select(v => -v)]) || !IsStationary([.. sma.Select(v => -v)]))
            {
                return 1e300;
            }

            var (al, ac, ml, mc, _) = Operators(ar, sar, ma, sma, o.M);
            if (al.Length > 0 && al[^1] > sumFrom)
            {
                return 1e300;
            }

            double sse = Css(w, mu, al, ac, ml, mc, e, out int used, sumFrom);
            return used * Math.Log(Math.Max(sse / used, 1e-300));
        }

        var start = new double[np + (o.Constant ? 1 : 0)];
        var step = new double[start.Length];
        for (int i = 0; i < np; i++)
        {
            start[i] = 0.1;
            step[i] = 0.1;
        }

        if (o.Constant)
        {
            start[np] = wMean;
            step[np] = Math.Max(Math.Sqrt(Stats.Variance(w) / w.Length), 1e-6);
        }

        double[] best = start;
        double fBest = Objective(start);
        if (start.Length > 0)
        {
            (best, fBest) = NelderMead.Minimize(Objective, start, step, (quick ? 60 : 120) * (start.Length + 1), quick ? 1e-6 : 1e-8);
        }

        if (!double.IsFinite(fBest) || fBest >= 1e299)
        {
            return null;
        }

        var (bar, bma, bsar, bsma, bmu) = Unpack(best);
        var ops = Operators(bar, bsar, bma, bsma, o.M);
        double sseF = Css(w, bmu, ops.ArLag, ops.ArCoef, ops.MaLag, ops.MaCoef, e, out int n, sumFrom);
        double sigma2 = sseF / Math.Max(1, n - start.Length);
        int k = start.Length + 1;
        double aic = n * Math.Log(sseF / n) + 2 * k;
        double aicc = n - k - 1 > 0 ? aic + 2.0 * k * (k + 1) / (n - k - 1) : double.PositiveInfinity;
        var resid = new double[y.Length];
        Array.Copy(e, 0, resid, y.Length - w.Length, w.Length);
        return new ArimaFit
        {
            Order = o,
            Ar = bar,
            Ma = bma,
            SAr = bsar,
            SMa = bsma,
            Mean = bmu,
            Sigma2 = sigma2,
            Aicc = aicc,
            Residuals = resid,
        };
    }

    /// <summary>Forecasts on the original scale with the integrated AR operator, and σ_h from ψ-weights.</summary>
    public static (double[] Mean, double[] Sd) Forecast(double[] y, ArimaFit f, int horizon)
    {
        var o = f.Order;
        var arPoly = Multiply(Poly(f.Ar, 1, -1), Poly(f.SAr, o.M, -1));
        double c = arPoly.Sum() * f.Mean;
        var full = arPoly;
        for (int i = 0; i < o.D; i++)
        {
            full = Multiply(full, [1, -1]);
        }

        for (int i = 0; i < o.SD; i++)
        {
            var s = new double[o.M + 1];
            s[0] = 1;
            s[o.M] = -1;
            full = Multiply(full, s);
        }

        var maPoly = Multiply(Poly(f.Ma, 1, 1), Poly(f.SMa, o.M, 1));
        int n = y.Length;
        var ext = new double[n + horizon];
        Array.Copy(y, ext, n);
        var eExt = new double[n + horizon];
        Array.Copy(f.Residuals, eExt, n);
        for (int t = n; t < n + horizon; t++)
        {
            double v = c;
            for (int k = 1; k < full.Length; k++)
            {
                if (full[k] != 0 && t - k >= 0)
                {
                    v -= full[k] * ext[t - k];
                }
            }

            for (int k = 1; k < maPoly.Length; k++)
            {
                if (maPoly[k] != 0 && t - k >= 0)
                {
                    v += maPoly[k] * eExt[t - k];
                }
            }

            ext[t] = v;
        }

        var psi = new double[horizon];
        psi[0] = 1;
        for (int j = 1; j < horizon; j++)
        {
            double v = j < maPoly.Length ? maPoly[j] : 0;
            for (int i = 1; i <= j && i < full.Length; i++)
            {
                v -= full[i] * psi[j - i];
            }

            psi[j] = v;
        }

        var sd = new double[horizon];
        double acc = 0;
        for (int h = 0; h < horizon; h++)
        {
            acc += psi[h] * psi[h];
            sd[h] = Math.Sqrt(f.Sigma2 * acc);
        }

        return (ext[n..], sd);
    }

    /// <summary>KPSS level-stationarity statistic with Newey–West variance, lag ⌊4(n/100)^{1/4}⌋.</summary>
    public static double Kpss(double[] y)
    {
        int n = y.Length;
        double m = Stats.Mean(y);
        double s = 0, ss = 0;
        var e = new double[n];
        for (int i = 0; i < n; i++)
        {
            e[i] = y[i] - m;
            s += e[i];
            ss += s * s;
        }

        int lags = (int)Math.Floor(4 * Math.Pow(n / 100.0, 0.25));
        double lrv = 0;
        for (int i = 0; i < n; i++)
        {
            lrv += e[i] * e[i];
        }

        lrv /= n;
        for (int l = 1; l <= lags; l++)
        {
            double c = 0;
            for (int i = l; i < n; i++)
            {
                c += e[i] * e[i - l];
            }

            lrv += 2 * (1 - l / (lags + 1.0)) * c / n;
        }

        return lrv <= 0 ? 0 : ss / (n * (double)n * lrv);
    }
}
