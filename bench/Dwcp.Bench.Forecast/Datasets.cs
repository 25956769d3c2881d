using System.Globalization;

namespace Dwcp.Bench.Forecast;

/// <summary>One evaluation case: history, held-out future, seasonal periods for the models and the MASE lag.</summary>
/// <summary>
/// One forecast case. <paramref name="Oracle"/>: for generated series, the noise-free continuation given the generator's
/// hidden state at the end of the training part (future shocks set to zero), i.e. a forecast no method can beat on
/// average; null for real data.
/// </summary>
internal sealed record EvalCase(string Id, double[] Train, double[] Test, int[] Periods, int MaseLag, double[]? Oracle = null);

/// <summary>
/// An evaluation data set. <paramref name="GbmTrain"/>: the series the global model trains on when the cases are
/// overlapping windows of one series (a later case's history contains an earlier case's test window), else null
/// (train on every case's history).
/// </summary>
internal sealed record EvalSet(string Name, string Description, int Horizon, IReadOnlyList<EvalCase> Cases, IReadOnlyList<double[]>? GbmTrain = null);

/// <summary>The data sets of the harness: NYC taxi (real) and seeded synthetic hourly and weekly series.</summary>
internal static class Datasets
{
    public static double[] LoadNab(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || !lines[0].StartsWith("timestamp,value", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}:1: expected header 'timestamp,value'.");
        }

        var v = new double[lines.Length - 1];
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length != 2 || !double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i - 1]))
            {
                throw new InvalidDataException($"{path}:{i + 1}: expected 'timestamp,value' with a numeric value, got '{lines[i]}'.");
            }
        }

        return v;
    }

    /// <summary>NYC taxi: <paramref name="origins"/> daily origins over the last days, each forecasting 48 half-hours from up to 6 weeks of history.</summary>
    public static EvalSet NycTaxi(string path, int origins = 14)
    {
        var y = LoadNab(path);
        var cases = new List<EvalCase>();
        const int h = 48, history = 336 * 6;
        for (int k = origins; k >= 1; k--)
        {
            int end = y.Length - k * h;
            cases.Add(new EvalCase($"taxi@{end}", y[Math.Max(0, end - history)..end], y[end..(end + h)], [48, 336], 48));
        }

        // The global model trains on the first case's history only: it ends before every test window.
        return new EvalSet("nyc_taxi", $"NAB nyc_taxi (30-min), {origins} daily origins over the last {origins} days, 6 weeks of history each, h=48, periods 48/336; gbm trained on the history before the first origin", h, cases, [cases[0].Train]);
    }

    /// <summary>Hourly series with daily and weekly seasonality, exponential trend and AR(1) multiplicative noise.</summary>
    public static EvalSet SyntheticHourly(int count, int seed, int horizon = 48)
    {
        var rng = new Random(seed);
        var cases = new List<EvalCase>();
        for (int s = 0; s < count; s++)
        {
            int n = rng.Next(600, 961) + horizon;
            double level = Math.Exp(3 + 5 * rng.NextDouble());
            double a1 = 0.1 + 0.4 * rng.NextDouble(), a2 = 0.15 * rng.NextDouble();
            double p1 = 2 * Math.PI * rng.NextDouble(), p2 = 2 * Math.PI * rng.NextDouble();
            double weekend = 0.4 * rng.NextDouble();
            double g = Gauss(rng) * 0.0003;
            double phi = 0.3 + 0.5 * rng.NextDouble(), sd = 0.02 + 0.13 * rng.NextDouble();
            double e = 0;
            var y = new double[n];
            for (int t = 0; t < n; t++)
            {
                e = phi * e + sd * Math.Sqrt(1 - phi * phi) * Gauss(rng);
                double daily = a1 * Math.Sin(2 * Math.PI * t / 24 + p1) + a2 * Math.Sin(4 * Math.PI * t / 24 + p2);
                int day = t / 24 % 7;
                double week = day >= 5 ? 1 - weekend : 1;
                y[t] = level * Math.Exp(g * t) * (1 + daily) * week * Math.Exp(e);
            }

            cases.Add(new EvalCase($"H{s + 1}", y[..(n - horizon)], y[(n - horizon)..], [24, 168], 24));
        }

        return new EvalSet("synthetic_hourly", $"{count} seeded hourly series (seed {seed}), 600–960 points, daily+weekly season, trend, AR(1) noise, h={horizon}", horizon, cases);
    }

    /// <summary>Weekly series: local level with drift, weak yearly seasonality, multiplicative noise.</summary>
    public static EvalSet SyntheticWeekly(int count, int seed, int horizon = 13)
    {
        var rng = new Random(seed);
        var cases = new List<EvalCase>();
        for (int s = 0; s < count; s++)
        {
            int n = rng.Next(150, 601) + horizon;
            double level = Math.Exp(4 + 4 * rng.NextDouble());
            double drift = Gauss(rng) * 0.003, eta = 0.005 + 0.03 * rng.NextDouble();
            double amp = 0.15 * rng.NextDouble(), ph = 2 * Math.PI * rng.NextDouble(), sd = 0.01 + 0.06 * rng.NextDouble();
            var y = new double[n];
            double l = level;
            for (int t = 0; t < n; t++)
            {
                l *= Math.Exp(drift + eta * Gauss(rng));
                y[t] = l * (1 + amp * Math.Sin(2 * Math.PI * t / 52.1775 + ph)) * Math.Exp(sd * Gauss(rng));
            }

            cases.Add(new EvalCase($"W{s + 1}", y[..(n - horizon)], y[(n - horizon)..], [52], 1));
        }

        return new EvalSet("synthetic_weekly", $"{count} seeded weekly series (seed {seed}), 150–600 points, drifting local level, yearly season, h={horizon}, MASE lag 1 (as M4)", horizon, cases);
    }

    /// <summary>Speed data: hourly series of fixed length.</summary>
    public static double[][] SpeedSeries(int count, int length, int seed)
    {
        var set = SyntheticHourly(count, seed, 48);
        return [.. set.Cases.Select(c => c.Train.Concat(c.Test).ToArray()[..Math.Min(length, c.Train.Length + c.Test.Length)])
            .Select((y, i) => y.Length >= length ? y : Extend(y, length, seed + i))];
    }

    private static double[] Extend(double[] y, int length, int seed)
    {
        var rng = new Random(seed);
        var r = new double[length];
        for (int t = 0; t < length; t++)
        {
            r[t] = t < y.Length ? y[t] : r[t - 168] * Math.Exp(0.05 * Gauss(rng));
        }

        return r;
    }

    public static double Gauss(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
