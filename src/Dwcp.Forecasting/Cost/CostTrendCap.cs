namespace Dwcp.Forecasting.Cost;

/// <summary>How a cost forecast's extrapolated trend is limited (see <c>docs/forecasting.md</c>, "Trend cap").</summary>
public enum CostTrendPolicy
{
    /// <summary>The forecast's trend is used as the models extrapolate it (the behaviour before 2026-11-28 night).</summary>
    Free,

    /// <summary>
    /// The forecast's robust slope is clamped to [min(0, s), max(0, s)], s the robust slope of the recent history
    /// (last max(2H, 56) days): a trend opposite to the history's becomes flat, a steeper one is cut to the history's.
    /// </summary>
    CappedByHistory,

    /// <summary>
    /// Only a trend opposite to the history's is removed: the forecast's robust slope is clamped to [0, ∞) when the
    /// recent history's slope s is ≥ 0 and to (−∞, 0] when it is negative; a steeper trend in the same direction stays.
    /// </summary>
    NoOppositeTrend,
}

/// <summary>
/// The trend cap of cost forecasts. Slopes are robust (Theil–Sen on pairs a whole number of weeks apart): the weekly
/// pattern cancels in every pair and isolated spikes (monthly commitment charges) do not move the median.
/// </summary>
internal static class CostTrendCap
{
    /// <summary>Fewest history days for the cap; shorter histories are left alone.</summary>
    public const int MinHistoryDays = 14;

    /// <summary>
    /// Median over all pairs (i, i + d) with d a multiple of 7 (d = 1, 2, … when the series has fewer than 8 points) of
    /// (x[i + d] − x[i]) / d: the per-step slope. 0 for fewer than 2 points.
    /// </summary>
    public static double PairSlope(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        if (n < 2)
        {
            return 0;
        }

        int unit = n >= 8 ? 7 : 1;
        var slopes = new List<double>();
        for (int d = unit; d < n; d += unit)
        {
            for (int i = 0; i + d < n; i++)
            {
                slopes.Add((x[i + d] - x[i]) / d);
            }
        }

        slopes.Sort();
        int m = slopes.Count;
        return m % 2 == 1 ? slopes[m / 2] : (slopes[(m / 2) - 1] + slopes[m / 2]) / 2;
    }

    /// <summary>
    /// Applies <see cref="CostTrendPolicy.CappedByHistory"/>: with b_f = <see cref="PairSlope"/> of the forecast and
    /// s = that of the last max(2H, 56) history days, b = clamp(b_f, min(0, s), max(0, s)) and
    /// f′_k = f_k + (b − b_f)·k (k = 1…H, so the first forecast day keeps its level). Returns the forecast unchanged
    /// (same array) when the history is shorter than <see cref="MinHistoryDays"/> or the slope is within the range.
    /// </summary>
    public static double[] Apply(double[] history, double[] forecast, out double historySlope, out double forecastSlope) =>
        Apply(history, forecast, CostTrendPolicy.CappedByHistory, out historySlope, out forecastSlope, out _);

    /// <summary>
    /// Applies <paramref name="policy"/> (see <see cref="Apply(double[], double[], out double, out double)"/>; for
    /// <see cref="CostTrendPolicy.NoOppositeTrend"/> the range is [0, ∞) or (−∞, 0] by the sign of the history's slope).
    /// <paramref name="limited"/> is the slope used.
    /// </summary>
    public static double[] Apply(double[] history, double[] forecast, CostTrendPolicy policy, out double historySlope, out double forecastSlope, out double limited)
    {
        limited = double.NaN;
        historySlope = double.NaN;
        forecastSlope = double.NaN;
        int n = history.Length, h = forecast.Length;
        if (policy == CostTrendPolicy.Free || n < MinHistoryDays || h < 2)
        {
            return forecast;
        }

        int span = Math.Min(n, Math.Max(2 * h, 56));
        historySlope = PairSlope(history.AsSpan(n - span));
        forecastSlope = PairSlope(forecast);
        double capped = policy == CostTrendPolicy.NoOppositeTrend
            ? (historySlope >= 0 ? Math.Max(0, forecastSlope) : Math.Min(0, forecastSlope))
            : Math.Clamp(forecastSlope, Math.Min(0, historySlope), Math.Max(0, historySlope));
        limited = capped;
        if (capped == forecastSlope)
        {
            return forecast;
        }

        var result = new double[h];
        for (int k = 0; k < h; k++)
        {
            result[k] = forecast[k] + ((capped - forecastSlope) * (k + 1));
        }

        return result;
    }
}
