namespace Dwcp.Anomalies.Costs;

/// <summary>One day's total cost of a series.</summary>
public readonly record struct DailyCost(DateTime Day, decimal Cost);

/// <summary>An anomalous day found in a daily cost series, before root-cause analysis.</summary>
/// <param name="Day">The day.</param>
/// <param name="Expected">Trend + seasonal fit of the robust decomposition, to the cent.</param>
/// <param name="Actual">The day's cost.</param>
/// <param name="Score">Calibrated batch score.</param>
public sealed record DailyAnomaly(DateTime Day, decimal Expected, decimal Actual, double Score);

/// <summary>The details the analyzer needs to explain one anomalous day.</summary>
public sealed record CostAnomalyInput
{
    /// <summary>The day.</summary>
    public required DateTime Timestamp { get; init; }

    /// <summary>Provider.</summary>
    public required string Provider { get; init; }

    /// <summary>Service.</summary>
    public required string Service { get; init; }

    /// <summary>Account, when the series is per account.</summary>
    public string? Account { get; init; }

    /// <summary>Detail rows of the anomalous day.</summary>
    public required IReadOnlyCollection<CostDetailRow> DayRows { get; init; }

    /// <summary>Detail rows of the baseline days.</summary>
    public required IReadOnlyCollection<CostDetailRow> BaselineRows { get; init; }

    /// <summary>Number of baseline days.</summary>
    public required int BaselineDays { get; init; }

    /// <summary>The detector's score for the day.</summary>
    public required double Score { get; init; }

    /// <summary>Expected cost when known from the detector; null = the baseline daily average.</summary>
    public decimal? ExpectedCost { get; init; }
}

/// <summary>Builds <see cref="CostAnomaly"/> values: detection on daily totals, explanation from detail rows.</summary>
public static class CostAnomalyAnalyzer
{
    /// <summary>The feedback series key of a provider/service/account.</summary>
    public static string SeriesKey(string provider, string service, string? account) => $"{provider}/{service}/{account ?? "*"}";

    /// <summary>Batch-detects anomalous days of a daily cost series (days must be in order, one per day).</summary>
    public static IReadOnlyList<DailyAnomaly> DetectDaily(IReadOnlyList<DailyCost> series, double fpRate = 0.05, int? period = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        for (var i = 1; i < series.Count; i++)
        {
            if (series[i].Day <= series[i - 1].Day)
            {
                throw new ArgumentException($"Daily costs must be in increasing day order; day {i} ({series[i].Day:yyyy-MM-dd}) is not after {series[i - 1].Day:yyyy-MM-dd}.", nameof(series));
            }
        }

        var values = series.Select(d => (double)d.Cost).ToArray();
        var result = BatchAnomalyDetector.Detect(values, fpRate, period ?? (values.Length >= 28 ? 7 : 0));
        var list = new List<DailyAnomaly>();
        for (var i = 0; i < values.Length; i++)
        {
            if (result.Scores[i].IsAnomaly)
            {
                var fitted = result.Decomposition.Trend[i] + result.Decomposition.Seasonal[i];
                list.Add(new DailyAnomaly(series[i].Day, Math.Round((decimal)fitted, 2, MidpointRounding.AwayFromZero), series[i].Cost, result.Scores[i].Score));
            }
        }

        return list;
    }

    /// <summary>Explains one anomalous day: root cause, severity, rules, and feedback adjustment.</summary>
    public static CostAnomaly Analyze(CostAnomalyInput input, AnomalyFeedbackStore? feedback = null, SeverityPolicy? severity = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rootCause = RootCauseAnalyzer.Analyze(input.DayRows, input.BaselineRows, input.BaselineDays);
        var expected = input.ExpectedCost ?? rootCause.Expected;
        var actual = rootCause.Actual;
        var deviation = SeverityPolicy.DeviationPercentage(expected, actual);
        var rules = CauseRuleCatalogue.Match(input.Service, rootCause);
        var assessment = feedback?.Assess(SeriesKey(input.Provider, input.Service, input.Account), input.Timestamp, deviation)
                         ?? new FeedbackAssessment(false, 1.0, null);
        return new CostAnomaly
        {
            Timestamp = input.Timestamp,
            Provider = input.Provider,
            Service = input.Service,
            Account = input.Account,
            ExpectedCost = expected,
            ActualCost = actual,
            DeviationPercentage = deviation,
            Severity = (severity ?? SeverityPolicy.Default).Classify(expected, actual),
            RootCauses = [.. rootCause.Increases, .. rootCause.Decreases],
            ProbableCauses = rules.Select(r => r.ProbableCause).Distinct().ToList(),
            RecommendedActions = rules.Select(r => r.RecommendedAction).Distinct().ToList(),
            Score = input.Score * assessment.ScoreMultiplier,
            Suppressed = assessment.Suppressed,
        };
    }
}
