using System.Globalization;
using Dwcp.Forecasting.Analysis;
using Dwcp.Forecasting.Models;
using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Ensemble;

/// <summary>Settings of <see cref="AutoForecaster"/>.</summary>
public sealed record AutoForecasterOptions
{
    /// <summary>Candidate model names (see <see cref="ModelCatalog"/>); default: ets, theta, arima, mstl, m4comb, snaive, drift.</summary>
    public IReadOnlyList<string> Models { get; init; } = ModelCatalog.AutoNames;

    /// <summary>
    /// Rolling-origin backtest origins (each a full horizon long); fewer when the series is short. Default 6: on the
    /// M4-like bench sets 6 origins ranked more robustly than 4 (weekly OWA 0.93 → 0.90).
    /// </summary>
    public int BacktestOrigins { get; init; } = 6;

    /// <summary>Largest number of models in a combination.</summary>
    public int MaxMembers { get; init; } = 3;

    /// <summary>When true, keep only requested periods whose seasonal strength reaches <see cref="SeriesAnalysis.SeasonalityThreshold"/>.</summary>
    public bool DetectSeasonality { get; init; } = true;

    /// <summary>
    /// k &gt; 0 (default 3): the top-k models by backtest MASE with weights ∝ MASE^−p (<see cref="WeightPower"/>). 0: best subset — whichever of the
    /// best single model and the top-2 … top-<see cref="MaxMembers"/> combinations has the lowest backtest MASE.
    /// Either way, members whose MASE exceeds <see cref="MaxRelativeError"/> × the best are left out.
    /// </summary>
    public int FixedMembers { get; init; } = 3;

    /// <summary>Candidates whose backtest MASE exceeds this multiple of the best one never join a combination.</summary>
    public double MaxRelativeError { get; init; } = 2.5;

    /// <summary>
    /// When true (default), each conformal level ℓ uses the smallest quantile level whose leave-one-origin-out
    /// coverage in the backtest reaches ℓ (quantile recalibration on the validation folds).
    /// </summary>
    public bool CalibrateIntervals { get; init; } = true;

    /// <summary>How the members of a combination are averaged (default: weights ∝ backtest MASE^−2).</summary>
    public CombinationRule Combination { get; init; } = CombinationRule.InverseError;

    /// <summary>
    /// Exponent p of the <see cref="CombinationRule.InverseError"/> weights ∝ MASE^−p; 0 = equal weights. Default 2
    /// since 2026-11-28 night (1 before): with the global model, M4-like hourly OWA 0.592 → 0.590, weekly 0.876 → 0.873,
    /// taxi 0.422 → 0.415.
    /// </summary>
    public double WeightPower { get; init; } = 2;

    /// <summary>
    /// Candidates fitted on the Box-Cox scale (λ by <see cref="BoxCox.Guerrero"/> on the smallest kept period)
    /// when every value is strictly positive, and transformed back with a bias-adjusted mean; default none.
    /// </summary>
    public IReadOnlyList<string> BoxCoxModels { get; init; } = [];

    /// <summary>
    /// As <see cref="BoxCoxModels"/>, for sub-daily series only (smallest requested period a multiple of 24); default
    /// ets, theta, arima, mstl, m4comb (on the M4-like hourly set OWA 0.614 → 0.601, taxi 0.452 → 0.423; on weekly
    /// series the transform did not help, 0.890 → 0.893–0.901).
    /// </summary>
    public IReadOnlyList<string> SubDailyBoxCoxModels { get; init; } = ModelCatalog.SubDailyBoxCoxNames;

    /// <summary>
    /// When true, Box-Cox forecasts are back-transformed to the mean (bias-adjusted); when false (default), to the
    /// median, which minimises absolute errors (sMAPE, MASE, WAPE): taxi MASE 0.767 → 0.722 with the median.
    /// </summary>
    public bool BoxCoxBiasAdjust { get; init; }

    /// <summary>
    /// Candidates left out for sub-daily series (smallest requested period a multiple of 24, e.g. hourly 24/168 or
    /// 30-minute 48/336); default m4comb (on the M4-like hourly set OWA 0.622 → 0.614 without it).
    /// </summary>
    public IReadOnlyList<string> SubDailyExclude { get; init; } = ModelCatalog.SubDailyExcludedNames;

    /// <summary>
    /// Candidates (e.g. gbm) that join the top-k combination even when ranked below it, as long as their backtest
    /// MASE is within <see cref="AlwaysIncludeWithin"/> × the best (they replace the last member); default none.
    /// </summary>
    public IReadOnlyList<string> AlwaysInclude { get; init; } = [];

    /// <summary>Largest ratio of an <see cref="AlwaysInclude"/> candidate's backtest MASE to the best one's; default 1.25.</summary>
    public double AlwaysIncludeWithin { get; init; } = 1.25;

    /// <summary>Optional profile that accumulates time per model and phase.</summary>
    public ForecastProfile? Profile { get; init; }
}

/// <summary>How <see cref="AutoForecaster"/> averages the members of a combination.</summary>
public enum CombinationRule
{
    /// <summary>Weighted mean with weights ∝ backtest MASE^−p (<see cref="AutoForecasterOptions.WeightPower"/>, default 2).</summary>
    InverseError,

    /// <summary>Equal-weight mean.</summary>
    Equal,

    /// <summary>Per-step median of the members (the mean of the middle two for an even count).</summary>
    Median,

    /// <summary>Per-step trimmed mean: the lowest and the highest member dropped (with three or more), the rest averaged.</summary>
    Trimmed,
}

/// <summary>
/// Backtest-driven model selection and combination. Every candidate is fitted on the whole series (which fixes its
/// form: ETS type, ARIMA order, …) and re-estimated at K rolling origins (training ends n − h, n − 2h, …). Candidates are
/// ranked by backtest MASE; the forecast is the combination of the top 3 (weights ∝ MASE^−2), leaving out any candidate
/// whose MASE exceeds 2.5× the best (so a single clearly best model stands alone). A best-subset rule is an option. Intervals: model-based for a
/// single model whose backtest coverage at the widest level is within 10 points of nominal, conformal otherwise.
/// Fallbacks: fewer than 10 points → naive/drift only; no period with two cycles → no seasonal models; no room for a
/// backtest → the first candidate alone with its own intervals.
/// </summary>
public sealed class AutoForecaster : IForecastModel
{
    private readonly AutoForecasterOptions _options;

    /// <summary>Creates the forecaster.</summary>
    public AutoForecaster(AutoForecasterOptions? options = null)
    {
        _options = options ?? new AutoForecasterOptions();
        foreach (var name in _options.Models)
        {
            if (!name.Equals("gbm", StringComparison.OrdinalIgnoreCase))
            {
                _ = ModelCatalog.Create(name);
            }
        }
    }

    /// <inheritdoc />
    public string Name => "auto";

    /// <inheritdoc />
    public ForecastResult Forecast(ForecastRequest request) => Forecast(request, []);

    /// <summary>Forecasts with the global gradient-boosted model as one more candidate (when not null).</summary>
    public ForecastResult Forecast(ForecastRequest request, GlobalGbm? globalModel)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Forecast(request, globalModel is null ? [] : [globalModel.ModelFor(request.SeasonalPeriods)]);
    }

    internal ForecastResult Forecast(ForecastRequest request, IReadOnlyList<ModelBase> extraModels)
    {
        ArgumentNullException.ThrowIfNull(request);
        var y = ModelBase.Validate(request);
        int n = y.Length, h = request.Horizon;
        var notes = new List<string>();
        var periods = request.SeasonalPeriods.Where(p => p >= 2).Distinct().Order().ToArray();
        bool subDaily = IsSubDaily(periods);
        if (_options.DetectSeasonality && periods.Length > 0)
        {
            var kept = periods.Where(p => n >= 2 * p && SeriesAnalysis.SeasonalStrength(y, p) >= SeriesAnalysis.SeasonalityThreshold).ToArray();
            if (kept.Length != periods.Length)
            {
                notes.Add($"seasonal periods kept: [{string.Join(',', kept)}] of [{string.Join(',', periods)}]");
            }

            periods = kept;
        }

        var names = _options.Models.Where(m => !m.Equals("gbm", StringComparison.OrdinalIgnoreCase)).ToList();
        if (subDaily && names.Any(m => !_options.SubDailyExclude.Contains(m, StringComparer.OrdinalIgnoreCase)))
        {
            // The sub-daily pool; never empties a list that names only excluded models.
            names = [.. names.Where(m => !_options.SubDailyExclude.Contains(m, StringComparer.OrdinalIgnoreCase))];
        }

        var models = names.Select(ModelCatalog.Create).Concat(extraModels).ToList();
        models = WithBoxCox(models, subDaily ? [.. _options.BoxCoxModels, .. _options.SubDailyBoxCoxModels] : _options.BoxCoxModels, y, periods, notes);
        if (models.Count == 0)
        {
            throw new ArgumentException("No candidate models: name at least one model in AutoForecasterOptions.Models or pass a global model.", nameof(request));
        }

        if (n < SeriesAnalysis.MinimumForModels)
        {
            models = [new NaiveModel(), new DriftModel()];
            notes.Add($"short series ({n} < {SeriesAnalysis.MinimumForModels} points): naive and drift only");
        }
        else if (!periods.Any(p => n >= 2 * p) && models.Count(m => !ModelCatalog.IsSeasonalOnly(m.Name)) > 0)
        {
            int before = models.Count;
            models = [.. models.Where(m => !ModelCatalog.IsSeasonalOnly(m.Name))];
            if (models.Count != before)
            {
                notes.Add("no seasonal period with two full cycles: seasonal models skipped");
            }
        }

        var finals = models.Select(m => Measure(m.Name, "final", () => m.Run(y, h, periods))).ToList();
        int mMin = periods.Length > 0 ? periods[0] : 1;
        int minTrain = Math.Max(SeriesAnalysis.MinimumForModels, periods.Length > 0 ? 2 * periods[0] : 0);
        var origins = Backtest.Origins(n, h, minTrain, _options.BacktestOrigins);
        int hb = h;
        if (origins.Length == 0 && (n - minTrain) / 2 >= 1)
        {
            // Too short for a backtest at the full horizon: rank on a shorter one (two origins) rather than trusting
            // the first candidate blindly; conformal widths beyond it grow as √step.
            hb = (n - minTrain) / 2;
            origins = Backtest.Origins(n, hb, minTrain, _options.BacktestOrigins);
            notes.Add($"too short for a rolling-origin backtest at horizon {h}: backtest at horizon {hb}; interval widths beyond step {hb} grow as √step");
        }

        if (origins.Length == 0)
        {
            notes.Add($"too short for a rolling-origin backtest at horizon {h}: used {models[0].Name} alone");
            var only = ModelBase.ToResult(models[0].Name, finals[0], request.Levels);
            var m0 = finals[0].Fixed ?? models[0];
            return ClampIfNonNegative(y, only with { Notes = notes, Reforecast = prefix => m0.Run(prefix, h, periods).Mean });
        }

        var runs = new List<BacktestRun>();
        for (int i = 0; i < models.Count; i++)
        {
            var fixedModel = finals[i].Fixed ?? models[i];
            var run = Measure(models[i].Name, "backtest", () => Backtest.Run(fixedModel, y, origins, hb, periods, request.Levels));
            run.Score = Backtest.Mase(run.Forecasts, y, origins, mMin);
            runs.Add(run);
        }

        int[] all = [.. Enumerable.Range(0, origins.Length)];
        var (bestSet, bestW, bestScore, ranked) = Choose(runs, y, origins, mMin, all);
        var mean = Mix([.. bestSet.Select(i => finals[i].Mean)], bestW);

        // Interval errors are cross-validated over the selection too: origin j's error comes from the members and
        // weights chosen on the other origins, so the optimism of picking the best models on the same backtest
        // does not narrow the intervals.
        var cvForecasts = new double[origins.Length][];
        for (int j = 0; j < origins.Length; j++)
        {
            var (set, w, _, _) = origins.Length >= 2 ? Choose(runs, y, origins, mMin, [.. all.Where(k => k != j)]) : (bestSet, bestW, 0, ranked);
            cvForecasts[j] = Mix([.. set.Select(i => runs[i].Forecasts[j])], w);
        }

        var errors = Backtest.Errors(cvForecasts, y, origins);
        string name = bestSet.Length == 1 ? models[bestSet[0]].Name : $"ensemble({string.Join('+', bestSet.Select(i => models[i].Name))})";
        string detail = bestSet.Length == 1
            ? finals[bestSet[0]].Detail
            : string.Join(" + ", bestSet.Select((i, k) => bestW[k].ToString("0.000", CultureInfo.InvariantCulture) + "·" + finals[i].Detail));
        notes.Add("backtest MASE: " + string.Join(", ", ranked.Select(i => $"{models[i].Name}={runs[i].Score.ToString("0.000", CultureInfo.InvariantCulture)}")));

        var coverage = new Dictionary<double, double>();
        var intervals = new List<PredictionInterval>();
        var method = IntervalMethod.Conformal;
        if (bestSet.Length == 1 && finals[bestSet[0]].HasIntervals && request.Levels.Count > 0)
        {
            var run = runs[bestSet[0]];
            int widest = Enumerable.Range(0, request.Levels.Count).MaxBy(i => request.Levels[i]);
            double modelCov = Backtest.ModelCoverage(run, y, origins, widest);
            if (Math.Abs(modelCov - request.Levels[widest] / 100) <= 0.10)
            {
                method = finals[bestSet[0]].StdDev is not null || finals[bestSet[0]].Bounds is not null ? IntervalMethod.Analytic : IntervalMethod.Simulated;
                for (int li = 0; li < request.Levels.Count; li++)
                {
                    var (lo, hi) = ModelBase.IntervalsFrom(finals[bestSet[0]], request.Levels[li]);
                    intervals.Add(new PredictionInterval(request.Levels[li], lo, hi));
                    coverage[request.Levels[li]] = Backtest.ModelCoverage(run, y, origins, li);
                }
            }
            else
            {
                notes.Add($"model intervals covered {modelCov:P0} at {request.Levels[widest]}% in the backtest: conformal used");
            }
        }

        if (method == IntervalMethod.Conformal)
        {
            foreach (var level in request.Levels)
            {
                double used = _options.CalibrateIntervals ? Backtest.CalibratedLevel(errors, level) : level;
                if (used != level)
                {
                    notes.Add($"{level.ToString(CultureInfo.InvariantCulture)}% interval recalibrated to the {used.ToString("0.0", CultureInfo.InvariantCulture)}% conformal quantile (leave-one-origin-out coverage)");
                }

                var half = Backtest.Extend(Backtest.ConformalHalfWidth(errors, used), h);
                intervals.Add(new PredictionInterval(level, mean.Select((v, s) => v - half[s]).ToArray(), mean.Select((v, s) => v + half[s]).ToArray()));
                double cov = Backtest.ConformalCoverage(errors, used);
                if (double.IsFinite(cov))
                {
                    coverage[level] = cov;
                }
            }
        }

        return ClampIfNonNegative(y, new ForecastResult
        {
            Model = name,
            Detail = detail,
            Mean = mean,
            Intervals = intervals,
            IntervalMethod = method,
            BacktestCoverage = coverage,
            BacktestMase = bestScore,
            Notes = notes,
            Reforecast = prefix => Mix([.. bestSet.Select(i => (finals[i].Fixed ?? models[i]).Run(prefix, h, periods).Mean)], bestW),
        });
    }

    /// <summary>
    /// Sub-daily data by its periods: the smallest is a multiple of 24 (the daily cycle of hourly, 30-, 15-, 10-, 5- or
    /// 1-minute data: 24, 48, 96, 144, 288, 1440). Weekly (52), daily (7, 30, 365) and monthly (12) periods are not.
    /// </summary>
    internal static bool IsSubDaily(int[] sortedPeriods) => sortedPeriods.Length > 0 && sortedPeriods[0] % 24 == 0;

    /// <summary>Wraps the candidates named in <see cref="AutoForecasterOptions.BoxCoxModels"/> when every value is positive.</summary>
    private List<ModelBase> WithBoxCox(List<ModelBase> models, IReadOnlyList<string> names, double[] y, int[] periods, List<string> notes)
    {
        if (names.Count == 0 || y.Length < SeriesAnalysis.MinimumForModels || y.Any(v => !(v > 0))
            || !models.Any(m => names.Contains(m.Name, StringComparer.OrdinalIgnoreCase)))
        {
            return models;
        }

        double lambda = BoxCox.Guerrero(y, periods.Length > 0 ? periods[0] : 2);
        notes.Add($"Box-Cox λ = {lambda.ToString("0.00", CultureInfo.InvariantCulture)} (Guerrero) for {string.Join(',', names)}");
        return [.. models.Select(m => names.Contains(m.Name, StringComparer.OrdinalIgnoreCase) ? new BoxCoxModel(m, lambda, _options.BoxCoxBiasAdjust) : m)];
    }

    /// <summary>A history without negative values (costs, counts) gets forecasts and bounds cut at zero.</summary>
    private static ForecastResult ClampIfNonNegative(double[] y, ForecastResult r)
    {
        if (y.Any(v => v < 0))
        {
            return r;
        }

        static double[] Cut(IReadOnlyList<double> x) => [.. x.Select(v => Math.Max(0, v))];
        return r with
        {
            Mean = Cut(r.Mean),
            Intervals = [.. r.Intervals.Select(i => i with { Lower = Cut(i.Lower), Upper = Cut(i.Upper) })],
        };
    }

    /// <summary>Ranks the candidates on the origins in <paramref name="use"/> and applies the combination rule.</summary>
    private (int[] Set, double[] Weights, double Score, List<int> Ranked) Choose(List<BacktestRun> runs, double[] y, int[] origins, int mMin, int[] use)
    {
        var os = use.Select(j => origins[j]).ToArray();
        double Score(double[][] forecasts) => Backtest.Mase([.. use.Select(j => forecasts[j])], y, os, mMin);
        var scores = use.Length == origins.Length ? runs.Select(r => r.Score).ToArray() : runs.Select(r => Score(r.Forecasts)).ToArray();
        var ranked = Enumerable.Range(0, runs.Count).Where(i => double.IsFinite(scores[i])).OrderBy(i => scores[i]).ToList();
        if (ranked.Count == 0)
        {
            ranked = [0];
        }

        var eligible = MemberRules.WithForced(ranked.Where(i => scores[i] <= _options.MaxRelativeError * scores[ranked[0]]).ToList(), scores, runs.Select(r => r.Name).ToList(), _options);
        int[] bestSet = [ranked[0]];
        double[] bestW = [1.0];
        double bestScore = scores[ranked[0]];
        for (int k = 2; k <= Math.Min(_options.FixedMembers > 0 ? _options.FixedMembers : _options.MaxMembers, eligible.Count); k++)
        {
            var set = eligible.Take(k).ToArray();
            var w = Weights(set.Select(i => scores[i]).ToArray());
            var combined = new double[origins.Length][];
            foreach (var j in use)
            {
                combined[j] = Mix([.. set.Select(i => runs[i].Forecasts[j])], w);
            }

            double score = Score(combined);
            if (score < bestScore - 1e-12 || _options.FixedMembers > 0)
            {
                bestSet = set;
                bestW = w;
                bestScore = score;
            }
        }

        return (bestSet, bestW, bestScore, ranked);
    }

    private T Measure<T>(string model, string phase, Func<T> work) =>
        _options.Profile is { } p ? p.Measure(model, phase, work) : work();

    /// <summary>Averages member forecasts by the configured <see cref="CombinationRule"/>.</summary>
    private double[] Mix(IReadOnlyList<double[]> parts, IReadOnlyList<double> weights) =>
        _options.Combination switch
        {
            CombinationRule.Median => Backtest.Median(parts),
            CombinationRule.Trimmed => Backtest.TrimmedMean(parts),
            _ => Backtest.Combine(parts, weights),
        };

    private double[] Weights(double[] scores)
    {
        if (_options.Combination != CombinationRule.InverseError)
        {
            return [.. scores.Select(_ => 1.0 / scores.Length)];
        }

        var inv = scores.Select(s => Math.Pow(Math.Max(s, 1e-12), -_options.WeightPower)).ToArray();
        double sum = inv.Sum();
        return [.. inv.Select(v => v / sum)];
    }
}
