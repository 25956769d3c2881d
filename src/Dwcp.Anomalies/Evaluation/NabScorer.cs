namespace Dwcp.Anomalies.Evaluation;

/// <summary>A NAB application profile: the weights of true/false positives and negatives.</summary>
/// <param name="Name">Profile name as NAB spells it.</param>
/// <param name="TpWeight">A_TP.</param>
/// <param name="FpWeight">A_FP as a positive magnitude (NAB's profiles.json stores 0.11; the paper writes −0.11).</param>
/// <param name="FnWeight">A_FN as a positive magnitude.</param>
/// <param name="TnWeight">A_TN (unused by NAB's scoring, kept for completeness).</param>
public sealed record NabProfile(string Name, double TpWeight, double FpWeight, double FnWeight, double TnWeight)
{
    /// <summary>standard: 1, −0.11, 1, −1.</summary>
    public static NabProfile Standard { get; } = new("standard", 1.0, 0.11, 1.0, 1.0);

    /// <summary>reward_low_FP_rate: 1, −0.22, 1, −1.</summary>
    public static NabProfile RewardLowFpRate { get; } = new("reward_low_FP_rate", 1.0, 0.22, 1.0, 1.0);

    /// <summary>reward_low_FN_rate: 1, −0.11, 1, −2.</summary>
    public static NabProfile RewardLowFnRate { get; } = new("reward_low_FN_rate", 1.0, 0.11, 2.0, 1.0);

    /// <summary>The three profiles in NAB's order.</summary>
    public static IReadOnlyList<NabProfile> All { get; } = [Standard, RewardLowFpRate, RewardLowFnRate];
}

/// <summary>One labelled file: its timestamps and its anomaly windows (inclusive timestamp ranges).</summary>
public sealed record NabFile(string Name, IReadOnlyList<DateTime> Timestamps, IReadOnlyList<(DateTime Start, DateTime End)> Windows);

/// <summary>Counts and raw score of one file at one threshold.</summary>
public sealed record NabFileResult(string Name, int TruePositives, int FalsePositives, int FalseNegatives, double RawScore);

/// <summary>The corpus result of one profile at its optimised threshold.</summary>
public sealed record NabProfileResult(
    NabProfile Profile, double Threshold, double RawScore, double NullScore, double PerfectScore, double NormalisedScore,
    IReadOnlyList<NabFileResult> Files);

/// <summary>
/// A faithful port of the Numenta Anomaly Benchmark scorer (NAB v1.1, nab/sweeper.py): per-row weights from the scaled
/// sigmoid, the probationary period, first-detection-per-window credit, one threshold swept over the whole corpus per
/// profile, and normalisation 100·(raw − null)/(perfect − null).
/// </summary>
public static class NabScorer
{
    private const int Probationary = -2;
    private const int Outside = -1;

    /// <summary>NAB's probationary period: min(floor(0.15·rows), 0.15·5000) leading rows are not scored.</summary>
    public static int ProbationaryLength(int rows) => (int)Math.Min(Math.Floor(0.15 * rows), 0.15 * 5000);

    /// <summary>NAB's scaled sigmoid: 2/(1 + e^{5y}) − 1, and −1 from y ≥ 3 on.</summary>
    public static double ScaledSigmoid(double relativePosition) =>
        relativePosition >= 3.0 ? -1.0 : (2.0 / (1.0 + Math.Exp(5.0 * relativePosition))) - 1.0;

    /// <summary>Scores one file's detections (true = the detector fired on that row) under a profile.</summary>
    public static NabFileResult ScoreFile(NabFile file, IReadOnlyList<bool> detections, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(detections);
        if (detections.Count != file.Timestamps.Count)
        {
            throw new ArgumentException($"{file.Name}: {detections.Count} detections for {file.Timestamps.Count} rows.", nameof(detections));
        }

        var (window, weight, windows) = Weights(file, profile);
        var best = new double?[windows];
        int fp = 0;
        double raw = 0;
        for (var i = 0; i < detections.Count; i++)
        {
            if (!detections[i] || window[i] == Probationary)
            {
                continue;
            }

            if (window[i] == Outside)
            {
                fp++;
                raw += weight[i];
            }
            else if (best[window[i]] is null || weight[i] > best[window[i]])
            {
                best[window[i]] = weight[i];
            }
        }

        var tp = 0;
        for (var w = 0; w < windows; w++)
        {
            if (best[w] is { } b)
            {
                tp++;
                raw += b;
            }
            else
            {
                raw -= profile.FnWeight;
            }
        }

        return new NabFileResult(file.Name, tp, fp, windows - tp, raw);
    }

    /// <summary>
    /// Sweeps every distinct score as a threshold (detection = score ≥ threshold) over the whole corpus, keeps the one
    /// with the highest total raw score, and normalises it against the null and perfect detectors.
    /// </summary>
    public static NabProfileResult Optimise(IReadOnlyList<(NabFile File, IReadOnlyList<double> Scores)> corpus, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var rows = new List<(double Score, int Window, double Weight)>();
        var windowTotal = 0;
        foreach (var (file, scores) in corpus)
        {
            var (window, weight, windows) = Weights(file, profile);
            for (var i = 0; i < scores.Count; i++)
            {
                if (window[i] != Probationary)
                {
                    rows.Add((scores[i], window[i] >= 0 ? windowTotal + window[i] : Outside, weight[i]));
                }
            }

            windowTotal += windows;
        }

        rows.Sort((a, b) => b.Score.CompareTo(a.Score));
        var nullScore = -profile.FnWeight * windowTotal;
        var perfect = profile.TpWeight * windowTotal;
        var bestWindow = new double?[windowTotal];
        var total = nullScore;
        var bestTotal = nullScore;
        var bestThreshold = rows.Count > 0 ? Math.BitIncrement(rows[0].Score) : 1.0;
        for (var i = 0; i < rows.Count;)
        {
            var s = rows[i].Score;
            for (; i < rows.Count && rows[i].Score == s; i++)
            {
                var (_, w, weight) = rows[i];
                if (w == Outside)
                {
                    total += weight;
                }
                else if (bestWindow[w] is not { } b)
                {
                    bestWindow[w] = weight;
                    total += profile.FnWeight + weight;
                }
                else if (weight > b)
                {
                    bestWindow[w] = weight;
                    total += weight - b;
                }
            }

            if (total > bestTotal)
            {
                bestTotal = total;
                bestThreshold = s;
            }
        }

        var files = corpus.Select(c => ScoreFile(c.File, c.Scores.Select(x => x >= bestThreshold).ToArray(), profile)).ToArray();
        var raw = files.Sum(f => f.RawScore);
        var normalised = perfect == nullScore ? 0 : 100.0 * (raw - nullScore) / (perfect - nullScore);
        return new NabProfileResult(profile, bestThreshold, raw, nullScore, perfect, normalised, files);
    }

    /// <summary>Per row: window index (or Outside/Probationary) and the weighted score a detection there earns.</summary>
    private static (int[] Window, double[] Weight, int Windows) Weights(NabFile file, NabProfile profile)
    {
        var ts = file.Timestamps;
        var n = ts.Count;
        var probation = ProbationaryLength(n);
        var window = new int[n];
        var weight = new double[n];
        var maxTp = ScaledSigmoid(-1.0);
        var limits = file.Windows.OrderBy(w => w.Start).ToArray();
        var next = 0;
        int? curLeft = null, curRight = null, prevRight = null, prevWidth = null;
        var curIndex = -1;
        var counted = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (curLeft is null && next < limits.Length && ts[i] >= limits[next].Start)
            {
                var right = i;
                while (right + 1 < n && ts[right + 1] <= limits[next].End)
                {
                    right++;
                }

                curLeft = i;
                curRight = right;
                curIndex = next;
                next++;
            }

            if (curLeft is { } left && curRight is { } r)
            {
                var width = (double)(r - left + 1);
                var position = -(r - i + 1) / width;
                weight[i] = ScaledSigmoid(position) * profile.TpWeight / maxTp;
                window[i] = curIndex;
            }
            else
            {
                var unweighted = prevRight is { } pr ? ScaledSigmoid(Math.Abs(pr - i) / (double)(prevWidth!.Value - 1)) : -1.0;
                weight[i] = unweighted * profile.FpWeight;
                window[i] = Outside;
            }

            if (i < probation)
            {
                window[i] = Probationary;
            }
            else if (window[i] >= 0 && !counted.Contains(window[i]))
            {
                counted.Add(window[i]);
            }

            if (curRight == i)
            {
                prevRight = curRight;
                prevWidth = curRight - curLeft + 1;
                curLeft = null;
                curRight = null;
            }
        }

        // Renumber the windows that have scored rows 0..k-1 (windows wholly inside the probation period do not count).
        var map = new Dictionary<int, int>();
        foreach (var w in counted)
        {
            map[w] = map.Count;
        }

        for (var i = 0; i < n; i++)
        {
            if (window[i] >= 0)
            {
                window[i] = map[window[i]];
            }
        }

        return (window, weight, map.Count);
    }
}
