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
}
