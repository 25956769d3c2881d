namespace Dwcp.Anomalies.Costs;

/// <summary>How serious a cost anomaly is (see <see cref="SeverityPolicy"/>).</summary>
public enum AnomalySeverity
{
    /// <summary>Small in dollars or in relative terms.</summary>
    Low,

    /// <summary>Worth a look this week.</summary>
    Medium,

    /// <summary>Worth a look today.</summary>
    High,

    /// <summary>Large in dollars and relative terms: act now.</summary>
    Critical,
}

/// <summary>One dimension value's share of a cost change.</summary>
/// <param name="Dimension">The dimension (<see cref="CostDimensions"/>), e.g. <c>resource</c>.</param>
/// <param name="Value">The value, e.g. a resource id.</param>
/// <param name="Expected">Expected (baseline daily average) cost of the value, rounded to the cent.</param>
/// <param name="Actual">Actual cost of the value on the anomalous day.</param>
/// <param name="DollarDelta">Actual − expected, to the cent (negative = decrease).</param>
/// <param name="Share">|delta| as a fraction of the sum of |delta| over all values of the dimension (gross movement).</param>
/// <param name="Change">Whether the value is new, gone, or present in both.</param>
public sealed record CostContributor(string Dimension, string Value, decimal Expected, decimal Actual, decimal DollarDelta, double Share, ContributorChange Change);

/// <summary>How a dimension value appears across the baseline and the anomalous day.</summary>
public enum ContributorChange
{
    /// <summary>Present in both.</summary>
    Changed,

    /// <summary>Only on the anomalous day.</summary>
    New,

    /// <summary>Only in the baseline.</summary>
    Gone,
}

/// <summary>A detected cost anomaly, in the product guide's shape.</summary>
public sealed record CostAnomaly
{
    /// <summary>The anomalous period (day) start.</summary>
    public required DateTime Timestamp { get; init; }

    /// <summary>Cloud provider name.</summary>
    public required string Provider { get; init; }

    /// <summary>Service name as billed (e.g. <c>Amazon S3</c>).</summary>
    public required string Service { get; init; }

    /// <summary>Billing/sub account, when the series is per account.</summary>
    public string? Account { get; init; }

    /// <summary>Expected cost for the period.</summary>
    public required decimal ExpectedCost { get; init; }

    /// <summary>Actual cost for the period.</summary>
    public required decimal ActualCost { get; init; }

    /// <summary>100·(actual − expected)/expected; ±∞ is avoided: with expected 0 it is 100 when actual &gt; 0.</summary>
    public required double DeviationPercentage { get; init; }

    /// <summary>Severity from <see cref="SeverityPolicy"/>.</summary>
    public required AnomalySeverity Severity { get; init; }

    /// <summary>Top contributors to the change: increases first, then decreases, each ranked by |dollar delta|.</summary>
    public required IReadOnlyList<CostContributor> RootCauses { get; init; }

    /// <summary>Probable causes from the <see cref="CauseRuleCatalogue"/>.</summary>
    public required IReadOnlyList<string> ProbableCauses { get; init; }

    /// <summary>Recommended actions from the <see cref="CauseRuleCatalogue"/>.</summary>
    public required IReadOnlyList<string> RecommendedActions { get; init; }

    /// <summary>Calibrated anomaly score in [0, 1] (after feedback adjustment).</summary>
    public required double Score { get; init; }

    /// <summary>True when user feedback on a similar past anomaly suppresses this one.</summary>
    public bool Suppressed { get; init; }
}

/// <summary>
/// Severity rules combining dollar impact |actual − expected| and |deviation %|; the first matching row wins:
/// critical: impact ≥ <see cref="CriticalImpact"/> and deviation ≥ <see cref="MajorDeviation"/>, or impact ≥ 5×CriticalImpact;
/// high: impact ≥ <see cref="HighImpact"/> and deviation ≥ MajorDeviation, or impact ≥ CriticalImpact;
/// medium: impact ≥ <see cref="MediumImpact"/> and deviation ≥ <see cref="MinorDeviation"/>, or impact ≥ HighImpact;
/// low: everything else.
/// </summary>
public sealed record SeverityPolicy
{
    /// <summary>Dollar impact for critical (default 10,000).</summary>
    public decimal CriticalImpact { get; init; } = 10_000m;

    /// <summary>Dollar impact for high (default 1,000).</summary>
    public decimal HighImpact { get; init; } = 1_000m;

    /// <summary>Dollar impact for medium (default 100).</summary>
    public decimal MediumImpact { get; init; } = 100m;

    /// <summary>Deviation % counted as major (default 25).</summary>
    public double MajorDeviation { get; init; } = 25;

    /// <summary>Deviation % counted as minor (default 10).</summary>
    public double MinorDeviation { get; init; } = 10;

    /// <summary>The default policy.</summary>
    public static SeverityPolicy Default { get; } = new();

    /// <summary>Classifies an anomaly.</summary>
    public AnomalySeverity Classify(decimal expected, decimal actual)
    {
        var impact = Math.Abs(actual - expected);
        var deviation = Math.Abs(DeviationPercentage(expected, actual));
        if ((impact >= CriticalImpact && deviation >= MajorDeviation) || impact >= 5 * CriticalImpact)
        {
            return AnomalySeverity.Critical;
        }

        if ((impact >= HighImpact && deviation >= MajorDeviation) || impact >= CriticalImpact)
        {
            return AnomalySeverity.High;
        }

        if ((impact >= MediumImpact && deviation >= MinorDeviation) || impact >= HighImpact)
        {
            return AnomalySeverity.Medium;
        }

        return AnomalySeverity.Low;
    }

    /// <summary>100·(actual − expected)/expected; 100 when expected is 0 and actual is positive, 0 when both are 0.</summary>
    public static double DeviationPercentage(decimal expected, decimal actual) =>
        expected == 0 ? (actual == 0 ? 0 : 100 * Math.Sign(actual)) : (double)((actual - expected) / Math.Abs(expected) * 100m);
}
