using Dwcp.Forecasting.Analysis;
using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Models;

internal enum EtsTrend
{
    None,
    Additive,
    Damped,
}

internal enum EtsSeason
{
    None,
    Additive,
    Multiplicative,
}

/// <summary>An ETS form (error, trend, season) in the taxonomy of Hyndman et al. (2008).</summary>
internal readonly record struct EtsSpec(bool MultiplicativeError, EtsTrend Trend, EtsSeason Season)
{
    public override string ToString() =>
        $"ETS({(MultiplicativeError ? 'M' : 'A')},{Trend switch { EtsTrend.None => "N", EtsTrend.Additive => "A", _ => "Ad" }},{Season switch { EtsSeason.None => "N", EtsSeason.Additive => "A", _ => "M" }})";
}

/// <summary>A fitted ETS model: parameters, final states and fit statistics.</summary>
internal sealed class EtsFit
{
    public required EtsSpec Spec { get; init; }

    public required int Period { get; init; }

    public required double Alpha { get; init; }

    public required double Beta { get; init; }

    public required double Gamma { get; init; }

    public required double Phi { get; init; }

    public required double Level { get; init; }

    public double InitialLevel { get; init; }

    public double InitialSlope { get; init; }

    public required double Slope { get; init; }

    /// <summary>Final seasonal states, indexed by time mod period.</summary>
    public required double[] Seasonal { get; init; }

    public required double Sigma2 { get; init; }

    public required double Aicc { get; init; }

    public required int N { get; init; }
}

/// <summary>ETS estimation by maximum likelihood (Nelder–Mead on smoothing parameters and initial level/slope).</summary>
internal static class EtsCore
{
    private const double Big = 1e12;

    /// <summary>
    /// Runs the state equations over y and returns −2·log L up to a constant:
    /// n·log(Σe²/n) (+ 2·Σ log|ŷ_t| for multiplicative error). Returns +∞ if a state or forecast becomes invalid.
    /// </summary>
    public static double Filter(
        ReadOnlySpan<double> y, EtsSpec spec, int m, double alpha, double beta, double gamma, double phi,
        ref double l, ref double b, Span<double> s, out double sse)
    {
        sse = 0;
        double logSum = 0, prod = 1;
        int n = y.Length;
        bool trend = spec.Trend != EtsTrend.None;
        bool addSeason = spec.Season == EtsSeason.Additive && m > 0;
        bool multSeason = spec.Season == EtsSeason.Multiplicative && m > 0;
        bool multError = spec.MultiplicativeError;
        double ph = spec.Trend == EtsTrend.Damped ? phi : 1;
        double bRatio = beta / alpha;
        int si = 0;
        for (int t = 0; t < n; t++)
        {
            double phib = trend ? ph * b : 0;
            double q = l + phib;
            double sOld = m > 0 ? s[si] : 0;
            double yt = y[t];
            double mu, p, tt = 0;
            if (addSeason)
            {
                mu = q + sOld;
                p = yt - sOld;
                tt = yt - q;
            }
            else if (multSeason)
            {
                if (q <= 0)
                {
                    return double.PositiveInfinity;
                }

                mu = q * sOld;
                p = yt / sOld;
                tt = yt / q;
            }
            else
            {
                mu = q;
                p = yt;
            }

            double e;
            if (multError)
            {
                if (!(Math.Abs(mu) > 1e-10))
                {
                    return double.PositiveInfinity;
                }

                e = (yt - mu) / mu;
                prod *= Math.Abs(mu);
                if (prod > 1e200 || prod < 1e-200)
                {
                    logSum += Math.Log(prod);
                    prod = 1;
                }
            }
            else
            {
                e = yt - mu;
            }

            sse += e * e;
            double lNew = q + alpha * (p - q);
            if (trend)
            {
                b = phib + bRatio * (lNew - l - phib);
            }

            if (m > 0)
            {
                s[si] = sOld + gamma * (tt - sOld);
                if (++si == m)
                {
                    si = 0;
                }
            }

            l = lNew;
        }

        if (!double.IsFinite(l) || !double.IsFinite(sse))
        {
            return double.PositiveInfinity;
        }

        double lik = n * Math.Log(Math.Max(sse / n, 1e-300));
        if (spec.MultiplicativeError)
        {
            lik += 2 * (logSum + Math.Log(prod));
        }

        return lik;
    }

    /// <summary>Heuristic initial states (classical decomposition of the first cycles; regression on the first 10 adjusted points).</summary>
    public static (double L0, double B0, double[] S0) InitialStates(ReadOnlySpan<double> y, EtsSpec spec, int m)
    {
        int n = y.Length;
        double[] s0 = [];
        double[] adj;
        if (spec.Season != EtsSeason.None)
        {
            int nInit = Math.Min(n, Math.Max(4 * m, 2 * m));
            var dec = ClassicalDecomposition.Fit(y[..nInit], m, spec.Season == EtsSeason.Multiplicative);
            s0 = (double[])dec.Indices.Clone();
            adj = dec.Adjust(y[..Math.Min(n, 10)]);
        }
        else
        {
            adj = y[..Math.Min(n, 10)].ToArray();
        }

        if (spec.Trend == EtsTrend.None || adj.Length < 2)
        {
            return (Stats.Mean(adj.AsSpan(0, Math.Min(adj.Length, m > 0 ? m : 3))), 0, s0);
        }

        var (a, slope) = Stats.LinearTrend(adj);
        return (a, slope, s0);
    }

    /// <summary>
    /// Maximum-likelihood fit of one form. <paramref name="quick"/> (used while searching forms) halves the simplex
    /// budget and skips the restart; the chosen form is then refitted in full.
    /// </summary>
    public static EtsFit? Fit(double[] y, EtsSpec spec, int m, bool quick = false)
    {
        int n = y.Length;
        bool seasonal = spec.Season != EtsSeason.None;
        if (!seasonal)
        {
            m = 0;
        }

        var (l0, b0, s0) = InitialStates(y, spec, m);
        bool trend = spec.Trend != EtsTrend.None;
        bool damped = spec.Trend == EtsTrend.Damped;
        var start = new List<double> { seasonal ? 0.1 : 0.3 };
        if (trend)
        {
            start.Add(0.01);
        }

        if (seasonal)
        {
            start.Add(0.05);
        }

        if (damped)
        {
            start.Add(0.95);
        }

        start.Add(l0);
        if (trend)
        {
            start.Add(b0);
        }

        double scale = Math.Max(Math.Abs(l0) * 0.1, Stats.Variance(y) > 0 ? Math.Sqrt(Stats.Variance(y)) * 0.1 : 1e-3);
        var step = new double[start.Count];
        for (int i = 0; i < step.Length; i++)
        {
            step[i] = 0.05;
        }

        int li = start.Count - (trend ? 2 : 1);
        step[li] = scale;
        if (trend)
        {
            step[li + 1] = Math.Max(Math.Abs(b0) * 0.2, scale * 0.05);
        }

        var sWork = new double[Math.Max(m, 1)];
        (double A, double B, double G, double P, double L, double Bs) Unpack(double[] x)
        {
            int k = 0;
            double a = x[k++];
            double be = trend ? x[k++] : 0;
            double g = seasonal ? x[k++] : 0;
            double p = damped ? x[k++] : 1;
            double l = x[k++];
            double bs = trend ? x[k] : 0;
            return (a, be, g, p, l, bs);
        }

        double Objective(double[] x)
        {
            var (a, be, g, p, l, bs) = Unpack(x);
            double pen = 0;
            if (a < 1e-4 || a > 0.9999)
            {
                pen += Big;
            }

            if (trend && (be < 1e-4 || be > a))
            {
                pen += Big;
            }

            if (seasonal && (g < 1e-4 || g > 1 - a))
            {
                pen += Big;
            }

            if (damped && (p < 0.8 || p > 0.98))
            {
                pen += Big;
            }

            if (pen > 0)
            {
                return pen;
            }

            if (seasonal)
            {
                Array.Copy(s0, sWork, m);
            }

            double lik = Filter(y, spec, m, a, be, g, p, ref l, ref bs, sWork, out _);
            return double.IsFinite(lik) ? lik : Big;
        }

        int maxEvals = (100 * start.Count + 100) / (quick ? 2 : 1);
        var (best, fBest) = NelderMead.Minimize(Objective, [.. start], step, maxEvals, quick ? 1e-5 : 1e-6);
        if (fBest >= Big)
        {
            return null;
        }

        // One restart from the optimum helps Nelder–Mead escape a collapsed simplex.
        var (best2, fBest2) = quick ? (best, fBest) : NelderMead.Minimize(Objective, best, step.Select(v => v * 0.3).ToArray(), maxEvals / 3, 1e-7);
        if (fBest2 < fBest)
        {
            best = best2;
            fBest = fBest2;
        }

        var (al, bet, gam, phi, lv, bv) = Unpack(best);
        var sFinal = seasonal ? (double[])s0.Clone() : [];
        double lF = lv, bF = bv;
        Filter(y, spec, m, al, bet, gam, phi, ref lF, ref bF, sFinal, out double sse);
        int k = 1 + (trend ? 2 : 1) + (seasonal ? 1 + (m - 1) : 0) + (damped ? 1 : 0) + 1; // alpha, l0, (beta,b0), (gamma, m-1 seeds), (phi), sigma
        double aic = fBest + 2 * k;
        double aicc = n - k - 1 > 0 ? aic + 2.0 * k * (k + 1) / (n - k - 1) : double.PositiveInfinity;
        return new EtsFit
        {
            Spec = spec,
            Period = m,
            Alpha = al,
            Beta = bet,
            Gamma = gam,
            Phi = phi,
            Level = lF,
            InitialLevel = lv,
            InitialSlope = bv,
            Slope = bF,
            Seasonal = sFinal,
            Sigma2 = sse / Math.Max(1, n - k + 1),
            Aicc = aicc,
            N = n,
        };
    }
}
