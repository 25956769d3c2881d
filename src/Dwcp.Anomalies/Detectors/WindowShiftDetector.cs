namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Sustained change over the last <c>window</c> standardised residuals z (clipped at ±<c>clip</c>): the mean-shift
/// statistic |Σ z|/√w (≈ |N(0,1)| when residuals are independent noise) or, with <c>variance</c>, the dispersion
/// statistic Σ z²/w (≈ 1 under the null). Catches behaviour changes too small per point for a z-score to notice.
/// </summary>
public sealed class WindowShiftDetector : IOnlineDetector
{
    private readonly double[] _ring;
    private readonly double _clip;
    private readonly bool _variance;
    private double _sum;
    private long _count;

    /// <summary>Creates the detector.</summary>
    public WindowShiftDetector(int window, bool variance = false, double clip = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        _ring = new double[window];
        _clip = clip;
        _variance = variance;
    }

    /// <summary>Consumes the next standardised residual.</summary>
    public double Update(double value)
    {
        var z = double.IsNaN(value) ? 0 : Math.Clamp(value, -_clip, _clip);
        var x = _variance ? z * z : z;
        var slot = (int)(_count % _ring.Length);
        _sum += x - _ring[slot];
        _ring[slot] = x;
        _count++;
        var n = (int)Math.Min(_count, _ring.Length);
        return _variance ? _sum / n : Math.Abs(_sum) / Math.Sqrt(n);
    }
}
