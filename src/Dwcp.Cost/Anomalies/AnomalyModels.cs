using Dwcp.Anomalies.Costs;
using Dwcp.Core;
using Dwcp.Core.Costs;

namespace Dwcp.Cost.Anomalies;

/// <summary>What <see cref="CostAnomalyService.DetectAnomaliesAsync"/> is asked.</summary>
public sealed record AnomalyRequest
{
    /// <summary>Target false-positive rate α in (0, 1) (default 0.05): the detector's per-day rate for candidates; a reported usage anomaly must also pass the series' simultaneous band, so an anomaly-free series raises a false alarm with probability about α (docs/anomalies.md).</summary>
    public double Threshold { get; init; } = 0.05;

    /// <summary>First day to report (inclusive); null = <see cref="CostAnomalyService.DefaultReportDays"/> days before <see cref="To"/>.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last day to report (inclusive); null = the last day with data in the caller's scope.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Only these providers; null or empty = all.</summary>
    public IReadOnlyList<CloudProvider>? Providers { get; init; }

    /// <summary>Only these ServiceName values; null or empty = all.</summary>
    public IReadOnlyList<string>? Services { get; init; }

    /// <summary>Drop anomalies below this severity.</summary>
    public AnomalySeverity MinSeverity { get; init; } = AnomalySeverity.Low;

    /// <summary>Keep anomalies that feedback suppressed (they carry <c>Suppressed = true</c>); default false.</summary>
    public bool IncludeSuppressed { get; init; }

    /// <summary>Which cost column the series use (default EffectiveCost, the amortised view).</summary>
    public CostMeasure Measure { get; init; } = CostMeasure.Effective;

    /// <summary>
    /// Kept for compatibility and validated (0–3000); it no longer limits the history. Every series is read from the
    /// first day with data and each day is judged only from the days before it, so a day's verdict does not depend on
    /// <see cref="From"/> or <see cref="To"/> (docs/anomalies.md).
    /// </summary>
    public int HistoryDays { get; init; } = 365;

    /// <summary>The materiality floor a reported day's dollar impact must reach (default <see cref="AnomalyMateriality.Default"/>: at least 10 and a tenth of a normal day's spend).</summary>
    public AnomalyMateriality Materiality { get; init; } = AnomalyMateriality.Default;

    /// <summary>
    /// Publish newly found anomalies to the service's feed (subscriptions, webhook). Only the server's monitor sets it: a
    /// query over an old date range must not raise alerts about old days.
    /// </summary>
    public bool Publish { get; init; }
}

/// <summary>One day of a cost series as the anomalies chart draws it.</summary>
/// <param name="Day">The UTC day.</param>
/// <param name="Actual">The day's cost.</param>
/// <param name="Expected">The expected cost (see docs/anomalies.md, "Cost anomalies over the store").</param>
/// <param name="Lower">Lower edge of the expected band.</param>
/// <param name="Upper">Upper edge of the expected band.</param>
/// <param name="Flagged">True when the detector flagged the day at the asked threshold.</param>
public sealed record AnomalySeriesPoint(DateOnly Day, decimal Actual, decimal Expected, decimal Lower, decimal Upper, bool Flagged);

/// <summary>A cost anomaly found in the store, with its stable id, currency and the series around it.</summary>
/// <param name="Id">Stable id (the same series and day always give the same id); pass it to feedback.</param>
/// <param name="Currency">Currency of every amount (series are never summed across currencies).</param>
/// <param name="Anomaly">The anomaly in the product guide's shape.</param>
/// <param name="Series">The series' days around the anomaly (up to 60 before and 14 after), for the chart.</param>
/// <param name="Breakdown">Every dimension's split of the change: its <see cref="CostAnomalyService.BreakdownValues"/>
/// largest values by |delta| and one <c>(N other values)</c> line for the rest, so each dimension's expected, actual and
/// delta add up exactly to the anomaly's.</param>
public sealed record StoreCostAnomaly(string Id, string Currency, CostAnomaly Anomaly, IReadOnlyList<AnomalySeriesPoint> Series, IReadOnlyDictionary<string, IReadOnlyList<CostContributor>> Breakdown)
{
    /// <summary>|actual − expected|: the dollar impact the list is sorted by.</summary>
    public decimal Impact => Math.Abs(Anomaly.ActualCost - Anomaly.ExpectedCost);
}

/// <summary>The answer of <see cref="CostAnomalyService.DetectAnomaliesAsync"/>.</summary>
/// <param name="From">First day reported.</param>
/// <param name="To">Last day reported.</param>
/// <param name="Anomalies">Anomalies, largest dollar impact first.</param>
/// <param name="SeriesScanned">How many daily series were scored.</param>
public sealed record AnomalyReport(DateOnly From, DateOnly To, IReadOnlyList<StoreCostAnomaly> Anomalies, int SeriesScanned);

/// <summary>The identity of a scored series: a provider/service, optionally one billing account, in one currency.</summary>
/// <param name="Provider">ProviderName.</param>
/// <param name="Service">ServiceName.</param>
/// <param name="Account">BillingAccountId, or null for the whole service.</param>
/// <param name="Currency">BillingCurrency.</param>
public readonly record struct AnomalySeriesKey(string Provider, string Service, string? Account, string Currency)
{
    /// <summary>The key feedback is stored under (see <see cref="CostAnomalyAnalyzer.SeriesKey"/>), plus the currency.</summary>
    public string FeedbackKey => $"{CostAnomalyAnalyzer.SeriesKey(Provider, Service, Account)}/{Currency}";
}
