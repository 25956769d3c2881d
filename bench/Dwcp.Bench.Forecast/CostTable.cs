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
        sb.AppendLine("| history | H | current (last H days) | lower | predicted | upper | held-out truth | low confidence | observed days K | accuracy | model |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|");
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
                sb.AppendLine(ci, $"| {name} | {h} | {f.CurrentCost:N0} | {f.LowerBound:N0} | {f.PredictedCost:N0} | {f.UpperBound:N0} | {t} | {(f.LowConfidence ? "yes" : "no")} | {f.ObservedHorizonDays} | {acc} | {f.Model} |");
            }
        }

        return sb.ToString();
    }
}
