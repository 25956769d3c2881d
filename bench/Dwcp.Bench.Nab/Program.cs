using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dwcp.Anomalies;
using Dwcp.Anomalies.Evaluation;
using Dwcp.Bench.Nab;

// Runs the online ensemble over the repository's NAB subset and scores it with the NAB scorer.
// Usage: dotnet run -c Release --project bench/Dwcp.Bench.Nab [-- --no-write] [--sensitivity] [--diag] [--components A,B]
//        [--shift N] [--calibration N] [--min-history N] [--refractory N] [--refractory-p P] [--refractory-ratio R]
//        [--rank-window N] [--rank-history N] [--smooth N] [--tail N] [--fixed-tail] [--discord-window N] [--discord-history N]
//        [--batch] [--batch-components A,B] [--batch-model M] (score the batch detector instead)
//        [--interval-model M] [--interval-refit N] (online interval breach on the forecasting engine's model M)
//        [--period-search N] [--warmup N|nab] [--resonance-offset X] [--resonance-slope X] [--resonance-typical N] [--no-compare]
var root = FindRoot();
var write = !args.Contains("--no-write");
var options = new OnlineDetectorOptions();
var nabWarmup = false;
// --batch scores each file with BatchAnomalyDetector (whole series) instead of the online ensemble.
var batch = args.Contains("--batch");
var batchOptions = new BatchDetectorOptions();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--refractory":
            options = options with { RefractoryLength = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--refractory-p":
            options = options with { RefractoryPValue = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--shift":
            options = options with { ShiftWindow = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--tail":
            options = options with { TailCount = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--fixed-tail":
            options = options with { FixedCombinedTail = true };
            break;
        case "--components":
            options = options with { Components = Enum.Parse<EnsembleComponents>(args[++i]) };
            break;
        case "--refractory-ratio":
            options = options with { RefractoryRatio = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--rank-window":
            options = options with { RankWindow = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--rank-history":
            options = options with { RankHistory = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--smooth":
            options = options with { SmoothingWindow = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--min-history":
            options = options with { MinCalibrationHistory = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--discord-window":
            options = options with { DiscordWindow = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--discord-history":
            options = options with { DiscordHistory = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--period-search":
            options = options with { PeriodSearchLength = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--warmup":
            // "nab" = NAB's probationary length per file (15% of it, at most 750 rows, made even); a number = fixed rows.
            if (args[++i] == "nab")
            {
                nabWarmup = true;
            }
            else
            {
                options = options with { Resonance = options.Resonance with { WarmupLength = int.Parse(args[i], CultureInfo.InvariantCulture) } };
            }

            break;
        case "--resonance-offset":
            options = options with { ResonanceLogOffset = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--resonance-typical":
            options = options with { Resonance = options.Resonance with { TypicalHistory = int.Parse(args[++i], CultureInfo.InvariantCulture) } };
            break;
        case "--resonance-slope":
            options = options with { ResonanceLogSlope = double.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--batch-components":
            batchOptions = batchOptions with { Components = Enum.Parse<BatchComponents>(args[++i]) };
            break;
        case "--interval-model":
            options = options with { IntervalModel = args[++i] };
            break;
        case "--interval-refit":
            options = options with { IntervalRefitEvery = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--batch-model":
            batchOptions = batchOptions with { ForecastBreach = batchOptions.ForecastBreach with { Model = args[++i] } };
            break;
        case "--calibration":
            options = options with { CalibrationWindow = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        default:
            break;
    }
}

var diag = args.Contains("--diag");
var corpus = NabCorpus.Load(Path.Combine(root, "data", "nab"));
var watch = Stopwatch.StartNew();
var (results, periods, scoredDefault) = Run(options);
watch.Stop();
var rows = corpus.Sum(c => c.Values.Length);
var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"# NAB score of the {(batch ? "batch detector" : "online ensemble")} ({TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC)");
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Corpus: the repository's NAB v1.1 subset (`data/nab`, {corpus.Count} files, {rows:N0} rows, {results[0].Files.Sum(f => f.TruePositives + f.FalseNegatives)} scored windows).");
md.AppendLine(CultureInfo.InvariantCulture, $"Detector: {(batch ? $"`BatchAnomalyDetector` with components {batchOptions.Components}, forecast breach model {batchOptions.ForecastBreach.Model}" : $"`OnlineAnomalyDetector` with {Describe(options, nabWarmup)}")}; scored and swept in {watch.Elapsed.TotalSeconds:F1} s ({rows / watch.Elapsed.TotalSeconds:N0} rows/s, 1 thread).");
md.AppendLine("Scorer: `Dwcp.Anomalies.Evaluation.NabScorer` (port of NAB v1.1 sweeper), one threshold per profile optimised over the corpus.");
md.AppendLine("Published scores are for the full 58-file corpus (best 74.9 ARTime, 70.5 Numenta HTM) and are not directly comparable.");
md.AppendLine();
md.AppendLine("| profile | score | threshold | raw | null | perfect |");
md.AppendLine("|---|---|---|---|---|---|");
foreach (var r in results)
{
    md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Profile.Name} | **{r.NormalisedScore:F1}** | {r.Threshold:G10} | {r.RawScore:F3} | {r.NullScore:F1} | {r.PerfectScore:F1} |");
}

foreach (var r in results)
{
    md.AppendLine();
    md.AppendLine(CultureInfo.InvariantCulture, $"## {r.Profile.Name} at threshold {r.Threshold:G10}");
    md.AppendLine();
    md.AppendLine("| file | period | TP | FP | FN | raw |");
    md.AppendLine("|---|---|---|---|---|---|");
    foreach (var f in r.Files)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {periods[f.Name]} | {f.TruePositives} | {f.FalsePositives} | {f.FalseNegatives} | {f.RawScore:F3} |");
    }
}

var artime = Path.Combine(root, "data", "nab", "published", "ARTime_subset_scores.csv");
if (!batch && File.Exists(artime))
{
    md.AppendLine();
    md.AppendLine("## Same files, same scorer: ARTime's published per-file scores");
    md.AppendLine();
    md.Append(PublishedComparison.Report("ARTime", artime, results, scoredDefault));
}

md.AppendLine();
md.AppendLine("## Leave one file out (threshold chosen on the other 17 files)");
md.AppendLine();
md.Append(SplitEvaluation.LeaveOneOut([("default", scoredDefault)], NabProfile.All));

if (!batch && !args.Contains("--no-compare"))
{
    // Alone, as a component, and as the default: the default is the variant with the best held-out standard score.
    var compared = new List<(string, List<(NabFile, IReadOnlyList<double>)>)>();
    foreach (var (name, o, probationary) in DetectorComparison.Variants(options))
    {
        compared.Add((name, Run(o, probationary).Scored));
    }

    md.AppendLine();
    md.AppendLine("## Detector comparison (in-sample, and held out = leave one file out)");
    md.AppendLine();
    md.Append(DetectorComparison.Report(compared));
    md.AppendLine();
    md.AppendLine("Detector also chosen without the file (leave one file out over the rows above):");
    md.AppendLine();
    md.Append(SplitEvaluation.LeaveOneOut(compared, [NabProfile.Standard, NabProfile.RewardLowFpRate]));
}

if (args.Contains("--sensitivity"))
{
    // Neighbouring settings: with 25 windows one window caught or missed moves the score by about 4 points.
    md.AppendLine();
    md.AppendLine("## Sensitivity (neighbouring settings, same corpus)");
    md.AppendLine();
    md.AppendLine("| variant | standard | low FP | low FN |");
    md.AppendLine("|---|---|---|---|");
    var variants = new (string Name, OnlineDetectorOptions Options)[]
    {
        ("default", options),
        ("resonance alarm p offset 2, slope 3", options with { ResonanceLogOffset = 2, ResonanceLogSlope = 3 }),
        ("resonance alarm p offset 3, slope 1", options with { ResonanceLogOffset = 3, ResonanceLogSlope = 1 }),
        ("resonance alarm p offset 3, slope 3", options with { ResonanceLogOffset = 3, ResonanceLogSlope = 3 }),
        ("resonance alarm p offset 2.5, slope 3", options with { ResonanceLogOffset = 2.5, ResonanceLogSlope = 3 }),
        ("resonance alarm p offset 2, slope 2", options with { ResonanceLogOffset = 2, ResonanceLogSlope = 2 }),
        ("resonance warm-up 500 rows", options with { Resonance = options.Resonance with { WarmupLength = 500 } }),
        ("resonance warm-up 1000 rows", options with { Resonance = options.Resonance with { WarmupLength = 1000 } }),
        ("resonance feature window 16", options with { Resonance = options.Resonance with { FeatureWindow = 16 } }),
        ("resonance median snap 0.05", options with { Resonance = options.Resonance with { MedianSnap = 0.05 } }),
        ("resonance median snap 0.1", options with { Resonance = options.Resonance with { MedianSnap = 0.1 } }),
        ("without variance-shift", options with { Components = options.Components & ~EnsembleComponents.VarianceShift }),
        ("without long-season residual", options with { Components = options.Components & ~EnsembleComponents.LongSeasonResidual }),
        ("period search 1440 rows", options with { PeriodSearchLength = 1440 }),
        ("+ mean-shift", options with { Components = options.Components | EnsembleComponents.MeanShift }),
        ("+ BOCPD", options with { Components = options.Components | EnsembleComponents.BayesianChangePoint }),
        ("shift window 4", options with { ShiftWindow = 4 }),
        ("shift window 8", options with { ShiftWindow = 8 }),
        ("shift window 12", options with { ShiftWindow = 12 }),
        ("calibration window 1500", options with { CalibrationWindow = 1500 }),
        ("calibration window 2500", options with { CalibrationWindow = 2500 }),
        ("calibration window 3000", options with { CalibrationWindow = 3000 }),
        ("tail count 5", options with { TailCount = 5 }),
        ("tail count 20", options with { TailCount = 20 }),
        ("no refractory", options with { RefractoryLength = 0 }),
        ("refractory 100 rows", options with { RefractoryLength = 100 }),
        ("refractory ratio 0.1", options with { RefractoryRatio = 0.1 }),
        ("+ distribution shift (w 12)", options with { Components = options.Components | EnsembleComponents.DistributionShift }),
        ("+ distribution shift (w 48)", options with { Components = options.Components | EnsembleComponents.DistributionShift, RankWindow = 48 }),
        ("+ range breach", options with { Components = options.Components | EnsembleComponents.RangeBreach }),
        ("smoothing 6", options with { SmoothingWindow = 6 }),
        ("smoothing 12", options with { SmoothingWindow = 12 }),
        ("calibration history 300", options with { MinCalibrationHistory = 300 }),
        ("fixed combined tail", options with { FixedCombinedTail = true }),
        ("+ window discord (w 6)", options with { Components = options.Components | EnsembleComponents.WindowDiscord, DiscordWindow = 6 }),
        ("+ window discord (w 16)", options with { Components = options.Components | EnsembleComponents.WindowDiscord, DiscordWindow = 16 }),
        ("+ window discord (w 48)", options with { Components = options.Components | EnsembleComponents.WindowDiscord, DiscordWindow = 48 }),
    };
    var all = new List<(string, List<(NabFile, IReadOnlyList<double>)>)>();
    foreach (var (name, o) in variants)
    {
        var (vr, _, vs) = Run(o);
        all.Add((name, vs));
        md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {vr[0].NormalisedScore:F1} | {vr[1].NormalisedScore:F1} | {vr[2].NormalisedScore:F1} |");
    }

    md.AppendLine();
    md.AppendLine("## Split check (choose variant and threshold on one half of the files, score the other half)");
    md.AppendLine();
    md.Append(SplitEvaluation.Report(all));
    md.AppendLine();
    md.AppendLine("## Leave one file out over the variants (variant and threshold chosen on the other 17 files)");
    md.AppendLine();
    md.Append(SplitEvaluation.LeaveOneOut(all, [NabProfile.Standard, NabProfile.RewardLowFpRate]));
}

Console.Write(md.ToString());
if (write)
{
    var path = Path.Combine(root, "bench", "results", $"nab-{TimeProvider.System.GetUtcNow():yyyyMMdd-HHmm}.md");
    File.WriteAllText(path, md.ToString());
    Console.WriteLine($"Wrote {path}");
}

(List<NabProfileResult> Results, Dictionary<string, int> Periods, List<(NabFile File, IReadOnlyList<double> Scores)> Scored) Run(OnlineDetectorOptions o, bool probationaryWarmup = false)
{
    var scored = new List<(NabFile File, IReadOnlyList<double> Scores)>();
    var periods = new Dictionary<string, int>();
    foreach (var (file, values) in corpus)
    {
        if (batch)
        {
            var result = BatchAnomalyDetector.Detect(values, batchOptions);
            periods[file.Name] = result.Period;
            scored.Add((file, result.Scores.Select(s => s.Score).ToArray()));
            continue;
        }

        var fileOptions = nabWarmup || probationaryWarmup ? o with { Resonance = o.Resonance with { WarmupLength = NabCorpus.ProbationaryLength(values.Length) } } : o;

        var detector = new OnlineAnomalyDetector(fileOptions);
        var scores = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            scores[i] = detector.Score(values[i]).Score; // row order, as NAB feeds detectors (one real file repeats an hour)
            if (diag)
            {
                var cp = detector.LastComponentPValues;
                var arg = 0;
                for (var k = 1; k < cp.Count; k++)
                {
                    arg = cp[k] < cp[arg] ? k : arg;
                }

                Diagnostics.Driver[(file.Name, i)] = (OnlineAnomalyDetector.ComponentNames[arg], -Math.Log10(Math.Max(cp[arg], 1e-300)));
            }
        }

        periods[file.Name] = detector.Period ?? 0;
        scored.Add((file, scores));
    }

    if (args.Contains("--diag"))
    {
        Console.Error.Write(Diagnostics.Describe(scored));
    }

    return (NabProfile.All.Select(p => NabScorer.Optimise(scored, p)).ToList(), periods, scored);
}

static string Describe(OnlineDetectorOptions o, bool nabWarmup) =>
    string.Create(CultureInfo.InvariantCulture,
        $"period auto (first {o.PeriodSearchLength} rows, ≤ {o.MaxPeriod}), resonance warm-up {(nabWarmup ? "NAB probationary length" : o.Resonance.WarmupLength + " rows")} and alarm p 10^−({o.ResonanceLogOffset:G3} + {o.ResonanceLogSlope:G3}·confidence), calibration window {o.CalibrationWindow}, refractory {o.RefractoryLength} rows at p ≤ {o.RefractoryPValue:G3} (ratio {o.RefractoryRatio:G3}), smoothing {o.SmoothingWindow}, shift window {o.ShiftWindow}, components {o.Components:G}, interval forecaster {(o.IntervalModel is { } m ? $"{m} (forecasting engine, refit every {o.IntervalRefitEvery})" : "built-in seasonal-conformal")}");

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (global.json).");
}
