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

    /// <summary>Mid-rank shift of the recent raw values against the older ones (distribution change).</summary>
    DistributionShift = 256,

    /// <summary>Distance beyond the range of the recent values, in interquartile ranges (a never-seen level).</summary>
    RangeBreach = 512,

    /// <summary>
    /// Mean of the residual z-scores over half a period (of the longer cycle's residual when there is one): a part of a
    /// cycle that runs unusually high or low, such as a holiday in a weekly pattern.
    /// </summary>
    SeasonalShift = 1024,

    /// <summary>
    /// Distance from the window of the last residual z-scores to its nearest earlier non-overlapping window (a residual
    /// pattern never seen before).
    /// </summary>
    WindowDiscord = 2048,

    /// <summary>
    /// Adaptive-resonance novelty (<see cref="Detectors.ResonanceDetector"/>, after ARTime): a down-sampled window shape
    /// that founds a new cluster of a dual-vigilance fuzzy ART network.
    /// </summary>
    Resonance = 4096,

    /// <summary>The default set (chosen on the NAB subset by leave-one-file-out score; see docs/anomalies.md).</summary>
    Default = SeasonalResidual | IntervalBreach | Cusum | SpectralResidual | VarianceShift | LongSeasonResidual | Resonance,
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

    /// <summary>
    /// Points looked back over for one alarm per event: a point with p ≤ <see cref="RefractoryPValue"/> keeps its p-value
    /// only if it is <see cref="RefractoryRatio"/> times smaller than every raw p-value of the previous
    /// <see cref="RefractoryLength"/> points (measured in samples, so in the series' own time step); otherwise it is
    /// raised to <see cref="RefractoryPValue"/>. p-values above that level are untouched. 0 disables it.
    /// </summary>
    public int RefractoryLength { get; init; } = 300;

    /// <summary>Window (points) of the mean- and variance-shift components.</summary>
    public int ShiftWindow { get; init; } = 6;

    /// <summary>k: calibrators switch from empirical p-values to the exponential tail beyond their k-th largest past value.</summary>
    public int TailCount { get; init; } = 10;

    /// <summary>Beyond its 10th-largest past value the combined statistic's tail has the theoretical scale β = 1.</summary>
    public bool FixedCombinedTail { get; init; }

    /// <summary>The level below which repeats of a recent alarm are suppressed (keep it well below <see cref="FpRate"/>).</summary>
    public double RefractoryPValue { get; init; } = 1e-3;

    /// <summary>How much smaller than every recent p-value a point's p must be to count as a new alarm (≤ 1).</summary>
    public double RefractoryRatio { get; init; } = 1.0;

    /// <summary>Window (points) of the distribution-shift component.</summary>
    public int RankWindow { get; init; } = 12;

    /// <summary>Reference values (points before the recent window) of the distribution-shift component.</summary>
    public int RankHistory { get; init; } = 1000;

    /// <summary>
    /// Points over which the combined evidence −ln p is averaged (the anomaly-likelihood idea: a run of moderately
    /// unusual points is as telling as one extreme point); 0 or 1 = off.
    /// </summary>
    public int SmoothingWindow { get; init; }

    /// <summary>Values per window of the window-discord component.</summary>
    public int DiscordWindow { get; init; } = 16;

    /// <summary>Earlier windows the window-discord component searches for a near match.</summary>
    public int DiscordHistory { get; init; } = 1000;

    /// <summary>
    /// A resonance alarm of confidence c ∈ (0, 1] enters the final p-value as 10^−(offset + slope·c) (the minimum with the
    /// ensemble's p): offset 2.5 and slope 2 put alarms between 10^−2.5 and 10^−4.5, the band where the ensemble's own
    /// operating points lie on the NAB corpus (see docs/anomalies.md).
    /// </summary>
    public double ResonanceLogOffset { get; init; } = 2.5;

    /// <summary>See <see cref="ResonanceLogOffset"/>.</summary>
    public double ResonanceLogSlope { get; init; } = 2.0;

    /// <summary>
    /// The interval-breach component's forecaster: null = the built-in seasonal-conformal one (the default; see
    /// docs/anomalies.md for the NAB comparison); a <see cref="Dwcp.Forecasting.Ensemble.ModelCatalog"/> name (e.g.
    /// <c>theta</c>) = the forecasting engine's model, refitted every <see cref="IntervalRefitEvery"/> points
    /// (<see cref="Detectors.EngineIntervalForecaster"/>).
    /// </summary>
    public string? IntervalModel { get; init; }

    /// <summary>Points between refits of <see cref="IntervalModel"/> (also its forecast horizon).</summary>
    public int IntervalRefitEvery { get; init; } = 12;

    /// <summary>Settings of the <see cref="EnsembleComponents.Resonance"/> component.</summary>
    public Detectors.ResonanceOptions Resonance { get; init; } = new();

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
        ArgumentOutOfRangeException.ThrowIfNegative(RefractoryLength);
        ArgumentOutOfRangeException.ThrowIfNegative(SmoothingWindow);
        ArgumentOutOfRangeException.ThrowIfLessThan(RankWindow, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(RankHistory, 10);
        ArgumentOutOfRangeException.ThrowIfLessThan(DiscordWindow, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(DiscordHistory, 1);
        ArgumentNullException.ThrowIfNull(Resonance);
        ArgumentOutOfRangeException.ThrowIfLessThan(IntervalRefitEvery, 1);
        if (IntervalModel is { } model)
        {
            _ = Dwcp.Forecasting.Ensemble.ModelCatalog.Create(model); // a clear error for an unknown name
        }

        if (!(ResonanceLogOffset >= 0 && double.IsFinite(ResonanceLogOffset)) || !(ResonanceLogSlope >= 0 && double.IsFinite(ResonanceLogSlope)))
        {
            throw new ArgumentOutOfRangeException(nameof(ResonanceLogOffset), $"ResonanceLogOffset ({ResonanceLogOffset}) and ResonanceLogSlope ({ResonanceLogSlope}) must be finite and ≥ 0.");
        }

        Resonance.Validate();
        if (!(RefractoryPValue > 0 && RefractoryPValue < 1) || !(RefractoryRatio > 0 && RefractoryRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RefractoryPValue), $"RefractoryPValue ({RefractoryPValue}) must be in (0, 1) and RefractoryRatio ({RefractoryRatio}) in (0, 1].");
        }
    }
}
