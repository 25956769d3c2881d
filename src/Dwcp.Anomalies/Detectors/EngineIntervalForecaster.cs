using Dwcp.Forecasting;
using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// An <see cref="IIntervalForecaster"/> on the forecasting engine, for the online interval breach
/// (<see cref="OnlineDetectorOptions.IntervalModel"/>): every <c>refitEvery</c> points the model is refitted on the last
/// <c>window</c> values (at least four periods) and forecasts the next <c>refitEvery</c> points with its own interval at
/// <c>level</c>%; point h after a refit gets the h-step forecast. Only past values are used, so prefixes score identically.
/// Invalid (no score) until <see cref="ForecastIntervalBreach.MinTrain"/> points have been seen. Memory: the window.
/// </summary>
public sealed class EngineIntervalForecaster : IIntervalForecaster
{
    private readonly Forecasting.Models.ModelBase _model;
    private readonly int _period;
    private readonly double _level;
    private readonly int _refitEvery;
    private readonly double[] _ring;
    private long _count;
    private ForecastResult? _current;
    private int _step;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="model">A <see cref="ModelCatalog"/> name, e.g. <c>theta</c>.</param>
    /// <param name="period">Seasonal period (0 = none).</param>
    /// <param name="level">Interval level in percent.</param>
    /// <param name="refitEvery">Points between refits (also the forecast horizon).</param>
    /// <param name="window">Most recent values each fit sees (raised to four periods).</param>
    public EngineIntervalForecaster(string model, int period, double level = 99, int refitEvery = 12, int window = 500)
    {
        _model = ModelCatalog.Create(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(refitEvery, 1);
        if (!(level > 0 && level < 100))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The interval level is a percentage in (0, 100).");
        }

        _period = period >= 2 ? period : 0;
        _level = level;
        _refitEvery = refitEvery;
        _ring = new double[Math.Max(window, Math.Max(4 * _period, ForecastIntervalBreach.MinTrain(_period)))];
    }

    /// <inheritdoc />
    public IntervalForecast Forecast()
    {
        if (_count < ForecastIntervalBreach.MinTrain(_period))
        {
            return new IntervalForecast(double.NaN, double.NaN, double.NaN);
        }

        if (_current is null || _step >= _current.Mean.Count)
        {
            var n = (int)Math.Min(_count, _ring.Length);
            var values = new double[n];
            for (var i = 0; i < n; i++)
            {
                values[i] = _ring[(int)((_count - n + i) % _ring.Length)];
            }

            _current = _model.Forecast(new ForecastRequest
            {
                Values = values,
                Horizon = _refitEvery,
                SeasonalPeriods = _period >= 2 && n >= 2 * _period ? [_period] : [],
                Levels = [_level],
            });
            _step = 0;
        }

        var interval = _current.Intervals[0];
        return new IntervalForecast(_current.Mean[_step], interval.Lower[_step], interval.Upper[_step]);
    }

    /// <inheritdoc />
    public void Observe(double value)
    {
        if (_count >= ForecastIntervalBreach.MinTrain(_period))
        {
            _ = Forecast(); // the refit happens before this value is seen, whatever the caller did
            _step++;
        }

        _ring[(int)(_count % _ring.Length)] = value;
        _count++;
    }
}
