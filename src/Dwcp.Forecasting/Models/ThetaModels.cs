using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Models;

/// <summary>
/// The standard Theta method in the SES-with-drift form of Hyndman &amp; Billah (2003), with M4 seasonal adjustment
/// (classical multiplicative decomposition when the 90% autocorrelation test at the first period says "seasonal").
/// With SES level ℓ_n and smoothing α fitted by maximum likelihood, and b the least-squares slope of y on t = 1..n:
/// ŷ_{n+h} = ℓ_n + (b/2)·[h + (1−α)/α·(1 − (1−α)^n)], which equals the average of the θ=0 line extrapolation and SES
/// on the θ=2 line (2y − a − bt, initial level 2ℓ_0 − a). σ_h = σ·√(1 + α²(h−1)).
/// </summary>
public sealed class ThetaModel : ModelBase
{
    /// <inheritdoc />
    public override string Name => "theta";

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        if (y.Length < 3)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "Theta→Naive (fewer than 3 points)" };
        }

        var (sa, dec) = SeasonalAdjustment.Apply(y, periods);
        var inner = Forecast(sa, horizon, out _, out _);
        return SeasonalAdjustment.Restore(inner, dec, y.Length, dec is null ? "Theta" : $"Theta[{dec.Period}]");
    }

    internal static ModelOutput Forecast(double[] y, int horizon, out double alpha, out double level)
    {
        int n = y.Length;
        var ses = EtsCore.Fit(y, new EtsSpec(false, EtsTrend.None, EtsSeason.None), 0)
            ?? throw new InvalidOperationException("SES fit failed.");
        alpha = ses.Alpha;
        level = ses.Level;
        var (_, b) = Stats.LinearTrend(y);
        var mean = new double[horizon];
        var sd = new double[horizon];
        double sigma = Math.Sqrt(ses.Sigma2);
        double tail = (1 - alpha) / alpha * (1 - Math.Pow(1 - alpha, n));
        for (int h = 1; h <= horizon; h++)
        {
            mean[h - 1] = level + b / 2 * (h + tail);
            sd[h - 1] = sigma * Math.Sqrt(1 + alpha * alpha * (h - 1));
        }

        return new ModelOutput("Theta", mean, sd);
    }
}

/// <summary>
/// Optimised Theta (Fiorucci et al. 2016): θ-line Z_t = θ·y_t + (1−θ)(A + Bt) smoothed by SES, forecast
/// ŷ_{n+h} = (1 − 1/θ)(A + B(n+h)) + ℓ_n/θ, with θ ∈ [1, 5], α and ℓ_0 chosen by least squares on one-step
/// errors. Same M4 seasonal adjustment as <see cref="ThetaModel"/>. Intervals: σ·√(1 + (α/θ)²(h−1)) (approximate).
/// </summary>
public sealed class OptimizedThetaModel : ModelBase
{
    /// <inheritdoc />
    public override string Name => "otm";

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        if (y.Length < 4)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "OTM→Naive (fewer than 4 points)" };
        }

        var (sa, dec) = SeasonalAdjustment.Apply(y, periods);
        var inner = Forecast(sa, horizon);
        return SeasonalAdjustment.Restore(inner, dec, y.Length, dec is null ? "OTM" : $"OTM[{dec.Period}]");
    }

    private static ModelOutput Forecast(double[] y, int horizon)
    {
        int n = y.Length;
        var (a, b) = Stats.LinearTrend(y);
        double Sse(double alpha, double theta, double l0, out double lN)
        {
            double l = l0, sse = 0;
            for (int t = 1; t <= n; t++)
            {
                double line = a + b * t;
                double f = (1 - 1 / theta) * line + l / theta;
                double e = y[t - 1] - f;
                sse += e * e;
                double z = theta * y[t - 1] + (1 - theta) * line;
                l = alpha * z + (1 - alpha) * l;
            }

            lN = l;
            return sse;
        }

        double Objective(double[] x)
        {
            if (x[0] < 1e-3 || x[0] > 0.999 || x[1] < 1 || x[1] > 5)
            {
                return 1e300;
            }

            return Sse(x[0], x[1], x[2], out _);
        }

        double scale = Math.Max(Math.Sqrt(Stats.Variance(y)) * 0.1, 1e-3);
        var (best, _) = NelderMead.Minimize(Objective, [0.3, 2, y[0]], [0.1, 0.5, scale], 600, 1e-9);
        double sse = Sse(best[0], best[1], best[2], out double ln);
        double sigma = Math.Sqrt(sse / Math.Max(1, n - 3));
        double ae = best[0] / best[1];
        var mean = new double[horizon];
        var sd = new double[horizon];
        for (int h = 1; h <= horizon; h++)
        {
            mean[h - 1] = (1 - 1 / best[1]) * (a + b * (n + h)) + ln / best[1];
            sd[h - 1] = sigma * Math.Sqrt(1 + ae * ae * (h - 1));
        }

        return new ModelOutput($"OTM(θ={best[1].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)})", mean, sd);
    }
}
