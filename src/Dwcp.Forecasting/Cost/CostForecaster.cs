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

    /// <summary>Number of backtest origins behind the accuracy score and the bounds.</summary>
    public int BacktestOrigins { get; init; }

    /// <summary>Model or ensemble used (as in the CSV output).</summary>
    public required string Model { get; init; }

    /// <summary>Day-by-day forecast with per-day intervals at <see cref="Level"/>.</summary>
    public required IReadOnlyList<DailyCostForecast> Daily { get; init; }

    /// <summary>Days missing between the first and last date, counted as zero cost.</summary>
    public int MissingDaysFilled { get; init; }
}

/// <summary>
/// Forecasts a daily cost series for a horizon of days. The bounds of the horizon sum are empirical quantiles of the
/// errors of horizon sums in a rolling-origin backtest (origins every ⌈H/6⌉ days, up to 20, at least 5 needed);
/// with fewer origins they come from the per-day model standard deviations combined with a random-walk covariance
/// (Cov(e_i, e_j) = σ²_min(i,j)). Missing days are zero cost; duplicate days are added.
/// </summary>
public static class CostForecaster
{
    private const int MaxOrigins = 20;

    /// <summary>Forecasts <paramref name="horizonDays"/> days after the last day of <paramref name="history"/>.</summary>
    /// <exception cref="ArgumentException">Empty history, fewer than 2 days, horizon ≤ 0 or level outside (0, 100).</exception>
    public static CostForecast Forecast(IReadOnlyList<DailyCost> history, int horizonDays, double level = 95, AutoForecasterOptions? options = null)
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
        double predicted = fc.Mean.Sum();
        int cur = Math.Min(horizonDays, n);
        decimal current = exact[^cur..].Sum();

        int minTrain = Math.Max(SeriesAnalysis.MinimumForModels, 14);
        int step = Math.Max(1, (int)Math.Ceiling(horizonDays / 6.0));
        var origins = new List<int>();
        for (int end = n - horizonDays; end >= minTrain && origins.Count < MaxOrigins; end -= step)
        {
            origins.Add(end);
        }

        var sumErrors = new List<double>();
        double absErr = 0, absAct = 0;
        foreach (var end in origins)
        {
            var f = fc.Reforecast!(y[..end]);
            double sa = 0, sf = 0;
            for (int s = 0; s < horizonDays; s++)
            {
                sa += y[end + s];
                sf += f[s];
                absErr += Math.Abs(y[end + s] - f[s]);
                absAct += Math.Abs(y[end + s]);
            }

            sumErrors.Add(sa - sf);
        }

        double lower, upper;
        string boundsMethod;
        double alpha = (1 - level / 100) / 2;
        if (sumErrors.Count >= 5)
        {
            lower = predicted + Stats.Quantile(sumErrors, alpha);
            upper = predicted + Stats.Quantile(sumErrors, 1 - alpha);
            boundsMethod = $"empirical quantiles of {sumErrors.Count} backtest horizon-sum errors";
        }
        else
        {
            var iv = fc.Intervals[0];
            double z = Stats.Z(level);
            double var = 0;
            for (int i = 0; i < horizonDays; i++)
            {
                double si = (iv.Upper[i] - iv.Lower[i]) / (2 * z);
                var += (2 * (horizonDays - i) - 1) * si * si;
            }

            lower = predicted - z * Math.Sqrt(var);
            upper = predicted + z * Math.Sqrt(var);
            boundsMethod = "per-day model deviations with random-walk covariance (too few backtest origins)";
        }

        lower = Math.Min(lower, predicted);
        upper = Math.Max(upper, predicted);
        double? accuracy = null;
        string? reason = null;
        if (origins.Count == 0)
        {
            reason = $"history of {n} days is shorter than {horizonDays + minTrain} days (horizon + {minTrain} training days) needed for a backtest";
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
            daily.Add(new DailyCostForecast(last.AddDays(i + 1), Money(fc.Mean[i]), Money(fc.Intervals[0].Lower[i]), Money(fc.Intervals[0].Upper[i])));
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
            BacktestOrigins = origins.Count,
            Model = fc.Model,
            Daily = daily,
            MissingDaysFilled = missing,
        };
    }

    private static decimal Money(double v) => Math.Round((decimal)v, 2, MidpointRounding.ToEven);
}
