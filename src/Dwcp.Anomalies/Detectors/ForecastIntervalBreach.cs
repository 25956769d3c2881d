using Dwcp.Forecasting;
using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Anomalies.Detectors;

/// <summary>Settings of <see cref="ForecastIntervalBreach"/>.</summary>
public sealed record ForecastBreachOptions
{
    /// <summary>The forecasting engine's model (a <see cref="ModelCatalog"/> name; default <c>theta</c>: one SES fit per origin).</summary>
    public string Model { get; init; } = "theta";

    /// <summary>Central prediction-interval level in percent.</summary>
    public double Level { get; init; } = 95;

    /// <summary>
    /// Points between refits, which is also the forecast horizon from each origin; null = max(1, ⌈n / <see cref="MaxFits"/>⌉),
    /// so series of up to <see cref="MaxFits"/> points (e.g. daily costs) get a true one-step-ahead forecast per point.
    /// </summary>
    public int? RefitEvery { get; init; }

    /// <summary>Most model fits per direction when <see cref="RefitEvery"/> is automatic (bounds the cost on long series).</summary>
    public int MaxFits { get; init; } = 400;

    /// <summary>Most past points each fit sees (the most recent ones); the window is also at least four periods.</summary>
    public int MaxTrain { get; init; } = 500;

    internal void Validate()
    {
        if (!(Level > 0 && Level < 100))
        {
            throw new ArgumentOutOfRangeException(nameof(Level), Level, "The interval level is a percentage in (0, 100), e.g. 95.");
        }

        if (RefitEvery is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RefitEvery), RefitEvery, "Refit every ≥ 1 point (or null for automatic).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTrain, 10);
        _ = ModelCatalog.Create(Model); // a clear error for an unknown model name
    }
}

/// <summary>
/// Forecast-interval breach for batch mode, on the forecasting engine (<see cref="Dwcp.Forecasting"/>): a rolling-origin
/// forecast. At origins o = m, m + k, m + 2k, … (m = training minimum, max(2·period + 1, 24)) the model is fitted on the
/// last w = min(o, max(<see cref="ForecastBreachOptions.MaxTrain"/>, 4·period)) points before o and forecasts the next k
/// points with its own (analytic or simulated) interval at the chosen level; point o + h − 1 gets the h-step forecast.
/// The statistic is how far outside the interval the actual falls, in half-widths of the side it is on:
/// (x − mean)/(upper − mean) above, (mean − x)/(mean − lower) below, so values above 1 breach the interval. The first m
/// points, which have no past to train on, are scored by the same procedure run backwards in time (a backcast from the
/// points after them). Cost: about 2·n/k fits.
/// </summary>
public static class ForecastIntervalBreach
{
    /// <summary>The breach statistic of every point (0 when the series is too short to fit: fewer than m + 1 points).</summary>
    /// <param name="values">The series in time order (finite values).</param>
    /// <param name="period">Seasonal period in points (0 or 1 = none).</param>
    /// <param name="options">Model, level and refit spacing.</param>
    public static double[] Score(ReadOnlySpan<double> values, int period, ForecastBreachOptions? options = null)
    {
        options ??= new ForecastBreachOptions();
        options.Validate();
        var n = values.Length;
        var stats = new double[n];
        var minTrain = MinTrain(period);
        if (n <= minTrain)
        {
            return stats;
        }

        var k = options.RefitEvery ?? Math.Max(1, (int)Math.Ceiling(n / (double)options.MaxFits));
        var forward = Forward(values, period, k, options);
        var reversed = values.ToArray();
        Array.Reverse(reversed);
        var backward = Forward(reversed, period, k, options);
        for (var t = 0; t < n; t++)
        {
            stats[t] = t >= minTrain ? forward[t] : backward[n - 1 - t];
        }

        return stats;
    }

    /// <summary>The training minimum m for a period.</summary>
    public static int MinTrain(int period) => Math.Max((2 * (period >= 2 ? period : 0)) + 1, 24);

    private static double[] Forward(ReadOnlySpan<double> values, int period, int k, ForecastBreachOptions options)
    {
        var n = values.Length;
        var stats = new double[n];
        var model = ModelCatalog.Create(options.Model);
        var minTrain = MinTrain(period);
        var window = Math.Max(options.MaxTrain, 4 * period);
        var periods = period >= 2 ? new[] { period } : [];
        var all = values.ToArray();
        for (var origin = minTrain; origin < n; origin += k)
        {
            var start = Math.Max(0, origin - window);
            var horizon = Math.Min(k, n - origin);
            var result = model.Forecast(new ForecastRequest
            {
                Values = new ArraySegment<double>(all, start, origin - start),
                Horizon = horizon,
                SeasonalPeriods = origin - start >= 2 * period ? periods : [],
                Levels = [options.Level],
            });
            var interval = result.Intervals[0];
            for (var h = 0; h < horizon; h++)
            {
                stats[origin + h] = Breach(all[origin + h], result.Mean[h], interval.Lower[h], interval.Upper[h]);
            }
        }

        return stats;
    }

    /// <summary>The breach statistic of x against a forecast mean and interval (see the type's summary).</summary>
    public static double Breach(double x, double mean, double lower, double upper)
    {
        if (!double.IsFinite(mean))
        {
            return 0;
        }

        var floor = IntervalBreachDetector.ScaleFloor * (1 + Math.Abs(mean));
        if (x >= mean)
        {
            var up = double.IsFinite(upper) ? upper - mean : floor;
            return (x - mean) / Math.Max(up, floor);
        }

        var down = double.IsFinite(lower) ? mean - lower : floor;
        return (mean - x) / Math.Max(down, floor);
    }
}
