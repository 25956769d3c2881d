namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Novelty by adaptive resonance (after ARTime, M. Hampton): the series is down-sampled into blocks, each block's
/// representative is scaled by the running range, and the window of the last few representatives (its shape as Haar
/// coefficients plus its levels) is presented to a dual-vigilance fuzzy ART network (<see cref="DualVigilanceArt"/>).
/// An input that founds a new cluster after the warm-up is an anomaly, unless it falls in a masking period (right after
/// an alarm, after other new clusters, or after a vigilance change) and is not clearly less familiar than the last alarm.
/// The vigilances start from an estimate on the warm-up and follow the typical match level online, so the network
/// adapts to a drifting series. The statistic is a confidence in [0, 1] on the row that completes the novel block and
/// 0 everywhere else. Only past values are used; memory is bounded by <see cref="ResonanceOptions.MaxCategories"/>.
/// </summary>
public sealed class ResonanceDetector : IOnlineDetector
{
    private const double UpperVigilanceCap = 0.97;
    private const double RaiseRate = 0.19;
    private const double LowerStepCap = 0.37;
    private const double LowerStepFloor = 0.01;
    private const double MissThreshold = 0.05;

    private readonly ResonanceFeatures _features;
    private readonly DualVigilanceArt _art;
    private readonly double[] _vector;
    private readonly int _window;
    private readonly int _warmupPoints;
    private readonly int _mask;
    private readonly double _initialVigilance;
    private List<double[]>? _warmup;
    private readonly double[] _recentMatch;
    private readonly double[] _recentMiss;
    private int _point;
    private int _lastAlarm;
    private int _lastVigilanceChange;
    private double _lastAlarmMatch;
    private bool _maskAfterNovelty;
    private int _sinceNovelty;
    private double _matchSum;
    private long _matchCount;
    private double _alarmMatchSumBeforeLast;
    private int _alarmCount;
    private double _lastAlarmMinMatch;

    /// <summary>Creates the detector.</summary>
    public ResonanceDetector(ResonanceOptions? options = null)
    {
        var o = options ?? new ResonanceOptions();
        o.Validate();
        _window = o.FeatureWindow;
        Step = Math.Max(1, o.WarmupLength / (o.FeatureWindow * o.WindowsPerWarmup));
        _warmupPoints = o.WarmupLength / Step;
        _mask = (3 * _window) / 2;
        _initialVigilance = o.InitialVigilance;
        _features = new ResonanceFeatures(Step, _window, o.Levels, o.MedianSnap, o.TypicalHistory);
        _art = new DualVigilanceArt(_features.Dimension, o.MaxCategories);
        _vector = new double[_features.Dimension];
        _warmup = new List<double[]>(_warmupPoints);
        _recentMatch = new double[(_warmupPoints / 2) + 1];
        Array.Fill(_recentMatch, 1.0);
        _recentMiss = new double[_warmupPoints + 1];
    }

    /// <summary>Rows per down-sampled point.</summary>
    public int Step { get; }

    /// <summary>Categories in the network.</summary>
    public int Categories => _art.Count;

    /// <summary>Current lower vigilance (below it an input founds a new cluster).</summary>
    public double LowerVigilance => _art.LowerVigilance;

    /// <summary>Current upper vigilance (at or above it an input refines a category).</summary>
    public double UpperVigilance => _art.UpperVigilance;

    /// <summary>True once the warm-up is over and detection runs.</summary>
    public bool IsWarm => _warmup is null;

    /// <summary>Consumes the next value; returns the alarm confidence in [0, 1] (0 = no new anomaly on this row).</summary>
    public double Update(double value)
    {
        if (!_features.Push(value, _vector))
        {
            return 0;
        }

        if (_features.Rescaled is { } map)
        {
            // Keep what was learned in the units of the widened range.
            _art.Rescale(_window, 2 * _window, map.Scale, map.Shift);
            foreach (var w in _warmup ?? [])
            {
                for (var k = _window; k < 2 * _window; k++)
                {
                    w[k] = (map.Scale * w[k]) + map.Shift;
                }
            }
        }

        if (_warmup is not null)
        {
            _warmup.Add((double[])_vector.Clone());
            if (_warmup.Count == _warmupPoints)
            {
                EndWarmup(_warmup);
                _warmup = null;
            }

            return 0;
        }

        return Present(_vector);
    }

    /// <summary>
    /// Sets the starting vigilance and replays the warm-up. The starting vigilance is the typical match level of a
    /// scratch network fed the warm-up's full windows from the least to the most typical (by summed cosine similarity),
    /// averaged over its second half: by then the network has seen the unusual shapes and is matching ordinary ones.
    /// </summary>
    private void EndWarmup(List<double[]> points)
    {
        var full = points.Skip(_window - 1).ToList();
        var typicality = new double[full.Count];
        for (var a = 0; a < full.Count; a++)
        {
            for (var b = 0; b < full.Count; b++)
            {
                typicality[a] += a == b ? 1 : Cosine(full[a], full[b]);
            }
        }

        var scratch = new DualVigilanceArt(_features.Dimension, int.MaxValue) { LowerVigilance = _initialVigilance, UpperVigilance = _initialVigilance };
        var matches = new List<double>(full.Count);
        foreach (var a in Enumerable.Range(0, full.Count).OrderBy(a => typicality[a]))
        {
            scratch.Present(full[a], learn: true);
            matches.Add(scratch.BestMatch);
        }

        var from = Math.Min(Math.Max(0, (_warmupPoints / 2) - 1), matches.Count - 1);
        var start = matches.Skip(from).Average();
        _art.LowerVigilance = start;
        _art.UpperVigilance = start;
        foreach (var p in points)
        {
            Present(p);
        }
    }

    /// <summary>Cosine similarity; against a zero vector, 1 − the other's norm (identical zeros are alike).</summary>
    private static double Cosine(double[] x, double[] y)
    {
        double dot = 0, nx = 0, ny = 0;
        for (var k = 0; k < x.Length; k++)
        {
            dot += x[k] * y[k];
            nx += x[k] * x[k];
            ny += y[k] * y[k];
        }

        nx = Math.Sqrt(nx);
        ny = Math.Sqrt(ny);
        return nx == 0 ? 1 - ny : ny == 0 ? 1 - nx : dot / (nx * ny);
    }

    private double Present(double[] x)
    {
        _point++;
        var i = _point;
        var detecting = i > _warmupPoints;
        var sinceAlarm = i - _lastAlarm;
        var adaptAfterAlarm = sinceAlarm == _mask;
        var adaptForDrift = i - _lastVigilanceChange >= _warmupPoints / 2;
        var inAlarmMask = sinceAlarm <= _mask;
        if (i > _warmupPoints + _mask && _maskAfterNovelty && _sinceNovelty >= _mask)
        {
            _maskAfterNovelty = false;
        }

        // Points before the first full window keep the indices aligned but teach nothing.
        var outcome = _art.Present(x, learn: i >= _window);
        var novel = outcome == ArtOutcome.NewCluster;
        var match = _art.BestMatch;
        _sinceNovelty = novel ? 0 : _sinceNovelty + 1;
        _matchSum += match;
        _matchCount++;
        Push(_recentMatch, match);
        Push(_recentMiss, _art.UpperVigilance - match);
        if (sinceAlarm < _mask && _alarmCount > 0)
        {
            _lastAlarmMinMatch = Math.Min(_lastAlarmMinMatch, match);
        }

        // During a mask a new cluster only counts when it is clearly less familiar than the last alarm.
        var masked = _maskAfterNovelty || inAlarmMask;
        var clearlyWorse = match < _lastAlarmMatch * (inAlarmMask ? 0.90 : 0.70);
        double confidence = 0;
        if (detecting && novel && (!masked || clearlyWorse))
        {
            confidence = Confidence(match, _art.BestEnergy);
            if (_alarmCount > 0)
            {
                _alarmMatchSumBeforeLast += _lastAlarmMinMatch;
            }

            _alarmCount++;
            _lastAlarmMinMatch = match;
            _lastAlarmMatch = match;
            _lastAlarm = i;
        }

        _maskAfterNovelty |= novel;
        if (detecting && (adaptAfterAlarm || adaptForDrift))
        {
            AdaptVigilance(i);
            _lastVigilanceChange = i;
            _maskAfterNovelty = true;
        }

        return confidence;
    }

    /// <summary>
    /// The upper vigilance follows the mean match (capped); the lower one rises part-way towards the worst recent
    /// match when every recent input matched at least that well, and otherwise falls by half the typical recent
    /// shortfall, but never below the mean match of past alarms (so it does not drift into accepting them).
    /// </summary>
    private void AdaptVigilance(int i)
    {
        var upper = Math.Min(UpperVigilanceCap, _matchSum / _matchCount);
        var lower = _art.LowerVigilance;
        var worstRecent = _recentMatch.Min();
        if (lower <= worstRecent)
        {
            lower += (worstRecent - lower) * RaiseRate;
        }
        else
        {
            double shortfall = 0;
            if (i > 2 * _warmupPoints)
            {
                var misses = _recentMiss.Where(d => d > MissThreshold).Select(d => Math.Min(LowerStepCap, d)).ToList();
                shortfall = misses.Count > 0 ? misses.Average() : 0;
            }

            lower -= Math.Max(LowerStepFloor, shortfall) / 2;
            if (_alarmCount > 0)
            {
                lower = Math.Max(lower, (_alarmMatchSumBeforeLast + _lastAlarmMinMatch) / _alarmCount);
            }
        }

        _art.UpperVigilance = upper;
        _art.LowerVigilance = Math.Min(upper, lower);
    }

    /// <summary>
    /// How far below both vigilances the match fell, each as a share of the room below 1 (weighted 0.35 upper,
    /// 0.65 lower), plus 1.5 × the level mismatch; capped at 1.
    /// </summary>
    private double Confidence(double match, double energy)
    {
        var room = 1 - Math.Min(0.999, match);
        var belowUpper = (room - (1 - _art.UpperVigilance)) / room;
        var belowLower = (room - (1 - _art.LowerVigilance)) / room;
        var s = (0.35 * belowUpper) + (0.65 * belowLower) + (1.5 * (1 - energy));
        return Math.Clamp(s, 0, 1);
    }

    private static void Push(double[] ring, double value)
    {
        Array.Copy(ring, 1, ring, 0, ring.Length - 1);
        ring[^1] = value;
    }
}
