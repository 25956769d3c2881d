using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// The input side of <see cref="ResonanceDetector"/>: it reduces every block of <c>step</c> raw values to one
/// representative, scales it into [0, 1] by the range of all values seen so far, rounds it to a fixed number of levels,
/// snaps it to the typical level when it is close, and describes the last <c>window</c> representatives by their
/// min-max-scaled Haar wavelet coefficients followed by the levels themselves (2·window features in [0, 1]).
/// </summary>
internal sealed class ResonanceFeatures
{
    private readonly int _step;
    private readonly int _window;
    private readonly int _levels;
    private readonly double _snap;
    private readonly double[] _block;
    private readonly double[] _levelsRing;
    private readonly double[] _scratch;
    private readonly SortedWindow _typical;
    private int _inBlock;
    private double _smoothedMean;
    private double _low = double.PositiveInfinity;
    private double _high = double.NegativeInfinity;
    private double _usedLow = double.NaN;
    private double _usedHigh = double.NaN;

    public ResonanceFeatures(int step, int window, int levels, double snap, int typicalHistory)
    {
        _step = step;
        _window = window;
        _levels = levels;
        _snap = snap;
        _block = new double[step];
        _levelsRing = new double[window];
        _scratch = new double[window];
        _typical = new SortedWindow(typicalHistory);
    }

    /// <summary>Feature vector length (2·window).</summary>
    public int Dimension => 2 * _window;

    /// <summary>Down-sampled points produced so far.</summary>
    public int Points { get; private set; }

    /// <summary>True once <c>window</c> points exist, so the features describe a full window.</summary>
    public bool IsFull => Points >= _window;

    /// <summary>
    /// When the running range widened at the last completed block: the map u′ = Scale·u + Shift that carries a value
    /// scaled by the old range to the new one (the level features of earlier windows move with it); null otherwise.
    /// </summary>
    public (double Scale, double Shift)? Rescaled { get; private set; }

    /// <summary>
    /// Consumes one raw value. Returns true when it completes a block; <paramref name="features"/> then holds the new
    /// vector (all zeros until the window is full).
    /// </summary>
    public bool Push(double value, Span<double> features)
    {
        _low = Math.Min(_low, value);
        _high = Math.Max(_high, value);
        _block[_inBlock++] = value;
        if (_inBlock < _step)
        {
            return false;
        }

        _inBlock = 0;
        Rescaled = null;
        if (Points > 0 && (_low != _usedLow || _high != _usedHigh))
        {
            // Old u = (v − L)/R or 0 when R = 0; new u′ = (v − L′)/R′, so u′ = (R/R′)·u + (L − L′)/R′.
            var newRange = _high - _low;
            var oldRange = _usedHigh - _usedLow;
            Rescaled = (oldRange / newRange, (_usedLow - _low) / newRange);
            for (var k = 0; k < _window; k++)
            {
                _levelsRing[k] = (Rescaled.Value.Scale * _levelsRing[k]) + Rescaled.Value.Shift;
            }
        }

        _usedLow = _low;
        _usedHigh = _high;
        var representative = Represent();
        _typical.Add(representative);
        var level = Quantise(Scale(representative));
        var typicalLevel = Quantise(Scale(_typical.Median));
        if (Math.Abs(level - typicalLevel) < _snap)
        {
            level = typicalLevel;
        }

        Array.Copy(_levelsRing, 1, _levelsRing, 0, _window - 1);
        _levelsRing[^1] = level;
        Points++;
        features.Clear();
        if (IsFull)
        {
            Describe(features);
        }

        return true;
    }

    /// <summary>
    /// A block's representative keeps short spikes visible after down-sampling: its maximum or minimum, whichever lies
    /// farther from a fast moving average of block means, unless it is within 10% of the block mean (then the mean).
    /// </summary>
    private double Represent()
    {
        double sum = 0, max = double.NegativeInfinity, min = double.PositiveInfinity;
        foreach (var v in _block)
        {
            sum += v;
            max = Math.Max(max, v);
            min = Math.Min(min, v);
        }

        var mean = sum / _step;
        _smoothedMean = Points == 0 ? mean : (_smoothedMean + mean) / 2;
        var extreme = Math.Abs(max - _smoothedMean) >= Math.Abs(min - _smoothedMean) ? max : min;
        return Math.Abs(extreme - mean) < 0.1 * Math.Abs(mean) ? mean : extreme;
    }

    private double Scale(double v) => _high > _low ? Math.Clamp((v - _low) / (_high - _low), 0, 1) : 0;

    private double Quantise(double u) => Math.Round(u * _levels, MidpointRounding.ToEven) / _levels;

    private void Describe(Span<double> features)
    {
        // Shape: the window shifted to start at 0 and scaled to peak at 1, then its Haar coefficients scaled into [0, 1].
        var lo = double.PositiveInfinity;
        var hi = double.NegativeInfinity;
        foreach (var v in _levelsRing)
        {
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }

        for (var k = 0; k < _window; k++)
        {
            _scratch[k] = hi > lo ? (_levelsRing[k] - lo) / (hi - lo) : _levelsRing[k] - lo;
        }

        var coefficients = features[.._window];
        Haar.Transform(_scratch, coefficients);
        MinMaxScale(coefficients);
        _levelsRing.CopyTo(features[_window..]);
    }

    private static void MinMaxScale(Span<double> x)
    {
        var lo = double.PositiveInfinity;
        var hi = double.NegativeInfinity;
        foreach (var v in x)
        {
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }

        for (var k = 0; k < x.Length; k++)
        {
            x[k] = hi > lo ? (x[k] - lo) / (hi - lo) : x[k] - lo;
        }
    }
}

/// <summary>The orthonormal Haar wavelet transform of a power-of-two-length vector, taken to the coarsest level.</summary>
internal static class Haar
{
    /// <summary>
    /// Writes [overall average coefficient, coarsest detail, …, finest details] into <paramref name="output"/>
    /// (the usual pyramid layout).
    /// </summary>
    public static void Transform(ReadOnlySpan<double> input, Span<double> output)
    {
        var n = input.Length;
        if (n == 0 || (n & (n - 1)) != 0)
        {
            throw new ArgumentException($"The Haar transform needs a power-of-two length, got {n}.", nameof(input));
        }

        Span<double> work = n <= 256 ? stackalloc double[n] : new double[n];
        input.CopyTo(output);
        for (var length = n; length > 1; length /= 2)
        {
            var half = length / 2;
            for (var k = 0; k < half; k++)
            {
                var a = output[2 * k];
                var b = output[(2 * k) + 1];
                work[k] = (a + b) / Math.Sqrt(2);
                work[half + k] = (a - b) / Math.Sqrt(2);
            }

            work[..length].CopyTo(output);
        }
    }
}
