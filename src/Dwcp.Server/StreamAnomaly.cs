using Dwcp.Anomalies.Costs;
using Dwcp.Server.Graph;
using Dwcp.Streaming;

namespace Dwcp.Server;

/// <summary>A closed stream window whose value the online detector flagged.</summary>
/// <param name="Id">Stable id: <c>sa1.</c> + 32 hex digits of SHA-256 over metric, window size and slide, series and window start.</param>
/// <param name="Metric">Metric name.</param>
/// <param name="Series">The window's series (event type and grouped dimensions).</param>
/// <param name="WindowStart">Window start (inclusive, UTC).</param>
/// <param name="WindowEnd">Window end (exclusive).</param>
/// <param name="WindowSize">Window length.</param>
/// <param name="WindowSlide">Distance between window starts (= size for tumbling windows).</param>
/// <param name="ValueOf">Which aggregate was scored (<see cref="AnomalyAlertOptions.StreamValue"/>).</param>
/// <param name="Value">The window's value.</param>
/// <param name="Expected">Median of the series' previous values (up to <see cref="AnomalyAlertOptions.StreamExpectedWindows"/>).</param>
/// <param name="DeviationPercentage">100·(value − expected)/|expected|; ±∞ when expected is 0.</param>
/// <param name="Score">The detector's calibrated score in [0, 1].</param>
/// <param name="PValue">1 − score: the tail probability under the series' recent past (flagged when ≤ the fp rate).</param>
/// <param name="Severity">By <see cref="StreamAnomalySeverity.Of"/>.</param>
/// <param name="Drivers">
/// Null for a single-metric anomaly. For a multivariate one (<paramref name="Metric"/> = <see cref="StreamAnomaly.Multivariate"/>,
/// <paramref name="Value"/> = the squared Mahalanobis distance D² of the window's metrics, <paramref name="Expected"/> = the
/// number of metrics, D²'s mean under the null): the metrics that drive it, largest influence first.
/// </param>
public sealed record StreamAnomaly(
    string Id, string Metric, SeriesKey Series, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, TimeSpan WindowSize, TimeSpan WindowSlide,
    StreamAggregate ValueOf, double Value, double Expected, double DeviationPercentage, double Score, double PValue, AnomalySeverity Severity,
    IReadOnlyList<StreamAnomalyDriver>? Drivers = null)
{
    /// <summary>The <see cref="Metric"/> of a multivariate anomaly (scored across all the window's metrics together).</summary>
    public const string Multivariate = "multivariate";

    /// <summary>"metric" for a single-metric anomaly, "multivariate" for one across metrics.</summary>
    public string Kind => Drivers is null ? "metric" : Multivariate;
}

/// <summary>One metric's part in a multivariate stream anomaly.</summary>
/// <param name="Metric">Metric name.</param>
/// <param name="Value">Its value in the window.</param>
/// <param name="Expected">Median of its recent values (the detector's history).</param>
/// <param name="Z">Robust z-score against its recent values.</param>
/// <param name="Share">How much of D² goes away without this metric (its influence / D², in [0, 1]; at least 0.5 for a driver).</param>
public sealed record StreamAnomalyDriver(string Metric, double Value, double Expected, double Z, double Share);

/// <summary>
/// Severity of a stream anomaly, from its relative deviation d = |value − expected| / |expected| (metrics are not money,
/// so unlike cost anomalies there is no dollar impact): critical when d ≥ 100% (or expected is 0), high when d ≥ 50%,
/// medium when d ≥ 20%, low otherwise.
/// </summary>
public static class StreamAnomalySeverity
{
    /// <summary>The severity of a flagged value against its expected value.</summary>
    public static AnomalySeverity Of(double value, double expected)
    {
        if (expected == 0)
        {
            return value == 0 ? AnomalySeverity.Low : AnomalySeverity.Critical;
        }

        var d = Math.Abs(value - expected) / Math.Abs(expected);
        return d >= 1.0 ? AnomalySeverity.Critical : d >= 0.5 ? AnomalySeverity.High : d >= 0.2 ? AnomalySeverity.Medium : AnomalySeverity.Low;
    }
}
