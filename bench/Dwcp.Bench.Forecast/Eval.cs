using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dwcp.Forecasting;
using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Bench.Forecast;

/// <summary>One row of the results table.</summary>
internal sealed record MethodScore(string Method, double Smape, double Mase, double Owa, double Msis, double Cov80, double Cov95, double Seconds, string Chosen);

/// <summary>Runs every method on every case of a set and scores it against Naive2.</summary>
internal static class Eval
{
    public static List<MethodScore> Run(EvalSet set, IReadOnlyList<string> methods, int threads, TextWriter log)
    {
        var scores = new List<MethodScore>();
        GlobalGbm? gbm = null;
        double gbmTrainSeconds = 0;
        if (methods.Any(m => m.Contains("gbm", StringComparison.Ordinal)))
        {
            var sw = Stopwatch.StartNew();
            var periods = set.Cases[0].Periods;
            gbm = GlobalGbm.Train([.. set.Cases.Select(c => c.Train)], set.Horizon, periods, holdOut: new AutoForecasterOptions().BacktestOrigins * set.Horizon);
            gbmTrainSeconds = sw.Elapsed.TotalSeconds;
            log.WriteLine($"  gbm trained in {gbmTrainSeconds:F1}s");
        }

        foreach (var method in methods)
        {
            var sw = Stopwatch.StartNew();
            var results = new ForecastResult[set.Cases.Count];
            Parallel.For(0, set.Cases.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
            {
                var c = set.Cases[i];
                var req = new ForecastRequest { Values = c.Train, Horizon = set.Horizon, SeasonalPeriods = c.Periods, Levels = [80, 95] };
                results[i] = Forecast(method, req, gbm);
            });
            double secs = sw.Elapsed.TotalSeconds + (method.Contains("gbm", StringComparison.Ordinal) ? gbmTrainSeconds : 0);
            double smape = 0, mase = 0, msis = 0, c80 = 0, c95 = 0;
            var chosen = new Dictionary<string, int>();
            for (int i = 0; i < set.Cases.Count; i++)
            {
                var c = set.Cases[i];
                var r = results[i];
                double scale = Metrics.Scale(c.Train, c.MaseLag);
                smape += Metrics.Smape(c.Test, r.Mean);
                mase += Metrics.Mase(c.Test, r.Mean, scale);
                var i95 = r.Interval(95);
                var i80 = r.Interval(80);
                msis += Metrics.Msis(c.Test, i95.Lower, i95.Upper, 0.05, scale);
                c80 += Metrics.Coverage(c.Test, i80.Lower, i80.Upper);
                c95 += Metrics.Coverage(c.Test, i95.Lower, i95.Upper);
                chosen[r.Model] = chosen.GetValueOrDefault(r.Model) + 1;
            }

            int n = set.Cases.Count;
            string top = string.Join("; ", chosen.OrderByDescending(kv => kv.Value).Take(3).Select(kv => $"{kv.Key} {kv.Value}"));
            var score = new MethodScore(method, smape / n, mase / n, double.NaN, msis / n, c80 / n, c95 / n, secs, top);
            scores.Add(score);
            log.WriteLine($"  {set.Name} {method,-10} sMAPE {score.Smape,7:F3} MASE {score.Mase,6:F3} cov95 {score.Cov95:P1} {secs,6:F1}s");
        }

        var naive2 = scores.FirstOrDefault(s => s.Method == "naive2");
        if (naive2 is not null)
        {
            for (int i = 0; i < scores.Count; i++)
            {
                scores[i] = scores[i] with { Owa = (scores[i].Smape / naive2.Smape + scores[i].Mase / naive2.Mase) / 2 };
            }
        }

        return scores;
    }

    public static ForecastResult Forecast(string method, ForecastRequest req, GlobalGbm? gbm) => method switch
    {
        "auto" => new AutoForecaster().Forecast(req),
        "auto+gbm" => new AutoForecaster().Forecast(req, gbm),
        "gbm" => new AutoForecaster(new AutoForecasterOptions { Models = [] }).Forecast(req, gbm),
        _ when method.StartsWith("auto-", StringComparison.Ordinal) => new AutoForecaster(Variant(method)).Forecast(req),
        "comb" => new AutoForecaster(new AutoForecasterOptions { Models = ["ets", "theta", "arima"] }).Forecast(req),
        _ => ModelCatalog.Create(method).Forecast(req),
    };

    /// <summary>Parses variants such as <c>auto-top3-k5</c> (fixed top-3 combination, 5 backtest origins).</summary>
    private static AutoForecasterOptions Variant(string method)
    {
        var o = new AutoForecasterOptions();
        foreach (var part in method.Split('-').Skip(1))
        {
            o = part switch
            {
                _ when part.StartsWith("top", StringComparison.Ordinal) => o with { FixedMembers = int.Parse(part[3..], CultureInfo.InvariantCulture) },
                "best" => o with { FixedMembers = 0 },
                _ when part.StartsWith('k') => o with { BacktestOrigins = int.Parse(part[1..], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown auto variant '{part}' in '{method}'; use topN, best or kN."),
            };
        }

        return o;
    }

    public static string Table(EvalSet set, List<MethodScore> scores)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ci, $"### {set.Name}");
        sb.AppendLine();
        sb.AppendLine(set.Description + $"; {set.Cases.Count} forecasts.");
        sb.AppendLine();
        sb.AppendLine("| method | sMAPE % | MASE | OWA | MSIS 95 | cov 80 | cov 95 | seconds | chosen (top 3) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in scores)
        {
            sb.AppendLine(ci, $"| {s.Method} | {s.Smape:F3} | {s.Mase:F3} | {s.Owa:F3} | {s.Msis:F2} | {s.Cov80:P1} | {s.Cov95:P1} | {s.Seconds:F1} | {s.Chosen} |");
        }

        sb.AppendLine();
        return sb.ToString();
    }
}
