using System.Globalization;
using System.Text;
using Dwcp.Anomalies.Evaluation;

namespace Dwcp.Bench.Nab;

/// <summary>Where each file's strongest scores fall: per window its best score and how early, and the top scores outside windows.</summary>
internal static class Diagnostics
{
    /// <summary>Per file and row: the component with the smallest p-value and its −log10 p (filled by the bench with --diag).</summary>
    public static Dictionary<(string File, int Row), (string Component, double Evidence)> Driver { get; } = [];

    private static string Why(string file, int row) =>
        Driver.TryGetValue((file, row), out var d) ? string.Create(CultureInfo.InvariantCulture, $"[{d.Component} {d.Evidence:F1}]") : "";

    public static string Describe(IReadOnlyList<(NabFile File, IReadOnlyList<double> Scores)> scored, int top = 4)
    {
        var sb = new StringBuilder();
        foreach (var (file, scores) in scored)
        {
            var n = scores.Count;
            var probation = NabScorer.ProbationaryLength(n);
            var inWindow = new int[n];
            Array.Fill(inWindow, -1);
            for (var w = 0; w < file.Windows.Count; w++)
            {
                for (var i = 0; i < n; i++)
                {
                    if (file.Timestamps[i] >= file.Windows[w].Start && file.Timestamps[i] <= file.Windows[w].End)
                    {
                        inWindow[i] = w;
                    }
                }
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"{file.Name} (n={n}, probation={probation})");
            for (var w = 0; w < file.Windows.Count; w++)
            {
                var idx = Enumerable.Range(0, n).Where(i => inWindow[i] == w && i >= probation).ToArray();
                if (idx.Length == 0)
                {
                    continue;
                }

                var best = idx.OrderByDescending(i => scores[i]).First();
                var firstAbove = idx.FirstOrDefault(i => scores[i] >= 0.9999, -1);
                sb.AppendLine(CultureInfo.InvariantCulture, $"  window {w} [{idx[0]}..{idx[^1]}]: best -log10(p)={P(scores[best]):F2} at +{best - idx[0]} {Why(file.Name, best)}; first p<=1e-4 at {(firstAbove < 0 ? "none" : "+" + (firstAbove - idx[0]))}");
            }

            var outside = Enumerable.Range(probation, n - probation).Where(i => inWindow[i] < 0).OrderByDescending(i => scores[i]).ToList();
            var picked = new List<int>();
            foreach (var i in outside)
            {
                if (picked.All(j => Math.Abs(j - i) > 50))
                {
                    picked.Add(i);
                }

                if (picked.Count >= top)
                {
                    break;
                }
            }

            sb.AppendLine("  outside: " + string.Join(", ", picked.Select(i => string.Create(CultureInfo.InvariantCulture, $"{P(scores[i]):F2}@{i}{Why(file.Name, i)}"))));
        }

        return sb.ToString();
    }

    private static double P(double score) => -Math.Log10(Math.Max(1 - score, 1e-300));
}
