namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Shape novelty (a discord, as in matrix-profile and KNN-CAD detectors): the distance from the window of the last
/// <c>m</c> values to its nearest neighbour among the earlier windows of the same length that do not overlap it (those
/// ending at least <c>m</c> points before it, up to <c>history</c> of them), as a root-mean-square difference. A window
/// that never occurred before (a new pattern, a changed rhythm, a stretch that stays at a level where it used to
/// oscillate) is far from all of them, while a repeat of any recent pattern is close to one. Early abandoning keeps the
/// cost well below O(history·m) per point.
/// </summary>
public sealed class WindowDiscordDetector : IOnlineDetector
{
    private readonly int _m;
    private readonly int _history;
    private readonly double[] _ring;
    private long _count;

    /// <summary>Creates the detector.</summary>
    /// <param name="window">m: values per window (≥ 2).</param>
    /// <param name="history">How many earlier windows are searched (≥ 1).</param>
    public WindowDiscordDetector(int window = 16, int history = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(history, 1);
        _m = window;
        _history = history;
        _ring = new double[history + (2 * window)];
    }

    /// <summary>Consumes the next value and returns the nearest-neighbour distance of the window ending at it (0 until one earlier window exists).</summary>
    public double Update(double value)
    {
        var len = _ring.Length;
        _ring[(int)(_count % len)] = value;
        _count++;
        // The current window ends at t = _count − 1; candidates end at s ∈ [t − m − history + 1, t − m], s ≥ m − 1.
        var t = _count - 1;
        var last = t - _m;
        var first = Math.Max(_m - 1, last - _history + 1);
        if (last < first)
        {
            return 0;
        }

        Span<double> current = stackalloc double[_m];
        for (var j = 0; j < _m; j++)
        {
            current[j] = _ring[(int)((t - _m + 1 + j) % len)];
        }

        var best = double.PositiveInfinity;
        for (var s = last; s >= first; s--)
        {
            var start = s - _m + 1;
            double sum = 0;
            var j = 0;
            for (; j < _m && sum < best; j++)
            {
                var d = current[j] - _ring[(int)((start + j) % len)];
                sum += d * d;
            }

            if (j == _m && sum < best)
            {
                best = sum;
                if (best == 0)
                {
                    break;
                }
            }
        }

        return Math.Sqrt(best / _m);
    }
}
