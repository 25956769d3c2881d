namespace Dwcp.Core.Costs;

/// <summary>Direction of cost over a range, by the rule in docs/cost-queries.md (least-squares slope of daily cost).</summary>
public enum CostTrend
{
    /// <summary>The fitted daily cost rises by at least the threshold over the range.</summary>
    Increasing,
    /// <summary>The fitted daily cost falls by at least the threshold over the range.</summary>
    Decreasing,
    /// <summary>Neither.</summary>
    Stable,
}

/// <summary>Summary of one currency's cost over a range.</summary>
/// <param name="Currency">The billing currency.</param>
/// <param name="TotalCost">Sum of the measure over the range.</param>
/// <param name="AverageDailyCost">TotalCost divided by the number of days in the range (inclusive), days without charges counted.</param>
/// <param name="Trend">Direction, see <see cref="CostTrend"/>.</param>
/// <param name="Days">Number of days in the range.</param>
/// <param name="RelativeChange">Fitted change over the range relative to the mean daily cost (0.1 = +10%), null when undefined.</param>
public sealed record CostSummary(string Currency, decimal TotalCost, decimal AverageDailyCost, CostTrend Trend, int Days, double? RelativeChange);
