using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>A one-step-ahead point forecast with a prediction interval.</summary>
/// <param name="Point">The expected value.</param>
/// <param name="Lower">Lower bound of the interval.</param>
/// <param name="Upper">Upper bound of the interval.</param>
public readonly record struct IntervalForecast(double Point, double Lower, double Upper)
{
    /// <summary>True when the interval is usable (the forecaster has warmed up).</summary>
    public bool IsValid => !double.IsNaN(Point) && Upper >= Lower;
}

/// <summary>
/// A one-step-ahead forecaster with prediction intervals, used by <see cref="IntervalBreachDetector"/>. Any
/// forecasting library can plug in by implementing it; <see cref="SeasonalConformalForecaster"/> is built in.
/// </summary>
public interface IIntervalForecaster
{
    /// <summary>The forecast for the next, not yet observed, value.</summary>
    IntervalForecast Forecast();

    /// <summary>Records the actual next value.</summary>
    void Observe(double value);
}

/// <summary>
/// Built-in forecaster: robust seasonal baseline plus a split-conformal band. Point forecast =
/// median of the values one, two, … <c>seasons</c> periods back (the last <c>NonSeasonalWindow</c> values without a
/// period) plus the median of the last <c>biasWindow</c> forecast errors (bias correction for level drift).
/// The band is point ± the <c>coverage</c> quantile of the last <c>calibrationWindow</c> absolute errors, so about
/// <c>coverage</c> of future values fall inside when errors are exchangeable.
/// </summary>
public sealed class SeasonalConformalForecaster : IIntervalForecaster
{
    private const int NonSeasonalWindow = 15;
    private readonly int _period;
    private readonly int _seasons;
    private readonly double _coverage;
    private readonly double[] _history;
    private readonly SortedWindow _bias;
    private readonly SortedWindow _absErrors;
    private long _count;
    private IntervalForecast? _pending;

    /// <summary>Creates the forecaster.</summary>
    public SeasonalConformalForecaster(int period, double coverage = 0.99, int seasons = 3, int biasWindow = 12, int calibrationWindow = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(coverage, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(coverage, 1.0);
        _period = period >= 2 ? period : 0;
        _seasons = Math.Max(1, seasons);
        _coverage = coverage;
        _history = new double[_period > 0 ? _period * _seasons : NonSeasonalWindow];
        _bias = new SortedWindow(Math.Max(1, biasWindow));
        _absErrors = new SortedWindow(Math.Max(20, calibrationWindow));
    }

    /// <inheritdoc />
    public IntervalForecast Forecast()
    {
        if (_pending is { } cached)
        {
            return cached;
        }

        double point;
        if (_period > 0)
        {
            var available = (int)Math.Min(_seasons, _count / _period);
            if (available == 0)
            {
                return Invalid();
            }

            Span<double> same = stackalloc double[available];
            for (var j = 1; j <= available; j++)
            {
                same[j - 1] = _history[(int)((_count - (j * _period)) % _history.Length)];
            }

            point = RobustStats.Median(same);
        }
        else
        {
            var available = (int)Math.Min(_history.Length, _count);
            if (available == 0)
            {
                return Invalid();
            }

            point = RobustStats.Median(_history.AsSpan(0, available));
        }

        if (_bias.Count > 0)
        {
            point += _bias.Median;
        }

        if (_absErrors.Count < 20)
        {
            return (_pending = new IntervalForecast(point, double.NaN, double.NaN)).Value;
        }

        var half = _absErrors.Quantile(_coverage);
        _pending = new IntervalForecast(point, point - half, point + half);
        return _pending.Value;

        IntervalForecast Invalid() => (_pending = new IntervalForecast(double.NaN, double.NaN, double.NaN)).Value;
    }

    /// <inheritdoc />
    public void Observe(double value)
    {
        var f = Forecast();
        if (!double.IsNaN(f.Point))
        {
            var rawPoint = f.Point - (_bias.Count > 0 ? _bias.Median : 0);
            _bias.Add(value - rawPoint);
            _absErrors.Add(Math.Abs(value - f.Point));
        }

        _history[(int)(_count % _history.Length)] = value;
        _count++;
        _pending = null;
    }
}

/// <summary>
/// Forecast-interval breach: the statistic is |x − point| / half-width of the forecaster's interval, so values above
/// 1 lie outside the interval (<see cref="LastBreached"/>). 0 while the forecaster is warming up.
/// </summary>
public sealed class IntervalBreachDetector : IOnlineDetector
{
    /// <summary>Smallest half-width, relative to the level (see <see cref="OnlineSeasonalResidualDetector.ScaleFloor"/>).</summary>
    public const double ScaleFloor = OnlineSeasonalResidualDetector.ScaleFloor;

    private readonly IIntervalForecaster _forecaster;

    /// <summary>Wraps a forecaster.</summary>
    public IntervalBreachDetector(IIntervalForecaster forecaster)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        _forecaster = forecaster;
    }

    /// <summary>The forecast the last value was compared with.</summary>
    public IntervalForecast LastForecast { get; private set; }

    /// <summary>True when the last value fell outside its interval.</summary>
    public bool LastBreached { get; private set; }

    /// <inheritdoc />
    public double Update(double value)
    {
        var f = _forecaster.Forecast();
        LastForecast = f;
        double stat = 0;
        if (f.IsValid)
        {
            var half = Math.Max((f.Upper - f.Lower) / 2, ScaleFloor * (1 + Math.Abs(f.Point)));
            stat = Math.Abs(value - f.Point) / half;
        }

        LastBreached = stat > 1;
        _forecaster.Observe(value);
        return stat;
    }
}
