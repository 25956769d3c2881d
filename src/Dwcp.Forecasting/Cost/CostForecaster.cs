using System.Globalization;
using Dwcp.Forecasting.Analysis;
using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Numerics;

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

    /// <summary>Sum of the last <see cref="HorizonDays"/> days of history.</summary>
    public required decimal CurrentCost { get; init; }

    /// <summary>Sum of the forecast means over the horizon.</summary>
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

    /// <summary>True when the bounds are less trustworthy than usual; <see cref="ConfidenceNotes"/> says why.</summary>
    public bool LowConfidence { get; init; }

    /// <summary>Why <see cref="LowConfidence"/> is set (extrapolated bounds, short history, capped width, no backtest); empty otherwise.</summary>
    public IReadOnlyList<string> ConfidenceNotes { get; init; } = [];

    /// <summary>Model or ensemble used (as in the CSV output).</summary>
    public required string Model { get; init; }

    /// <summary>Day-by-day forecast with per-day intervals at <see cref="Level"/>.</summary>
    public required IReadOnlyList<DailyCostForecast> Daily { get; init; }

    /// <summary>Days missing between the first and last date, counted as zero cost.</summary>
    public int MissingDaysFilled { get; init; }

    /// <summary>
    /// How the models' trend was limited (<see cref="CostTrendPolicy.CappedByHistory"/>), e.g. the forecast's and the
    /// history's robust slopes per day; null when the forecast was used as the models made it.
    /// </summary>
    public string? TrendAdjustment { get; init; }
}

/// <summary>
/// Forecasts a daily cost series for a horizon of days. Bounds come from a rolling-origin backtest of the chosen model
/// or combination (see <c>docs/forecasting.md</c>, "Cost forecast"): up to 24 origins, each forecasting as many days as
/// the history allows; the error scale of the k-day sum is measured wherever at least 8 origins reach day k and
/// extrapolated beyond as a power of k fitted to the observed scales; the bounds are symmetric conformal quantiles of
/// the scaled errors. Extrapolated, capped or model-only bounds and histories shorter than two months are flagged
/// with <see cref="CostForecast.LowConfidence"/>. Missing days are zero cost; duplicate days are added.
/// </summary>
public static class CostForecaster
{
    /// <summary>Days of the "monthly" period.</summary>
    private const int MonthDays = 30;

    /// <summary>Fewest training days of a backtest origin.</summary>
    private const int MinTrainDays = 28;

    /// <summary>Forecasts <paramref name="horizonDays"/> days after the last day of <paramref name="history"/>.</summary>
    /// <param name="history">Daily costs (duplicates added, missing days zero).</param>
    /// <param name="horizonDays">Days to forecast.</param>
    /// <param name="level">Interval level in percent.</param>
    /// <param name="options">Options of the underlying <see cref="AutoForecaster"/>.</param>
    /// <param name="trendPolicy">How the models' trend is limited; the backtest behind the bounds and the accuracy
    /// score applies the same policy at every origin.</param>
    /// <exception cref="ArgumentException">Empty history, fewer than 2 days, horizon ≤ 0 or level outside (0, 100).</exception>
    public static CostForecast Forecast(IReadOnlyList<DailyCost> history, int horizonDays, double level = 95, AutoForecasterOptions? options = null, CostTrendPolicy trendPolicy = CostTrendPolicy.NoOppositeTrend)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (horizonDays <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(horizonDays), horizonDays, "The horizon must be at least 1 day.");
        }

        if (!(level > 0 && level < 100))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The level must be a percentage strictly between 0 and 100.");
        }

        var byDay = history.GroupBy(d => d.Date).ToDictionary(g => g.Key, g => g.Sum(d => d.Cost));
        if (byDay.Count < 2)
        {
            throw new ArgumentException($"The history has {byDay.Count} distinct day(s); at least 2 are needed.", nameof(history));
        }

        var first = byDay.Keys.Min();
        var last = byDay.Keys.Max();
        int n = last.DayNumber - first.DayNumber + 1;
        var y = new double[n];
        var exact = new decimal[n];
        int missing = 0;
        for (int i = 0; i < n; i++)
        {
            if (byDay.TryGetValue(first.AddDays(i), out var c))
            {
                y[i] = (double)c;
                exact[i] = c;
            }
            else
            {
                missing++;
            }
        }

        var forecaster = new AutoForecaster(options);
        var fc = forecaster.Forecast(new ForecastRequest { Values = y, Horizon = horizonDays, SeasonalPeriods = [7, 30], Levels = [level] });
        bool nonNegative = y.All(v => v >= 0);
        var mean = Limit(y, [.. fc.Mean], trendPolicy, nonNegative, out string? trendNote);
        var reforecast = fc.Reforecast is { } raw ? prefix => Limit(prefix, raw(prefix), trendPolicy, nonNegative, out _) : (Func<double[], double[]>?)null;
        double predicted = mean.Sum();
        int cur = Math.Min(horizonDays, n);
        decimal current = exact[^cur..].Sum();

        // Origins train on at least half the history (and 28 days): refits on a few days are unlike the final fit.
        int minTrain = Math.Max(MinTrainDays, n / 2);
        // Naive-anchored models react to the last day. When today is an ordinary day, origins whose training ends on
        // an outlier day (a monthly charge, a one-off) are not like the present forecast and are left out.
        var outliers = n >= 14 ? SeriesAnalysis.Outliers(MstlDecomposition.Fit(y, [7]).Remainder).ToHashSet() : [];
        bool lastIsOutlier = outliers.Contains(n - 1);
        var bt = reforecast is { } refit && n - minTrain >= 1
            ? RollingOriginBounds.Run(y, horizonDays, minTrain, refit, end => !lastIsOutlier && outliers.Contains(end - 1))
            : null;
        var full = bt?.FullOrigins.ToArray() ?? [];
        double absErr = 0, absAct = 0;
        foreach (var j in full)
        {
            for (int s = 0; s < horizonDays; s++)
            {
                absErr += Math.Abs(bt!.Errors[j][s]);
                absAct += Math.Abs(y[bt.Ends[j] + s]);
            }
        }

        var notes = new List<string>();
        double halfSum;
        double[] halfDay;
        string boundsMethod;
        if (bt is { ObservedSteps: > 0 })
        {
            halfSum = bt.HalfWidths(level, cumulative: true, out double growth)[^1];
            halfDay = bt.HalfWidths(level, cumulative: false, out _);
            string skipped = bt.Skipped > 0 ? $"; {bt.Skipped} origin(s) ending on an outlier day left out" : "";
            boundsMethod = bt.ObservedSteps >= horizonDays
                ? $"conformal: quantile of |sum error|/σ over {bt.Ends.Length} rolling origins ({full.Length} spanning the horizon)"
                : $"conformal over {bt.Ends.Length} rolling origins up to day {bt.ObservedSteps}, σ extrapolated to day {horizonDays} as k^{growth.ToString("0.00", CultureInfo.InvariantCulture)}";
            boundsMethod += skipped;
            if (bt.ObservedSteps < horizonDays)
            {
                notes.Add($"the backtest observed sums up to {bt.ObservedSteps} days with at least {RollingOriginBounds.MinOriginsPerStep} origins; the {horizonDays}-day bounds are extrapolated");
            }
        }
        else
        {
            var iv = fc.Intervals[0];
            double z = Stats.Z(level);
            double var = 0;
            halfDay = new double[horizonDays];
            for (int i = 0; i < horizonDays; i++)
            {
                double si = (iv.Upper[i] - iv.Lower[i]) / (2 * z);
                var += (2 * (horizonDays - i) - 1) * si * si;
                halfDay[i] = (iv.Upper[i] - iv.Lower[i]) / 2;
            }

            halfSum = z * Math.Sqrt(var);
            boundsMethod = "per-day model deviations with random-walk covariance (too few backtest origins)";
            notes.Add($"fewer than {RollingOriginBounds.MinOriginsPerStep} backtest origins: the bounds come from the model alone");
        }

        if (n < 2 * MonthDays)
        {
            notes.Add($"history of {n} days is shorter than two monthly cycles ({2 * MonthDays} days)");
        }

        double cap = horizonDays * MeanAbs(y);
        if (halfSum > cap && cap > 0)
        {
            notes.Add($"the half-width of the sum ({halfSum.ToString("0.00", CultureInfo.InvariantCulture)}) was capped at {horizonDays} × the mean absolute daily cost");
            halfSum = cap;
        }

        double lower = predicted - halfSum, upper = predicted + halfSum;
        if (nonNegative)
        {
            lower = Math.Max(0, lower);
        }

        double? accuracy = null;
        string? reason = null;
        if (full.Length == 0)
        {
            reason = $"history of {n} days is shorter than the {Math.Max(2 * horizonDays, horizonDays + MinTrainDays)} days needed for a backtest at {horizonDays} days (each origin trains on half the history, at least {MinTrainDays} days, then forecasts {horizonDays})";
        }
        else if (absAct == 0)
        {
            reason = "every backtest actual is zero; WAPE is undefined";
        }
        else
        {
            accuracy = Math.Clamp(1 - absErr / absAct, 0, 1);
        }

        var recent = y[^Math.Min(n, Math.Max(2 * horizonDays, 56))..];
        var trendInput = recent.Length >= 14 ? MstlDecomposition.Fit(recent, [7]).Adjusted(recent) : recent;
        var (trend, _, _) = SeriesAnalysis.ClassifyTrend(trendInput);
        var daily = new List<DailyCostForecast>(horizonDays);
        for (int i = 0; i < horizonDays; i++)
        {
            double lo = mean[i] - halfDay[i], hi = mean[i] + halfDay[i];
            daily.Add(new DailyCostForecast(last.AddDays(i + 1), Money(mean[i]), Money(nonNegative ? Math.Max(0, lo) : lo), Money(hi)));
        }

        return new CostForecast
        {
            HorizonDays = horizonDays,
            CurrentCost = current,
            PredictedCost = Money(predicted),
            LowerBound = Money(lower),
            UpperBound = Money(upper),
            Level = level,
            BoundsMethod = boundsMethod,
            Trend = trend,
            WeeklySeasonality = SeriesAnalysis.SeasonalStrength(y, 7),
            MonthlySeasonality = SeriesAnalysis.SeasonalStrength(y, 30),
            AccuracyScore = accuracy,
            AccuracyUnavailableReason = reason,
            BacktestOrigins = full.Length,
            BoundsOrigins = bt?.Ends.Length ?? 0,
            ObservedHorizonDays = bt?.ObservedSteps ?? 0,
            LowConfidence = notes.Count > 0,
            ConfidenceNotes = notes,
            Model = fc.Model,
            Daily = daily,
            MissingDaysFilled = missing,
            TrendAdjustment = trendNote,
        };
    }

    /// <summary>Applies <paramref name="policy"/> to a forecast of <paramref name="y"/> (cut at zero for a non-negative history).</summary>
    private static double[] Limit(double[] y, double[] forecast, CostTrendPolicy policy, bool nonNegative, out string? note)
    {
        note = null;
        if (policy == CostTrendPolicy.Free)
        {
            return forecast;
        }

        var capped = CostTrendCap.Apply(y, forecast, policy, out double historySlope, out double forecastSlope, out double limited);
        if (ReferenceEquals(capped, forecast))
        {
            return forecast;
        }

        var ci = CultureInfo.InvariantCulture;
        note = $"the models' slope {forecastSlope.ToString("0.##", ci)}/day was limited to {limited.ToString("0.##", ci)}/day (history's slope over the last {Math.Min(y.Length, Math.Max(2 * forecast.Length, 56))} days: {historySlope.ToString("0.##", ci)}/day)";
        if (nonNegative)
        {
            for (int i = 0; i < capped.Length; i++)
            {
                capped[i] = Math.Max(0, capped[i]);
            }
        }

        return capped;
    }

    private static double MeanAbs(double[] y) => y.Length == 0 ? 0 : y.Sum(Math.Abs) / y.Length;

    private static decimal Money(double v) => Math.Round((decimal)v, 2, MidpointRounding.ToEven);
}
