namespace Dwcp.Bench.Forecast;

/// <summary>M4 accuracy measures for one forecast.</summary>
internal static class Metrics
{
    /// <summary>sMAPE in percent: mean of 200·|y − f| / (|y| + |f|).</summary>
    public static double Smape(double[] actual, IReadOnlyList<double> f)
    {
        double s = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs(actual[i]) + Math.Abs(f[i]);
            s += d == 0 ? 0 : 200 * Math.Abs(actual[i] - f[i]) / d;
        }

        return s / actual.Length;
    }

    /// <summary>In-sample MAE of the seasonal naive forecast with lag m (m = 1: naive).</summary>
    public static double Scale(double[] train, int m)
    {
        int lag = train.Length > m ? m : 1;
        double s = 0;
        for (int i = lag; i < train.Length; i++)
        {
            s += Math.Abs(train[i] - train[i - lag]);
        }

        double scale = s / (train.Length - lag);
        return scale > 0 ? scale : 1e-9;
    }

    /// <summary>MASE: mean |y − f| divided by the seasonal-naive in-sample scale.</summary>
    public static double Mase(double[] actual, IReadOnlyList<double> f, double scale)
    {
        double s = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            s += Math.Abs(actual[i] - f[i]);
        }

        return s / actual.Length / scale;
    }

    /// <summary>MSIS at level 1 − a: mean of (U − L) + (2/a)(L − y)⁺ + (2/a)(y − U)⁺, divided by the scale.</summary>
    public static double Msis(double[] actual, IReadOnlyList<double> lo, IReadOnlyList<double> hi, double a, double scale)
    {
        double s = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            s += hi[i] - lo[i];
            if (actual[i] < lo[i])
            {
                s += 2 / a * (lo[i] - actual[i]);
            }

            if (actual[i] > hi[i])
            {
                s += 2 / a * (actual[i] - hi[i]);
            }
        }

        return s / actual.Length / scale;
    }

    /// <summary>Share of actuals inside [lo, hi].</summary>
    public static double Coverage(double[] actual, IReadOnlyList<double> lo, IReadOnlyList<double> hi)
    {
        int c = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] >= lo[i] && actual[i] <= hi[i])
            {
                c++;
            }
        }

        return c / (double)actual.Length;
    }
}
