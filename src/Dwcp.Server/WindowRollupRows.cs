using System.Collections;
using Dwcp.Storage;
using Dwcp.Streaming;

namespace Dwcp.Server;

/// <summary>
/// The rollup rows of a group of closed windows (what <see cref="RollupWindowSink.ToRollups"/> returns), as a list whose
/// rows are made when they are read. A group holds up to 200,000 rows for the length of a store write; as a list of
/// ready rows they all outlive several young-generation collections and get copied into the older ones, which cost
/// more than the rows themselves (measured: about 1.4 µs per row against 0.1 µs). Made on reading, each row dies young.
/// Reading the same index twice gives equal rows (not the same object).
/// </summary>
internal sealed class WindowRollupRows : IReadOnlyList<WindowRollup>
{
    private readonly IReadOnlyList<WindowResult> _results;
    private readonly int[] _firstRow;
    private int _lastWindow;

    /// <param name="results">Closed windows.</param>
    /// <exception cref="ArgumentException">A window is provisional.</exception>
    public WindowRollupRows(IReadOnlyList<WindowResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        _results = results;
        _firstRow = new int[results.Count + 1];
        for (var i = 0; i < results.Count; i++)
        {
            RollupWindowSink.RequireFinal(results[i], nameof(results));
            _firstRow[i + 1] = _firstRow[i] + results[i].Metrics.Count;
        }
    }

    public int Count => _firstRow[^1];

    public WindowRollup this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);

            // Rows are mostly read in order: try the window of the last read and the next one before searching.
            var w = _lastWindow;
            if (!(index >= _firstRow[w] && index < _firstRow[w + 1]))
            {
                w = w + 1 < _results.Count && index >= _firstRow[w + 1] && index < _firstRow[w + 2] ? w + 1 : WindowOf(index);
                _lastWindow = w;
            }

            return Row(_results[w], index - _firstRow[w]);
        }
    }

    public IEnumerator<WindowRollup> GetEnumerator()
    {
        for (var i = 0; i < _results.Count; i++)
        {
            var w = _results[i];
            for (var j = 0; j < w.Metrics.Count; j++)
            {
                yield return Row(w, j);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The row of metric <paramref name="metric"/> of window <paramref name="w"/>.</summary>
    internal static WindowRollup Row(WindowResult w, int metric)
    {
        var s = w.Series;
        var m = w.Metrics[metric];
        return new WindowRollup(w.Start, w.End, w.Size, w.Slide, s.EventType, s.ResourceId, s.Provider, s.Region, s.Service, s.Account, s.Tags,
            m.Metric, w.EventCount, m.Count, m.Sum, m.Min, m.Max, m.Average, m.Last, m.LastTimestamp, m.P50, m.P95, m.P99);
    }

    /// <summary>The window holding row <paramref name="index"/> (windows without metrics hold no row).</summary>
    private int WindowOf(int index)
    {
        // The last window whose first row is ≤ index; among windows starting at the same row, the one with rows.
        int lo = 0, hi = _results.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_firstRow[mid] <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}
