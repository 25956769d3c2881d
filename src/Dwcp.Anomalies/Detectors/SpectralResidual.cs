using System.Numerics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Spectral residual saliency (Ren et al., 2019, "Time-Series Anomaly Detection Service at Microsoft", the SR part of
/// SR-CNN). For a window x: A = |FFT(x)|, P = phase, L = log A, R = L − h_q * L (trailing q-point moving average),
/// S = |IFFT(exp(R + iP))|. The score of a point i is (S_i − mean(S over the previous <c>scoreWindow</c>)) / mean.
/// Online, the window is the last values plus <c>extension</c> points extrapolated from the average gradient of the last
/// values before it, so the current point is not at the window edge (as in the paper and its reference code).
/// </summary>
public sealed class SpectralResidualDetector : IOnlineDetector
{
    private readonly int _fftLength;
    private readonly int _window;
    private readonly int _extension;
    private readonly int _averageFilter;
    private readonly int _scoreWindow;
    private readonly double[] _ring;
    // Only needed once the window is full: a server keeps thousands of detectors that may never get there.
    private Complex[]? _buffer;
    private double[]? _work;
    private double[]? _logAmp;
    private double[]? _saliency;
    private long _count;

    /// <summary>Creates the detector; <paramref name="fftLength"/> must be a power of two (window + extension).</summary>
    public SpectralResidualDetector(int fftLength = 64, int extension = 5, int averageFilter = 3, int scoreWindow = 21)
    {
        if (fftLength < 16 || (fftLength & (fftLength - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fftLength), fftLength, "Must be a power of two ≥ 16.");
        }

        _fftLength = fftLength;
        _extension = Math.Clamp(extension, 1, fftLength / 4);
        _window = fftLength - _extension;
        _averageFilter = averageFilter;
        _scoreWindow = Math.Min(scoreWindow, _window - 1);
        _ring = new double[_window];
    }

    /// <inheritdoc />
    public double Update(double value)
    {
        _ring[(int)(_count % _window)] = value;
        _count++;
        if (_count < _window)
        {
            return 0;
        }

        var start = (int)(_count % _window);
        _work ??= new double[_fftLength];
        _buffer ??= new Complex[_fftLength];
        _logAmp ??= new double[_fftLength];
        _saliency ??= new double[_fftLength];
        for (var i = 0; i < _window; i++)
        {
            _work[i] = _ring[(start + i) % _window];
        }

        // Extension value predicted from the m + 1 values before the current one (the authors' predict_next): the
        // previous value's average slope to the m before it, added to the second of them. Leaving the current value out
        // keeps a spike from being extrapolated into a plateau that would hide it.
        var m = _extension;
        var lastPrev = _work[_window - 2];
        double slopes = 0;
        for (var i = 1; i <= m; i++)
        {
            slopes += (lastPrev - _work[_window - 2 - i]) / i;
        }

        var next = _work[_window - 1 - m] + slopes;
        for (var i = _window; i < _fftLength; i++)
        {
            _work[i] = next;
        }

        Saliency(_work, _averageFilter, _buffer, _logAmp, _saliency);
        return ScoreAt(_saliency, _window - 1, _scoreWindow);
    }

    /// <summary>Saliency map of a window (length a power of two).</summary>
    public static double[] Saliency(ReadOnlySpan<double> values, int averageFilter = 3)
    {
        var saliency = new double[values.Length];
        Saliency(values, averageFilter, new Complex[values.Length], new double[values.Length], saliency);
        return saliency;
    }

    /// <summary>Batch SR: the score of every point, each from the window that ends at it (same as streaming the series).</summary>
    public static double[] ScoreSeries(ReadOnlySpan<double> values, int fftLength = 64)
    {
        var d = new SpectralResidualDetector(fftLength);
        var scores = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            scores[i] = d.Update(values[i]);
        }

        return scores;
    }

    /// <summary>The saliency map into <paramref name="sal"/>, with <paramref name="buffer"/> and <paramref name="logAmp"/> as
    /// scratch (all of the values' length): the streaming detector reuses its own, so a point allocates nothing.</summary>
    private static void Saliency(ReadOnlySpan<double> values, int q, Complex[] buffer, Span<double> logAmp, Span<double> sal)
    {
        var n = values.Length;
        for (var i = 0; i < n; i++)
        {
            buffer[i] = new Complex(values[i], 0);
        }

        Statistics.Fft.Transform(buffer, inverse: false);
        for (var i = 0; i < n; i++)
        {
            logAmp[i] = Math.Log(buffer[i].Magnitude + 1e-8);
        }

        // Trailing q-point moving average of the log spectrum, as the authors' implementation (msanomalydetector's
        // average_filter); at index 0 it is the value itself, so the DC term gets unit amplitude and drops out.
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            var c = 0;
            for (var j = Math.Max(0, i - q + 1); j <= i; j++)
            {
                s += logAmp[j];
                c++;
            }

            var residual = logAmp[i] - (s / c);
            var mag = buffer[i].Magnitude;
            var phase = mag > 0 ? buffer[i] / mag : Complex.Zero;
            buffer[i] = phase * Math.Exp(residual);
        }

        Statistics.Fft.Transform(buffer, inverse: true);
        for (var i = 0; i < n; i++)
        {
            sal[i] = buffer[i].Magnitude;
        }
    }

    private static double ScoreAt(ReadOnlySpan<double> saliency, int index, int scoreWindow)
    {
        double s = 0;
        for (var j = index - scoreWindow; j < index; j++)
        {
            s += saliency[j];
        }

        var mean = s / scoreWindow;
        return mean <= 1e-12 ? 0 : Math.Max(0, (saliency[index] - mean) / mean);
    }
}
