using System.Globalization;
using Dwcp.Forecasting.Analysis;
using Dwcp.Forecasting.Ensemble;
using Dwcp.Forecasting.Numerics;

namespace Dwcp.Forecasting.Cost;

/// <summary>
/// Forecasts a daily cost series for one or more periods of days (see <c>docs/forecasting.md</c>, "Cost forecast"). The
/// series is forecast ONCE, to the longest period, with one model choice; each period's prediction is the sum of the
/// first N days of that path, so longer periods never predict less for a non-negative series and a period's card equals
/// the first N days of the fan chart. Series whose cost is posted on a few days of the month are forecast by posting
/// (<c>monthly-postings</c>). Bounds come from one rolling-origin backtest of the chosen method: up to 24 origins, each
/// forecasting as many days as the history allows; a period's bounds are conformal quantiles of the errors of the
/// origins' N-day sums (scale extrapolated as a power of N beyond the days reached by at least 8 origins). Missing days
/// are zero cost; duplicate days are added.
/// </summary>
public static class CostForecaster
{
    /// <summary>An accuracy score below this sets <see cref="CostForecast.LowConfidence"/>.</summary>
    public const double LowAccuracyScore = 0.5;

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
    public static CostForecast Forecast(IReadOnlyList<DailyCost> history, int horizonDays, double level = 95, AutoForecasterOptions? options = null, CostTrendPolicy trendPolicy = CostTrendPolicy.NoOppositeTrend) =>
        ForecastPeriods(history, [horizonDays], level, options, trendPolicy)[0];

    /// <summary>
    /// Forecasts every period of <paramref name="horizonDays"/> from ONE daily path to the longest of them; results are in
    /// the order asked (duplicates allowed).
    /// </summary>
    /// <param name="history">Daily costs (duplicates added, missing days zero).</param>
    /// <param name="horizonDays">Days of each period (each ≥ 1).</param>
    /// <param name="level">Interval level in percent.</param>
    /// <param name="options">Options of the underlying <see cref="AutoForecaster"/>.</param>
    /// <param name="trendPolicy">How the models' trend is limited (daily models only).</param>
    /// <exception cref="ArgumentException">Empty history, fewer than 2 days, no period, a period ≤ 0 or level outside (0, 100).</exception>
    public static IReadOnlyList<CostForecast> ForecastPeriods(IReadOnlyList<DailyCost> history, IReadOnlyList<int> horizonDays, double level = 95, AutoForecasterOptions? options = null, CostTrendPolicy trendPolicy = CostTrendPolicy.NoOppositeTrend)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(horizonDays);
        if (horizonDays.Count == 0)
        {
            throw new ArgumentException("At least one period (in days) is needed.", nameof(horizonDays));
        }

        foreach (int h in horizonDays)
        {
            if (h <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(horizonDays), h, "Every horizon must be at least 1 day.");
            }
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

        int horizon = horizonDays.Max();
        var path = Path(first, y, horizon, level, options, trendPolicy);

        // Origins train on at least half the history (and 28 days): refits on a few days are unlike the final fit.
        int minTrain = Math.Max(MinTrainDays, n / 2);
        var bt = path.Refit is { } refit && n - minTrain >= 1 ? RollingOriginBounds.Run(y, horizon, minTrain, refit, path.SkipEnd) : null;
        var halfDay = bt is { ObservedSteps: > 0 } ? bt.HalfWidths(level, cumulative: false, out _) : path.ModelHalfDay(level);
        var daily = new DailyCostForecast[horizon];
        for (int i = 0; i < horizon; i++)
        {
            double lo = path.Mean[i] - halfDay[i], hi = path.Mean[i] + halfDay[i];
            daily[i] = new DailyCostForecast(last.AddDays(i + 1), Money(path.Mean[i]), Money(path.NonNegative ? Math.Max(0, lo) : lo), Money(hi));
        }

        var shared = new Shared(first, y, exact, path, bt, daily, level, missing, SeriesAnalysis.SeasonalStrength(y, 7), SeriesAnalysis.SeasonalStrength(y, 30));
        return [.. horizonDays.Select(h => Period(shared, h))];
    }

    /// <summary>The one daily path of a call: monthly postings when the rule holds, else the automatic ensemble with the trend cap.</summary>
    private static ForecastPath Path(DateOnly first, double[] y, int horizon, double level, AutoForecasterOptions? options, CostTrendPolicy trendPolicy)
    {
        int n = y.Length;
        bool nonNegative = y.All(v => v >= 0);
        if (MonthlyPostings.Detect(first, y) is { } schedule)
        {
            var mean = MonthlyPostings.Forecast(first, y, horizon, schedule, out string model);
            return new ForecastPath(mean, prefix => MonthlyPostings.Forecast(first, prefix, horizon, schedule, out _), null, model, null, null, nonNegative, schedule);
        }

        var fc = new AutoForecaster(options).Forecast(new ForecastRequest { Values = y, Horizon = horizon, SeasonalPeriods = [7, MonthDays], Levels = [level] });
        var limited = Clip(Limit(y, [.. fc.Mean], trendPolicy, nonNegative, out string? trendNote), nonNegative);
        var reforecast = fc.Reforecast is { } raw ? prefix => Clip(Limit(prefix, raw(prefix), trendPolicy, nonNegative, out _), nonNegative) : (Func<double[], double[]>?)null;

        // Naive-anchored models react to the last day. When today is an ordinary day, origins whose training ends on
        // an outlier day (a monthly charge, a one-off) are not like the present forecast and are left out.
        var outliers = n >= 14 ? SeriesAnalysis.Outliers(MstlDecomposition.Fit(y, [7]).Remainder).ToHashSet() : [];
        bool lastIsOutlier = outliers.Contains(n - 1);
        var iv = fc.Intervals[0];
        var sd = Enumerable.Range(0, horizon).Select(i => (iv.Upper[i] - iv.Lower[i]) / (2 * Stats.Z(level))).ToArray();
        return new ForecastPath(limited, reforecast, end => !lastIsOutlier && outliers.Contains(end - 1), fc.Model, sd, trendNote, nonNegative, null);
    }

    /// <summary>The forecast of one period: the first <paramref name="h"/> days of the shared path and the backtest seen at <paramref name="h"/> days.</summary>
    private static CostForecast Period(Shared s, int h)
    {
        var (y, path, level) = (s.Y, s.Path, s.Level);
        int n = y.Length;
        var ci = CultureInfo.InvariantCulture;
        var bt = s.Backtest?.Truncate(h);
        var full = bt?.FullOrigins.ToArray() ?? [];
        var notes = new List<string>();
        double halfSum;
        string boundsMethod;
        if (bt is { ObservedSteps: > 0 })
        {
            halfSum = bt.HalfWidths(level, cumulative: true, out double growth)[^1];
            boundsMethod = bt.ObservedSteps >= h
                ? $"conformal: quantile of |sum error|/σ over {bt.Ends.Length} rolling origins ({full.Length} spanning the period)"
                : $"conformal over {bt.Ends.Length} rolling origins up to day {bt.ObservedSteps}, σ extrapolated to day {h} as k^{growth.ToString("0.00", ci)}";
            boundsMethod += bt.Skipped > 0 ? $"; {bt.Skipped} origin(s) ending on an outlier day left out" : "";
            if (bt.ObservedSteps < h)
            {
                notes.Add($"the backtest observed sums up to {bt.ObservedSteps} days with at least {RollingOriginBounds.MinOriginsPerStep} origins; the {h}-day bounds are extrapolated");
            }
        }
        else if (path.ModelSd is { } sd)
        {
            // Per-day model deviations with a random-walk covariance: Var(Σ_{i<h}) = Σ_i (2(h − i) − 1)·σ_i².
            double var = 0;
            for (int i = 0; i < h; i++)
            {
                var += ((2 * (h - i)) - 1) * sd[i] * sd[i];
            }

            halfSum = Stats.Z(level) * Math.Sqrt(var);
            boundsMethod = "per-day model deviations with random-walk covariance (too few backtest origins)";
            notes.Add($"fewer than {RollingOriginBounds.MinOriginsPerStep} backtest origins: the bounds come from the model alone");
        }
        else
        {
            halfSum = double.PositiveInfinity;
            boundsMethod = "no backtest: ± the cap below";
            notes.Add($"fewer than {RollingOriginBounds.MinOriginsPerStep} backtest origins and no model intervals");
        }

        if (n < 2 * MonthDays)
        {
            notes.Add($"history of {n} days is shorter than two monthly cycles ({2 * MonthDays} days)");
        }

        double cap = h * MeanAbs(y);
        if (halfSum > cap)
        {
            notes.Add($"the half-width of the sum ({halfSum.ToString("0.00", ci)}) was capped at {h} × the mean absolute daily cost");
            halfSum = cap;
        }

        // The card is the sum of the path's rounded daily means, so it equals the first h days of the fan chart exactly.
        decimal predicted = s.Daily.Take(h).Sum(d => d.Mean);
        double lower = (double)predicted - halfSum, upper = (double)predicted + halfSum;
        if (path.NonNegative)
        {
            lower = Math.Max(0, lower);
        }

        double absErr = 0, absAct = 0;
        foreach (var j in full)
        {
            for (int k = 0; k < h; k++)
            {
                absErr += Math.Abs(bt!.Errors[j][k]);
                absAct += Math.Abs(y[bt.Ends[j] + k]);
            }
        }

        double? accuracy = null;
        string? reason = null;
        if (full.Length == 0)
        {
            reason = $"history of {n} days is shorter than the {Math.Max(2 * h, h + MinTrainDays)} days needed for a backtest at {h} days (each origin trains on half the history, at least {MinTrainDays} days, then forecasts {h})";
        }
        else if (absAct == 0)
        {
            reason = "every backtest actual is zero; WAPE is undefined";
        }
        else
        {
            accuracy = Math.Clamp(1 - (absErr / absAct), 0, 1);
        }

        if (accuracy is { } a && a < LowAccuracyScore)
        {
            notes.Add($"accuracy score {a.ToString("0.00", ci)} is below {LowAccuracyScore.ToString("0.0", ci)}: in the backtest the absolute daily errors added up to {(absErr / absAct).ToString("0.00", ci)} × the actual cost");
        }
        else if (accuracy is null)
        {
            notes.Add($"no accuracy score: {reason}");
        }

        int curDays = Math.Min(h, n);
        decimal current = s.Exact[^curDays..].Sum();
        if (curDays < h)
        {
            decimal scaled = Math.Round(current * h / curDays, 2, MidpointRounding.ToEven);
            notes.Add($"the history holds {n} days, fewer than the {h}-day period: currentCost is the cost of those {n} days ({current.ToString("0.00", ci)}) scaled by {h}/{n} to {scaled.ToString("0.00", ci)}; widen historyDays to at least {h} for the actual cost of the last {h} days");
            current = scaled;
        }

        return new CostForecast
        {
            HorizonDays = h,
            CurrentCost = current,
            CurrentCostDays = curDays,
            PredictedCost = predicted,
            LowerBound = Money(lower),
            UpperBound = Money(upper),
            Level = level,
            BoundsMethod = boundsMethod,
            Trend = Trend(s, h),
            WeeklySeasonality = s.Weekly,
            MonthlySeasonality = s.Monthly,
            AccuracyScore = accuracy,
            AccuracyUnavailableReason = reason,
            BacktestOrigins = full.Length,
            BoundsOrigins = bt?.Ends.Length ?? 0,
            ObservedHorizonDays = bt?.ObservedSteps ?? 0,
            LowConfidence = notes.Count > 0,
            ConfidenceNotes = notes,
            Model = path.Model,
            Daily = s.Daily[..h],
            MissingDaysFilled = s.Missing,
            TrendAdjustment = path.TrendNote,
        };
    }

    /// <summary>
    /// Trend of the last max(2h, 56) days after weekly adjustment; for a posting series, of the posting-day amounts
    /// (the days between are near zero and would hide it).
    /// </summary>
    private static TrendDirection Trend(Shared s, int h)
    {
        var y = s.Y;
        if (s.Path.Posting is { } schedule)
        {
            var totals = MonthlyPostings.MonthlyTotals(s.First, y, schedule);
            return SeriesAnalysis.ClassifyTrend(totals[^Math.Min(totals.Length, 12)..]).Direction;
        }

        var recent = y[^Math.Min(y.Length, Math.Max(2 * h, 56))..];
        var input = recent.Length >= 14 ? MstlDecomposition.Fit(recent, [7]).Adjusted(recent) : recent;
        return SeriesAnalysis.ClassifyTrend(input).Direction;
    }

    private static double[] Clip(double[] forecast, bool nonNegative)
    {
        if (nonNegative)
        {
            for (int i = 0; i < forecast.Length; i++)
            {
                forecast[i] = Math.Max(0, forecast[i]);
            }
        }

        return forecast;
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

    /// <summary>The one daily path of a call and how to refit it on a backtest prefix.</summary>
    private sealed record ForecastPath(double[] Mean, Func<double[], double[]>? Refit, Func<int, bool>? SkipEnd, string Model, double[]? ModelSd, string? TrendNote, bool NonNegative, PostingSchedule? Posting)
    {
        /// <summary>Per-day half-widths from the model's own intervals (zero when it has none).</summary>
        public double[] ModelHalfDay(double level) => ModelSd is { } sd ? [.. sd.Select(v => Stats.Z(level) * v)] : new double[Mean.Length];
    }

    /// <summary>What every period of a call shares.</summary>
    private sealed record Shared(DateOnly First, double[] Y, decimal[] Exact, ForecastPath Path, RollingOriginBounds? Backtest, DailyCostForecast[] Daily, double Level, int Missing, double Weekly, double Monthly);
}
