using System.Globalization;
using System.Text;
using Dwcp.Demo;
using Dwcp.Forecasting.Cost;

namespace Dwcp.Bench.Forecast;

/// <summary>
/// The cost-forecast table of docs/forecasting.md: 95% bounds of the 30/60/90-day sum of the seed-42 demo estate's
/// total daily cost for three histories (the last 112 days, the 112 days before a held-out last 90, the last year).
/// </summary>
internal static class CostTable
{
    public static string Run(string machine)
    {
        var total = new SortedDictionary<DateOnly, decimal>();
        foreach (var row in new DemoDataGenerator(new DemoOptions { Seed = 42 }).GenerateRows())
        {
            var day = DateOnly.FromDateTime(row.ChargePeriodStart!.Value);
            total[day] = total.GetValueOrDefault(day) + (row.BilledCost ?? 0);
        }

        var all = total.Select(kv => new DailyCost(kv.Key, kv.Value)).ToList();
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"# Cost forecast on the demo estate {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine(ci, $"Machine: {machine}. Seed-42 demo data ({all.Count} days), total daily cost, `CostForecaster.Forecast(history, H, 95)` with the default options.");
        sb.AppendLine();
        sb.AppendLine("| history | H | current (last H days) | lower | predicted | upper | held-out truth | low confidence | observed days K | accuracy | model | trend |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|");
        const int heldOut = 90;
        var cases = new (string Name, List<DailyCost> History, bool Truth)[]
        {
            ("last 112 days", all.Skip(all.Count - 112).ToList(), false),
            ("112 days before the last 90", all.Skip(all.Count - heldOut - 112).Take(112).ToList(), true),
            ("last 365 days", all.Skip(all.Count - 365).ToList(), false),
        };
        foreach (var (name, history, truth) in cases)
        {
            foreach (var h in new[] { 30, 60, 90 })
            {
                var f = CostForecaster.Forecast(history, h, 95);
                string t = truth ? all.Skip(all.Count - heldOut).Take(h).Sum(d => d.Cost).ToString("N0", ci) : "–";
                string acc = f.AccuracyScore is { } a ? a.ToString("0.000", ci) : "n/a";
                sb.AppendLine(ci, $"| {name} | {h} | {f.CurrentCost:N0} | {f.LowerBound:N0} | {f.PredictedCost:N0} | {f.UpperBound:N0} | {t} | {(f.LowConfidence ? "yes" : "no")} | {f.ObservedHorizonDays} | {acc} | {f.Model} | {f.TrendAdjustment ?? "as modelled"} |");
            }
        }

        sb.AppendLine();
        sb.Append(HeldOutWindows(all));
        return sb.ToString();
    }

    /// <summary>
    /// Rolling held-out check of the trend cap: histories of 112 and 200 days ending every 21 days before the last 90,
    /// each forecasting 30/60/90 days with the trend free and capped; absolute % error of the sum and coverage.
    /// </summary>
    private static string HeldOutWindows(List<DailyCost> all)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("Held-out windows (history ends 90 + 21·j days before the last day; truth = the next H days): mean absolute % error of the H-day sum, how many 95% bounds contain the truth, worst error.");
        sb.AppendLine();
        sb.AppendLine("| history | H | windows | trend | mean abs % error | bounds contain truth | worst % error |");
        sb.AppendLine("|---|---:|---:|---|---:|---:|---:|");
        foreach (int length in new[] { 112, 200 })
        {
            var ends = Enumerable.Range(0, 20).Select(j => all.Count - 90 - (21 * j)).Where(e => e >= length).ToArray();
            foreach (int h in new[] { 30, 60, 90 })
            {
                foreach (var policy in new[] { CostTrendPolicy.Free, CostTrendPolicy.CappedByHistory, CostTrendPolicy.NoOppositeTrend })
                {
                    var errors = new List<double>();
                    int inside = 0;
                    foreach (int end in ends)
                    {
                        var f = CostForecaster.Forecast(all.Skip(end - length).Take(length).ToList(), h, 95, trendPolicy: policy);
                        decimal truth = all.Skip(end).Take(h).Sum(d => d.Cost);
                        errors.Add((double)(Math.Abs(f.PredictedCost - truth) / truth) * 100);
                        inside += f.LowerBound <= truth && truth <= f.UpperBound ? 1 : 0;
                    }

                    sb.AppendLine(ci, $"| {length} days | {h} | {ends.Length} | {policy} | {errors.Average():F1} % | {inside}/{ends.Length} | {errors.Max():F1} % |");
                }
            }
        }

        return sb.ToString();
    }
}
