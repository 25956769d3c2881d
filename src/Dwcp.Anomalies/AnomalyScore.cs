namespace Dwcp.Anomalies;

/// <summary>The calibrated verdict on one point.</summary>
/// <param name="Score">Ensemble score in [0, 1]: 1 − <paramref name="PValue"/>.</param>
/// <param name="PValue">Estimated probability, on anomaly-free data, of a score at least this high.</param>
/// <param name="IsAnomaly">True when <paramref name="PValue"/> ≤ the target false-positive rate (score ≥ 1 − fp-rate).</param>
public readonly record struct AnomalyScore(double Score, double PValue, bool IsAnomaly)
{
    /// <summary>The score threshold that a target false-positive rate α turns into: 1 − α.</summary>
    public static double ThresholdFor(double fpRate) => 1.0 - fpRate;
}
