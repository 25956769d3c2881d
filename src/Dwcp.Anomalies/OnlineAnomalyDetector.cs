using Dwcp.Anomalies.Detectors;
using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies;

/// <summary>
/// The streaming ensemble for one series: each call to <see cref="Score(DateTime, double)"/> scores a point from it and
/// the points before it only, so a real-time engine can call it per event and a file cut short gets the same scores
/// for the rows it keeps. Components (<see cref="EnsembleComponents"/>; default: robust seasonal residual,
/// forecast-interval breach, CUSUM and variance shift on the residual z-scores, spectral residual, and a seasonal
/// residual at a longer cycle when one is detected; optional: Bayesian online change points, mean shift). Each raw
/// statistic becomes a tail
/// probability under the series' recent past (<c>TailCalibrator</c>); the smallest one is recalibrated the same way,
/// and the score is 1 − that p-value, so on anomaly-free data P(score ≥ 1 − α) ≈ α. Memory is bounded by the options.
/// </summary>
public sealed class OnlineAnomalyDetector
{
    private readonly OnlineDetectorOptions _options;
    private readonly List<double>? _searchBuffer;
    private Ensemble _ensemble;
    private DateTime? _lastTimestamp;
    private int _refractoryLeft;

    /// <summary>Creates a detector for one series.</summary>
    public OnlineAnomalyDetector(OnlineDetectorOptions? options = null)
    {
        _options = options ?? new OnlineDetectorOptions();
        _options.Validate();
        if (_options.Period is { } p)
        {
            Period = p;
            _ensemble = new Ensemble(p, 0, _options);
        }
        else
        {
            _searchBuffer = new List<double>(_options.PeriodSearchLength);
            _ensemble = new Ensemble(0, 0, _options);
        }
    }

    /// <summary>The seasonal period in use (0 = none); null while still being detected.</summary>
    public int? Period { get; private set; }

    /// <summary>Names of the components, in the order of <see cref="LastComponentPValues"/>.</summary>
    public static IReadOnlyList<string> ComponentNames { get; } = ["seasonal-residual", "interval-breach", "cusum", "spectral-residual", "bocpd", "mean-shift", "variance-shift", "long-season-residual"];

    /// <summary>Each component's tail probability for the last point (1 while warming up): which detector fired.</summary>
    public IReadOnlyList<double> LastComponentPValues => _ensemble.ComponentPValues;

    /// <summary>The longer cycle (whole periods) used by the long-season component; 0 = none.</summary>
    public int LongPeriod { get; private set; }

    /// <summary>Number of points scored so far.</summary>
    public long Count { get; private set; }

    /// <summary>Scores the next point. Timestamps must not go backwards.</summary>
    /// <exception cref="ArgumentException">The timestamp is earlier than the previous one, or the value is not finite.</exception>
    public AnomalyScore Score(DateTime timestamp, double value)
    {
        if (_lastTimestamp is { } last && timestamp < last)
        {
            throw new ArgumentException($"Timestamp {timestamp:O} is earlier than the previous one ({last:O}); online scoring needs time order.", nameof(timestamp));
        }

        _lastTimestamp = timestamp;
        return Score(value);
    }

    /// <summary>Scores the next point of a regularly sampled series.</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite.</exception>
    public AnomalyScore Score(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Value {value} is not a finite number.", nameof(value));
        }

        var p = _ensemble.Step(value);
        if (_refractoryLeft > 0)
        {
            _refractoryLeft--;
            p = Math.Min(1.0, p * OnlineDetectorOptions.RefractoryDamping);
        }
        else if (_options.RefractoryLength > 0 && p <= _options.RefractoryPValue)
        {
            _refractoryLeft = _options.RefractoryLength;
        }

        Count++;
        if (_searchBuffer is not null && Period is null)
        {
            _searchBuffer.Add(value);
            if (_searchBuffer.Count >= _options.PeriodSearchLength)
            {
                // Detect the period from the buffered prefix, then rebuild the components with it and replay the prefix
                // to warm them up. Only past values are used, so prefixes still score identically.
                var prefix = _searchBuffer.ToArray();
                var maxPeriod = Math.Min(_options.MaxPeriod, (prefix.Length / 2) - 1);
                Period = PeriodDetector.Detect(prefix, maxPeriod);
                if (Period > 0)
                {
                    LongPeriod = (_options.Components & EnsembleComponents.LongSeasonResidual) != 0 ? PeriodDetector.DetectSecondary(prefix, Period.Value, maxPeriod) : 0;
                    _ensemble = new Ensemble(Period.Value, LongPeriod, _options);
                    foreach (var v in _searchBuffer)
                    {
                        _ensemble.Step(v);
                    }
                }

                _searchBuffer.Clear();
                _searchBuffer.TrimExcess();
            }
        }

        return new AnomalyScore(1.0 - p, p, p <= _options.FpRate);
    }

    /// <summary>Scores a whole series point by point (same result as calling <see cref="Score(double)"/> in order).</summary>
    public static AnomalyScore[] ScoreAll(ReadOnlySpan<double> values, OnlineDetectorOptions? options = null)
    {
        var d = new OnlineAnomalyDetector(options);
        var result = new AnomalyScore[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = d.Score(values[i]);
        }

        return result;
    }

    /// <summary>The components for one period and their calibrators.</summary>
    private sealed class Ensemble
    {
        private readonly OnlineSeasonalResidualDetector _residual;
        private readonly IntervalBreachDetector _breach;
        private readonly CusumDetector _cusum;
        private readonly SpectralResidualDetector _spectral;
        private readonly BayesianChangePointDetector _bocpd;
        private readonly WindowShiftDetector _meanShift;
        private readonly WindowShiftDetector _varianceShift;
        private readonly OnlineSeasonalResidualDetector? _longResidual;
        private readonly EnsembleComponents _components;
        private readonly TailCalibrator[] _calibrators;
        private readonly TailCalibrator _combined;
        private readonly double[] _stats;
        private readonly double[] _pValues;

        public Ensemble(int period, int longPeriod, OnlineDetectorOptions o)
        {
            _longResidual = longPeriod > 0 ? new OnlineSeasonalResidualDetector(longPeriod, seasons: 3) : null;
            _residual = new OnlineSeasonalResidualDetector(period);
            _breach = new IntervalBreachDetector(new SeasonalConformalForecaster(period));
            _cusum = new CusumDetector();
            _spectral = new SpectralResidualDetector();
            _bocpd = new BayesianChangePointDetector();
            _meanShift = new WindowShiftDetector(o.ShiftWindow);
            _varianceShift = new WindowShiftDetector(o.ShiftWindow, variance: true);
            _components = o.Components;
            const int k = 8;
            _calibrators = new TailCalibrator[k];
            for (var i = 0; i < k; i++)
            {
                _calibrators[i] = new TailCalibrator(o.CalibrationWindow, o.MinCalibrationHistory, o.TailCount);
            }

            _combined = new TailCalibrator(o.CalibrationWindow, o.MinCalibrationHistory, o.TailCount, o.FixedCombinedTail ? 1.0 : null);
            _stats = new double[k];
            _pValues = new double[k];
        }

        public IReadOnlyList<double> ComponentPValues => _pValues;

        private bool Has(EnsembleComponents c) => (_components & c) != 0;

        /// <summary>Feeds one value; returns the final p-value (1 while warming up).</summary>
        public double Step(double value)
        {
            // The residual detector always runs: CUSUM and BOCPD consume its z-scores.
            _stats[0] = _residual.Update(value);
            _stats[1] = Has(EnsembleComponents.IntervalBreach) ? _breach.Update(value) : 0;
            _stats[2] = Has(EnsembleComponents.Cusum) ? _cusum.Update(_residual.LastZ) : 0;
            _stats[3] = Has(EnsembleComponents.SpectralResidual) ? _spectral.Update(value) : 0;
            _stats[4] = Has(EnsembleComponents.BayesianChangePoint) ? _bocpd.Update(_residual.LastZ) : 0;
            _stats[5] = Has(EnsembleComponents.MeanShift) ? _meanShift.Update(_residual.LastZ) : 0;
            _stats[6] = Has(EnsembleComponents.VarianceShift) ? _varianceShift.Update(_residual.LastZ) : 0;
            _stats[7] = _longResidual?.Update(value) ?? 0;
            var minP = 1.0;
            var warm = true;
            for (var i = 0; i < _stats.Length; i++)
            {
                if (!Has((EnsembleComponents)(1 << i)) || (i == 7 && _longResidual is null))
                {
                    _pValues[i] = 1.0;
                    continue;
                }

                warm &= _calibrators[i].IsWarm;
                _pValues[i] = _calibrators[i].PValue(_stats[i]);
                minP = Math.Min(minP, _pValues[i]);
                _calibrators[i].Add(_stats[i]);
            }

            if (!warm)
            {
                return 1.0;
            }

            var combinedStat = -Math.Log(minP);

            var p = _combined.PValue(combinedStat);
            _combined.Add(combinedStat);
            return p;
        }
    }
}
