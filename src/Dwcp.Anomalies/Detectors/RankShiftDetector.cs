using Dwcp.Anomalies.Statistics;

namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// A change in the distribution of recent values (level or occupancy, e.g. a sparse series that suddenly stays
/// non-zero): each value gets its mid-rank u = (#{h &lt; x} + ½·#{h = x}) / n among the <c>history</c> values that came
/// before the recent window; the statistic is |mean of the last <c>window</c> u − ½|·√(12·window), about |N(0, 1)| when
/// recent values come from the same distribution as the history (ties only shrink it). Rank-based, so it needs no
/// residual model and is immune to outliers in the history. Zero until the history holds <c>minHistory</c> values.
/// </summary>
public sealed class RankShiftDetector : IOnlineDetector
{
    private readonly SortedWindow _history;
    private readonly double[] _recentValues;
    private readonly double[] _recentRanks;
    private readonly int _minHistory;
    private double _rankSum;
    private long _count;

    /// <summary>Creates the detector.</summary>
    /// <param name="window">Recent values compared with the history (w).</param>
    /// <param name="history">Older values kept as the reference sample.</param>
    /// <param name="minHistory">Reference values needed before the statistic is reported.</param>
    public RankShiftDetector(int window = 12, int history = 1000, int minHistory = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(history, 10);
        _history = new SortedWindow(history);
        _recentValues = new double[window];
        _recentRanks = new double[window];
        _minHistory = Math.Min(minHistory, history);
    }

    /// <summary>Consumes the next value and returns the statistic (0 while the history is short).</summary>
    public double Update(double value)
    {
        var w = _recentValues.Length;
        var slot = (int)(_count % w);
        if (_count >= w)
        {
            // The value leaving the recent window joins the history.
            _history.Add(_recentValues[slot]);
        }

        var n = _history.Count;
        var u = 0.5;
        if (n > 0)
        {
            var atLeast = _history.CountAtLeast(value);
            var above = _history.CountAtLeast(Math.BitIncrement(value));
            var less = n - atLeast;
            u = (less + (0.5 * (atLeast - above))) / n;
        }

        _rankSum += u - (_count >= w ? _recentRanks[slot] : 0);
        _recentRanks[slot] = u;
        _recentValues[slot] = value;
        _count++;
        if (n < _minHistory || _count < w)
        {
            return 0;
        }

        return Math.Abs((_rankSum / w) - 0.5) * Math.Sqrt(12.0 * w);
    }
}
