namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Two-sided tabular CUSUM (Page, 1954) on standardised inputs z (e.g. robust z-scores of residuals):
/// S⁺ₜ = max(0, S⁺ₜ₋₁ + min(z, c) − k), S⁻ₜ = max(0, S⁻ₜ₋₁ − max(z, −c) − k); the statistic is max(S⁺, S⁻).
/// The clip c keeps one spike from looking like a level shift; the drift k is the allowance per step in σ units.
/// When the statistic passes <see cref="ResetThreshold"/> both sums restart at 0 (one alarm per shift).
/// </summary>
public sealed class CusumDetector : IOnlineDetector
{
    private readonly double _drift;
    private readonly double _clip;
    private double _up;
    private double _down;

    /// <summary>Creates the detector with drift k (σ units per step) and clip c.</summary>
    public CusumDetector(double drift = 0.5, double clip = 4.0, double resetThreshold = double.PositiveInfinity)
    {
        _drift = drift;
        _clip = clip;
        ResetThreshold = resetThreshold;
    }

    /// <summary>Statistic above which the sums restart (∞ = never).</summary>
    public double ResetThreshold { get; }

    /// <summary>Direction of the last evidence: +1 upward shift, −1 downward, 0 none.</summary>
    public int Direction => _up > _down ? 1 : _down > _up ? -1 : 0;

    /// <summary>Consumes the next standardised value z.</summary>
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return Math.Max(_up, _down);
        }

        var z = Math.Clamp(value, -_clip, _clip);
        _up = Math.Max(0, _up + z - _drift);
        _down = Math.Max(0, _down - z - _drift);
        var s = Math.Max(_up, _down);
        if (s > ResetThreshold)
        {
            _up = 0;
            _down = 0;
        }

        return s;
    }

    /// <summary>Runs the CUSUM over a whole series of standardised values (batch form of <see cref="Update"/>).</summary>
    public static double[] Run(ReadOnlySpan<double> z, double drift = 0.5, double clip = 4.0)
    {
        var d = new CusumDetector(drift, clip);
        var result = new double[z.Length];
        for (var i = 0; i < z.Length; i++)
        {
            result[i] = d.Update(z[i]);
        }

        return result;
    }
}
