namespace Dwcp.Forecasting.Models;

/// <summary>Forecasts of a fitted ETS model: point forecasts, analytic standard deviations and simulated paths.</summary>
internal static class EtsForecast
{
    /// <summary>Point forecasts by running the state equations with zero errors.</summary>
    public static double[] PointForecast(EtsFit f, int horizon)
    {
        var r = new double[horizon];
        double phiSum = 0;
        double phiPow = 1;
        for (int h = 1; h <= horizon; h++)
        {
            phiPow *= f.Spec.Trend == EtsTrend.Damped ? f.Phi : 1;
            phiSum += f.Spec.Trend == EtsTrend.None ? 0 : phiPow;
            double q = f.Level + phiSum * f.Slope;
            double s = f.Period > 0 ? f.Seasonal[(f.N + h - 1) % f.Period] : 0;
            r[h - 1] = f.Spec.Season switch
            {
                EtsSeason.None => q,
                EtsSeason.Additive => q + s,
                _ => q * s,
            };
        }

        return r;
    }

    /// <summary>Analytic standard deviations for the linear class (additive error, N/A/Ad trend, N/A season).</summary>
    public static double[]? AnalyticSd(EtsFit f, int horizon)
    {
        if (f.Spec.MultiplicativeError || f.Spec.Season == EtsSeason.Multiplicative)
        {
            return null;
        }

        var sd = new double[horizon];
        double acc = 1;
        double phiSum = 0, phiPow = 1;
        for (int h = 1; h <= horizon; h++)
        {
            sd[h - 1] = Math.Sqrt(f.Sigma2 * acc);
            int j = h; // c_j for the next step
            phiPow *= f.Spec.Trend == EtsTrend.Damped ? f.Phi : 1;
            phiSum += f.Spec.Trend == EtsTrend.None ? 0 : phiPow;
            double c = f.Alpha + f.Beta * phiSum + (f.Period > 0 && j % f.Period == 0 ? f.Gamma : 0);
            acc += c * c;
        }

        return sd;
    }

    /// <summary>Simulated future sample paths (seeded, normal errors with the fitted variance).</summary>
    public static double[][] Simulate(EtsFit f, int horizon, int paths, int seed)
    {
        var rng = new Random(seed);
        var result = new double[paths][];
        double sigma = Math.Sqrt(f.Sigma2);
        var s = new double[Math.Max(f.Period, 1)];
        for (int p = 0; p < paths; p++)
        {
            double l = f.Level, b = f.Slope;
            if (f.Period > 0)
            {
                Array.Copy(f.Seasonal, s, f.Period);
            }

            var path = new double[horizon];
            for (int h = 0; h < horizon; h++)
            {
                double phib = f.Spec.Trend == EtsTrend.None ? 0 : (f.Spec.Trend == EtsTrend.Damped ? f.Phi : 1) * b;
                double q = l + phib;
                int si = f.Period > 0 ? (f.N + h) % f.Period : 0;
                double sOld = f.Period > 0 ? s[si] : 0;
                double mu = f.Spec.Season switch { EtsSeason.None => q, EtsSeason.Additive => q + sOld, _ => q * sOld };
                double z = Gaussian(rng) * sigma;
                double yv = f.Spec.MultiplicativeError ? mu * (1 + z) : mu + z;
                path[h] = yv;
                double pp = f.Spec.Season switch { EtsSeason.None => yv, EtsSeason.Additive => yv - sOld, _ => yv / sOld };
                double lNew = q + f.Alpha * (pp - q);
                if (f.Spec.Trend != EtsTrend.None)
                {
                    b = phib + f.Beta / f.Alpha * (lNew - l - phib);
                }

                if (f.Period > 0)
                {
                    double tt = f.Spec.Season == EtsSeason.Additive ? yv - q : yv / q;
                    s[si] = sOld + f.Gamma * (tt - sOld);
                }

                l = lNew;
            }

            result[p] = path;
        }

        return result;
    }

    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
