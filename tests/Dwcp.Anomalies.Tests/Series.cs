namespace Dwcp.Anomalies.Tests;

/// <summary>Seeded synthetic series for the tests.</summary>
internal static class Series
{
    /// <summary>level + amplitude·sin(2πt/period) + N(0, noise²), Box-Muller from a seeded Random.</summary>
    public static double[] Seasonal(int n, int period, double noise, int seed, double level = 100, double amplitude = 10)
    {
        var rng = new Random(seed);
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = period > 0 ? amplitude * Math.Sin(2 * Math.PI * i / period) : 0;
            x[i] = level + s + (noise * Gaussian(rng));
        }

        return x;
    }

    public static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static int ArgMax(IReadOnlyList<double> values, int from = 0)
    {
        var best = from;
        for (var i = from; i < values.Count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    public static double[] Online(Detectors.IOnlineDetector detector, double[] values) => values.Select(detector.Update).ToArray();
}
