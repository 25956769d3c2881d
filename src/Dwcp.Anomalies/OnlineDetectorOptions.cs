namespace Dwcp.Anomalies;

/// <summary>The detectors <see cref="OnlineAnomalyDetector"/> can combine.</summary>
[Flags]
public enum EnsembleComponents
{
    /// <summary>None (invalid on its own).</summary>
    None = 0,

    /// <summary>Robust seasonal-trend residual z-score.</summary>
    SeasonalResidual = 1,

    /// <summary>Forecast-interval breach (seasonal baseline + conformal band).</summary>
    IntervalBreach = 2,

    /// <summary>CUSUM of the residual z-scores (level shifts).</summary>
    Cusum = 4,

    /// <summary>Spectral residual saliency.</summary>
    SpectralResidual = 8,

    /// <summary>Bayesian online change point detection on the residual z-scores.</summary>
    BayesianChangePoint = 16,

    /// <summary>Mean of the last residual z-scores (sustained shift).</summary>
    MeanShift = 32,

    /// <summary>Mean square of the last residual z-scores (variance change).</summary>
    VarianceShift = 64,

    /// <summary>Seasonal residual at a longer cycle made of whole periods (e.g. weekly over daily), when one is found.</summary>
    LongSeasonResidual = 128,

    /// <summary>The default set (chosen on the NAB subset; see docs/anomalies.md).</summary>
    Default = SeasonalResidual | IntervalBreach | Cusum | SpectralResidual | VarianceShift | LongSeasonResidual,
}

/// <summary>Settings of <see cref="OnlineAnomalyDetector"/>. The defaults are the ones measured in docs/anomalies.md.</summary>
public sealed record OnlineDetectorOptions
{
    /// <summary>Target false-positive rate α: a point is flagged when its score ≥ 1 − α. Must be in (0, 1).</summary>
    public double FpRate { get; init; } = 0.05;

    /// <summary>Seasonal period in samples; null = detect it from the first <see cref="PeriodSearchLength"/> points; 0 = none.</summary>
    public int? Period { get; init; }

    /// <summary>How many leading points are buffered to detect the period (ignored when <see cref="Period"/> is set).</summary>
    public int PeriodSearchLength { get; init; } = 720;

    /// <summary>Longest period searched for, in samples.</summary>
    public int MaxPeriod { get; init; } = 400;

    /// <summary>How many past statistics each calibrator keeps (the null distribution's sample).</summary>
    public int CalibrationWindow { get; init; } = 2000;

    /// <summary>Statistics a calibrator needs before it reports p-values below 1 (scores stay 0 until then).</summary>
    public int MinCalibrationHistory { get; init; } = 100;

    /// <summary>Which detectors the ensemble combines.</summary>
    public EnsembleComponents Components { get; init; } = EnsembleComponents.Default;

    /// <summary>Factor applied to p-values during a refractory period (p becomes min(1, p × factor)).</summary>
    public const double RefractoryDamping = 1e4;

    /// <summary>
    /// After a point with p-value ≤ <see cref="RefractoryPValue"/>, the next <see cref="RefractoryLength"/> points
    /// have their p-value multiplied by <see cref="RefractoryDamping"/> (one alarm per event). 0 (default) disables it.
    /// </summary>
    public int RefractoryLength { get; init; }

    /// <summary>Window (points) of the mean- and variance-shift components.</summary>
    public int ShiftWindow { get; init; } = 6;

    /// <summary>k: calibrators switch from empirical p-values to the exponential tail beyond their k-th largest past value.</summary>
    public int TailCount { get; init; } = 10;

    /// <summary>Beyond its 10th-largest past value the combined statistic's tail has the theoretical scale β = 1.</summary>
    public bool FixedCombinedTail { get; init; }

    /// <summary>The p-value that starts a refractory period.</summary>
    public double RefractoryPValue { get; init; } = 1e-4;

    internal void Validate()
    {
        if (!(FpRate > 0 && FpRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(FpRate), FpRate, "The false-positive rate must be between 0 and 1 (e.g. 0.05).");
        }

        if (Period is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Period), Period, "The period must be ≥ 0 samples (0 = no seasonality).");
        }

        if (Components == EnsembleComponents.None)
        {
            throw new ArgumentOutOfRangeException(nameof(Components), Components, "Select at least one ensemble component.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(CalibrationWindow, 50);
        ArgumentOutOfRangeException.ThrowIfLessThan(TailCount, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinCalibrationHistory, 20);
        ArgumentOutOfRangeException.ThrowIfLessThan(PeriodSearchLength, 20);
    }
}
