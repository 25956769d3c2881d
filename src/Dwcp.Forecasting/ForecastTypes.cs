namespace Dwcp.Forecasting;

/// <summary>What to forecast: an equally spaced series without gaps, a horizon and the interval levels wanted.</summary>
public sealed record ForecastRequest
{
    /// <summary>The observations, oldest first, equally spaced, all finite.</summary>
    public required IReadOnlyList<double> Values { get; init; }

    /// <summary>Number of steps to forecast (≥ 1).</summary>
    public required int Horizon { get; init; }

    /// <summary>Seasonal periods in steps, ascending (e.g. 24 and 168 for hourly data); empty for none.</summary>
    public IReadOnlyList<int> SeasonalPeriods { get; init; } = [];

    /// <summary>Central prediction interval levels in percent (e.g. 80 and 95), in the order the caller wants them.</summary>
    public IReadOnlyList<double> Levels { get; init; } = [80, 95];
}

/// <summary>How a prediction interval was obtained.</summary>
public enum IntervalMethod
{
    /// <summary>No interval (the model was used without one).</summary>
    None,

    /// <summary>Closed-form variance of the model (normal errors).</summary>
    Analytic,

    /// <summary>Quantiles of simulated sample paths of the fitted model.</summary>
    Simulated,

    /// <summary>Split-conformal from rolling-origin backtest errors, per horizon step.</summary>
    Conformal,
}

/// <summary>A central prediction interval at one level: <c>Lower[i] ≤ Mean[i] ≤ Upper[i]</c> for step i.</summary>
public sealed record PredictionInterval(double Level, IReadOnlyList<double> Lower, IReadOnlyList<double> Upper);

/// <summary>The forecast of one series.</summary>
public sealed record ForecastResult
{
    /// <summary>Short model name as written to output files, e.g. <c>ets</c> or <c>ensemble(ets+theta+arima)</c>.</summary>
    public required string Model { get; init; }

    /// <summary>Detailed description, e.g. <c>ETS(A,Ad,A)</c> or <c>ARIMA(2,1,1)(0,1,1)[24]</c>.</summary>
    public required string Detail { get; init; }

    /// <summary>Point forecasts, one per horizon step.</summary>
    public required IReadOnlyList<double> Mean { get; init; }

    /// <summary>One interval per requested level, in the requested order.</summary>
    public required IReadOnlyList<PredictionInterval> Intervals { get; init; }

    /// <summary>How the intervals were computed.</summary>
    public required IntervalMethod IntervalMethod { get; init; }

    /// <summary>Empirical coverage (0..1) of the intervals per level in the rolling-origin backtest; empty when no backtest ran.</summary>
    public IReadOnlyDictionary<double, double> BacktestCoverage { get; init; } = new Dictionary<double, double>();

    /// <summary>Mean absolute scaled error of the chosen forecast in the backtest, when one ran.</summary>
    public double? BacktestMase { get; init; }

    /// <summary>Notes about the decisions taken (fallbacks, excluded models).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Re-runs the chosen model or combination (form fixed, parameters re-estimated) on a prefix of the series.</summary>
    internal Func<double[], double[]>? Reforecast { get; init; }

    /// <summary>The interval at <paramref name="level"/>, or throws when that level was not requested.</summary>
    public PredictionInterval Interval(double level) =>
        Intervals.FirstOrDefault(i => i.Level == level)
        ?? throw new ArgumentException($"Level {level} was not requested; requested: {string.Join(", ", Intervals.Select(i => i.Level))}.", nameof(level));
}

/// <summary>A forecasting model. Implementations are stateless and thread-safe.</summary>
public interface IForecastModel
{
    /// <summary>Short name used in model lists and output (e.g. <c>ets</c>, <c>theta</c>, <c>snaive</c>).</summary>
    string Name { get; }

    /// <summary>Fits the model to <see cref="ForecastRequest.Values"/> and forecasts <see cref="ForecastRequest.Horizon"/> steps with intervals.</summary>
    ForecastResult Forecast(ForecastRequest request);
}
