using System.Globalization;
using System.Text;
using Dwcp.Anomalies.Evaluation;

namespace Dwcp.Bench.Nab;

/// <summary>
/// Published per-file NAB scores of another detector (data/nab/published/*.csv, NAB's results format) on the files of
/// this subset, normalised with the subset's null and perfect scores: a like-for-like comparison on the same files.
/// The published detector's threshold was optimised over the full corpus; ours is reported both in-sample and held out.
/// </summary>
internal static class PublishedComparison
{
    /// <summary>Profile name → sum of the detector's raw per-file scores over <paramref name="files"/>; null when a file is missing.</summary>
    public static Dictionary<string, double>? RawSums(string csvPath, IReadOnlyCollection<string> files)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var seen = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(csvPath).Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            var (profile, file, score) = (cells[1], cells[2], double.Parse(cells[4], CultureInfo.InvariantCulture));
            if (!files.Contains(file))
            {
                continue;
            }

            sums[profile] = sums.GetValueOrDefault(profile) + score;
            (seen.TryGetValue(profile, out var set) ? set : seen[profile] = new HashSet<string>(StringComparer.Ordinal)).Add(file);
        }

        return seen.Values.All(s => s.Count == files.Count) && seen.Count > 0 ? sums : null;
    }

    public static string Report(string detector, string csvPath, IReadOnlyList<NabProfileResult> ours, IReadOnlyList<(NabFile File, IReadOnlyList<double> Scores)> scored)
    {
        var files = scored.Select(s => s.File.Name).ToHashSet(StringComparer.Ordinal);
        var sums = RawSums(csvPath, files);
        if (sums is null)
        {
            return $"{Path.GetFileName(csvPath)} does not cover every file of the corpus; no comparison.\n";
        }

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| profile | ours (threshold on these files) | ours (leave one file out) | {detector} (published per-file scores, threshold on the full corpus) |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var r in ours)
        {
            var raw = sums.GetValueOrDefault(r.Profile.Name);
            var normalised = 100.0 * (raw - r.NullScore) / (r.PerfectScore - r.NullScore);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Profile.Name} | {r.NormalisedScore:F1} | {SplitEvaluation.HeldOutScore(scored, r.Profile):F1} | {normalised:F1} (raw {raw:F3}) |");
        }

        return sb.ToString();
    }
}
