namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// A streaming detector: each call sees one new value and returns a raw anomaly statistic for it (larger = more
/// anomalous, 0 for "nothing unusual"), computed from that value and the ones before it only. State is bounded.
/// </summary>
public interface IOnlineDetector
{
    /// <summary>Consumes the next value and returns its raw statistic.</summary>
    double Update(double value);
}
