using Dwcp.Forecasting.Analysis;

namespace Dwcp.Forecasting.Cost;

/// <summary>One day of cost.</summary>
/// <param name="Date">The calendar day.</param>
/// <param name="Cost">Cost of that day (may be negative for credits).</param>
public readonly record struct DailyCost(DateOnly Date, decimal Cost);

/// <summary>One forecast day.</summary>
public readonly record struct DailyCostForecast(DateOnly Date, decimal Mean, decimal Lower, decimal Upper);

/// <summary>The cost forecast of the user guide: totals over the horizon with bounds, trend, seasonality and accuracy.</summary>
public sealed record CostForecast
{
    /// <summary>Horizon in days.</summary>
    public required int HorizonDays { get; init; }

    /// <summary>
    /// Cost of the last <see cref="HorizonDays"/> days of history (exact decimal sum). When the history holds fewer
    /// days (<see cref="CurrentCostDays"/> &lt; <see cref="HorizonDays"/>) it is the cost of those days scaled by
    /// HorizonDays / CurrentCostDays, and <see cref="ConfidenceNotes"/> says so.
    /// </summary>
    public required decimal CurrentCost { get; init; }

    /// <summary>Days of history behind <see cref="CurrentCost"/>: <see cref="HorizonDays"/>, or the whole history when it is shorter.</summary>
    public int CurrentCostDays { get; init; }

    /// <summary>
    /// Sum of the first <see cref="HorizonDays"/> daily means of the one forecast path shared by every period of the
    /// call (equal to the sum of <see cref="Daily"/> means, to the cent).
    /// </summary>
    public required decimal PredictedCost { get; init; }

    /// <summary>Lower bound of the horizon SUM at <see cref="Level"/>.</summary>
    public required decimal LowerBound { get; init; }

    /// <summary>Upper bound of the horizon SUM at <see cref="Level"/>.</summary>
    public required decimal UpperBound { get; init; }

    /// <summary>Interval level in percent.</summary>
    public required double Level { get; init; }

    /// <summary>How the bounds of the sum were obtained.</summary>
    public required string BoundsMethod { get; init; }

    /// <summary>Direction of the recent trend (last max(2·horizon, 56) days, seasonally adjusted).</summary>
    public required TrendDirection Trend { get; init; }

    /// <summary>Strength of the weekly (7-day) seasonality, 0..1.</summary>
    public required double WeeklySeasonality { get; init; }

    /// <summary>Strength of the monthly (30-day) seasonality, 0..1.</summary>
    public required double MonthlySeasonality { get; init; }

    /// <summary>1 − WAPE of a rolling-origin backtest at this horizon (clamped to [0, 1]); null when too short.</summary>
    public double? AccuracyScore { get; init; }

    /// <summary>Why <see cref="AccuracyScore"/> is null.</summary>
    public string? AccuracyUnavailableReason { get; init; }

    /// <summary>Number of backtest origins spanning the whole horizon (behind the accuracy score).</summary>
    public int BacktestOrigins { get; init; }

    /// <summary>Number of rolling origins behind the bounds (including those that reach only part of the horizon).</summary>
    public int BoundsOrigins { get; init; }

    /// <summary>Longest horizon (days) the backtest observed with enough origins; beyond it the bounds are extrapolated.</summary>
    public int ObservedHorizonDays { get; init; }

    /// <summary>
    /// True when the forecast is less trustworthy than usual; <see cref="ConfidenceNotes"/> says why (bounds
    /// extrapolated, capped or model-only, history under two months or shorter than the period, no backtest, or an
    /// accuracy score below <see cref="CostForecaster.LowAccuracyScore"/>).
    /// </summary>
    public bool LowConfidence { get; init; }

    /// <summary>Why <see cref="LowConfidence"/> is set; empty otherwise.</summary>
    public IReadOnlyList<string> ConfidenceNotes { get; init; } = [];

    /// <summary>
    /// Model or ensemble used (as in the CSV output), or <c>monthly-postings(…)</c> for a series whose cost is posted on
    /// a few days of the month (see <c>docs/forecasting.md</c>, "Monthly postings").
    /// </summary>
    public required string Model { get; init; }

    /// <summary>Day-by-day forecast with per-day intervals at <see cref="Level"/>: the first <see cref="HorizonDays"/> days of the shared path.</summary>
    public required IReadOnlyList<DailyCostForecast> Daily { get; init; }

    /// <summary>Days missing between the first and last date, counted as zero cost.</summary>
    public int MissingDaysFilled { get; init; }

    /// <summary>
    /// How the models' trend was limited (<see cref="CostTrendPolicy.CappedByHistory"/>), e.g. the forecast's and the
    /// history's robust slopes per day; null when the forecast was used as the models made it.
    /// </summary>
    public string? TrendAdjustment { get; init; }
}
