namespace Dwcp.Bench.Forecast;

/// <summary>
/// Generated sets shaped after the M4 hourly and weekly series (not the M4 data itself): lengths, seasonal shapes and
/// trend types as described for M4. The older <see cref="Datasets.SyntheticHourly"/> / <see cref="Datasets.SyntheticWeekly"/>
/// sets stay for comparison.
/// </summary>
internal static class M4LikeDatasets
{
    /// <summary>
    /// M4-like hourly: 700 or 960 training points (as most M4 hourly series), h = 48; a non-sinusoidal daily profile
    /// (2–4 peaks of random position and width), a weekday/weekend profile change, a random start hour and weekday,
    /// multiplicative patterns for about two thirds of the series and additive ones otherwise, slow trends, occasional
    /// level shifts, slowly drifting seasonal amplitude and AR(1) noise.
    /// </summary>
    public static EvalSet Hourly(int count, int seed, int horizon = 48)
    {
        var rng = new Random(seed);
        var cases = new List<EvalCase>();
        for (int s = 0; s < count; s++)
        {
            double u = rng.NextDouble();
            int nTrain = u < 0.55 ? 700 : u < 0.9 ? 960 : rng.Next(700, 961);
            int n = nTrain + horizon;
            var weekday = Profile(rng);
            var weekend = Profile(rng);
            double mix = rng.NextDouble() < 0.5 ? 0.1 + 0.6 * rng.NextDouble() : 0;
            double weekendLevel = rng.NextDouble() < 0.6 ? -0.5 * rng.NextDouble() : 0.2 * (rng.NextDouble() - 0.5);
            double amp = 0.15 + 1.1 * rng.NextDouble();
            int startHour = rng.Next(24), startDay = rng.Next(7);
            bool multiplicative = rng.NextDouble() < 0.65;
            double level = Math.Exp(2 + 7 * rng.NextDouble());
            double g = Datasets.Gauss(rng) * 0.0004;
            double phi = 0.3 + 0.6 * rng.NextDouble(), sd = 0.02 + 0.16 * rng.NextDouble();
            int shiftAt = rng.NextDouble() < 0.2 ? rng.Next(n / 4, n - horizon) : -1;
            double shift = Datasets.Gauss(rng) * 0.2;
            double e = 0, ampWalk = 0, eO = 0, ampO = 0;
            var y = new double[n];
            var oracle = new double[horizon];
            for (int t = 0; t < n; t++)
            {
                e = phi * e + sd * Math.Sqrt(1 - phi * phi) * Datasets.Gauss(rng);
                ampWalk = 0.999 * ampWalk + 0.004 * Datasets.Gauss(rng);
                // Oracle: the same recursions with the shocks after the training part set to zero (no extra draws).
                eO = t < nTrain ? e : phi * eO;
                ampO = t < nTrain ? ampWalk : 0.999 * ampO;
                int hour = (startHour + t) % 24, day = (startDay + (startHour + t) / 24) % 7;
                bool isWeekend = day >= 5;
                double shape = isWeekend ? (1 - mix) * weekday[hour] + mix * weekend[hour] : weekday[hour];
                double season = (amp + ampWalk) * shape + (isWeekend ? weekendLevel : 0);
                double trend = g * t + (shiftAt >= 0 && t >= shiftAt ? shift : 0);
                y[t] = multiplicative
                    ? level * Math.Exp(trend + season + e)
                    : level * Math.Max(0.05, 3 + trend * 3 + season + e * 1.5);
                if (t >= nTrain)
                {
                    double seasonO = (amp + ampO) * shape + (isWeekend ? weekendLevel : 0);
                    oracle[t - nTrain] = multiplicative
                        ? level * Math.Exp(trend + seasonO + eO)
                        : level * Math.Max(0.05, 3 + trend * 3 + seasonO + eO * 1.5);
                }
            }

            cases.Add(new EvalCase($"MH{s + 1}", y[..nTrain], y[nTrain..], [24, 168], 24, oracle));
        }

        return new EvalSet("m4like_hourly", $"{count} M4-like hourly series (seed {seed}), 700/960 points, peaked daily profile, weekday/weekend change, 65% multiplicative, trends, level shifts, h={horizon}, MASE lag 24", horizon, cases);
    }

    /// <summary>
    /// M4-like weekly: 80–2600 training points (half below 600), h = 13; log level as a local linear trend (deterministic
    /// growth, random walk or damped random slope), occasional breaks, a weak and noisy yearly season of period
    /// 52.18 (none in 40% of the series, a year-end spike in some) and noise.
    /// </summary>
    public static EvalSet Weekly(int count, int seed, int horizon = 13)
    {
        var rng = new Random(seed);
        var cases = new List<EvalCase>();
        for (int s = 0; s < count; s++)
        {
            double u = rng.NextDouble();
            int nTrain = u < 0.5 ? rng.Next(80, 600) : u < 0.85 ? rng.Next(600, 1700) : rng.Next(1700, 2601);
            int n = nTrain + horizon;
            double mu = 0.0005 + Datasets.Gauss(rng) * 0.001;
            double etaL = 0.004 + 0.03 * rng.NextDouble();
            double etaB = rng.NextDouble() < 0.4 ? 0.0005 + 0.002 * rng.NextDouble() : 0;
            double phiB = 0.85 + 0.14 * rng.NextDouble();
            bool seasonal = rng.NextDouble() < 0.6;
            double amp1 = seasonal ? 0.02 + 0.15 * rng.NextDouble() : 0, amp2 = seasonal ? 0.05 * rng.NextDouble() : 0;
            double ph1 = 2 * Math.PI * rng.NextDouble(), ph2 = 2 * Math.PI * rng.NextDouble();
            double spike = seasonal && rng.NextDouble() < 0.3 ? 0.1 + 0.3 * rng.NextDouble() : 0;
            double sd = 0.01 + 0.07 * rng.NextDouble();
            int breakAt = rng.NextDouble() < 0.25 ? rng.Next(n / 3, n - horizon) : -1;
            double brk = Datasets.Gauss(rng) * 0.25;
            double l = Math.Log(50 + 20000 * rng.NextDouble()), b = 0, ampWalk = 0, lO = 0, bO = 0, ampO = 0;
            var y = new double[n];
            var oracle = new double[horizon];
            for (int t = 0; t < n; t++)
            {
                b = phiB * b + etaB * Datasets.Gauss(rng);
                l += mu + b + etaL * Datasets.Gauss(rng) + (t == breakAt ? brk : 0);
                ampWalk = 0.99 * ampWalk + 0.01 * Datasets.Gauss(rng);
                // Oracle: the same recursions with the shocks after the training part set to zero (no extra draws).
                bO = t < nTrain ? b : phiB * bO;
                lO = t < nTrain ? l : lO + mu + bO;
                ampO = t < nTrain ? ampWalk : 0.99 * ampO;
                double yearPos = 2 * Math.PI * t / 52.1775;
                double season = (amp1 + ampWalk) * Math.Sin(yearPos + ph1) + amp2 * Math.Sin(2 * yearPos + ph2);
                double weekOfYear = t % 52.1775;
                if (spike > 0 && weekOfYear >= 50.2 && weekOfYear < 51.2)
                {
                    season += spike;
                }

                y[t] = Math.Exp(l + season + sd * Datasets.Gauss(rng));
                if (t >= nTrain)
                {
                    double seasonO = season - ampWalk * Math.Sin(yearPos + ph1) + ampO * Math.Sin(yearPos + ph1);
                    oracle[t - nTrain] = Math.Exp(lO + seasonO);
                }
            }

            cases.Add(new EvalCase($"MW{s + 1}", y[..nTrain], y[nTrain..], [52], 1, oracle));
        }

        return new EvalSet("m4like_weekly", $"{count} M4-like weekly series (seed {seed}), 80–2600 points, local linear trends, breaks, weak noisy yearly season (period 52.18, none in 40%), h={horizon}, MASE lag 1", horizon, cases);
    }

    /// <summary>A daily log-profile: 2–4 circular Gaussian peaks, centred to mean 0 and scaled to unit standard deviation.</summary>
    private static double[] Profile(Random rng)
    {
        var p = new double[24];
        int peaks = rng.Next(2, 5);
        for (int k = 0; k < peaks; k++)
        {
            double centre = 24 * rng.NextDouble(), width = 1.5 + 4 * rng.NextDouble(), height = 0.3 + rng.NextDouble();
            for (int hr = 0; hr < 24; hr++)
            {
                double d = Math.Abs(hr - centre);
                d = Math.Min(d, 24 - d);
                p[hr] += height * Math.Exp(-0.5 * d * d / (width * width));
            }
        }

        double mean = p.Average();
        double sdev = Math.Sqrt(p.Select(v => (v - mean) * (v - mean)).Average());
        return [.. p.Select(v => (v - mean) / Math.Max(sdev, 1e-9) * 0.5)];
    }
}
