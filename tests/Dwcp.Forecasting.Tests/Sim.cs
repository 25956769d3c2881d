namespace Dwcp.Forecasting.Tests;

/// <summary>Seeded series generators for tests.</summary>
internal static class Sim
{
    public static double Gauss(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static double[] Ar1(int n, double phi, double mean, double sd, int seed)
    {
        var rng = new Random(seed);
        var y = new double[n];
        double x = 0;
        for (int i = 0; i < 200 + n; i++)
        {
            x = phi * x + sd * Gauss(rng);
            if (i >= 200)
            {
                y[i - 200] = mean + x;
            }
        }

        return y;
    }

    public static double[] RandomWalk(int n, double sd, double start, int seed)
    {
        var rng = new Random(seed);
        var y = new double[n];
        double x = start;
        for (int i = 0; i < n; i++)
        {
            x += sd * Gauss(rng);
            y[i] = x;
        }

        return y;
    }

    /// <summary>Level + daily (24) and weekly (168) sine seasonality + noise.</summary>
    public static double[] TwoSeasons(int n, double noise, int seed)
    {
        var rng = new Random(seed);
        var y = new double[n];
        for (int t = 0; t < n; t++)
        {
            y[t] = Truth(t) + noise * Gauss(rng);
        }

        return y;
    }

    public static double Truth(int t) => 10 + 3 * Math.Sin(2 * Math.PI * t / 24) + 2 * Math.Sin(2 * Math.PI * t / 168);
}
