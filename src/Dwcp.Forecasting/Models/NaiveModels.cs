using Dwcp.Forecasting.Analysis;

namespace Dwcp.Forecasting.Models;

/// <summary>Random walk: every forecast equals the last value; σ_h = σ·√h with σ² the mean squared one-step difference.</summary>
public sealed class NaiveModel : ModelBase
{
    /// <inheritdoc />
    public override string Name => "naive";

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        int n = y.Length;
        double s2 = 0;
        for (int i = 1; i < n; i++)
        {
            s2 += (y[i] - y[i - 1]) * (y[i] - y[i - 1]);
        }

        double sigma = n > 1 ? Math.Sqrt(s2 / (n - 1)) : 0;
        var mean = new double[horizon];
        var sd = new double[horizon];
        for (int h = 1; h <= horizon; h++)
        {
            mean[h - 1] = y[n - 1];
            sd[h - 1] = sigma * Math.Sqrt(h);
        }

        return new ModelOutput("Naive", mean, sd);
    }
}

/// <summary>Seasonal random walk on the largest period with two full cycles: ŷ_{n+h} = y_{n+h−m(k+1)}, σ_h = σ·√(k+1), k = ⌊(h−1)/m⌋.</summary>
public sealed class SeasonalNaiveModel : ModelBase
{
    /// <inheritdoc />
    public override string Name => "snaive";

    /// <inheritdoc />
    public override int MinimumLength(IReadOnlyList<int> periods) => periods.Count == 0 ? 1 : 2 * periods.Min();

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        int n = y.Length;
        int m = UsablePeriod(periods, n, 2, largest: true);
        if (m == 0)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "SNaive→Naive (no full season)" };
        }

        return Forecast(y, horizon, m);
    }

    internal static ModelOutput Forecast(double[] y, int horizon, int m)
    {
        int n = y.Length;
        double s2 = 0;
        for (int i = m; i < n; i++)
        {
            s2 += (y[i] - y[i - m]) * (y[i] - y[i - m]);
        }

        double sigma = Math.Sqrt(s2 / (n - m));
        var mean = new double[horizon];
        var sd = new double[horizon];
        for (int h = 1; h <= horizon; h++)
        {
            int k = (h - 1) / m;
            mean[h - 1] = y[n - m + ((h - 1) % m)];
            sd[h - 1] = sigma * Math.Sqrt(k + 1);
        }

        return new ModelOutput($"SNaive[{m}]", mean, sd);
    }
}

/// <summary>Random walk with drift b = (y_n − y_1)/(n − 1): ŷ_{n+h} = y_n + h·b, σ_h = σ·√(h(1 + h/(n−1))).</summary>
public sealed class DriftModel : ModelBase
{
    /// <inheritdoc />
    public override string Name => "drift";

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        int n = y.Length;
        if (n < 2)
        {
            return new NaiveModel().Run(y, horizon, periods) with { Detail = "Drift→Naive (1 point)" };
        }

        double b = (y[n - 1] - y[0]) / (n - 1);
        double s2 = 0;
        for (int i = 1; i < n; i++)
        {
            double e = y[i] - y[i - 1] - b;
            s2 += e * e;
        }

        double sigma = n > 2 ? Math.Sqrt(s2 / (n - 2)) : 0;
        var mean = new double[horizon];
        var sd = new double[horizon];
        for (int h = 1; h <= horizon; h++)
        {
            mean[h - 1] = y[n - 1] + h * b;
            sd[h - 1] = sigma * Math.Sqrt(h * (1 + h / (double)(n - 1)));
        }

        return new ModelOutput("Drift", mean, sd);
    }
}

/// <summary>
/// M4 "Naive2": naive on the seasonally adjusted series (classical multiplicative decomposition on the first period,
/// applied only when the 90% autocorrelation test says the series is seasonal), reseasonalised.
/// </summary>
public sealed class Naive2Model : ModelBase
{
    /// <inheritdoc />
    public override string Name => "naive2";

    internal override ModelOutput Run(double[] y, int horizon, int[] periods)
    {
        var (sa, dec) = SeasonalAdjustment.Apply(y, periods);
        var inner = new NaiveModel().Run(sa, horizon, periods);
        return SeasonalAdjustment.Restore(inner, dec, y.Length, dec is null ? "Naive2" : $"Naive2[{dec.Period}]");
    }
}

/// <summary>The M4 seasonal-adjustment rule shared by Naive2 and Theta.</summary>
internal static class SeasonalAdjustment
{
    public static (double[] Adjusted, ClassicalDecomposition? Decomposition) Apply(double[] y, int[] periods)
    {
        int m = periods.Length == 0 ? 0 : periods.Min();
        if (m >= 2 && ClassicalDecomposition.IsSeasonal(y, m))
        {
            var dec = ClassicalDecomposition.Fit(y, m);
            return (dec.Adjust(y), dec);
        }

        return (y, null);
    }

    public static ModelOutput Restore(ModelOutput inner, ClassicalDecomposition? dec, int n, string detail)
    {
        if (dec is null)
        {
            return inner with { Detail = detail };
        }

        var mean = (double[])inner.Mean.Clone();
        dec.Reseasonalize(mean, n);
        double[]? sd = null;
        if (inner.StdDev is { } s)
        {
            sd = new double[s.Length];
            for (int i = 0; i < s.Length; i++)
            {
                sd[i] = dec.Multiplicative ? s[i] * dec.IndexAt(n + i) : s[i];
            }
        }

        double[][]? paths = null;
        if (inner.Paths is { } ps)
        {
            paths = new double[ps.Length][];
            for (int p = 0; p < ps.Length; p++)
            {
                paths[p] = (double[])ps[p].Clone();
                dec.Reseasonalize(paths[p], n);
            }
        }

        return new ModelOutput(detail, mean, sd, paths);
    }
}
