using Dwcp.Anomalies.Detectors;
using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies;

/// <summary>
/// The streaming ensemble for one series: each call to <see cref="Score(DateTime, double)"/> scores a point from it and
/// the points before it only, so a real-time engine can call it per event and a file cut short gets the same scores
/// for the rows it keeps. Components (<see cref="EnsembleComponents"/>; default: robust seasonal residual,
/// forecast-interval breach, CUSUM and variance shift on the residual z-scores, spectral residual, and a seasonal
/// residual at a longer cycle when one is detected, and the adaptive-resonance novelty detector; optional: Bayesian
/// online change points, mean shift, and more). Each raw statistic becomes a tail probability under the series' recent
/// past (<c>TailCalibrator</c>); the smallest one is recalibrated the same way; a resonance alarm of confidence c joins
/// as min(p, 10^−(offset + slope·c)); the score is 1 − p, so on anomaly-free data P(score ≥ 1 − α) ≈ α (resonance alarms
/// are rare there). Memory is bounded by the options.
/// </summary>
public sealed class OnlineAnomalyDetector
{
    private readonly OnlineDetectorOptions _options;
    private readonly List<double>? _searchBuffer;
    private Ensemble _ensemble;
    private DateTime? _lastTimestamp;
    private double[] _recentP = [];
    private long _pCount;
    private readonly ResonanceDetector? _resonance;

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
            // Grows with the values seen: a detector that never reaches the search length never reserves it.
            _searchBuffer = [];
            _ensemble = new Ensemble(0, 0, _options);
        }

        // Outside the ensemble: it needs no period, so it is not rebuilt when the period is found.
        _resonance = (_options.Components & EnsembleComponents.Resonance) != 0 ? new ResonanceDetector(_options.Resonance) : null;
    }

    /// <summary>The seasonal period in use (0 = none); null while still being detected.</summary>
    public int? Period { get; private set; }

    /// <summary>Names of the components, in the order of <see cref="LastComponentPValues"/>.</summary>
    public static IReadOnlyList<string> ComponentNames { get; } = ["seasonal-residual", "interval-breach", "cusum", "spectral-residual", "bocpd", "mean-shift", "variance-shift", "long-season-residual", "distribution-shift", "range-breach", "seasonal-shift", "window-discord", "resonance", "smoothed"];

    /// <summary>Each component's tail probability for the last point (1 while warming up): which detector fired.</summary>
    public IReadOnlyList<double> LastComponentPValues => _ensemble.ComponentPValues;

    /// <summary>The longer cycle (whole periods) used by the long-season component; 0 = none.</summary>
    public int LongPeriod { get; private set; }

    /// <summary>The resonance component's alarm confidence for the last point (0 = no alarm, or the component is off).</summary>
    public double ResonanceConfidence { get; private set; }

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
        p = Suppress(p);
        if (_resonance is not null)
        {
            // A resonance alarm is already one per event (the detector masks its own repeats), so it joins after the
            // refractory step, as a p-value in the extreme tail that falls with the alarm's confidence.
            var confidence = _resonance.Update(value);
            var pResonance = confidence > 0 ? Math.Pow(10, -(_options.ResonanceLogOffset + (_options.ResonanceLogSlope * confidence))) : 1.0;
            ResonanceConfidence = confidence;
            _ensemble.SetResonancePValue(pResonance);
            p = Math.Min(p, pResonance);
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
                    var resonanceP = _ensemble.ComponentPValues[^2];
                    _ensemble = new Ensemble(Period.Value, LongPeriod, _options);
                    foreach (var v in _searchBuffer)
                    {
                        _ensemble.Step(v);
                    }

                    _ensemble.SetResonancePValue(resonanceP);
                }

                _searchBuffer.Clear();
                _searchBuffer.TrimExcess();
            }
        }

        return new AnomalyScore(1.0 - p, p, p <= _options.FpRate);
    }

    /// <summary>
    /// One alarm per event: a point at p ≤ <see cref="OnlineDetectorOptions.RefractoryPValue"/> keeps its p-value only if
    /// it is at least <see cref="OnlineDetectorOptions.RefractoryRatio"/> times smaller than every raw p-value of the
    /// previous <see cref="OnlineDetectorOptions.RefractoryLength"/> points; otherwise it is raised to that level. For any
    /// threshold below the level, a weaker repeat of a recent alarm therefore never fires (whatever the threshold), and
    /// p-values above the level are untouched, so the fp-rate contract for α at or above it is unchanged.
    /// </summary>
    private double Suppress(double p)
    {
        var length = _options.RefractoryLength;
        if (length <= 0)
        {
            return p;
        }

        var recentMin = 1.0;
        var seen = (int)Math.Min(_pCount, length);
        for (var i = 0; i < seen; i++)
        {
            recentMin = Math.Min(recentMin, _recentP[i]);
        }

        var slot = (int)(_pCount % length);
        if (slot >= _recentP.Length)
        {
            // Not full yet (slot == _pCount < length): the ring holds p-values 0.._pCount-1 in order, so growing keeps them.
            Array.Resize(ref _recentP, (int)Math.Min(length, Math.Max(16, 2L * _recentP.Length)));
        }

        _recentP[slot] = p;
        _pCount++;
        return p <= _options.RefractoryPValue && p >= recentMin * _options.RefractoryRatio ? _options.RefractoryPValue : p;
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
        private readonly BayesianChangePointDetector? _bocpd;
        private readonly WindowShiftDetector _meanShift;
        private readonly WindowShiftDetector _varianceShift;
        private readonly OnlineSeasonalResidualDetector? _longResidual;
        private readonly RankShiftDetector? _rankShift;
        private readonly RangeBreachDetector? _rangeBreach;
        private readonly WindowShiftDetector? _seasonalShift;
        private readonly WindowDiscordDetector? _discord;
        private readonly double[] _evidence;
        private readonly TailCalibrator? _smoothed;
        private double _evidenceSum;
        private long _steps;
        private readonly EnsembleComponents _components;
        private readonly TailCalibrator?[] _calibrators;
        private readonly TailCalibrator _combined;
        private readonly double[] _stats;
        private readonly double[] _pValues;

        public Ensemble(int period, int longPeriod, OnlineDetectorOptions o)
        {
            _components = o.Components;
            _longResidual = longPeriod > 0 ? new OnlineSeasonalResidualDetector(longPeriod, seasons: 3) : null;
            _residual = new OnlineSeasonalResidualDetector(period);
            _breach = new IntervalBreachDetector(o.IntervalModel is { } model
                ? new EngineIntervalForecaster(model, period, refitEvery: o.IntervalRefitEvery)
                : new SeasonalConformalForecaster(period));
            _cusum = new CusumDetector();
            _spectral = new SpectralResidualDetector();
            _bocpd = Has(EnsembleComponents.BayesianChangePoint) ? new BayesianChangePointDetector() : null;
            _meanShift = new WindowShiftDetector(o.ShiftWindow);
            _varianceShift = new WindowShiftDetector(o.ShiftWindow, variance: true);
            // Optional parts are only allocated when selected: a server keeps thousands of these.
            _rankShift = Has(EnsembleComponents.DistributionShift) ? new RankShiftDetector(o.RankWindow, o.RankHistory) : null;
            _rangeBreach = Has(EnsembleComponents.RangeBreach) ? new RangeBreachDetector(o.CalibrationWindow) : null;
            _seasonalShift = Has(EnsembleComponents.SeasonalShift) ? new WindowShiftDetector(Math.Max(o.ShiftWindow, period / 2)) : null;
            _discord = Has(EnsembleComponents.WindowDiscord) ? new WindowDiscordDetector(o.DiscordWindow, o.DiscordHistory) : null;
            _evidence = new double[Math.Max(1, o.SmoothingWindow)];
            _smoothed = o.SmoothingWindow > 1 ? new TailCalibrator(o.CalibrationWindow, o.MinCalibrationHistory, o.TailCount) : null;
            const int k = 12;
            _calibrators = new TailCalibrator?[k];
            for (var i = 0; i < k; i++)
            {
                if (Has((EnsembleComponents)(1 << i)) && (i != 7 || _longResidual is not null))
                {
                    _calibrators[i] = new TailCalibrator(o.CalibrationWindow, o.MinCalibrationHistory, o.TailCount, minTailScale: MinTailScale(i));
                }
            }

            _combined = new TailCalibrator(o.CalibrationWindow, o.MinCalibrationHistory, o.TailCount, o.FixedCombinedTail ? 1.0 : null);
            _stats = new double[k];
            // The calibrated components, then the resonance evidence (set by the owner), then the smoothed evidence.
            _pValues = new double[k + 2];
            _pValues[k] = 1.0;
            _pValues[k + 1] = 1.0;
        }

        public IReadOnlyList<double> ComponentPValues => _pValues;

        public void SetResonancePValue(double p) => _pValues[^2] = p;

        /// <summary>
        /// β floor per component: the range breach is in IQRs (ties at the old maximum); the half-period shift is a
        /// smooth mean of z-scores whose top values come from one excursion, so their mean excess underestimates the
        /// tail (0.35 ≈ the mean excess of |N(0, 1)| beyond its 0.5% point).
        /// </summary>
        private static double MinTailScale(int component) => component switch
        {
            9 => RangeBreachDetector.TailScaleFloor,
            10 => 0.35,
            _ => 0,
        };

        private bool Has(EnsembleComponents c) => (_components & c) != 0;

        /// <summary>Feeds one value; returns the final p-value (1 while warming up).</summary>
        public double Step(double value)
        {
            // The residual detector always runs: CUSUM and BOCPD consume its z-scores.
            _stats[0] = _residual.Update(value);
            _stats[1] = Has(EnsembleComponents.IntervalBreach) ? _breach.Update(value) : 0;
            _stats[2] = Has(EnsembleComponents.Cusum) ? _cusum.Update(_residual.LastZ) : 0;
            _stats[3] = Has(EnsembleComponents.SpectralResidual) ? _spectral.Update(value) : 0;
            _stats[4] = _bocpd?.Update(_residual.LastZ) ?? 0;
            _stats[5] = Has(EnsembleComponents.MeanShift) ? _meanShift.Update(_residual.LastZ) : 0;
            _stats[6] = Has(EnsembleComponents.VarianceShift) ? _varianceShift.Update(_residual.LastZ) : 0;
            _stats[7] = _longResidual?.Update(value) ?? 0;
            _stats[8] = _rankShift?.Update(value) ?? 0;
            _stats[9] = _rangeBreach?.Update(value) ?? 0;
            _stats[10] = _seasonalShift?.Update(_longResidual?.LastZ ?? _residual.LastZ) ?? 0;
            _stats[11] = _discord?.Update(Math.Clamp(_residual.LastZ, -5, 5)) ?? 0;
            var minP = 1.0;
            var warm = true;
            for (var i = 0; i < _stats.Length; i++)
            {
                if (_calibrators[i] is not { } calibrator)
                {
                    _pValues[i] = 1.0;
                    continue;
                }

                warm &= calibrator.IsWarm;
                _pValues[i] = calibrator.PValue(_stats[i]);
                minP = Math.Min(minP, _pValues[i]);
                calibrator.Add(_stats[i]);
            }

            if (!warm)
            {
                return 1.0;
            }

            var combinedStat = -Math.Log(minP);
            if (_smoothed is not null)
            {
                // Anomaly likelihood: the mean evidence of the last points, judged against its own past.
                var slot = (int)(_steps % _evidence.Length);
                _evidenceSum += combinedStat - _evidence[slot];
                _evidence[slot] = combinedStat;
                _steps++;
                if (_steps >= _evidence.Length)
                {
                    var mean = _evidenceSum / _evidence.Length;
                    var ps = _smoothed.PValue(mean);
                    _smoothed.Add(mean);
                    _pValues[^1] = ps;
                    combinedStat = -Math.Log(Math.Min(minP, ps));
                }
            }

            var p = _combined.PValue(combinedStat);
            _combined.Add(combinedStat);
            return p;
        }
    }
}
