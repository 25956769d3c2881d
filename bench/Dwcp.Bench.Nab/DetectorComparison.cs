using System.Globalization;
using System.Text;
using Dwcp.Anomalies;
using Dwcp.Anomalies.Evaluation;

namespace Dwcp.Bench.Nab;

/// <summary>
/// The detector choices behind the default of <c>dwcp detect --online</c>: the ensemble without the resonance
/// component, the resonance component alone, and both (the default), each with the fixed 750-row resonance warm-up the
/// CLI uses and with NAB's probationary length per file (what NAB gives ARTime). Each is reported in-sample (threshold
/// swept on all files) and leave-one-file-out; the default is the one with the best leave-one-out standard score.
/// </summary>
internal static class DetectorComparison
{
    public static IReadOnlyList<(string Name, OnlineDetectorOptions Options, bool ProbationaryWarmup)> Variants(OnlineDetectorOptions o)
    {
        var ensembleOnly = o with { Components = o.Components & ~EnsembleComponents.Resonance };
        var resonanceOnly = o with { Components = EnsembleComponents.Resonance };
        var fused = o with { Components = o.Components | EnsembleComponents.Resonance };
        return
        [
            ("ensemble + resonance (default)", fused, false),
            ("ensemble without resonance (previous default)", ensembleOnly, false),
            ("resonance alone", resonanceOnly, false),
            ("ensemble + resonance, NAB probationary warm-up", fused, true),
            ("resonance alone, NAB probationary warm-up", resonanceOnly, true),
        ];
    }

    public static string Report(IReadOnlyList<(string Name, List<(NabFile File, IReadOnlyList<double> Scores)> Scored)> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| detector | standard | held out | low FP | held out | low FN | held out |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, scored) in runs)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {name} |");
            foreach (var profile in NabProfile.All)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {NabScorer.Optimise(scored, profile).NormalisedScore:F1} | {SplitEvaluation.HeldOutScore(scored, profile):F1} |");
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }
}
