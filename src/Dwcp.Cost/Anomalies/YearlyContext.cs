using Dwcp.Anomalies.Statistics;

namespace Dwcp.Cost.Anomalies;

/// <summary>
/// What a daily series knows about its yearly pattern (a retail peak, a holiday lull), which the weekly decomposition
/// cannot model.
/// <list type="bullet">
/// <item>With a year of history behind a day's baseline (every baseline day has its date a year earlier in the
/// series), the usage expectation is scaled by last year's ratio: r = median of the deseasonalised usage on the
/// <see cref="ReferenceDays"/> days centred on the same date a year before d, over its median on the same dates a year
/// before the baseline days, clamped to [1/<see cref="MaxRatio"/>, <see cref="MaxRatio"/>]. Dates, not 52 weeks: a
/// season tied to the calendar (Christmas) ends on the same date, and the values are deseasonalised, so the weekday
/// does not matter.</item>
/// <item>Without it the yearly pattern is unknown, and the expectation is widened instead, by the largest level move
/// the series has already made: u = max over t of |ln(m⁺(t)/m⁻(t))|, m⁻ and m⁺ the medians of the deseasonalised usage
/// in the <see cref="MoveWindow"/> days before and from t (at least <see cref="MinMoveDays"/> before, near the series' start), over the history before the episode. The allowance e^u − 1
/// (at most <see cref="MaxAllowance"/>) is added to the usage band as a share of the expectation. A series that has
/// never moved gets no allowance; one that has already come off a +30% season accepts another.</item>
/// </list>
/// </summary>
internal static class YearlyContext
{
    /// <summary>Days around d − 364 whose median is last year's level on that date (odd, centred).</summary>
    public const int ReferenceDays = 7;

    /// <summary>Largest yearly ratio applied (and its inverse the smallest): a change beyond 2× is never explained by last year.</summary>
    public const double MaxRatio = 2.0;

    /// <summary>Days on each side of a level move.</summary>
    public const int MoveWindow = 28;

    /// <summary>Fewest days before a level move (when the series starts less than <see cref="MoveWindow"/> days before it).</summary>
    public const int MinMoveDays = 14;

    /// <summary>Largest allowance for unmodelled seasonality, as a share of the expectation: a change of more than 50% is never absorbed.</summary>
    public const double MaxAllowance = 0.5;

    /// <summary>
    /// The |log level move| at t = k − <see cref="MoveWindow"/>, whose two windows ([t − W, t) and [t, k)) both end
    /// before day k, so it only uses days before k (0 when there is none yet). Near the series' start the window before
    /// t is shorter (at least <see cref="MinMoveDays"/>), so a season the data opens with is seen ending. The largest of
    /// these over k' ≤ k is the prior move u of day k.
    /// </summary>
    public static double MoveBefore(double[] deseasonalised, int k)
    {
        var t = k - MoveWindow;
        if (t < MinMoveDays || k > deseasonalised.Length)
        {
            return 0;
        }

        var from = Math.Max(0, t - MoveWindow);
        var before = RobustStats.Median(deseasonalised.AsSpan(from, t - from));
        var after = RobustStats.Median(deseasonalised.AsSpan(t, MoveWindow));
        return before > 0 && after > 0 ? Math.Abs(Math.Log(after / before)) : 0;
    }

    /// <summary>The allowance e^u − 1 for a largest prior move u, capped at <see cref="MaxAllowance"/>.</summary>
    public static double Allowance(double priorMove) => Math.Min(MaxAllowance, Math.Exp(priorMove) - 1);

    /// <summary>The series index of the same calendar date a year before day <paramref name="index"/> (29 February → 28 February); negative before the series.</summary>
    public static int YearBefore(DateOnly first, int index) => first.AddDays(index).AddYears(-1).DayNumber - first.DayNumber;

    /// <summary>Last year's ratio for day <paramref name="index"/> given its baseline days, or null without a year of history behind them.</summary>
    public static double? Ratio(DateOnly first, double[] deseasonalised, int index, IReadOnlyList<int> baseline)
    {
        var half = ReferenceDays / 2;
        var centre = YearBefore(first, index);
        if (baseline.Count == 0 || centre - half < 0 || centre + half >= deseasonalised.Length || baseline.Any(b => YearBefore(first, b) < 0))
        {
            return null;
        }

        var then = RobustStats.Median(deseasonalised.AsSpan(centre - half, ReferenceDays));
        var before = RobustStats.Median(baseline.Select(b => deseasonalised[YearBefore(first, b)]).ToArray());
        if (!(then > 0 && before > 0))
        {
            return null;
        }

        return Math.Clamp(then / before, 1 / MaxRatio, MaxRatio);
    }
}
