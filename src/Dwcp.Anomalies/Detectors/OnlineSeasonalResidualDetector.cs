using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Online robust seasonal-trend residual: seasonal = median of the detrended values at the same phase in the last
/// <c>seasons</c> periods, trend = median of the last <c>period</c> deseasonalised values x − seasonal (of the last
/// <see cref="NonSeasonalTrendWindow"/> values without seasonality), residual r = x − trend − seasonal, and the statistic is the robust
/// z-score |r − median(R)| / (1.4826·MAD(R)) against the last <c>scaleWindow</c> residuals R.
/// </summary>
public sealed class OnlineSeasonalResidualDetector : IOnlineDetector
{
    /// <summary>Trend window used when there is no period.</summary>
    public const int NonSeasonalTrendWindow = 25;

    /// <summary>
    /// Smallest residual scale, relative to the level: deviations below 0.01% of the level are rounding, not anomalies
    /// (a noiseless series otherwise has MAD 0 and an infinite z for its first rounding error).
    /// </summary>
    public const double ScaleFloor = 1e-4;

    private readonly int _period;
    private readonly int _seasons;
    private readonly SortedWindow _trend;
    private readonly SortedWindow _residuals;
    private readonly double[] _detrended;
    private readonly int _minScaleHistory;
    private long _count;

    /// <summary>Creates the detector.</summary>
    /// <param name="period">Seasonal period in samples; 0 or 1 for none.</param>
    /// <param name="seasons">How many past periods the seasonal median uses.</param>
    /// <param name="scaleWindow">How many past residuals the median/MAD scale uses.</param>
    public OnlineSeasonalResidualDetector(int period, int seasons = 5, int scaleWindow = 500)
    {
        _period = period >= 2 ? period : 0;
        _seasons = Math.Max(1, seasons);
        _trend = new SortedWindow(_period > 0 ? _period : NonSeasonalTrendWindow);
        _residuals = new SortedWindow(Math.Max(20, scaleWindow));
        _detrended = new double[Math.Max(1, _period * _seasons)];
        _minScaleHistory = Math.Min(30, scaleWindow);
    }

    /// <summary>The residual of the last value (value − trend − seasonal).</summary>
    public double LastResidual { get; private set; }

    /// <summary>The signed robust z-score of the last residual (0 while warming up).</summary>
    public double LastZ { get; private set; }

    /// <summary>The fitted value (trend + seasonal) of the last value.</summary>
    public double LastFitted { get; private set; }

    /// <inheritdoc />
    public double Update(double value)
    {
        var trend = _trend.Count > 0 ? _trend.Median : value;
        double seasonal = 0;
        if (_period > 0 && _count >= _period)
        {
            var available = (int)Math.Min(_seasons, _count / _period);
            Span<double> same = stackalloc double[available];
            for (var j = 1; j <= available; j++)
            {
                same[j - 1] = _detrended[(int)((_count - (j * _period)) % _detrended.Length)];
            }

            seasonal = RobustStats.Median(same);
        }

        var fitted = trend + seasonal;
        var r = value - fitted;
        double z = 0;
        if (_residuals.Count >= _minScaleHistory)
        {
            var scale = Math.Max(RobustStats.MadToSigma * _residuals.Mad, ScaleFloor * (1 + Math.Abs(trend)));
            z = (r - _residuals.Median) / scale;
        }

        if (_period > 0)
        {
            _detrended[(int)(_count % _detrended.Length)] = value - trend;
        }

        _trend.Add(value - seasonal);
        _residuals.Add(r);
        _count++;
        LastResidual = r;
        LastFitted = fitted;
        LastZ = z;
        return Math.Abs(z);
    }
}
