using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dwcp.Forecasting;
using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Models;

namespace Dwcp.Bench.Forecast;

/// <summary>One row of the results table.</summary>
/// <summary>
/// One row of the results table. <paramref name="OwaNaive1"/>: OWA against Naive1, which is M4's Naive2 on series of
/// M4 frequency 1 (weekly, daily: no seasonal adjustment, MASE lag 1); NaN when not computed.
/// </summary>
internal sealed record MethodScore(string Method, double Smape, double Mase, double Owa, double Msis, double Cov80, double Cov95, double Seconds, string Chosen, double OwaNaive1 = double.NaN);

/// <summary>Runs every method on every case of a set and scores it against Naive2.</summary>
internal static class Eval
{
    public static List<MethodScore> Run(EvalSet set, IReadOnlyList<string> methods, int threads, TextWriter log)
    {
        var scores = new List<MethodScore>();
        // "gbm" methods use the default (direct) global model; "…gbm-rec" the recursive one, kept for comparison.
        var gbms = new Dictionary<string, (GlobalGbm Model, double Seconds)>();
        foreach (var variant in methods.Where(m => m.Contains("gbm", StringComparison.Ordinal)).Select(GbmVariant).Distinct())
        {
            var sw = Stopwatch.StartNew();
            var periods = set.Cases[0].Periods;
            var strategy = variant == "rec" ? GbmStrategy.Recursive : GbmStrategy.Direct;
            var model = GlobalGbm.Train(set.GbmTrain ?? [.. set.Cases.Select(c => c.Train)], set.Horizon, periods, holdOut: new AutoForecasterOptions().BacktestOrigins * set.Horizon, strategy: strategy, refitFull: variant != "rec" && variant != "held", options: GbmOptionsOf(variant));
            gbms[variant] = (model, sw.Elapsed.TotalSeconds);
            log.WriteLine($"  gbm ({variant}) trained in {sw.Elapsed.TotalSeconds:F1}s");
        }

        foreach (var method in methods)
        {
            if (method == "oracle" && set.Cases.Any(c => c.Oracle is null))
            {
                log.WriteLine($"  {set.Name} oracle skipped (no generator state: real data or an older generated set)");
                continue;
            }

            var sw = Stopwatch.StartNew();
            var results = new ForecastResult[set.Cases.Count];
            var (gbm, gbmTrainSeconds) = gbms.TryGetValue(GbmVariant(method), out var g) ? g : (null, 0.0);
            string variantName = GbmVariant(method);
            string name = method.Contains("gbm", StringComparison.Ordinal) && variantName != "direct" ? method[..^(variantName.Length + 1)] : method;
            Parallel.For(0, set.Cases.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
            {
                var c = set.Cases[i];
                var req = new ForecastRequest { Values = c.Train, Horizon = set.Horizon, SeasonalPeriods = c.Periods, Levels = [80, 95] };
                results[i] = name == "oracle" ? Oracle(c) : Forecast(name, req, gbm);
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
                if (Environment.GetEnvironmentVariable("DWCP_BENCH_WORST") is { } worst && Metrics.Smape(c.Test, r.Mean) > double.Parse(worst, CultureInfo.InvariantCulture))
                {
                    log.WriteLine($"    worst {method} {c.Id} n={c.Train.Length} sMAPE {Metrics.Smape(c.Test, r.Mean):F1} last {c.Train[^1]:G4} fc {r.Mean[0]:G4}..{r.Mean[^1]:G4} test {c.Test[0]:G4}..{c.Test[^1]:G4} {r.Detail}");
                }
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

        // M4 gives weekly and daily series frequency 1: its MASE uses lag 1 (as ours) and its Naive2 is then Naive1
        // (no seasonality test at frequency 1), so on those sets OWA is also reported against Naive1.
        var naive1 = scores.FirstOrDefault(s => s.Method == "naive");
        if (naive1 is not null && IsFrequencyOne(set))
        {
            for (int i = 0; i < scores.Count; i++)
            {
                scores[i] = scores[i] with { OwaNaive1 = (scores[i].Smape / naive1.Smape + scores[i].Mase / naive1.Mase) / 2 };
            }
        }

        return scores;
    }

    /// <summary>
    /// "rec": recursive global model (<c>…gbm-rec</c>); "held": direct without the final refit (<c>…gbm-held</c>, the
    /// default before 2026-11-28 evening); else direct, refitted on every point for the final forecast (as the CSV job).
    /// </summary>
    private static string GbmVariant(string method)
    {
        int at = method.LastIndexOf("gbm-", StringComparison.Ordinal);
        return at >= 0 ? method[(at + 4)..] : "direct";
    }

    /// <summary>
    /// Options of a gbm variant, parts joined by '_': <c>lvl</c> / <c>lv</c> / <c>sn</c> / <c>sm</c> / <c>ta</c> targets
    /// (level, last value, seasonal naive, seasonal mean, auto), <c>rN</c> N thousand training rows, <c>iN</c> N
    /// iterations, <c>lN</c> N leaves, <c>eN</c> learning rate N/1000; <c>direct</c>, <c>held</c>, <c>rec</c> the defaults.
    /// </summary>
    private static GbmOptions GbmOptionsOf(string variant)
    {
        var o = new GbmOptions();
        if (variant is "direct" or "held" or "rec")
        {
            return o;
        }

        foreach (var part in variant.Split('_'))
        {
            o = part switch
            {
                "lvl" => o with { Target = GbmTarget.Level },
                "log" => o with { LogScale = true },
                _ when part.Length > 1 && part[0] == 'w' => o with { ScaleWindow = int.Parse(part[1..], CultureInfo.InvariantCulture) },
                "lv" => o with { Target = GbmTarget.LastValue },
                "sn" => o with { Target = GbmTarget.SeasonalNaive },
                "sm" => o with { Target = GbmTarget.SeasonalMean },
                "ta" => o with { Target = GbmTarget.Auto },
                _ when part.Length > 1 && part[0] == 'r' => o with { MaxRows = 1000 * int.Parse(part[1..], CultureInfo.InvariantCulture) },
                _ when part.Length > 1 && part[0] == 'i' => o with { Iterations = int.Parse(part[1..], CultureInfo.InvariantCulture) },
                _ when part.Length > 1 && part[0] == 'l' => o with { Leaves = int.Parse(part[1..], CultureInfo.InvariantCulture) },
                _ when part.Length > 1 && part[0] == 'e' => o with { LearningRate = int.Parse(part[1..], CultureInfo.InvariantCulture) / 1000.0 },
                _ => throw new ArgumentException($"Unknown gbm variant part '{part}' in '{variant}'; use rec, held, lvl, log, wN, lv, sn, sm, ta, rN, iN, lN or eN."),
            };
        }

        return o;
    }

    /// <summary>
    /// The generator's noise-free continuation (<see cref="EvalCase.Oracle"/>) as a forecast with zero-width intervals:
    /// a floor on the achievable sMAPE/MASE of a generated set; not defined for real data.
    /// </summary>
    private static ForecastResult Oracle(EvalCase c)
    {
        var m = c.Oracle ?? throw new ArgumentException($"Method 'oracle' needs a generated set; case {c.Id} has no oracle.");
        return new ForecastResult { Model = "oracle", Detail = "generator state, future shocks zero", Mean = m, Intervals = [new PredictionInterval(80, m, m), new PredictionInterval(95, m, m)], IntervalMethod = IntervalMethod.None };
    }

    public static ForecastResult Forecast(string method, ForecastRequest req, GlobalGbm? gbm) => method switch
    {
        "auto" => new AutoForecaster().Forecast(req),
        "auto+gbm" => new AutoForecaster().Forecast(req, gbm),
        _ when method.StartsWith("auto-", StringComparison.Ordinal) && method.EndsWith("+gbm", StringComparison.Ordinal) => new AutoForecaster(Variant(method[..^4])).Forecast(req, gbm),
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
                "med" => o with { Combination = CombinationRule.Median },
                "eq" => o with { Combination = CombinationRule.Equal },
                "trim" => o with { Combination = CombinationRule.Trimmed },
                "m4" => o with { Models = [.. o.Models, "m4comb"] },
                "bc" => o with { BoxCoxModels = ["ets", "theta", "arima"] },
                "bcall" => o with { BoxCoxModels = ["ets", "theta", "arima", "mstl", "m4comb"] },
                "bias" => o with { BoxCoxBiasAdjust = true },
                "old" => o with { SubDailyExclude = [], SubDailyBoxCoxModels = [] },
                "hp" => o with { SubDailyExclude = ["m4comb"] },
                "gin" => o with { AlwaysInclude = ["gbm"] },
                _ when part.StartsWith("gin", StringComparison.Ordinal) => o with { AlwaysInclude = ["gbm"], AlwaysIncludeWithin = double.Parse(part[3..], CultureInfo.InvariantCulture) },
                "sbc" => o with { BoxCoxModels = [], SubDailyBoxCoxModels = ["ets", "theta", "arima", "mstl", "m4comb"] },
                _ when part.StartsWith("pw", StringComparison.Ordinal) => o with { WeightPower = double.Parse(part[2..], CultureInfo.InvariantCulture) },
                _ when part.StartsWith("x", StringComparison.Ordinal) => o with { MaxRelativeError = double.Parse(part[1..], CultureInfo.InvariantCulture) },
                _ when part.StartsWith('k') => o with { BacktestOrigins = int.Parse(part[1..], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown auto variant '{part}' in '{method}'; use topN, best, kN, med, eq, trim, m4, bc, bcall, sbc, bias, old, hp, gin, ginR, pwP or xR."),
            };
        }

        return o;
    }

    /// <summary>A set scored with MASE lag 1 on seasonal data: M4 frequency 1 (weekly, daily), where Naive2 = Naive1.</summary>
    private static bool IsFrequencyOne(EvalSet set) => set.Cases.Count > 0 && set.Cases[0].MaseLag == 1 && set.Cases[0].Periods.Length > 0;

    public static string Table(EvalSet set, List<MethodScore> scores)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        bool n1 = scores.Any(s => double.IsFinite(s.OwaNaive1));
        sb.AppendLine(ci, $"### {set.Name}");
        sb.AppendLine();
        sb.AppendLine(set.Description + $"; {set.Cases.Count} forecasts.");
        if (n1)
        {
            sb.AppendLine("OWA vs Naive1 = OWA as M4 scores this frequency (M4 frequency 1: MASE lag 1 and Naive2 = Naive1, no seasonal adjustment); OWA = against our Naive2 (seasonally adjusted on the period when the 90% test finds seasonality).");
        }

        sb.AppendLine();
        sb.AppendLine(n1 ? "| method | sMAPE % | MASE | OWA | OWA vs Naive1 | MSIS 95 | cov 80 | cov 95 | seconds | chosen (top 3) |" : "| method | sMAPE % | MASE | OWA | MSIS 95 | cov 80 | cov 95 | seconds | chosen (top 3) |");
        sb.AppendLine(n1 ? "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|" : "|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in scores)
        {
            string extra = n1 ? $" {s.OwaNaive1:F3} |" : "";
            sb.AppendLine(ci, $"| {s.Method} | {s.Smape:F3} | {s.Mase:F3} | {s.Owa:F3} |{extra} {s.Msis:F2} | {s.Cov80:P1} | {s.Cov95:P1} | {s.Seconds:F1} | {s.Chosen} |");
        }

        sb.AppendLine();
        return sb.ToString();
    }
}
