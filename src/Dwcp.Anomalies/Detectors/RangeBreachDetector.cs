using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// A value outside everything seen recently: by how far x lies beyond the maximum (or below the minimum) of the last
/// <c>history</c> values, in units of max(IQR, a tenth of their range, 1e-6·(1 + |median|)): the range term keeps a
/// mostly constant or zero-inflated history (IQR 0) from turning any new value into an extreme one, and the last term
/// keeps a flat history from dividing by zero. Inside the range it is minus the distance to the nearer end, so the statistic stays
/// continuous and its calibrated tail is not degenerate. It catches a drift or a failure that reaches a level never seen
/// before, which residual detectors miss once their trend has adapted.
/// </summary>
public sealed class RangeBreachDetector : IOnlineDetector
{
    /// <summary>Smallest tail scale (in IQRs) the ensemble's calibrator uses for this statistic.</summary>
    public const double TailScaleFloor = 0.25;

    private readonly SortedWindow _history;
    private readonly int _minHistory;

    /// <summary>Creates the detector.</summary>
    /// <param name="history">Past values that define the range.</param>
    /// <param name="minHistory">Values needed before the statistic is reported.</param>
    public RangeBreachDetector(int history = 2000, int minHistory = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(history, 10);
        _history = new SortedWindow(history);
        _minHistory = Math.Min(minHistory, history);
    }

    /// <summary>Consumes the next value and returns the breach in IQR units (negative inside the range; 0 while warming up).</summary>
    public double Update(double value)
    {
        double stat = 0;
        if (_history.Count >= _minHistory)
        {
            var s = _history.Sorted;
            var iqr = _history.Quantile(0.75) - _history.Quantile(0.25);
            var scale = Math.Max(Math.Max(iqr, 0.1 * (s[^1] - s[0])), 1e-6 * (1 + Math.Abs(_history.Median)));
            stat = Math.Max(value - s[^1], s[0] - value);
            stat /= scale;
        }

        _history.Add(value);
        return stat;
    }
}
