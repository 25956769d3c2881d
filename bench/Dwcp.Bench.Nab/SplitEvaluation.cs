using System.Globalization;
using System.Text;
using Dwcp.Anomalies.Evaluation;

namespace Dwcp.Bench.Nab;

/// <summary>
/// Guards against tuning to the 18 files: the files are split in two halves (alternating in name order); on each half
/// the variant with the best standard score is chosen together with its threshold, and both are applied unchanged to
/// the other half. The held-out numbers are what a choice made on one half is worth on files it never saw.
/// </summary>
internal static class SplitEvaluation
{
    public static string Report(IReadOnlyList<(string Name, List<(NabFile File, IReadOnlyList<double> Scores)> Scored)> variants)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| selected on | variant chosen | score on its half | held-out half (its threshold) | default held-out |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (trainParity, name) in new[] { (0, "A (files 1, 3, 5, …)"), (1, "B (files 2, 4, 6, …)") })
        {
            (string Name, double Train, double Held) best = ("", double.NegativeInfinity, 0);
            double defaultHeld = 0;
            foreach (var (variant, scored) in variants)
            {
                var train = scored.Where((_, i) => i % 2 == trainParity).ToList();
                var test = scored.Where((_, i) => i % 2 != trainParity).ToList();
                var fit = NabScorer.Optimise(train, NabProfile.Standard);
                var held = AtThreshold(test, NabProfile.Standard, fit.Threshold);
                if (variant == variants[0].Name)
                {
                    defaultHeld = held;
                }

                if (fit.NormalisedScore > best.Train)
                {
                    best = (variant, fit.NormalisedScore, held);
                }
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {best.Name} | {best.Train:F1} | {best.Held:F1} | {defaultHeld:F1} |");
        }

        return sb.ToString();
    }

    /// <summary>Normalised NAB score of a corpus at a fixed threshold (no optimisation).</summary>
    public static double AtThreshold(IReadOnlyList<(NabFile File, IReadOnlyList<double> Scores)> corpus, NabProfile profile, double threshold)
    {
        var files = corpus.Select(c => NabScorer.ScoreFile(c.File, c.Scores.Select(s => s >= threshold).ToArray(), profile)).ToList();
        var windows = files.Sum(f => f.TruePositives + f.FalseNegatives);
        var nullScore = -profile.FnWeight * windows;
        var perfect = profile.TpWeight * windows;
        return perfect == nullScore ? 0 : 100.0 * (files.Sum(f => f.RawScore) - nullScore) / (perfect - nullScore);
    }

    /// <summary>
    /// Leave-one-file-out: for each file, the threshold (and, with several variants, the variant) is chosen on the other
    /// files and applied unchanged to the held-out one; the held-out raw scores are summed and normalised over the
    /// corpus' windows. This is what the choice is worth on a file it never saw.
    /// </summary>
    public static string LeaveOneOut(IReadOnlyList<(string Name, List<(NabFile File, IReadOnlyList<double> Scores)> Scored)> variants, IReadOnlyList<NabProfile> profiles)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| profile | in-sample (default) | held-out, default settings | held-out, variant also chosen without the file | variants chosen |");
        sb.AppendLine("|---|---|---|---|---|");
        var files = variants[0].Scored.Count;
        foreach (var profile in profiles)
        {
            double heldDefault = 0, heldSelected = 0;
            var windows = 0;
            var chosen = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (var f = 0; f < files; f++)
            {
                (string Name, double Train, double Threshold, List<(NabFile File, IReadOnlyList<double> Scores)> Scored) best = ("", double.NegativeInfinity, 0, []);
                foreach (var (name, scored) in variants)
                {
                    var fit = NabScorer.Optimise(scored.Where((_, i) => i != f).ToList(), profile);
                    if (name == variants[0].Name)
                    {
                        heldDefault += HeldOut(scored[f], profile, fit.Threshold).RawScore;
                    }

                    if (fit.NormalisedScore > best.Train)
                    {
                        best = (name, fit.NormalisedScore, fit.Threshold, scored);
                    }
                }

                var held = HeldOut(best.Scored[f], profile, best.Threshold);
                heldSelected += held.RawScore;
                windows += held.TruePositives + held.FalseNegatives;
                chosen[best.Name] = chosen.GetValueOrDefault(best.Name) + 1;
            }

            var inSample = NabScorer.Optimise(variants[0].Scored, profile).NormalisedScore;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {profile.Name} | {inSample:F1} | {Normalise(heldDefault, windows, profile):F1} | {(variants.Count > 1 ? Normalise(heldSelected, windows, profile).ToString("F1", CultureInfo.InvariantCulture) : "–")} | {(variants.Count > 1 ? string.Join(", ", chosen.Select(c => $"{c.Key} ×{c.Value}")) : "–")} |");
        }

        return sb.ToString();
    }

    /// <summary>Leave-one-file-out score of one variant: each file scored at the threshold chosen on the others.</summary>
    public static double HeldOutScore(IReadOnlyList<(NabFile File, IReadOnlyList<double> Scores)> scored, NabProfile profile)
    {
        double raw = 0;
        var windows = 0;
        for (var f = 0; f < scored.Count; f++)
        {
            var fit = NabScorer.Optimise(scored.Where((_, i) => i != f).ToList(), profile);
            var held = HeldOut(scored[f], profile, fit.Threshold);
            raw += held.RawScore;
            windows += held.TruePositives + held.FalseNegatives;
        }

        return Normalise(raw, windows, profile);
    }

    private static NabFileResult HeldOut((NabFile File, IReadOnlyList<double> Scores) file, NabProfile profile, double threshold) =>
        NabScorer.ScoreFile(file.File, file.Scores.Select(s => s >= threshold).ToArray(), profile);

    private static double Normalise(double raw, int windows, NabProfile profile)
    {
        var nullScore = -profile.FnWeight * windows;
        var perfect = profile.TpWeight * windows;
        return perfect == nullScore ? 0 : 100.0 * (raw - nullScore) / (perfect - nullScore);
    }
}
